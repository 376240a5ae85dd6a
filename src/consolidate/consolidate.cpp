#include "consolida/consolidate.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "common/digest.hpp"
#include "common/labels.hpp"
#include "consolida/error.hpp"
#include "consolida/values.hpp"

namespace consolida::consolidate {
namespace {

using forms::CellValue;
using forms::ConsolidationSpec;
using forms::FormInstance;
using forms::FormSpec;

// Blank amounts and counts are zero; a blank decimal is no value.
std::optional<std::int64_t> amount_of(const CellValue& cell) { return cell.blank() ? 0 : forms::parse_amount(cell).value; }
std::optional<std::int64_t> count_of(const CellValue& cell) { return cell.blank() ? 0 : forms::parse_count(cell).value; }
std::optional<std::int64_t> hundredths_of(const CellValue& cell) {
  return cell.blank() ? std::nullopt : forms::parse_decimal(cell).value;
}

std::size_t column_index(const forms::TableSpec& table, const std::string& id) {
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    if (table.columns[c].id == id) return c;
  }
  return table.columns.size();
}

const CellValue& cell_at(const forms::TableRow& row, std::size_t c) {
  static const CellValue empty;
  return c < row.cells.size() ? row.cells[c] : empty;
}

// The text of a list choice as its item's display, so that "a" and "A. Contrasto..." count together.
std::string choice_text(const FormSpec& form, const forms::ColumnSpec& column, const CellValue& cell) {
  if (column.type == forms::FieldType::choice) {
    if (const forms::ListItem* item = forms::find_list_item(form, column.list, cell.text)) return item->display();
  }
  return cell.text;
}

// What the consolidation needs of one file: who sent it and its figures. Read in the worker
// that validated the file, so the file's model is freed at once and a regional run holds only
// figures (memory flat in the number of files).
struct Taken {
  std::optional<std::size_t> ambito;  // index into registry ambiti, once the ente is known
  EnteFigures figures;                // code, name, population, amounts, counts
  std::vector<Record> records;        // their ente index is set when the file is used
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
    for (const forms::Breakdown& breakdown : spec_.breakdowns) {
      BreakdownItems items;
      items.spec = &breakdown;
      const forms::TableSpec& table = *form.table(breakdown.table);
      if (!breakdown.rows_of_column.empty()) {
        items.items = table.fixed_rows;
        std::vector<std::string>& fixed = fixed_rows_[table.id];
        fixed.clear();
        for (const std::string& label : table.fixed_rows) fixed.push_back(forms::normalise_label(label));
        if (!breakdown.other_label.empty()) items.items.push_back(breakdown.other_label);
      } else {
        for (const std::string& column : breakdown.column_sums) items.items.push_back(table.columns[column_index(table, column)].label.it);
      }
      breakdowns_.push_back(std::move(items));
    }
  }

  const std::vector<BreakdownItems>& breakdowns() const { return breakdowns_; }

  Taken read(const FormInstance& instance, Input& input) const {
    Taken taken;
    if (input.report.form_id != form_.id) {
      input.note_it = "modulo diverso («" + input.report.form_id + "»)";
      return taken;
    }
    identify(instance, input, taken);
    if (!taken.ambito) return taken;
    EnteFigures& ente = taken.figures;
    ente.code = input.ente_code;
    ente.ambito = *taken.ambito;
    ente.valid = input.report.valid();
    ente.population = spec_.ente == ConsolidationSpec::Ente::comune ? registry_.comune_by_istat(ente.code)->population
                                                                      : registry_.ambiti()[*taken.ambito].population;
    for (const BreakdownItems& items : breakdowns_) ente.amounts.push_back(amounts(instance, *items.spec, items.items.size()));
    for (const forms::CountSpec& count : spec_.counts) ente.counts.push_back(count_sum(instance, count));
    if (spec_.records) taken.records = records(instance);
    return taken;
  }

 private:
  std::string raw(const FormInstance& instance, const std::string& field) const {
    const auto it = instance.fields.find(field);
    return it == instance.fields.end() || !it->second.found ? std::string() : it->second.cell.written();
  }

  void identify(const FormInstance& instance, Input& input, Taken& taken) const {
    const std::string identity = raw(instance, spec_.identity_field);
    if (spec_.ente == ConsolidationSpec::Ente::comune) {
      if (const registry::Comune* comune = registry_.comune_by_istat(identity)) {
        input.ente_code = comune->istat;
        taken.ambito = comune->ambito;
        taken.figures.name = comune->name;
        return;
      }
      input.note_it = "codice ISTAT non riconosciuto: «" + identity + "»";
    } else {
      if (const registry::Ambito* found = registry_.find_ambito(identity)) {
        input.ente_code = found->code;
        taken.ambito = static_cast<std::size_t>(found - registry_.ambiti().data());
        taken.figures.name = found->name;
        return;
      }
      input.note_it = "Ambito non riconosciuto: «" + identity + "»";
    }
  }

  std::int64_t count_sum(const FormInstance& instance, const forms::CountSpec& count) const {
    const forms::TableSpec& table = *form_.table(count.table);
    std::int64_t sum = 0;
    const auto it = instance.tables.find(table.id);
    if (it != instance.tables.end()) {
      const std::size_t c = column_index(table, count.column);
      for (const forms::TableRow& row : it->second.rows) {
        if (!row.subtotal) sum += count_of(cell_at(row, c)).value_or(0);
      }
    }
    return sum;
  }

  // One breakdown's amounts for one file. Unreadable cells count as zero: they only occur in
  // files taken with include_invalid, which are marked as such.
  std::vector<std::int64_t> amounts(const FormInstance& instance, const forms::Breakdown& breakdown, std::size_t items) const {
    std::vector<std::int64_t> out(items, 0);
    const forms::TableSpec& table = *form_.table(breakdown.table);
    const auto it = instance.tables.find(table.id);
    if (it == instance.tables.end() || !it->second.found) return out;
    if (!breakdown.rows_of_column.empty()) {
      const std::size_t c = column_index(table, breakdown.rows_of_column);
      const std::vector<std::string>& fixed = fixed_rows_.at(table.id);
      for (const forms::TableRow& row : it->second.rows) {
        if (row.subtotal) continue;
        const std::int64_t value = amount_of(cell_at(row, c)).value_or(0);
        const std::string key = forms::normalise_label(row.key.text);
        // A fixed row, else "other" (index fixed.size()) if the breakdown has it.
        const std::size_t item = static_cast<std::size_t>(std::find(fixed.begin(), fixed.end(), key) - fixed.begin());
        if (item < items) out[item] += value;
      }
    } else {
      for (std::size_t k = 0; k < breakdown.column_sums.size(); ++k) {
        const std::size_t c = column_index(table, breakdown.column_sums[k]);
        for (const forms::TableRow& row : it->second.rows) {
          if (!row.subtotal) out[k] += amount_of(cell_at(row, c)).value_or(0);
        }
      }
    }
    return out;
  }

  std::vector<Record> records(const FormInstance& instance) const {
    std::vector<Record> out;
    const forms::RecordsSpec& spec = *spec_.records;
    const forms::TableSpec& table = *form_.table(spec.table);
    const auto it = instance.tables.find(table.id);
    if (it == instance.tables.end()) return out;
    const std::size_t group = column_index(table, spec.group_column), kind = column_index(table, spec.kind_column);
    const std::size_t expected = column_index(table, spec.expected_column), achieved = column_index(table, spec.achieved_column);
    const std::size_t unit = column_index(table, "unita"), indicator = column_index(table, "indicatore");
    for (const forms::TableRow& row : it->second.rows) {
      if (!row.filled()) continue;
      Record record;
      record.objective = row.key.text;
      record.group = choice_text(form_, table.columns[group], cell_at(row, group));
      record.kind = choice_text(form_, table.columns[kind], cell_at(row, kind));
      if (indicator < table.columns.size()) record.indicator = cell_at(row, indicator).text;
      if (unit < table.columns.size()) record.unit = choice_text(form_, table.columns[unit], cell_at(row, unit));
      record.expected = hundredths_of(cell_at(row, expected));
      const CellValue& done = cell_at(row, achieved);
      record.achieved = hundredths_of(done);
      if (!record.achieved && !done.blank()) record.status = done.text;
      out.push_back(std::move(record));
    }
    return out;
  }

  const FormSpec& form_;
  const ConsolidationSpec& spec_;
  const registry::Registry& registry_;
  std::vector<BreakdownItems> breakdowns_;
  std::map<std::string, std::vector<std::string>> fixed_rows_;  // per table, normalised labels
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

Worked work_on(const std::string& file, const std::vector<FormSpec>& forms, const registry::Registry& registry,
               const std::string& form_id, const FigureReader& reader) {
  Worked out;
  out.input.file = file;
  try {
    FormInstance instance;
    if (std::optional<std::string> bytes = read_whole(file)) {
      out.input.sha256 = sha256_hex(*bytes);
      out.input.report = forms::validate_bytes(std::move(*bytes), file, forms, registry, form_id, &instance);
    } else {
      out.input.sha256 = sha256_hex_file(file);
      out.input.report = forms::validate_file(file, forms, registry, form_id, &instance);
    }
    out.input.readable = true;
    out.taken = reader.read(instance, out.input);
  } catch (const Error& e) {
    out.input.error_it = e.describe(Lang::it);
    out.input.error_en = e.describe(Lang::en);
  } catch (const std::exception& e) {
    out.input.error_it = out.input.error_en = e.what();
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
    resolve_scope(ambito_of);
    std::map<std::string, std::size_t> seen;
    for (std::size_t i = 0; i < worked.size(); ++i) {
      Input& input = worked[i].input;
      if (!ambito_of[i]) continue;
      if (!in_scope(*ambito_of[i])) {
        input.note_it = "fuori dall'ambito della consolidazione (" + registry_.ambiti()[*ambito_of[i]].name + ")";
        continue;
      }
      if (!input.report.valid() && !options_.include_invalid) {
        input.note_it = "non valido: " + std::to_string(input.report.errors()) + " errori bloccanti";
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
  void resolve_scope(const std::vector<std::optional<std::size_t>>& ambito_of) {
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
  const std::string t = forms::normalise_label(text);
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

// Until the server calls sha256_hex itself (see the declaration).
std::string sha256_bytes(std::string_view bytes) { return sha256_hex(bytes); }

Result consolidate(const std::vector<std::string>& files, const std::vector<forms::FormSpec>& forms, const std::string& form_id,
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
