// Writes a realistic data set of filled forms for a whole region (or one ATS or Ambito): one
// spesa-sociale-comune file per comune, one rendiconto-ambito and one monitoraggio-obiettivi file
// per Ambito, with real names and populations from the registry, plausible amounts and a share of
// files carrying the mistakes clerks make. manifest.csv says, for each file, whether it should
// validate and the figures it holds, computed here in cents independently of `consolidate`.
//
//   make_region OUTPUT_DIR [--plugins DIR] [--scope regione|ats:CODE|ambito:CODE] [--seed N]
//               [--errors PERCENT] [--missing PERCENT] [--year YEAR] [--threads N] [--lodi-2019]
//
// --lodi-2019 writes the 60 comuni of the Ambito di Lodi with the 2019 spending of seed 000 split
// among them by population: consolidated, areas and sources must give back the seed's figures.
#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <cmath>
#include <iostream>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "consolida/forms.hpp"
#include "consolida/registry.hpp"
#include "consolida/values.hpp"
#include "consolida/typed_form.hpp"
#include "consolida/write.hpp"

namespace {

namespace fs = std::filesystem;
using consolida::forms::CellValue;
using consolida::forms::FormInstance;
using consolida::forms::FormSpec;
using consolida::forms::TableInstance;
using consolida::forms::TableRow;
using consolida::registry::Ambito;
using consolida::registry::Comune;
using consolida::registry::Registry;
using Cents = std::int64_t;

struct Options {
  std::string output;
  std::string plugins = CONSOLIDA_DEFAULT_PLUGINS;
  std::string scope = "regione";
  std::uint64_t seed = 2024;
  int errors_percent = 5;
  int missing_percent = 0;
  int year = 2023;
  unsigned threads = 2;
  bool lodi_2019 = false;
};

CellValue text(const std::string& value) {
  CellValue cell;
  cell.present = true;
  cell.text = value;
  return cell;
}

CellValue number(double value) {
  CellValue cell;
  cell.present = true;
  cell.numeric = true;
  cell.number = value;
  char buffer[32];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;  // shortest exact form, as a file stores it
  cell.lexical.assign(buffer, end);
  cell.text = cell.lexical;
  return cell;
}

void set_field(FormInstance& instance, const std::string& id, CellValue value) {
  instance.fields[id].found = true;
  instance.fields[id].cell = std::move(value);
}

CellValue money(Cents cents) { return cents == 0 ? CellValue{} : number(static_cast<double>(cents) / 100.0); }

std::string slug(const std::string& name) {
  std::string out;
  for (unsigned char c : name) {
    if (std::isalnum(c)) out += static_cast<char>(std::tolower(c));
    else if (!out.empty() && out.back() != '-') out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

// Splits `total` into parts proportional to `weights`, exactly: the remainder goes to the largest.
std::vector<Cents> split(Cents total, const std::vector<double>& weights) {
  double sum = 0;
  for (double w : weights) sum += w;
  std::vector<Cents> parts(weights.size(), 0);
  Cents given = 0;
  std::size_t largest = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    parts[i] = sum > 0 ? static_cast<Cents>(static_cast<double>(total) * (weights[i] / sum)) : 0;
    given += parts[i];
    if (weights[i] > weights[largest]) largest = i;
  }
  parts[largest] += total - given;
  return parts;
}

struct ManifestLine {
  std::string file, form, ente;
  bool valid = true;
  std::string mistake;
  std::vector<Cents> figures;
};

class Generator {
 public:
  Generator(const Options& options, const std::vector<FormSpec>& forms) : options_(options), registry_(Registry::builtin()) {
    for (const FormSpec& form : forms) forms_[form.id] = &form;
  }

  std::vector<const Ambito*> ambiti_in_scope() const {
    std::vector<const Ambito*> out;
    for (const Ambito& ambito : registry_.ambiti()) {
      if (options_.scope == "regione" || options_.scope == "ats:" + ambito.ats || options_.scope == "ambito:" + ambito.code) out.push_back(&ambito);
    }
    return out;
  }

  std::mt19937_64 rng_for(const std::string& key) const {
    std::uint64_t h = options_.seed * 1000003u;
    for (char c : key) h = h * 131 + static_cast<unsigned char>(c);
    return std::mt19937_64(h);
  }

  bool roll(std::mt19937_64& rng, int percent) const { return std::uniform_int_distribution<int>(0, 99)(rng) < percent; }

  // ---- spesa-sociale-comune ------------------------------------------------------------------
  // area x source matrix in cents for one comune.
  using Matrix = std::vector<std::vector<Cents>>;

  Matrix plausible_spending(const Comune& comune, std::mt19937_64& rng) const {
    static const std::vector<double> area_weights = {38.7, 36.5, 12.2, 1.6, 1.1, 0.6, 0.1, 9.3};  // seed 000, 2019
    std::uniform_real_distribution<double> jitter(0.6, 1.4);
    std::uniform_real_distribution<double> per_capita(60.0, 220.0);
    const Cents total = static_cast<Cents>(static_cast<double>(comune.population) * per_capita(rng) * 100.0);
    std::vector<double> weights;
    for (double w : area_weights) weights.push_back(w * jitter(rng));
    const auto areas = split(total, weights);
    Matrix m;
    for (Cents area : areas) {
      std::vector<double> sources = {81.2 * jitter(rng), 11.4 * jitter(rng), 0.2 * jitter(rng), 2.2 * jitter(rng),
                                     roll(rng, 40) ? 1.0 * jitter(rng) : 0, roll(rng, 30) ? 1.5 * jitter(rng) : 0,
                                     3.5 * jitter(rng), roll(rng, 50) ? 1.4 * jitter(rng) : 0};
      m.push_back(split(area, sources));
    }
    return m;
  }

  // Seed 000, spesa sociale dei Comuni dell'Ambito di Lodi 2019, split among its 60 comuni.
  std::vector<Matrix> lodi_2019(const Ambito& lodi) const {
    // Areas in the form's order: Minori, Disabili, Anziani, Povertà, Immigrazione, Salute mentale,
    // Dipendenze, Servizio sociale.
    const std::vector<Cents> areas = {919370965, 866434538, 289764765, 37290651, 25525375, 14882621, 1500000, 221726720};
    // Sources in the form's order: Comune, utenza, FNPS, FSR, Fondo Povertà, FNA, altri enti, altro
    // (the seed's "altre tipologie di entrata" and "da F. 0-6 anni" both go to "altro").
    const std::vector<Cents> sources = {1929513512, 271362191, 4282900, 51765226, 0, 0, 83267511, 34119767 + 2184528};
    Cents total = 0;
    for (Cents a : areas) total += a;
    // A matrix with exactly these margins: proportional cells, then the rounding put right on the
    // last row and column (which stay positive with these figures).
    Matrix region(areas.size(), std::vector<Cents>(sources.size(), 0));
    for (std::size_t a = 0; a + 1 < areas.size(); ++a) {
      Cents row = 0;
      for (std::size_t s = 0; s + 1 < sources.size(); ++s) {
        region[a][s] = static_cast<Cents>(static_cast<__int128>(areas[a]) * sources[s] / total);
        row += region[a][s];
      }
      region[a].back() = areas[a] - row;
    }
    for (std::size_t s = 0; s < sources.size(); ++s) {
      Cents column = 0;
      for (std::size_t a = 0; a + 1 < areas.size(); ++a) column += region[a][s];
      region.back()[s] = sources[s] - column;
    }
    std::vector<double> population;
    for (std::size_t i : lodi.comuni) population.push_back(static_cast<double>(registry_.comuni()[i].population));
    std::vector<Matrix> out(lodi.comuni.size(), Matrix(areas.size(), std::vector<Cents>(sources.size(), 0)));
    for (std::size_t a = 0; a < areas.size(); ++a) {
      for (std::size_t s = 0; s < sources.size(); ++s) {
        const auto parts = split(region[a][s], population);
        for (std::size_t c = 0; c < parts.size(); ++c) out[c][a][s] = parts[c];
      }
    }
    return out;
  }

  ManifestLine spesa_file(const Comune& comune, const Matrix& m, std::mt19937_64& rng, bool allow_mistakes) const {
    const FormSpec& form = *forms_.at("spesa-sociale-comune");
    const auto& table_spec = *form.table("spesa");
    FormInstance instance;
    ManifestLine line;
    line.form = form.id;
    line.ente = comune.istat;
    line.file = "comuni/" + comune.istat + "-" + slug(comune.name) + ".xlsx";
    std::string mistake;
    if (allow_mistakes && roll(rng, options_.errors_percent)) {
      static const char* const kinds[] = {"totale_riga", "totale_colonna", "codice_istat", "importo_malformato", "nome_comune"};
      mistake = kinds[std::uniform_int_distribution<int>(0, 4)(rng)];
    }
    // Names as clerks write them.
    std::string name = comune.name;
    const int style = std::uniform_int_distribution<int>(0, 9)(rng);
    if (style == 0) std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (style == 1) name = "Comune di " + name;
    if (mistake == "nome_comune") name = registry_.comuni()[(static_cast<std::size_t>(&comune - registry_.comuni().data()) + 7) % registry_.comuni().size()].name;
    std::string code = comune.istat;
    if (mistake == "codice_istat") code = "099" + code.substr(3);  // no such province
    set_field(instance, "codice_istat", style == 2 ? number(std::stod(code)) : text(code));
    set_field(instance, "comune", text(name));
    set_field(instance, "anno", number(options_.lodi_2019 ? 2019 : options_.year));
    set_field(instance, "compilatore", text("Ufficio servizi sociali"));
    set_field(instance, "email", text("sociale@comune." + slug(comune.name) + ".it"));
    TableInstance& table = instance.tables["spesa"];
    table.found = true;
    std::vector<Cents> area_totals, source_totals(8, 0);
    Cents users_total = 0;
    for (std::size_t a = 0; a < m.size(); ++a) {
      TableRow row;
      row.key = text(table_spec.fixed_rows[a]);
      Cents sum = 0;
      for (std::size_t s = 0; s < 8; ++s) {
        row.cells.push_back(money(m[a][s]));
        sum += m[a][s];
        source_totals[s] += m[a][s];
      }
      Cents written = sum;
      if (mistake == "totale_riga" && a == 0) written += 100000;
      row.cells.push_back(money(written));
      const Cents users = std::max<Cents>(0, static_cast<Cents>(static_cast<double>(comune.population) * 0.004 * (a + 1)) +
                                                  std::uniform_int_distribution<int>(0, 5)(rng));
      users_total += users;
      row.cells.push_back(number(static_cast<double>(users)));
      if (mistake == "importo_malformato" && a == 1) row.cells[0] = text("€ 5.0106,88");
      area_totals.push_back(sum);
      table.rows.push_back(std::move(row));
    }
    if (mistake == "totale_colonna") {
      TableRow total;
      for (std::size_t s = 0; s < 10; ++s) total.cells.push_back(CellValue{});
      total.cells[0] = money(source_totals[0] + 1234);
      table.total = std::move(total);
    }
    line.valid = mistake.empty();
    line.mistake = mistake;
    line.figures = area_totals;
    line.figures.insert(line.figures.end(), source_totals.begin(), source_totals.end());
    line.figures.push_back(users_total);
    write(form, instance, line.file);
    return line;
  }

  // ---- rendiconto-ambito ---------------------------------------------------------------------
  ManifestLine rendiconto_file(const Ambito& ambito, std::mt19937_64& rng) const {
    const FormSpec& form = *forms_.at("rendiconto-ambito");
    const auto& funds = *form.list("fondi");
    const double pop = static_cast<double>(ambito.population);
    std::uniform_real_distribution<double> jitter(0.7, 1.3);
    // Euro per inhabitant by fund code, roughly the seeds' proportions (Lodi, Melzo).
    const std::map<std::string, double> per_capita = {
        {"FNPS", 3.9}, {"FSR", 5.2}, {"FNA", 2.6}, {"DDN", 0.9}, {"POV", 3.2}, {"POVE", 0.4}, {"PON", 0.3}, {"FSE", 1.4},
        {"VIG", 0.06}, {"RDA", 0.2}, {"MAF", 0.2}, {"ABIT", 1.0}, {"DOTE", 1.0}, {"HCP", 0.2}, {"SAI", 2.0}, {"FAMI", 0.2},
        {"VIOL", 0.4}, {"PREM", 0.1}, {"INNOV", 2.5}, {"COM", 2.4}, {"DON", 0.08}};
    FormInstance instance;
    set_field(instance, "ambito", text(ambito.name));
    set_field(instance, "ente_capofila", text("Comune di " + registry_.comune_by_istat(ambito.capofila)->name));
    set_field(instance, "ats", text(registry_.ats_by_code(ambito.ats)->name));
    set_field(instance, "anno", number(options_.year));
    set_field(instance, "referente", text("Ufficio di Piano"));
    std::string mistake;
    if (roll(rng, options_.errors_percent)) {
      static const char* const kinds[] = {"entrate_spese", "vincolato", "subtotale"};
      mistake = kinds[std::uniform_int_distribution<int>(0, 2)(rng)];
    }
    TableInstance& entrate = instance.tables["entrate"];
    entrate.found = true;
    std::vector<Cents> by_fund;
    Cents free_money = 0, total = 0;
    std::vector<std::pair<const consolida::forms::ListItem*, Cents>> earmarked;
    for (const auto& fund : funds) {
      const bool present = roll(rng, fund.group == "vincolato" ? 80 : 70);
      const Cents cents = present ? static_cast<Cents>(pop * per_capita.at(fund.code) * jitter(rng) * 100.0) : 0;
      TableRow row;
      row.key = text(fund.label);
      row.cells.push_back(money(cents));
      entrate.rows.push_back(std::move(row));
      by_fund.push_back(cents);
      total += cents;
      if (fund.group == "vincolato" && cents > 0) earmarked.push_back({&fund, cents});
      else free_money += cents;
    }
    const Cents other = roll(rng, 50) ? static_cast<Cents>(pop * 0.5 * jitter(rng) * 100.0) : 0;
    if (other > 0) {
      TableRow row;
      row.key = text("Contributi regionali diversi");
      row.cells.push_back(money(other));
      entrate.rows.push_back(std::move(row));
      free_money += other;
      total += other;
    }
    by_fund.push_back(other);
    TableInstance& spese = instance.tables["spese"];
    spese.found = true;
    auto spesa = [&](const std::string& what, const consolida::forms::ListItem* fund, Cents cents) {
      TableRow row;
      row.key = text(what);
      row.cells.push_back(fund ? text(fund->display()) : CellValue{});
      row.cells.push_back(money(cents));
      spese.rows.push_back(std::move(row));
    };
    static const char* const services[] = {"SID Servizio Integrato Domiciliarità", "Tutela minori e famiglia", "SIL Servizio Inserimenti Lavorativi",
                                           "Centri diurni disabili (quota sociale)", "Segretariato sociale e Ufficio di Piano",
                                           "Interventi di contrasto alla povertà"};
    const auto service_parts = split(free_money, {30, 25, 15, 12, 10, 8});
    Cents services_sum = 0;
    for (std::size_t s = 0; s < service_parts.size(); ++s) {
      Cents cents = service_parts[s];
      if (mistake == "entrate_spese" && s == 0) cents += 150000;
      spesa(services[s], nullptr, cents);
      services_sum += cents;
    }
    spesa("PIANO DI ZONA SERVIZI (COMPRENDE LE VOCI SOPRA)", nullptr, services_sum + (mistake == "subtotale" ? 1000 : 0));
    for (std::size_t e = 0; e < earmarked.size(); ++e) {
      Cents cents = earmarked[e].second;
      if (mistake == "vincolato" && e == 0) cents -= 50000;
      spesa("Trasferimenti " + earmarked[e].first->label, earmarked[e].first, cents);
    }
    if (mistake == "vincolato") {
      if (earmarked.empty()) mistake.clear();
      else spesa("Spese generali", nullptr, 50000);  // totals still balance: only the earmark is off
    }
    ManifestLine line;
    line.form = form.id;
    line.ente = ambito.code;
    line.file = "ambiti/rendiconto-" + slug(ambito.code) + ".xlsx";
    line.valid = mistake.empty();
    line.mistake = mistake;
    line.figures = by_fund;
    line.figures.push_back(total);
    write(form, instance, line.file);
    return line;
  }

  // ---- monitoraggio-obiettivi ----------------------------------------------------------------
  ManifestLine monitoraggio_file(const Ambito& ambito, std::mt19937_64& rng) const {
    const FormSpec& form = *forms_.at("monitoraggio-obiettivi");
    FormInstance instance;
    set_field(instance, "ambito", text(ambito.name));
    set_field(instance, "anno", number(options_.year));
    set_field(instance, "referente", text("Ufficio di Piano"));
    const auto& areas = *form.list("macroaree");
    const auto& kinds = *form.list("tipi_indicatore");
    const auto& units = *form.list("unita");
    std::string mistake;
    if (roll(rng, options_.errors_percent)) mistake = "percentuale";
    TableInstance& table = instance.tables["indicatori"];
    table.found = true;
    const int count = std::uniform_int_distribution<int>(4, 9)(rng);
    static const char* const objectives[] = {"Potenziare la domiciliarità", "Ridurre la povertà educativa", "Accesso unico ai servizi",
                                             "Inclusione lavorativa dei giovani", "Sostegno ai caregiver", "Contrasto alla violenza domestica"};
    static const char* const indicators[] = {"n. beneficiari", "% di enti aderenti alla rete", "ore di servizio erogate",
                                             "grado di soddisfazione degli utenti"};
    for (int i = 0; i < count; ++i) {
      const std::size_t unit = std::uniform_int_distribution<std::size_t>(0, 3)(rng);
      const double expected = unit == 0 ? 50 + 25 * i : unit == 1 ? 70 : unit == 2 ? 1200 : 7;
      TableRow row;
      row.key = text(objectives[static_cast<std::size_t>(i) % 6]);
      row.cells.push_back(text(areas[std::uniform_int_distribution<std::size_t>(0, areas.size() - 1)(rng)].display()));
      row.cells.push_back(text(kinds[std::uniform_int_distribution<std::size_t>(0, kinds.size() - 1)(rng)].display()));
      row.cells.push_back(text(indicators[unit]));
      row.cells.push_back(text(units[unit].display()));
      row.cells.push_back(number(mistake == "percentuale" && unit == 1 ? 170 : expected));
      if (roll(rng, 15)) row.cells.push_back(text("In definizione"));
      else row.cells.push_back(number(std::min(unit == 1 ? 100.0 : unit == 3 ? 10.0 : 1e9, std::round(expected * std::uniform_real_distribution<double>(0.4, 1.6)(rng)))));
      row.cells.push_back(CellValue{});
      table.rows.push_back(std::move(row));
    }
    const bool percent_used = std::any_of(table.rows.begin(), table.rows.end(), [](const TableRow& r) { return r.cells[3].text == "%"; });
    if (!percent_used) mistake.clear();
    ManifestLine line;
    line.form = form.id;
    line.ente = ambito.code;
    line.file = "monitoraggio/monitoraggio-" + slug(ambito.code) + ".xlsx";
    line.valid = mistake.empty();
    line.mistake = mistake;
    line.figures = {count};
    write(form, instance, line.file);
    return line;
  }

  void write(const FormSpec& form, const FormInstance& instance, const std::string& relative) const {
    const fs::path path = fs::path(options_.output) / relative;
    consolida::write::write_filled(consolida::forms::type_form(instance, form, registry_), path.string());
  }

  std::vector<ManifestLine> run() {
    fs::create_directories(fs::path(options_.output) / "comuni");
    std::vector<std::function<ManifestLine()>> jobs;
    if (options_.lodi_2019) {
      const Ambito& lodi = *registry_.ambito_by_code("LODI");
      auto matrices = std::make_shared<std::vector<Matrix>>(lodi_2019(lodi));
      for (std::size_t c = 0; c < lodi.comuni.size(); ++c) {
        jobs.push_back([this, &lodi, c, matrices] {
          auto rng = rng_for(registry_.comuni()[lodi.comuni[c]].istat);
          return spesa_file(registry_.comuni()[lodi.comuni[c]], (*matrices)[c], rng, false);
        });
      }
    } else {
      fs::create_directories(fs::path(options_.output) / "ambiti");
      fs::create_directories(fs::path(options_.output) / "monitoraggio");
      for (const Ambito* ambito : ambiti_in_scope()) {
        for (std::size_t i : ambito->comuni) {
          const Comune& comune = registry_.comuni()[i];
          auto rng = rng_for("assente" + comune.istat);
          if (roll(rng, options_.missing_percent)) continue;  // this comune has not sent its file
          jobs.push_back([this, &comune] {
            auto rng = rng_for(comune.istat);
            return spesa_file(comune, plausible_spending(comune, rng), rng, true);
          });
        }
        jobs.push_back([this, ambito] {
          auto rng = rng_for("rendiconto" + ambito->code);
          return rendiconto_file(*ambito, rng);
        });
        jobs.push_back([this, ambito] {
          auto rng = rng_for("monitoraggio" + ambito->code);
          return monitoraggio_file(*ambito, rng);
        });
      }
    }
    std::vector<ManifestLine> lines(jobs.size());
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> pool;
    std::mutex failure_lock;
    std::string failure;
    for (unsigned t = 0; t < std::max(1u, options_.threads); ++t) {
      pool.emplace_back([&] {
        for (std::size_t j = next++; j < jobs.size(); j = next++) {
          try {
            lines[j] = jobs[j]();
          } catch (const std::exception& e) {
            std::lock_guard lock(failure_lock);
            failure = e.what();
          }
        }
      });
    }
    for (auto& thread : pool) thread.join();
    if (!failure.empty()) throw std::runtime_error(failure);
    return lines;
  }

 private:
  const Options& options_;
  const Registry& registry_;
  std::map<std::string, const FormSpec*> forms_;
};

}  // namespace

int main(int argc, char** argv) {
  Options options;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) throw std::invalid_argument(args[i] + " needs a value");
      return args[++i];
    };
    try {
      if (args[i] == "--plugins") options.plugins = value();
      else if (args[i] == "--scope") options.scope = value();
      else if (args[i] == "--seed") options.seed = std::stoull(value());
      else if (args[i] == "--errors") options.errors_percent = std::stoi(value());
      else if (args[i] == "--missing") options.missing_percent = std::stoi(value());
      else if (args[i] == "--year") options.year = std::stoi(value());
      else if (args[i] == "--threads") options.threads = static_cast<unsigned>(std::stoul(value()));
      else if (args[i] == "--lodi-2019") options.lodi_2019 = true;
      else if (options.output.empty() && !args[i].starts_with("-")) options.output = args[i];
      else throw std::invalid_argument("unknown option " + args[i]);
    } catch (const std::exception& e) {
      std::cerr << "make_region: " << e.what() << "\n";
      return 64;
    }
  }
  if (options.output.empty()) {
    std::cerr << "usage: make_region OUTPUT_DIR [--scope regione|ats:CODE|ambito:CODE] [--seed N] [--errors PERCENT] "
                 "[--missing PERCENT] [--year YEAR] [--threads N] [--lodi-2019] [--plugins DIR]\n";
    return 64;
  }
  try {
    const auto forms = consolida::forms::load_forms(options.plugins, {CONSOLIDA_RULES_PATH});
    Generator generator(options, forms);
    const auto lines = generator.run();
    std::ofstream manifest(fs::path(options.output) / "manifest.csv");
    manifest << "file,modulo,ente,valido,errore,cifre\n";
    std::size_t invalid = 0;
    for (const ManifestLine& line : lines) {
      manifest << line.file << "," << line.form << "," << line.ente << "," << (line.valid ? 1 : 0) << "," << line.mistake << ",";
      for (std::size_t i = 0; i < line.figures.size(); ++i) manifest << (i ? ";" : "") << line.figures[i];
      manifest << "\n";
      invalid += !line.valid;
    }
    std::cout << "make_region: " << lines.size() << " file in " << options.output << " (" << invalid << " con errori voluti)\n";
  } catch (const std::exception& e) {
    std::cerr << "make_region: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
