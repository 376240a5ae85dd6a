// Consolidation checked against figures computed elsewhere: the generator's own cents (manifest)
// and the seeds' published totals, read back from the written workbook with the project's reader.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <numeric>
#include <set>
#include <sstream>
#include <unistd.h>

#include "common/digest.hpp"
#include "consolida/consolidate.hpp"
#include "consolida/forms.hpp"
#include "consolida/typed_form.hpp"
#include "consolida/values.hpp"
#include "consolida/write.hpp"
#include "consolida/xlsx.hpp"
#include "support/bundled_forms.hpp"
#include "support/files.hpp"
#include "xlsx/zip_archive.hpp"

namespace {

namespace fs = std::filesystem;
using namespace consolida;

struct ManifestLine {
  std::string file, form, ente, mistake;
  bool valid = true;
  std::vector<std::int64_t> figures;
};

std::vector<ManifestLine> read_manifest(const fs::path& dir) {
  std::vector<ManifestLine> lines;
  for (std::vector<std::string>& f : consolida::testing::csv_rows(dir / "manifest.csv")) {
    while (f.size() < 6) f.emplace_back();
    ManifestLine m{(dir / f[0]).string(), f[1], f[2], f[4], f[3] == "1", {}};
    std::stringstream figures(f[5]);
    for (std::string n; std::getline(figures, n, ';');) m.figures.push_back(std::stoll(n));
    lines.push_back(std::move(m));
  }
  return lines;
}

const std::vector<forms::FormSpec>& all_forms() { return consolida::testing::bundled_forms(); }

// Runs make_region once per argument set, into a folder of the build tree.
fs::path generated(const std::string& name, const std::string& args) {
  const fs::path dir = fs::temp_directory_path() / ("consolida-test-" + name + "-" + std::to_string(::getpid()));
  if (!fs::exists(dir / "manifest.csv")) {
    const std::string command = std::string(CONSOLIDA_MAKE_REGION) + " " + dir.string() + " " + args + " > /dev/null";
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
  }
  return dir;
}

// The ATS della Val Padana with 8% of files carrying mistakes and 3% missing: the data set most
// tests share, and the options that consolidate it at its ATS.
fs::path val_padana() { return generated("vp", "--scope ats:VP --errors 8 --missing 3 --seed 7"); }

consolidate::Options val_padana_ats() {
  consolidate::Options options;
  options.level = consolidate::Level::ats;
  options.scope = "ATS della Val Padana";
  return options;
}

const forms::FormSpec& form_named(const std::string& id) { return consolida::testing::bundled_form(id); }

std::vector<std::string> files_of(const std::vector<ManifestLine>& manifest, const std::string& form) {
  std::vector<std::string> files;
  for (const auto& m : manifest) {
    if (m.form == form) files.push_back(m.file);
  }
  return files;
}

// The output read back: a row of the summary by its code in column A, values in cents.
struct Output {
  xlsx::Sheet summary, detail, missing, provenance;
};
Output read_output(const std::string& path) {
  xlsx::Workbook workbook = xlsx::Workbook::open(path);
  auto load = [&](const char* name) {
    const xlsx::SheetInfo* info = workbook.find_sheet(name);
    EXPECT_NE(info, nullptr) << name;
    return workbook.load_sheet(*info);
  };
  return {load("Riepilogo"), load("Dettaglio"), load("Mancanti"), load("Provenienza")};
}

std::int64_t cents_at(const xlsx::Sheet& sheet, std::uint32_t row, std::uint32_t col) {
  const xlsx::Cell* cell = sheet.cell(xlsx::CellRef{row, col});
  if (!cell) return -1;
  const auto parsed = values::parse_amount_number(cell->text);
  return parsed.value.value_or(-1);
}

// First row whose column A equals `code`, at or after `from`.
std::uint32_t row_of(const xlsx::Sheet& sheet, const std::string& code, std::uint32_t from = 0) {
  for (const xlsx::Cell& cell : sheet.cells()) {
    if (cell.col == 0 && cell.row >= from && cell.text == code) return cell.row;
  }
  return UINT32_MAX;
}

TEST(Consolidate, ValidationMatchesTheGeneratorsIntent) {
  const fs::path dir = val_padana();
  const auto manifest = read_manifest(dir);
  ASSERT_GT(manifest.size(), 150u);
  for (const auto& m : manifest) {
    const forms::Report report = forms::validate_file(m.file, all_forms(), registry::Registry::builtin());
    EXPECT_EQ(report.valid(), m.valid) << m.file << " (" << m.mistake << "): " << (report.issues.empty() ? "" : report.issues[0].message.it);
  }
}

// Files taken with their errors (--tutti) still count each amount once in every breakdown: an
// ente whose spending by area and by source differ is refused, and the Mancanti sheet says why.
TEST(Consolidate, AnEnteWhoseBreakdownsDisagreeIsRefusedEvenWithItsErrorsTaken) {
  const fs::path dir = val_padana();
  const auto manifest = read_manifest(dir);
  consolidate::Options options = val_padana_ats();
  options.include_invalid = true;
  const auto result = consolidate::consolidate(files_of(manifest, "spesa-sociale-comune"), all_forms(), "spesa-sociale-comune", options,
                                               registry::Registry::builtin());
  std::size_t refused = 0;
  for (const auto& m : manifest) {
    if (m.mistake != "totale_riga") continue;  // a row's total 1.000,00 above the sum of its sources
    const auto input = std::find_if(result.inputs.begin(), result.inputs.end(), [&](const auto& i) { return i.file == m.file; });
    ASSERT_NE(input, result.inputs.end());
    EXPECT_FALSE(input->used) << m.file;
    EXPECT_NE(input->note_it.find("le ripartizioni non coincidono"), std::string::npos) << input->note_it;
    ++refused;
  }
  EXPECT_GT(refused, 0u);
  for (const auto& ente : result.enti) EXPECT_EQ(ente.total(0), ente.total(1)) << ente.code;
}

// A row inserted in a comune's spending with amounts but no area used to validate and count by
// source only. Now it counts in every breakdown or the file is not valid.
TEST(Consolidate, ARowInsertedWithoutAnAreaIsCountedOnceOrRefused) {
  const fs::path dir = generated("lodi2019", "--lodi-2019");
  const auto manifest = read_manifest(dir);
  const forms::FormSpec& form = form_named("spesa-sociale-comune");
  forms::TypedForm read;
  ASSERT_TRUE(forms::validate_file(manifest[0].file, all_forms(), registry::Registry::builtin(), "", &read).valid());
  auto with_row = [&](const std::string& key) {
    forms::FormInstance instance = read.instance();
    forms::TableInstance& table = instance.tables.at("spesa");
    forms::TableRow row = table.rows.back();
    row.row = table.rows.back().row + 1;
    row.key.ref = {row.row, 0};
    row.key.text = key;
    row.key.present = !key.empty();
    for (std::size_t c = 0; c < row.cells.size(); ++c) {
      row.cells[c].ref = {row.row, static_cast<std::uint32_t>(c + 1)};
      const bool figure = c == 1 || c == 8;  // compartecipazione and its row total: 1.000,00
      row.cells[c].present = row.cells[c].numeric = figure;
      row.cells[c].number = figure ? 1000 : 0;
      row.cells[c].lexical = row.cells[c].text = figure ? "1000" : "";
    }
    table.rows.push_back(row);
    // Inserted above TOTALE, inside its SUM: the total row moves down and counts the new figures.
    for (std::size_t c = 0; c < table.total->cells.size(); ++c) {
      forms::CellValue& total = table.total->cells[c];
      total.ref.row += 1;
      if (c != 1 && c != 8) continue;
      total.number += 1000;
      std::ostringstream text;
      text << std::fixed << std::setprecision(2) << total.number;
      total.lexical = total.text = text.str();
    }
    table.total->key.ref.row += 1;
    return forms::type_form(std::move(instance), form, registry::Registry::builtin());
  };
  const std::string cell = "A" + std::to_string(read.instance().tables.at("spesa").rows.back().row + 2);
  const forms::TypedForm blank = with_row("");
  const forms::Report refused = forms::validate(blank);
  EXPECT_FALSE(refused.valid());
  ASSERT_FALSE(refused.issues.empty());
  EXPECT_EQ(refused.issues[0].code, "SSC-R05");
  EXPECT_EQ(refused.issues[0].cell, cell);
  EXPECT_NE(refused.issues[0].message.it.find("«Minori e famiglia», «Disabili», «Anziani»"), std::string::npos) << refused.issues[0].message.it;
  const forms::TypedForm guessed = with_row("Anziani \u2013 integrazione rette RSA");
  const forms::Report warned = forms::validate(guessed);
  EXPECT_TRUE(warned.valid());
  ASSERT_EQ(warned.issues.size(), 1u);
  EXPECT_EQ(warned.issues[0].severity, forms::Severity::warning);
  EXPECT_NE(warned.issues[0].message.it.find("contati nell'area «Anziani»"), std::string::npos) << warned.issues[0].message.it;
}

// A percentage typed as a fraction where no % format makes Calc store it so (0,7 for 70%) reads
// as 0,7%: a warning suggests the figure meant.
TEST(Consolidate, AFractionInAPercentIndicatorIsQueried) {
  const fs::path dir = val_padana();
  const auto manifest = read_manifest(dir);
  const auto valid = std::find_if(manifest.begin(), manifest.end(), [](const auto& m) { return m.form == "monitoraggio-obiettivi" && m.valid; });
  ASSERT_NE(valid, manifest.end());
  const forms::FormSpec& form = form_named("monitoraggio-obiettivi");
  forms::TypedForm read;
  ASSERT_TRUE(forms::validate_file(valid->file, all_forms(), registry::Registry::builtin(), "", &read).valid());
  forms::FormInstance instance = read.instance();
  forms::TableRow& row = instance.tables.at("indicatori").rows.at(0);
  const std::size_t unit = *form.table("indicatori")->position("unita") - 1, achieved = *form.table("indicatori")->position("valore_realizzato") - 1;
  row.cells[unit].present = true;
  row.cells[unit].numeric = false;
  row.cells[unit].text = "%";
  row.cells[achieved].present = row.cells[achieved].numeric = true;
  row.cells[achieved].number = 0.7;
  row.cells[achieved].lexical = row.cells[achieved].text = "0.7";
  row.cells[achieved].number_format = "General";
  const std::size_t expected = achieved - 1;  // a target of 80%, written as such
  row.cells[expected].present = row.cells[expected].numeric = true;
  row.cells[expected].number = 80;
  row.cells[expected].lexical = row.cells[expected].text = "80";
  const forms::Report report = forms::validate(std::move(instance), form, registry::Registry::builtin());
  EXPECT_TRUE(report.valid());
  const auto query = std::find_if(report.issues.begin(), report.issues.end(), [](const auto& i) { return i.code == "MON-R09"; });
  ASSERT_NE(query, report.issues.end());
  EXPECT_EQ(query->severity, forms::Severity::warning);
  EXPECT_NE(query->message.it.find("se si intendeva 70% (0,7 = 70%), scrivere 70"), std::string::npos) << query->message.it;
}

TEST(Consolidate, AtsTotalsEqualTheGeneratorsCentsAndListTheMissing) {
  const fs::path dir = val_padana();
  const auto manifest = read_manifest(dir);
  consolidate::Options options = val_padana_ats();
  const auto result = consolidate::consolidate(files_of(manifest, "spesa-sociale-comune"), all_forms(), "spesa-sociale-comune", options, registry::Registry::builtin());
  const std::string out = (dir / "consolidato.xlsx").string();
  write::write_consolidated(result, out);

  // Expected: the valid files' figures by Ambito, from the manifest (areas 0-7, sources 8-15, users 16).
  const auto& registry = registry::Registry::builtin();
  std::map<std::string, std::vector<std::int64_t>> expected;
  std::size_t valid = 0, in_scope_comuni = 0;
  for (const auto& m : manifest) {
    if (m.form != "spesa-sociale-comune" || !m.valid) continue;
    ++valid;
    auto& sums = expected[registry.ambito_of(*registry.comune_by_istat(m.ente)).code];
    sums.resize(17, 0);
    for (std::size_t i = 0; i < 17; ++i) sums[i] += m.figures[i];
  }
  for (const auto& ambito : registry.ambiti()) in_scope_comuni += ambito.ats == "VP" ? ambito.comuni.size() : 0;
  EXPECT_EQ(result.enti.size(), valid);
  EXPECT_EQ(result.missing.size(), in_scope_comuni - valid);

  const Output output = read_output(out);
  std::int64_t grand_total = 0;
  for (const auto& [code, sums] : expected) {
    const std::uint32_t area_row = row_of(output.summary, code);
    const std::uint32_t source_row = row_of(output.summary, code, area_row + 1);
    ASSERT_NE(area_row, UINT32_MAX) << code;
    ASSERT_NE(source_row, UINT32_MAX) << code;
    std::int64_t total = 0;
    for (std::uint32_t i = 0; i < 8; ++i) {
      EXPECT_EQ(cents_at(output.summary, area_row, 2 + i), sums[i]) << code << " area " << i;
      EXPECT_EQ(cents_at(output.summary, source_row, 2 + i), sums[8 + i]) << code << " fonte " << i;
      total += sums[i];
    }
    EXPECT_EQ(cents_at(output.summary, area_row, 10), total) << code;
    const xlsx::Cell* users = output.summary.cell(xlsx::CellRef{area_row, 13});
    ASSERT_NE(users, nullptr);
    EXPECT_EQ(users->number, static_cast<double>(sums[16])) << code;
    grand_total += total;
    // Totals are live formulas over the detail sheet.
    const xlsx::Cell* first = output.summary.cell(xlsx::CellRef{area_row, 2});
    EXPECT_TRUE(first->has_formula);
    EXPECT_NE(first->formula.find("SUMIFS(Dettaglio!"), std::string::npos) << first->formula;
  }
  // The "Totale" row closes the first block.
  std::uint32_t total_row = UINT32_MAX;
  for (const xlsx::Cell& cell : output.summary.cells()) {
    if (cell.col == 1 && cell.text == "Totale") {
      total_row = cell.row;
      break;
    }
  }
  ASSERT_NE(total_row, UINT32_MAX);
  EXPECT_EQ(cents_at(output.summary, total_row, 10), grand_total);
  // One detail row per used file, one missing row per absent or invalid comune, one provenance row per input.
  std::set<std::uint32_t> detail_rows, missing_rows, provenance_rows;
  for (const auto& c : output.detail.cells()) detail_rows.insert(c.row);
  for (const auto& c : output.missing.cells()) missing_rows.insert(c.row);
  for (const auto& c : output.provenance.cells()) provenance_rows.insert(c.row);
  EXPECT_EQ(detail_rows.size() - 1, valid);
  EXPECT_EQ(missing_rows.size() - 1, in_scope_comuni - valid);
  EXPECT_EQ(provenance_rows.size() - 1, files_of(manifest, "spesa-sociale-comune").size());
  const xlsx::Cell* sha = output.provenance.cell(xlsx::CellRef{1, 1});
  ASSERT_NE(sha, nullptr);
  EXPECT_EQ(sha->text, sha256_hex_file(output.provenance.cell(xlsx::CellRef{1, 0})->text));
  EXPECT_EQ(sha->text.size(), 64u);
}

TEST(Consolidate, RendicontoAndMonitoraggioAtTheRegioneCountOnlyValidFiles) {
  const fs::path dir = val_padana();
  const auto manifest = read_manifest(dir);
  consolidate::Options options;  // Regione: the Ambiti outside the ATS are missing
  const auto rendiconto = consolidate::consolidate(files_of(manifest, "rendiconto-ambito"), all_forms(), "rendiconto-ambito", options, registry::Registry::builtin());
  std::int64_t expected_income = 0, found_income = 0;
  std::size_t valid = 0;
  for (const auto& m : manifest) {
    if (m.form == "rendiconto-ambito" && m.valid) expected_income += m.figures.back(), ++valid;
  }
  for (const auto& ente : rendiconto.enti) {
    for (std::int64_t cents : ente.amounts[0]) found_income += cents;
    // Income equals expenditure in every valid file.
    EXPECT_EQ(std::accumulate(ente.amounts[0].begin(), ente.amounts[0].end(), std::int64_t{0}), ente.amounts[1][0]) << ente.code;
  }
  EXPECT_EQ(rendiconto.enti.size(), valid);
  EXPECT_EQ(found_income, expected_income);
  EXPECT_EQ(rendiconto.missing.size(), 91 - valid);

  const auto monitoring = consolidate::consolidate(files_of(manifest, "monitoraggio-obiettivi"), all_forms(), "monitoraggio-obiettivi", options, registry::Registry::builtin());
  std::size_t indicators = 0;
  for (const auto& m : manifest) {
    if (m.form == "monitoraggio-obiettivi" && m.valid) indicators += static_cast<std::size_t>(m.figures[0]);
  }
  EXPECT_EQ(monitoring.records.size(), indicators);
  write::write_consolidated(monitoring, (dir / "monitoraggio.xlsx").string());
  const Output output = read_output((dir / "monitoraggio.xlsx").string());
  std::set<std::uint32_t> rows;
  for (const auto& c : output.detail.cells()) rows.insert(c.row);
  EXPECT_EQ(rows.size() - 1, indicators);
}

TEST(Consolidate, SummaryBlocksTotalTheEntiByUnitInCents) {
  const fs::path dir = val_padana();
  const auto manifest = read_manifest(dir);
  consolidate::Options options;
  options.level = consolidate::Level::regione;
  const auto result = consolidate::consolidate(files_of(manifest, "spesa-sociale-comune"), all_forms(), "spesa-sociale-comune", options, registry::Registry::builtin());
  const auto blocks = consolidate::summary_blocks(result);
  // At the Regione: per breakdown a block by Ambito, then per breakdown a block by ATS.
  ASSERT_EQ(blocks.size(), 2 * result.breakdowns.size());
  for (std::size_t k = 0; k < blocks.size(); ++k) {
    const consolidate::SummaryBlock& block = blocks[k];
    EXPECT_EQ(block.unit, k < result.breakdowns.size() ? consolidate::UnitKind::ambito : consolidate::UnitKind::ats);
    EXPECT_EQ(block.with_counts, k == 0);
    std::int64_t enti_total = 0, enti_population = 0;
    for (const auto& ente : result.enti) enti_total += ente.total(block.breakdown), enti_population += ente.population;
    EXPECT_EQ(block.overall.total, enti_total) << k;
    EXPECT_EQ(block.overall.population, enti_population) << k;
    std::int64_t units_total = 0;
    for (const auto& unit : block.units) {
      EXPECT_EQ(std::accumulate(unit.items.begin(), unit.items.end(), std::int64_t{0}), unit.total) << unit.code;
      units_total += unit.total;
    }
    EXPECT_EQ(units_total, block.overall.total) << k;
  }
  // A unit without enti is listed with zeros: the Regione lists all 91 Ambiti.
  EXPECT_EQ(blocks[0].units.size(), 91u);

  const auto monitoring = consolidate::consolidate(files_of(manifest, "monitoraggio-obiettivi"), all_forms(), "monitoraggio-obiettivi", options, registry::Registry::builtin());
  for (const auto by : {consolidate::IndicatorGrouping::group, consolidate::IndicatorGrouping::kind}) {
    const consolidate::IndicatorTable table = consolidate::count_indicators(monitoring, by);
    std::int64_t indicators = 0, reached = 0;
    for (const auto& row : table.rows) {
      indicators += row.indicators, reached += row.reached;
      EXPECT_LE(row.reached, row.with_achieved) << row.label;
    }
    EXPECT_EQ(table.total.indicators, indicators);
    EXPECT_EQ(table.total.reached, reached);
    EXPECT_EQ(static_cast<std::size_t>(table.total.indicators), monitoring.records.size());
  }
}

// Seed 000: the 2019 social spending of the comuni of the Ambito di Lodi, by area and by source,
// both 23.764.956,35; split among the 60 comuni and consolidated, the seed's figures come back.
TEST(Consolidate, LodiSpending2019GivesBackTheSeedsFigures) {
  const fs::path dir = generated("lodi2019", "--lodi-2019");
  const auto manifest = read_manifest(dir);
  ASSERT_EQ(manifest.size(), 60u);
  consolidate::Options options;
  options.level = consolidate::Level::ambito;
  const auto result = consolidate::consolidate(files_of(manifest, "spesa-sociale-comune"), all_forms(), "spesa-sociale-comune", options, registry::Registry::builtin());
  EXPECT_EQ(result.scope_name, "Ambito di Lodi");
  EXPECT_EQ(result.enti.size(), 60u);
  EXPECT_TRUE(result.missing.empty());
  const std::string out = (dir / "lodi-2019.xlsx").string();
  write::write_consolidated(result, out);
  const Output output = read_output(out);
  std::uint32_t total_row = UINT32_MAX, source_total_row = UINT32_MAX;
  for (const xlsx::Cell& cell : output.summary.cells()) {
    if (cell.col == 1 && cell.text == "Totale") (total_row == UINT32_MAX ? total_row : source_total_row) = cell.row;
  }
  ASSERT_NE(source_total_row, UINT32_MAX);
  const std::int64_t areas[] = {919370965, 866434538, 289764765, 37290651, 25525375, 14882621, 1500000, 221726720};
  const std::int64_t sources[] = {1929513512, 271362191, 4282900, 51765226, 0, 0, 83267511, 34119767 + 2184528};
  for (std::uint32_t i = 0; i < 8; ++i) {
    EXPECT_EQ(cents_at(output.summary, total_row, 2 + i), areas[i]) << "area " << i;
    EXPECT_EQ(cents_at(output.summary, source_total_row, 2 + i), sources[i]) << "fonte " << i;
  }
  EXPECT_EQ(cents_at(output.summary, total_row, 10), 2376495635);
  EXPECT_EQ(cents_at(output.summary, source_total_row, 10), 2376495635);
}

// Seed 001: the 2021 budget of the Ambito di Melzo. Its SPESE list a subtotal "PIANO DI ZONA
// SERVIZI (COMPRENDE LE VOCI SOPRA)"; summing every line gives 5.714.993,94, the true total is
// 3.477.959,67 = ENTRATE.
TEST(Consolidate, MelzoBudgetCountsItsSubtotalOnce) {
  const forms::FormSpec& form = form_named("rendiconto-ambito");
  auto text = [](const std::string& t) {
    forms::CellValue c;
    c.present = true;
    c.text = t;
    return c;
  };
  auto cents = [](std::int64_t v) {
    forms::CellValue c;
    c.present = true;
    c.numeric = true;
    c.number = static_cast<double>(v) / 100.0;
    std::ostringstream s;
    s << v / 100 << "." << (v % 100 < 10 ? "0" : "") << v % 100;
    c.lexical = c.text = s.str();
    return c;
  };
  forms::FormInstance instance;
  for (const auto& [id, value] : std::vector<std::pair<std::string, std::string>>{
           {"ambito", "Ambito 5 Melzo"}, {"ente_capofila", "Comune di Melzo"}, {"ats", "ATS della Città Metropolitana di Milano"},
           {"anno", "2021"}, {"referente", "Ufficio di Piano"}}) {
    instance.fields[id].found = true;
    instance.fields[id].cell = text(value);
  }
  // ENTRATE by the form's fund rows (fixed rows in list order), then the lines it has no row for.
  const std::map<std::string, std::int64_t> funds = {
      {"SAI", 43500000}, {"PON", 4308800}, {"FSE", 29999678}, {"FSR", 52468031}, {"RDA", 2440000}, {"ABIT", 3344500},
      {"FNA", 31663461}, {"VIOL", 5247348}, {"DDN", 13533905}, {"VIG", 650000}, {"POV", 46634124}, {"DOTE", 18803108},
      {"FNPS", 45103179}, {"COM", 13677620}, {"DON", 1564581}};
  auto& entrate = instance.tables["entrate"];
  entrate.found = true;
  for (const auto& fund : *form.list("fondi")) {
    forms::TableRow row;
    row.key = text(fund.label);
    const auto it = funds.find(fund.code);
    row.cells.push_back(it == funds.end() ? forms::CellValue{} : cents(it->second));
    entrate.rows.push_back(row);
  }
  for (const auto& [label, value] : std::vector<std::pair<std::string, std::int64_t>>{
           {"Contributi regionali diversi", 7907483}, {"Rimborso dai Comuni per personale UdP", 19290600},
           {"Trasferimenti da distretti", 1500000}, {"Assegnazione fondi regionali area minori Misura 6", 6159549}}) {
    forms::TableRow row;
    row.key = text(label);
    row.cells.push_back(cents(value));
    entrate.rows.push_back(row);
  }
  auto fund_display = [&](const std::string& code) {
    for (const auto& f : *form.list("fondi")) {
      if (f.code == code) return f.display();
    }
    return std::string();
  };
  const std::vector<std::tuple<std::string, std::string, std::int64_t>> spese = {
      {"Siproimi/SAI protezione per richiedenti Asilo e Rifugiati", "SAI", 43500000},
      {"SID Servizio Integrato Domiciliarità", "", 53325381},
      {"R.E.T.I. Rete Educativa Territoriale Integrata per adolescenti e giovani", "", 8480485},
      {"SIL Servizio Inserimenti Lavorativi", "", 20110600},
      {"Rete Antiviolenza V.I.O.L.A.", "", 14154750},
      {"Servizio Sviluppo Misure a Contrasto della Povertà", "POV", 46634124},
      {"O.M.I. Servizio Orientamento, Mediazione e Inclusione", "", 7498409},
      {"Progetto POR-FSE facciamo squadra contro la povertà Adda Martesana", "FSE", 29999678},
      {"PIANO DI ZONA SERVIZI (COMPRENDE LE VOCI SOPRA)", "", 223703427},
      {"PIANO DI ZONA CONTRIBUTI/TRASFERIMENTI FNA MISURA B2", "FNA", 31663461},
      {"PIANO DI ZONA TRASFERIMENTI A ISTITUZIONI SOCIALI PRIVATE FSR EX CIRC.4 PDZ", "", 3000000},
      {"PIANO DI ZONA TRASFERIMENTI AI COMUNI FSR EX CIRC.4 PDZ", "", 25857417},
      {"PIANO DI ZONA TRASFERIMENTO A COMUNI FONDI REGIONALI REDDITO DI AUTONOMIA", "RDA", 2440000},
      {"PIANO DI ZONA TRASFERIMENTO FONDO REGIONALE DOTE INFANZIA PROTEZIONE FAMIGLIA", "DOTE", 18803108},
      {"PIANO DI ZONA TRASFERIMENTI A PRIVATI FONDO EMERGENZA ABITATIVA", "ABIT", 3344500},
      {"PIANO DI ZONA TRASFERIMENTI A PRIVATI PROGRAMMA OPERATIVO REGIONALE DOPO DI NOI GRAVE DISABILITA'", "DDN", 13533905},
      {"PIANO DI ZONA RIMBORSO A COMUNE CAPOFILA SPESE PERSONALE UFFICIO UNICO", "", 6100000},
      {"PIANO DI ZONA STIPENDI UFFICIO UNICO", "", 13190600},
      {"PIANO DI ZONA ASSEGNAZIONE FONDI REGIONALI AREA MINORI MISURA 6", "", 6159549}};
  auto& table = instance.tables["spese"];
  table.found = true;
  std::int64_t naive = 0;
  for (const auto& [label, fund, value] : spese) {
    forms::TableRow row;
    row.key = text(label);
    row.cells.push_back(fund.empty() ? forms::CellValue{} : text(fund_display(fund)));
    row.cells.push_back(cents(value));
    table.rows.push_back(row);
    naive += value;
  }
  const fs::path dir = fs::temp_directory_path() / ("consolida-test-melzo-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string file = (dir / "rendiconto-melzo-2021.xlsx").string();
  write::write_filled(forms::type_form(instance, form, registry::Registry::builtin()), file);

  const forms::Report report = forms::validate_file(file, all_forms(), registry::Registry::builtin());
  for (const auto& issue : report.issues) ADD_FAILURE() << issue.cell << " " << issue.message.it;
  EXPECT_TRUE(report.valid());
  // The template's TOT formula leaves the subtotal out; its cached value is the true total.
  xlsx::Workbook workbook = xlsx::Workbook::open(file);
  const xlsx::Sheet sheet = workbook.load_sheet(*workbook.find_sheet("Rendiconto"));
  std::vector<std::int64_t> totals;
  for (const xlsx::Cell& cell : sheet.cells()) {
    if (cell.has_formula && cell.formula.find("SUM") != std::string::npos) totals.push_back(*values::parse_amount_number(cell.text).value);
  }
  ASSERT_EQ(totals.size(), 2u);
  EXPECT_EQ(totals[0], 347795967);
  EXPECT_EQ(totals[1], 347795967);
  EXPECT_EQ(naive, 571499394);

  consolidate::Options options;
  options.level = consolidate::Level::ambito;
  const auto result = consolidate::consolidate({file}, all_forms(), "rendiconto-ambito", options, registry::Registry::builtin());
  ASSERT_EQ(result.enti.size(), 1u);
  EXPECT_EQ(result.scope_name, "Ambito di Melzo");
  EXPECT_EQ(result.enti[0].amounts[1][0], 347795967);  // SPESE, subtotal counted once
  EXPECT_EQ(std::accumulate(result.enti[0].amounts[0].begin(), result.enti[0].amounts[0].end(), std::int64_t{0}), 347795967);

  // The same budget with the subtotal changed by one euro: the subtotal check names the row.
  std::get<2>(const_cast<std::tuple<std::string, std::string, std::int64_t>&>(spese[8])) += 100;
  table.rows[8].cells[1] = cents(223703527);
  write::write_filled(forms::type_form(instance, form, registry::Registry::builtin()), file);
  const forms::Report broken = forms::validate_file(file, all_forms(), registry::Registry::builtin());
  ASSERT_FALSE(broken.valid());
  EXPECT_EQ(broken.issues[0].code, "REND-SPESE-SUBTOTALE");
}

TEST(Consolidate, UnreadableAndForeignFilesAreListedNotCounted) {
  const fs::path dir = generated("lodi2019", "--lodi-2019");
  const auto manifest = read_manifest(dir);
  const fs::path junk = dir / "non-un-excel.xlsx";
  std::ofstream(junk) << "questo non è un file xlsx";
  std::vector<std::string> files = {manifest[0].file, junk.string(), manifest[0].file};
  consolidate::Options options;
  options.level = consolidate::Level::ambito;
  const auto result = consolidate::consolidate(files, all_forms(), "spesa-sociale-comune", options, registry::Registry::builtin());
  ASSERT_EQ(result.inputs.size(), 3u);
  EXPECT_TRUE(result.inputs[0].used);
  EXPECT_FALSE(result.inputs[1].readable);
  EXPECT_FALSE(result.inputs[1].error_it.empty());
  EXPECT_FALSE(result.inputs[2].used);
  EXPECT_NE(result.inputs[2].note_it.find("duplicato"), std::string::npos);
  EXPECT_EQ(result.missing.size(), 59u);
  EXPECT_THROW(consolidate::consolidate(files, all_forms(), "premialita", options, registry::Registry::builtin()), Error);
  // Nothing usable and no scope given: say that, and why, rather than "Ambito «» not found".
  try {
    consolidate::Options ambito;
    ambito.level = consolidate::Level::ambito;
    consolidate::consolidate({junk.string()}, all_forms(), "spesa-sociale-comune", ambito, registry::Registry::builtin());
    ADD_FAILURE() << "no usable file was accepted";
  } catch (const Error& e) {
    EXPECT_NE(e.message(Lang::it).find("nessun file utilizzabile per la consolidazione (1 file ricevuto, 1 illeggibile"), std::string::npos)
        << e.message(Lang::it);
    EXPECT_NE(e.message(Lang::it).find("non-un-excel.xlsx"), std::string::npos) << e.message(Lang::it);
  }
  options.scope = "Ambito di Atlantide";
  EXPECT_THROW(consolidate::consolidate(files, all_forms(), "spesa-sociale-comune", options, registry::Registry::builtin()), Error);
}

}  // namespace

namespace {

// Seed 000: the fund table of the Ambito di Lodi, 2018-2020. Each year's column adds up to its
// TOTALI (5.076.757,00 / 5.195.481,89 / 7.766.906,01), empty cells counting as zero.
TEST(Consolidate, LodiFundTableAddsUpToItsTotals) {
  xlsx::Workbook workbook = xlsx::Workbook::open(CONSOLIDA_SOURCE_DIR "/sample-workbooks/ambito-lodi-fondi-2018-2020.xlsx");
  const xlsx::Sheet sheet = workbook.load_sheet(workbook.sheets().at(0));
  std::uint32_t total_row = UINT32_MAX;
  for (const xlsx::Cell& cell : sheet.cells()) {
    if (cell.col == 0 && cell.text == "TOTALI") total_row = cell.row;
  }
  ASSERT_NE(total_row, UINT32_MAX);
  const std::int64_t seed[] = {507675700, 519548189, 776690601};
  for (std::uint32_t col = 1; col <= 3; ++col) {
    std::int64_t sum = 0;
    for (const xlsx::Cell& cell : sheet.cells()) {
      if (cell.col == col && cell.row > 0 && cell.row < total_row && cell.type == xlsx::CellType::number) {
        sum += *values::parse_amount_number(cell.text).value;
      }
    }
    EXPECT_EQ(sum, seed[col - 1]) << "colonna " << col;
    EXPECT_EQ(cents_at(sheet, total_row, col), seed[col - 1]) << "TOTALI, colonna " << col;
  }
}

}  // namespace

// ---- The consolidated workbook as an analyst reads and prints it (issue #12) --------------------
namespace {

// A written workbook read back: cells through the project's reader, and from the raw parts what
// the reader leaves out (column widths, row heights, page setup, charts and their anchors).
class WrittenBook {
 public:
  explicit WrittenBook(const std::string& path) : path_(path), workbook_(xlsx::Workbook::open(path)), zip_(path, {}) {}

  xlsx::Sheet cells(const std::string& sheet) { return workbook_.load_sheet(*workbook_.find_sheet(sheet)); }
  std::string part(const std::string& name) { return zip_.read_all(*zip_.find(name)); }
  std::string sheet_xml(const std::string& sheet) { return part(workbook_.find_sheet(sheet)->part); }
  std::string_view number_format(const xlsx::Cell& cell) const { return workbook_.number_format(cell.style); }
  std::vector<std::string> parts_under(const std::string& prefix) const {
    std::vector<std::string> names;
    for (const auto& entry : zip_.entries()) {
      if (entry.name.starts_with(prefix)) names.push_back(entry.name);
    }
    std::sort(names.begin(), names.end());
    return names;
  }
  const xlsx::DefinedName* defined(const std::string& name, const std::string& sheet) const {
    for (const auto& d : workbook_.defined_names()) {
      if (d.name == name && d.formula.starts_with(sheet)) return &d;
      if (d.name == name && d.formula.starts_with("'" + sheet)) return &d;
    }
    return nullptr;
  }
  std::vector<std::string> sheet_names() const {
    std::vector<std::string> names;
    for (const auto& s : workbook_.sheets()) names.push_back(s.name);
    return names;
  }

 private:
  std::string path_;
  xlsx::Workbook workbook_;
  xlsx::ZipArchive zip_;
};

// The value of attribute `name` in the element that starts at `at`, empty if it has none.
std::string attribute(const std::string& xml, std::size_t at, const std::string& name) {
  const std::size_t end = xml.find('>', at);
  const std::size_t key = xml.find(" " + name + "=\"", at);
  if (key == std::string::npos || key > end) return {};
  const std::size_t start = key + name.size() + 3;
  return xml.substr(start, xml.find('"', start) - start);
}

// The width of a column (0-based) in characters; 8.43 (the default) when the sheet sets none.
double column_width(const std::string& xml, std::uint32_t col) {
  for (std::size_t at = xml.find("<col "); at != std::string::npos; at = xml.find("<col ", at + 1)) {
    const std::string min = attribute(xml, at, "min"), max = attribute(xml, at, "max"), width = attribute(xml, at, "width");
    if (col + 1 >= std::stoul(min) && col + 1 <= std::stoul(max)) return std::stod(width);
  }
  return 8.43;
}

// The height of a row (0-based) in points; 15 (the default) when the sheet sets none.
double row_height(const std::string& xml, std::uint32_t row) {
  const std::size_t at = xml.find("<row r=\"" + std::to_string(row + 1) + "\"");
  const std::string ht = at == std::string::npos ? std::string() : attribute(xml, at, "ht");
  return ht.empty() ? 15.0 : std::stod(ht);
}

std::size_t characters(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// A number as its cell's format shows it, Italian style: "1.234.567,89 €", "12,5%", "1.234".
std::string shown(double value, std::string_view format) {
  const auto cents = static_cast<std::int64_t>(std::llround(value * (format.find('%') != std::string_view::npos ? 10000 : 100)));
  std::string text = values::format_cents(cents);
  if (format.find(".00") == std::string_view::npos && format.find('%') == std::string_view::npos) text = text.substr(0, text.size() - 3);
  if (format.find('%') != std::string_view::npos) text = text.substr(0, text.size() - 1) + "%";
  if (format.find("€") != std::string_view::npos) text += " €";
  return text;
}

// The Val Padana's spending, every amount ×1000 so that its totals run into the billions, as a
// whole region's do: the widths must follow what is written.
std::string billions_workbook() {
  static const std::string path = [] {
    const fs::path dir = val_padana();
    consolidate::Result result = consolidate::consolidate(files_of(read_manifest(dir), "spesa-sociale-comune"), all_forms(), "spesa-sociale-comune",
                                                          val_padana_ats(), registry::Registry::builtin());
    for (auto& ente : result.enti) {
      for (auto& amounts : ente.amounts) {
        for (auto& cents : amounts) cents *= 1000;
      }
    }
    const std::string out = (dir / "miliardi.xlsx").string();
    write::write_consolidated(result, out);
    return out;
  }();
  return path;
}

// Finding: the regional grand total showed "###". Every number fits its column as shown, with
// a character to spare, and every header word fits without breaking.
TEST(ConsolidatedWorkbook, ColumnsAreAsWideAsTheWidestValueAndHeaderWord) {
  WrittenBook book(billions_workbook());
  for (const std::string sheet : {"Riepilogo", "Dettaglio"}) {
    const std::string xml = book.sheet_xml(sheet);
    std::size_t numbers = 0;
    const xlsx::Sheet cells = book.cells(sheet);
    for (const xlsx::Cell& cell : cells.cells()) {
      const double width = column_width(xml, cell.col);
      if (cell.type == xlsx::CellType::number) {
        const std::string text = shown(cell.number, book.number_format(cell));
        EXPECT_GE(width, static_cast<double>(characters(text)) + 1) << sheet << " " << xlsx::column_name(cell.col) << cell.row + 1 << " " << text;
        ++numbers;
      } else if (cell.type == xlsx::CellType::string && (sheet == "Dettaglio" ? cell.row == 0 : cell.text == "Codice")) {
        std::size_t longest = 0;
        std::stringstream words(cell.text);
        for (std::string word; words >> word;) longest = std::max(longest, characters(word));
        EXPECT_GE(width, 1.1 * static_cast<double>(longest) + 1) << sheet << " " << cell.text;
      }
    }
    EXPECT_GT(numbers, 100u) << sheet;
  }
}

// Finding: no print setup. Every sheet prints landscape on A4, one page wide; every sheet that
// is one table repeats its header row on each page.
TEST(ConsolidatedWorkbook, EverySheetPrintsLandscapeOnePageWideWithItsHeaderOnEachPage) {
  WrittenBook book(billions_workbook());
  for (const std::string& sheet : book.sheet_names()) {
    const std::string xml = book.sheet_xml(sheet);
    const std::size_t setup = xml.find("<pageSetup ");
    ASSERT_NE(setup, std::string::npos) << sheet;
    EXPECT_EQ(attribute(xml, setup, "orientation"), "landscape") << sheet;
    EXPECT_EQ(attribute(xml, setup, "paperSize"), "9") << sheet;
    const std::string fit_width = attribute(xml, setup, "fitToWidth");
    if (sheet == "Grafici") {
      EXPECT_EQ(attribute(xml, setup, "scale"), "") << "charts print at 100%, so that the page breaks between them hold";
    } else {
      EXPECT_NE(xml.find("<pageSetUpPr fitToPage=\"1\"/>"), std::string::npos) << sheet;
      EXPECT_TRUE(fit_width.empty() || fit_width == "1") << sheet << " fitToWidth " << fit_width;
    }
    if (sheet != "Riepilogo" && sheet != "Grafici") {
      const xlsx::DefinedName* titles = book.defined("_xlnm.Print_Titles", sheet);
      ASSERT_NE(titles, nullptr) << sheet;
      EXPECT_NE(titles->formula.find("$1:$1"), std::string::npos) << sheet << " " << titles->formula;
    }
  }
}

// The rows of the Grafici sheet that start each printed page: row 0 and every manual break.
std::vector<std::uint32_t> page_starts(const std::string& xml) {
  std::vector<std::uint32_t> starts{0};
  for (std::size_t at = xml.find("<brk "); at != std::string::npos; at = xml.find("<brk ", at + 1)) starts.push_back(static_cast<std::uint32_t>(std::stoul(attribute(xml, at, "id"))));
  return starts;
}

// Each chart's first and last row (0-based), from the drawing's anchors.
std::vector<std::pair<std::uint32_t, std::uint32_t>> chart_rows(const std::string& drawing) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> rows;
  for (std::size_t at = drawing.find("<xdr:from>"); at != std::string::npos; at = drawing.find("<xdr:from>", at + 1)) {
    auto row_after = [&](std::size_t from) {
      const std::size_t start = drawing.find("<xdr:row>", from) + 9;
      return static_cast<std::uint32_t>(std::stoul(drawing.substr(start, drawing.find('<', start) - start)));
    };
    rows.emplace_back(row_after(at), row_after(drawing.find("<xdr:to>", at)));
  }
  return rows;
}

// Findings: charts cut at page edges; "Totale per Ambito" 91 bars in registry order; "Entrate
// per fondo" squashed under 45° labels. Every chart is horizontal bars, each chart within one
// page, the bars by unit sorted by value in charts of at most 24 bars, all units drawn.
TEST(ConsolidatedWorkbook, ChartsAreSortedHorizontalBarsEachWithinOnePage) {
  const fs::path dir = val_padana();
  const auto manifest = read_manifest(dir);
  consolidate::Options regione;
  const auto rendiconto = consolidate::consolidate(files_of(manifest, "rendiconto-ambito"), all_forms(), "rendiconto-ambito", regione,
                                                   registry::Registry::builtin());
  const std::string path = (dir / "rendiconto-regione.xlsx").string();
  write::write_consolidated(rendiconto, path);
  WrittenBook book(path);
  const std::string xml = book.sheet_xml("Grafici");
  const std::vector<std::uint32_t> starts = page_starts(xml);
  const auto drawings = book.parts_under("xl/drawings/drawing");
  ASSERT_EQ(drawings.size(), 1u);
  const auto anchors = chart_rows(book.part(drawings[0]));
  const auto charts = book.parts_under("xl/charts/chart");
  ASSERT_EQ(anchors.size(), charts.size());
  ASSERT_GE(charts.size(), 4u) << "by fund, then the 91 Ambiti in charts of at most 24";
  for (const auto& [first, last] : anchors) {
    const auto page = std::upper_bound(starts.begin(), starts.end(), first);
    const std::uint32_t next_page = page == starts.end() ? UINT32_MAX : *page;
    EXPECT_LT(last, next_page) << "chart from row " << first << " crosses the page break at " << next_page;
    EXPECT_LE(last - first, 33u) << "a chart taller than a landscape page";
  }
  const xlsx::Sheet data = book.cells("Grafici");
  std::size_t ambiti = 0;
  for (const std::string& name : charts) {
    const std::string chart = book.part(name);
    EXPECT_NE(chart.find("<c:barDir val=\"bar\"/>"), std::string::npos) << name << ": horizontal bars";
    // The values the chart draws: a column of the Grafici sheet, largest first.
    const std::size_t val = chart.find("<c:val>");
    ASSERT_NE(val, std::string::npos) << name;
    const std::size_t f = chart.find("<c:f>", val) + 5;
    std::string range = chart.substr(f, chart.find("</c:f>", f) - f);
    ASSERT_TRUE(range.starts_with("Grafici!")) << range;
    range.erase(std::remove(range.begin(), range.end(), '$'), range.end());
    const xlsx::Range cells = *xlsx::parse_range(range.substr(range.find('!') + 1));
    std::vector<double> values;
    for (std::uint32_t row = cells.first.row; row <= cells.last.row; ++row) values.push_back(data.cell(xlsx::CellRef{row, cells.first.col})->number);
    EXPECT_TRUE(std::is_sorted(values.rbegin(), values.rend())) << name;
    EXPECT_LE(values.size(), 24u) << name;
    if (chart.find("Totale per Ambito") != std::string::npos) ambiti += values.size();
  }
  EXPECT_EQ(ambiti, 91u);
}

// Finding: monitoraggio's wrapped "Obiettivo" overlapped the next rows. A row is as tall as the
// longest text wrapped in it needs, in the width of its column.
TEST(ConsolidatedWorkbook, RowsAreTallEnoughForTheirWrappedText) {
  const fs::path dir = val_padana();
  consolidate::Result monitoring = consolidate::consolidate(files_of(read_manifest(dir), "monitoraggio-obiettivi"), all_forms(),
                                                            "monitoraggio-obiettivi", val_padana_ats(), registry::Registry::builtin());
  ASSERT_GT(monitoring.records.size(), 2u);
  monitoring.records[1].objective =
      "Rafforzare la presa in carico integrata delle persone con fragilità attraverso équipe multidisciplinari tra Comuni, ASST e Terzo "
      "settore, con un punto unico di accesso in ogni Ambito";
  const std::string path = (dir / "monitoraggio-lungo.xlsx").string();
  write::write_consolidated(monitoring, path);
  WrittenBook book(path);
  const std::string xml = book.sheet_xml("Dettaglio");
  std::size_t wrapped = 0;
  const xlsx::Sheet detail = book.cells("Dettaglio");
  for (const xlsx::Cell& cell : detail.cells()) {
    if (cell.row == 0 || cell.type != xlsx::CellType::string) continue;
    const double width = column_width(xml, cell.col);
    const double lines = std::ceil(static_cast<double>(characters(cell.text)) / width);
    if (lines < 2) continue;
    ++wrapped;
    EXPECT_GE(row_height(xml, cell.row), 15.0 * lines) << xlsx::column_name(cell.col) << cell.row + 1 << ": " << cell.text;
  }
  EXPECT_GT(wrapped, 0u);
}

// Findings: "Gli importi sono in euro" on the monitoraggio workbook, which has no amounts; the
// Mancanti header repeated "Ambito".
TEST(ConsolidatedWorkbook, TextsSayOnlyWhatTheWorkbookHolds) {
  const fs::path dir = val_padana();
  const auto manifest = read_manifest(dir);
  consolidate::Options regione;
  for (const std::string form : {"monitoraggio-obiettivi", "rendiconto-ambito", "spesa-sociale-comune"}) {
    const auto result = consolidate::consolidate(files_of(manifest, form), all_forms(), form, regione, registry::Registry::builtin());
    const std::string path = (dir / ("testi-" + form + ".xlsx")).string();
    write::write_consolidated(result, path);
    WrittenBook book(path);
    bool says_euro = false;
    const xlsx::Sheet summary = book.cells("Riepilogo"), missing = book.cells("Mancanti");
    for (const xlsx::Cell& cell : summary.cells()) says_euro = says_euro || cell.text.find("euro") != std::string::npos;
    EXPECT_EQ(says_euro, form != "monitoraggio-obiettivi") << form;
    std::set<std::string> headers;
    for (const xlsx::Cell& cell : missing.cells()) {
      if (cell.row == 0) {
        EXPECT_TRUE(headers.insert(cell.text).second) << form << ": «" << cell.text << "» twice";
      }
    }
    EXPECT_GE(headers.size(), 4u) << form;
  }
}

// "Generato il" is the time in Lombardy, as the pages show it: checked against the C library's
// own Europe/Rome rules.
TEST(ConsolidatedWorkbook, GeneratedAtIsRomeTime) {
  auto rome_now = [] {
    const char* saved = std::getenv("TZ");
    const std::string previous = saved ? saved : "";
    ::setenv("TZ", "Europe/Rome", 1);
    ::tzset();
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    ::localtime_r(&now, &local);
    char text[32];
    std::strftime(text, sizeof text, "%d/%m/%Y %H:%M", &local);
    if (saved) ::setenv("TZ", previous.c_str(), 1);
    else ::unsetenv("TZ");
    ::tzset();
    return std::string(text);
  };
  const std::string before = rome_now();
  const fs::path dir = val_padana();
  const auto result = consolidate::consolidate(files_of(read_manifest(dir), "rendiconto-ambito"), all_forms(), "rendiconto-ambito",
                                               consolidate::Options{}, registry::Registry::builtin());
  const std::string path = (dir / "ora.xlsx").string();
  write::write_consolidated(result, path);
  const std::string after = rome_now();
  std::string line;
  const xlsx::Sheet summary = WrittenBook(path).cells("Riepilogo");
  for (const xlsx::Cell& cell : summary.cells()) {
    if (cell.text.find("generato il ") != std::string::npos) line = cell.text;
  }
  const std::string stamp = line.substr(line.find("generato il ") + 12);
  EXPECT_TRUE(stamp == before || stamp == after) << stamp << " vs " << before;
}

}  // namespace
