#include "consolida/consolidate.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "common/digest.hpp"
#include "common/text.hpp"
#include "common/labels.hpp"
#include "consolida/error.hpp"
#include "consolida/typed_form.hpp"
#include "forms/breakdowns.hpp"
#include "consolida/values.hpp"

namespace consolida::consolidate {
namespace {

using forms::ConsolidationSpec;
using forms::FormInstance;
using forms::FormSpec;
using forms::TypedCell;
using forms::TypedForm;

// The cell of a named column in a row, blank when the table has no such column.
const TypedCell& cell_at(const forms::TypedRow& row, const forms::TableSpec& table, const std::string& column) {
  static const TypedCell blank;
  const auto position = table.position(column);
  return position ? row.cells[*position] : blank;
}

// The text of a list choice as its item's display, so that "a" and "A. Contrasto..." count together.
std::string choice_text(const TypedCell& cell) {
  if (const forms::ListItem* item = cell.item()) return item->display();
  return cell.text();
}

// What the consolidation needs of one file: who sent it and its figures. Read in the worker
// that validated the file, so the file's model is freed at once and a regional run holds only
// figures (memory flat in the number of files).
struct Taken {
  std::optional<std::size_t> ambito;  // index into registry ambiti, once the ente is known
  EnteFigures figures;                // code, name, population, amounts, counts
  std::vector<Record> records;        // their ente index is set when the file is used
  std::string disagreement;           // why its breakdowns do not add up to the same total, if they don't
};

struct Worked {
  Input input;
  Taken taken;
};

// Reads identity and figures out of a validated instance; shared by the workers, so const.
class FigureReader {
 public:
  FigureReader(const FormSpec& form, const registry::Registry& registry)
      : form_(form), spec_(form.consolidation), registry_(registry) {
    for (const forms::Breakdown& breakdown : spec_.breakdowns) breakdowns_.push_back({&breakdown, forms::breakdown_items(form, breakdown)});
  }

  const std::vector<BreakdownItems>& breakdowns() const { return breakdowns_; }

  Taken read(const TypedForm& form, Input& input) const {
    Taken taken;
    if (input.report.form_id != form_.id) {
      input.note_it = "modulo diverso («" + input.report.form_id + "»)";
      return taken;
    }
    identify(form.instance(), input, taken);
    if (!taken.ambito) return taken;
    EnteFigures& ente = taken.figures;
    ente.code = input.ente_code;
    ente.ambito = *taken.ambito;
    ente.valid = input.report.valid();
    ente.population = spec_.ente == ConsolidationSpec::Ente::comune ? registry_.comune_by_istat(ente.code)->population
                                                                      : registry_.ambiti()[*taken.ambito].population;
    for (const BreakdownItems& items : breakdowns_) ente.amounts.push_back(forms::breakdown_amounts(form, *items.spec));
    for (const forms::CountSpec& count : spec_.counts) ente.counts.push_back(count_sum(form, count));
    if (spec_.records) taken.records = records(form);
    taken.disagreement = disagreement(ente);
    return taken;
  }

 private:
  void identify(const FormInstance& instance, Input& input, Taken& taken) const {
    const EnteIdentification found = identify_ente(form_, instance, registry_);
    if (!found.ente) {
      input.note_it = found.why_not.it;
      return;
    }
    input.ente_code = found.ente->code;
    taken.ambito = found.ente->ambito;
    taken.figures.name = found.ente->name;
  }

  // Breakdowns of the same table are the same money cut two ways: every amount counted once in
  // each. Validation says so where the form asks it (breakdowns_agree, row_sum); this holds for
  // every form, and for files taken with their errors (--tutti).
  std::string disagreement(const EnteFigures& ente) const {
    for (std::size_t a = 0; a < breakdowns_.size(); ++a) {
      for (std::size_t b = a + 1; b < breakdowns_.size(); ++b) {
        if (breakdowns_[a].spec->table != breakdowns_[b].spec->table) continue;
        const std::int64_t first = ente.total(a), second = ente.total(b);
        if (first == second) continue;
        return "le ripartizioni non coincidono: «" + breakdowns_[a].spec->title.it + "» " + values::format_cents(first) + ", «" +
               breakdowns_[b].spec->title.it + "» " + values::format_cents(second);
      }
    }
    return {};
  }

  std::int64_t count_sum(const TypedForm& form, const forms::CountSpec& count) const {
    const forms::TypedTable* table = form.table(count.table);
    std::int64_t sum = 0;
    if (!table) return sum;
    for (const forms::TypedRow& row : table->rows) {
      if (!row.subtotal()) sum += cell_at(row, *table->spec, count.column).number().value_or(0);
    }
    return sum;
  }

  std::vector<Record> records(const TypedForm& form) const {
    std::vector<Record> out;
    const forms::RecordsSpec& spec = *spec_.records;
    const forms::TypedTable* table = form.table(spec.table);
    if (!table) return out;
    const forms::TableSpec& columns = *table->spec;
    for (const forms::TypedRow& row : table->rows) {
      if (!row.row->filled()) continue;
      Record record;
      record.objective = row.row->key.text;
      record.group = choice_text(cell_at(row, columns, spec.group_column));
      record.kind = choice_text(cell_at(row, columns, spec.kind_column));
      record.indicator = cell_at(row, columns, "indicatore").text();
      record.unit = choice_text(cell_at(row, columns, "unita"));
      record.expected = cell_at(row, columns, spec.expected_column).number();
      const TypedCell& done = cell_at(row, columns, spec.achieved_column);
      record.achieved = done.number();
      if (!record.achieved && !done.blank()) record.status = done.text();
      out.push_back(std::move(record));
    }
    return out;
  }

  const FormSpec& form_;
  const ConsolidationSpec& spec_;
  const registry::Registry& registry_;
  std::vector<BreakdownItems> breakdowns_;
};

// A file within the form size limit is read once, for its hash and its contents; one that
// cannot be read (or is too large) goes to validate_file, which says why in its words.
std::optional<std::string> read_whole(const std::string& path) {
  try {
    return xlsx::read_file_at_most(path, forms::form_limits().max_file_bytes);
  } catch (const Error&) {
    return std::nullopt;
  }
}

Worked work_on(const Source& source, const std::vector<FormSpec>& forms, const registry::Registry& registry,
               const std::string& form_id, const FigureReader& reader) {
  Worked out;
  const std::string& file = source.path;
  out.input.file = source.name.empty() ? source.path : source.name;
  out.input.sender = source.sender;
  out.input.received_at = source.received_at;
  try {
    TypedForm form;
    if (std::optional<std::string> bytes = read_whole(file)) {
      out.input.sha256 = sha256_hex(*bytes);
      out.input.report = forms::validate_bytes(std::move(*bytes), out.input.file, forms, registry, form_id, &form);
    } else {
      out.input.sha256 = sha256_hex_file(file);
      out.input.report = forms::validate_file(file, forms, registry, form_id, &form);
      out.input.report.file = out.input.file;
    }
    out.input.readable = true;
    out.taken = reader.read(form, out.input);
  } catch (Error& e) {
    e.set_file(out.input.file);  // the messages name the file as the workbook does
    out.input.error_it = e.describe(Lang::it);
    out.input.error_en = e.describe(Lang::en);
  } catch (const std::exception&) {
    // Not a domain error: its text is internal (and English), so the people reading the
    // consolidation are told plainly that this file could not be read.
    out.input.error_it = "«" + out.input.file + "»: il file non è stato letto per un errore interno; inviarlo di nuovo o segnalarlo";
    out.input.error_en = "«" + out.input.file + "»: the file was not read because of an internal error; send it again or report it";
  }
  return out;
}

class Consolidator {
 public:
  Consolidator(const FormSpec& form, const Options& options, const registry::Registry& registry,
               std::vector<BreakdownItems> breakdowns)
      : spec_(form.consolidation), options_(options), registry_(registry) {
    result_.form = &form;
    result_.registry = &registry;
    result_.level = options.level;
    result_.breakdowns = std::move(breakdowns);
  }

  Result run(std::vector<Worked> worked) {
    // The scope may be inferred from the enti of the files, so it is resolved first.
    std::vector<std::optional<std::size_t>> ambito_of(worked.size());
    for (std::size_t i = 0; i < worked.size(); ++i) ambito_of[i] = worked[i].taken.ambito;
    resolve_scope(ambito_of, worked);
    std::map<std::string, std::size_t> seen;
    for (std::size_t i = 0; i < worked.size(); ++i) {
      Input& input = worked[i].input;
      if (!ambito_of[i]) continue;
      if (!in_scope(*ambito_of[i])) {
        input.note_it = "fuori dall'ambito della consolidazione (" + registry_.ambiti()[*ambito_of[i]].name + ")";
        continue;
      }
      if (!input.report.valid() && !options_.include_invalid) {
        input.note_it = "non valido: " + counted(input.report.errors(), "errore bloccante", "errori bloccanti");
        continue;
      }
      if (!worked[i].taken.disagreement.empty()) {
        input.note_it = worked[i].taken.disagreement;
        continue;
      }
      const auto [previous, fresh] = seen.emplace(input.ente_code, i);
      if (!fresh) {
        input.note_it = "duplicato: per lo stesso ente vale già " + worked[previous->second].input.file;
        continue;
      }
      input.used = true;
      take(worked[i].taken, i);
    }
    for (Worked& w : worked) result_.inputs.push_back(std::move(w.input));
    sort_enti();
    find_missing();
    return std::move(result_);
  }

 private:
  void resolve_scope(const std::vector<std::optional<std::size_t>>& ambito_of, const std::vector<Worked>& worked) {
    const auto& ambiti = registry_.ambiti();
    if (options_.level == Level::regione) {
      result_.scope_name = "Regione Lombardia";
    } else {
      std::string scope = options_.scope;
      if (scope.empty()) {
        // The Ambito (or ATS) most inputs belong to.
        std::map<std::string, std::size_t> votes;
        for (const auto& a : ambito_of) {
          if (a) ++votes[options_.level == Level::ambito ? ambiti[*a].code : ambiti[*a].ats];
        }
        std::size_t best = 0;
        for (const auto& [code, n] : votes) {
          if (n > best) best = n, scope = code;
        }
        if (votes.empty()) throw no_usable_file(worked);
      }
      if (options_.level == Level::ambito) {
        const registry::Ambito* ambito = registry_.find_ambito(scope);
        if (!ambito) throw Error(ErrorCode::not_found, "Ambito non trovato nell'anagrafica: «" + scope + "»", "Ambito not found in the registry: «" + scope + "»");
        result_.scope_code = ambito->code;
        result_.scope_name = ambito->name;
      } else {
        const registry::Ats* ats = registry_.find_ats(scope);
        if (!ats) throw Error(ErrorCode::not_found, "ATS non trovata nell'anagrafica: «" + scope + "»", "ATS not found in the registry: «" + scope + "»");
        result_.scope_code = ats->code;
        result_.scope_name = ats->name;
      }
    }
    for (std::size_t a = 0; a < ambiti.size(); ++a) {
      if (in_scope(a)) {
        result_.ambiti.push_back(a);
        result_.synthetic_registry = result_.synthetic_registry || ambiti[a].synthetic;
      }
    }
  }

  // No input names an ente of the registry, so there is no Ambito or ATS to infer: say why.
  static Error no_usable_file(const std::vector<Worked>& worked) {
    std::size_t unreadable = 0;
    std::string first_reason;
    for (const Worked& w : worked) {
      unreadable += !w.input.readable;
      const std::string& reason = w.input.readable ? w.input.note_it : w.input.error_it;
      if (first_reason.empty() && !reason.empty()) first_reason = w.input.file + ": " + reason;
    }
    const std::string counts_it = counted(worked.size(), "file ricevuto", "file ricevuti") + ", " +
                                  counted(unreadable, "illeggibile", "illeggibili") + ", " +
                                  counted(worked.size() - unreadable, "senza un ente riconosciuto", "senza un ente riconosciuto");
    const std::string counts_en = counted(worked.size(), "file", "files") + ", " + std::to_string(unreadable) + " unreadable, " +
                                  std::to_string(worked.size() - unreadable) + " without a known ente";
    return Error(ErrorCode::not_found,
                 "nessun file utilizzabile per la consolidazione (" + counts_it + ")" + (first_reason.empty() ? "" : "; per esempio " + first_reason),
                 "no usable file for the consolidation (" + counts_en + ")" + (first_reason.empty() ? "" : "; for example " + first_reason));
  }

  bool in_scope(std::size_t ambito) const {
    const registry::Ambito& a = registry_.ambiti()[ambito];
    switch (options_.level) {
      case Level::regione: return true;
      case Level::ats: return a.ats == result_.scope_code;
      case Level::ambito: return a.code == result_.scope_code;
    }
    return false;
  }

  void take(Taken& taken, std::size_t index) {
    taken.figures.input = index;
    const std::size_t ente = result_.enti.size();
    result_.enti.push_back(std::move(taken.figures));
    for (Record& record : taken.records) {
      record.ente = ente;
      result_.records.push_back(std::move(record));
    }
  }

  void sort_enti() {
    // Records point at enti by index: sort through a permutation and remap them.
    std::vector<std::size_t> order(result_.enti.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      const auto& x = result_.enti[a];
      const auto& y = result_.enti[b];
      return std::tie(x.ambito, x.code) < std::tie(y.ambito, y.code);
    });
    std::vector<std::size_t> new_index(order.size());
    std::vector<EnteFigures> sorted;
    for (std::size_t k = 0; k < order.size(); ++k) {
      new_index[order[k]] = k;
      sorted.push_back(std::move(result_.enti[order[k]]));
    }
    result_.enti = std::move(sorted);
    for (Record& record : result_.records) record.ente = new_index[record.ente];
    std::stable_sort(result_.records.begin(), result_.records.end(), [](const Record& a, const Record& b) { return a.ente < b.ente; });
  }

  void find_missing() {
    std::map<std::string, const Input*> by_code;
    for (const Input& input : result_.inputs) {
      if (!input.ente_code.empty() && !input.used) by_code.emplace(input.ente_code, &input);
    }
    std::vector<bool> present;
    auto reason = [&](const std::string& code) {
      const auto it = by_code.find(code);
      if (it == by_code.end()) return std::string("nessun file ricevuto");
      return "file non utilizzabile (" + it->second->note_it + "): " + it->second->file;
    };
    std::map<std::string, bool> used;
    for (const EnteFigures& ente : result_.enti) used[ente.code] = true;
    for (std::size_t a : result_.ambiti) {
      const registry::Ambito& ambito = registry_.ambiti()[a];
      if (spec_.ente == ConsolidationSpec::Ente::comune) {
        for (std::size_t c : ambito.comuni) {
          const registry::Comune& comune = registry_.comuni()[c];
          if (!used.count(comune.istat)) result_.missing.push_back({comune.istat, comune.name, a, reason(comune.istat)});
        }
      } else if (!used.count(ambito.code)) {
        result_.missing.push_back({ambito.code, ambito.name, a, reason(ambito.code)});
      }
    }
  }

  const ConsolidationSpec& spec_;
  const Options& options_;
  const registry::Registry& registry_;
  Result result_;
};

}  // namespace

std::optional<Level> parse_level(std::string_view text) {
  const std::string t = normalise_label(text);
  if (t == "ambito") return Level::ambito;
  if (t == "ats") return Level::ats;
  if (t == "regione") return Level::regione;
  return std::nullopt;
}

std::string_view to_string(Level level) {
  switch (level) {
    case Level::ambito: return "ambito";
    case Level::ats: return "ats";
    case Level::regione: return "regione";
  }
  return "regione";
}

Result consolidate(const std::vector<std::string>& files, const std::vector<forms::FormSpec>& forms, const std::string& form_id,
                   const Options& options, const registry::Registry& registry) {
  std::vector<Source> sources;
  sources.reserve(files.size());
  for (const std::string& file : files) sources.push_back({file, {}, {}, 0});
  return consolidate(sources, forms, form_id, options, registry);
}

Result consolidate(const std::vector<Source>& files, const std::vector<forms::FormSpec>& forms, const std::string& form_id,
                   const Options& options, const registry::Registry& registry) {
  const FormSpec* form = nullptr;
  for (const FormSpec& f : forms) {
    if (f.id == form_id) form = &f;
  }
  if (!form || form->consolidation.ente == ConsolidationSpec::Ente::none) {
    throw Error(ErrorCode::form_unknown, "il modulo «" + form_id + "» non esiste o non prevede consolidazione",
                "form «" + form_id + "» does not exist or cannot be consolidated");
  }
  // Validation is independent per file: workers take files in turn; results keep input order.
  const FigureReader reader(*form, registry);
  std::vector<Worked> worked(files.size());
  std::atomic<std::size_t> next{0};
  std::size_t done = 0;
  std::mutex lock;
  std::condition_variable progressed;
  const unsigned threads = std::max(1u, std::min<unsigned>(options.threads, static_cast<unsigned>(files.size())));
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (std::size_t i = next++; i < files.size(); i = next++) {
        worked[i] = work_on(files[i], forms, registry, form_id, reader);
        if (!options.progress) continue;
        std::lock_guard guard(lock);
        ++done;
        progressed.notify_one();
      }
    });
  }
  if (options.progress) {
    std::unique_lock guard(lock);
    while (done < files.size()) {
      progressed.wait(guard);
      if (options.progress) options.progress(done, files.size());
    }
  }
  for (auto& thread : pool) thread.join();
  return Consolidator(*form, options, registry, reader.breakdowns()).run(std::move(worked));
}

}  // namespace consolida::consolidate
