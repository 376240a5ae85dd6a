// Property test (issue #12, acceptance): thousands of generated spesa-sociale-comune,
// rendiconto-ambito and monitoraggio-obiettivi workbooks, written as real xlsx files with
// libxlsxwriter the way a clerk leaves them (rows inserted with and without a label, blank
// cells, numbers typed as text, percent-formatted cells, values pasted over drop-downs, totals
// typed over the template's formulas), validated through the normal path (validate_file), then:
//  - every refusal (blocking error) names its sheet and cell;
//  - a file validates exactly when the clerk's mistakes are all harmless ones;
//  - for every file that validates, each breakdown (by area, by source, by fund, SPESE) holds the
//    amounts the clerk meant, to the cent, so all breakdowns and the TOTALE agree; every value of
//    an indicator in % is within 0-100 and a scale within 1-10, as meant;
//  - the consolidation of the valid files counts, per ente, exactly those amounts.
// Formula cells carry the results Calc would compute: SUM skips text, and a row inserted just
// above a total or just below the header falls outside the template's SUM.
#include <gtest/gtest.h>
#include <xlsxwriter.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "consolida/consolidate.hpp"
#include "consolida/forms.hpp"
#include "consolida/registry.hpp"
#include "consolida/typed_form.hpp"
#include "consolida/values.hpp"
#include "forms/breakdowns.hpp"
#include "support/bundled_forms.hpp"
#include "support/zip_builder.hpp"

namespace fs = std::filesystem;
using namespace consolida;
using Cents = std::int64_t;

namespace {

#ifdef CONSOLIDA_SANITIZED_BUILD
constexpr int kFilesPerForm = 150;  // the same generator and checks; the 1,000 run in the plain build
#else
constexpr int kFilesPerForm = 1000;
#endif
constexpr std::uint64_t kSeed = 20241212;

const std::vector<forms::FormSpec>& all_forms() { return consolida::testing::bundled_forms(); }
const forms::FormSpec& form(const std::string& id) { return consolida::testing::bundled_form(id); }

const registry::Registry& registry_() { return registry::Registry::builtin(); }

// splitmix64: the same files on every machine (the standard distributions are not portable).
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  bool chance(int percent) { return below(100) < static_cast<std::size_t>(percent); }
  Cents amount(Cents max_euros) { return static_cast<Cents>(below(static_cast<std::size_t>(max_euros) * 100)) + 1; }
  template <typename T>
  const T& pick(const std::vector<T>& items) { return items[below(items.size())]; }

 private:
  std::uint64_t state_;
};

std::string cell_name(int row, int col) {
  std::string letters;
  for (int c = col + 1; c > 0; c = (c - 1) / 26) letters.insert(letters.begin(), static_cast<char>('A' + (c - 1) % 26));
  return letters + std::to_string(row + 1);
}

std::string euros(Cents cents) { return values::format_cents(cents); }  // "4.000,00", as a clerk types it
double as_number(Cents cents) { return static_cast<double>(cents) / 100.0; }

// One cell as the clerk leaves it.
struct Written {
  enum class Kind { blank, number, text, formula } kind = Kind::blank;
  double number = 0;    // the number, or a formula's numeric result
  std::string text;     // the text, or a formula's text result ("" shows nothing)
  bool text_result = false;
  std::string formula;  // without "="
  std::string format;   // number format, "" for General
  std::optional<Cents> cents;  // an amount (or an amount's total) as meant, kept exact for the sums
};

Written number(double value, std::string format = "") { return {Written::Kind::number, value, {}, false, {}, std::move(format), {}}; }
Written text(std::string value) { return {Written::Kind::text, 0, std::move(value), false, {}, {}, {}}; }
Written formula(std::string f, double result, std::string format = "") {
  return {Written::Kind::formula, result, {}, false, std::move(f), std::move(format), {}};
}
Written formula_showing_nothing(std::string f) { return {Written::Kind::formula, 0, {}, true, std::move(f), {}, {}}; }
Written amount(Cents cents) {
  Written cell = number(as_number(cents), "#,##0.00 \"€\"");
  cell.cents = cents;
  return cell;
}
Written amount_formula(std::string f, Cents cents, std::string format = "#,##0.00 \"€\"") {
  Written cell = formula(std::move(f), as_number(cents), std::move(format));
  cell.cents = cents;
  return cell;
}

// A workbook being written: one form sheet, its defined names and the form's identity.
class Book {
 public:
  Book(const forms::FormSpec& form, std::string sheet) : form_(form), sheet_(std::move(sheet)) {}

  void set(int row, int col, Written cell) { cells_[{row, col}] = std::move(cell); }
  const Written* at(int row, int col) const {
    const auto it = cells_.find({row, col});
    return it == cells_.end() ? nullptr : &it->second;
  }
  void name(const std::string& defined, int first_row, int first_col, int last_row, int last_col) {
    names_[defined] = "='" + sheet_ + "'!$" + absolute(first_row, first_col) + ":$" + absolute(last_row, last_col);
  }
  const std::string& sheet() const { return sheet_; }

  void write(const std::string& path) const {
    lxw_workbook* workbook = workbook_new(path.c_str());
    if (!workbook) throw std::runtime_error("cannot write " + path);
    lxw_worksheet* ws = workbook_add_worksheet(workbook, sheet_.c_str());
    std::map<std::string, lxw_format*> formats;
    auto format = [&](const std::string& code) -> lxw_format* {
      if (code.empty()) return nullptr;
      auto& f = formats[code];
      if (!f) {
        f = workbook_add_format(workbook);
        format_set_num_format(f, code.c_str());
      }
      return f;
    };
    for (const auto& [where, cell] : cells_) {
      const auto row = static_cast<lxw_row_t>(where.first);
      const auto col = static_cast<lxw_col_t>(where.second);
      switch (cell.kind) {
        case Written::Kind::blank: break;
        case Written::Kind::number: worksheet_write_number(ws, row, col, cell.number, format(cell.format)); break;
        case Written::Kind::text: worksheet_write_string(ws, row, col, cell.text.c_str(), format(cell.format)); break;
        case Written::Kind::formula:
          if (cell.text_result) {
            worksheet_write_formula_str(ws, row, col, ("=" + cell.formula).c_str(), format(cell.format), cell.text.c_str());
          } else {
            worksheet_write_formula_num(ws, row, col, ("=" + cell.formula).c_str(), format(cell.format), cell.number);
          }
          break;
      }
    }
    for (const auto& [defined, ref] : names_) workbook_define_name(workbook, defined.c_str(), ref.c_str());
    const std::string identity = "\"" + form_.id + " " + form_.version + "\"";
    workbook_define_name(workbook, forms::kFormDefinedName, ("=" + identity).c_str());
    workbook_set_custom_property_string(workbook, forms::kFormProperty, form_.id.c_str());
    workbook_set_custom_property_string(workbook, forms::kVersionProperty, form_.version.c_str());
    if (workbook_close(workbook) != LXW_NO_ERROR) throw std::runtime_error("cannot close " + path);
  }

 private:
  static std::string absolute(int row, int col) {
    const std::string a1 = cell_name(row, col);
    const std::size_t digit = a1.find_first_of("0123456789");
    return a1.substr(0, digit) + "$" + a1.substr(digit);
  }

  const forms::FormSpec& form_;
  std::string sheet_;
  std::map<std::pair<int, int>, Written> cells_;
  std::map<std::string, std::string> names_;
};

// Writes the fields of a form one per row from `row`, label in A and value in B.
int write_fields(Book& book, const forms::FormSpec& form, int row, const std::map<std::string, Written>& values) {
  for (const forms::FieldSpec& field : form.fields) {
    book.set(row, 0, text(field.label.it));
    const auto value = values.find(field.id);
    if (value != values.end()) book.set(row, 1, value->second);
    book.name(forms::field_name(field.id), row, 1, row, 1);
    ++row;
  }
  return row + 1;
}

// What Calc shows in a SUM over a column's rows [first, last]: numbers only, text skipped. In
// cents (counts in hundredths of a unit).
Cents calc_sum(const Book& book, int col, int first, int last, const std::vector<int>& except = {}) {
  Cents sum = 0;
  for (int r = first; r <= last; ++r) {
    if (std::find(except.begin(), except.end(), r) != except.end()) continue;
    const Written* cell = book.at(r, col);
    if (cell && (cell->kind == Written::Kind::number || (cell->kind == Written::Kind::formula && !cell->text_result))) {
      sum += cell->cents.value();  // every number the tests sum is written with its cents
    }
  }
  return sum;
}

// What the clerk meant, and what the clerk did that validation must refuse.
struct Intent {
  std::vector<std::string> refusals;                    // empty: every mistake is harmless
  std::map<std::string, std::vector<Cents>> breakdowns;  // by breakdown id, per item
  struct Indicator {
    std::string unit;
    Cents expected = 0;                 // hundredths
    std::optional<Cents> achieved;      // hundredths; empty for a declared state
  };
  std::vector<Indicator> indicators;  // monitoraggio, in row order
  Cents users = 0;                    // spesa: users served, summed
  void refuse(std::string why) { refusals.push_back(std::move(why)); }
};

struct Generated {
  Book book;
  Intent intent;
};

// ---- spesa-sociale-comune ----------------------------------------------------------------------

Generated spesa(Random& rng, const registry::Comune& comune) {
  const forms::FormSpec& spec = form("spesa-sociale-comune");
  const forms::TableSpec& table = *spec.table("spesa");
  Generated out{Book(spec, "Spesa sociale"), {}};
  Book& book = out.book;
  Intent& intent = out.intent;
  const std::size_t sources = 8;  // B..I, then J Totale and K Utenti
  const int totale_col = 9, utenti_col = 10;
  std::string name = comune.name;
  if (rng.chance(20)) name += " (" + comune.sigla + ")";
  int row = write_fields(book, spec, 2,
                         {{"codice_istat", text(comune.istat)}, {"comune", text(name)}, {"anno", number(2024, "0")},
                          {"compilatore", text("Ufficio servizi sociali")}, {"email", rng.chance(50) ? text("sociale@comune.it") : Written{}}});
  const int header = row + 1;
  book.set(row, 0, text(table.label.it));
  book.set(header, 0, text(table.key.label.it));
  for (std::size_t c = 0; c < table.columns.size(); ++c) book.set(header, static_cast<int>(c) + 1, text(table.columns[c].label.it));

  struct Line {
    std::string key;
    std::optional<std::size_t> area;  // the area the clerk meant (none: no area at all)
    bool inserted = false;
  };
  std::vector<Line> lines;
  for (std::size_t i = 0; i < table.fixed_rows.size(); ++i) lines.push_back({table.fixed_rows[i], i, false});
  // Rows the clerk inserted: under a label that plainly names one area, without a label, or
  // under a label of their own; anywhere, including right under the header and right above the
  // total, where the template's SUM does not reach.
  static const std::vector<std::string> suffixes = {"integrazione rette RSA", "voucher", "quota progetto territoriale", "trasporto"};
  static const std::vector<std::string> own_labels = {"Spese varie", "Progetto sperimentale 2024", "Altro", "Contributi straordinari"};
  const std::size_t inserted = rng.chance(40) ? 1 + rng.below(2) : 0;
  for (std::size_t k = 0; k < inserted; ++k) {
    const std::size_t at = rng.below(lines.size() + 1);
    Line line{"", std::nullopt, true};
    const std::size_t kind = rng.below(4);
    if (kind <= 1) {
      const std::size_t area = rng.below(table.fixed_rows.size());
      line = {table.fixed_rows[area] + (rng.chance(50) ? " – " : " - ") + rng.pick(suffixes), area, true};
    } else if (kind == 2) {
      line.key = "";
    } else {
      line.key = rng.pick(own_labels);
    }
    lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(at), line);
  }
  const int first = header + 1, last = first + static_cast<int>(lines.size()) - 1, total_row = last + 1;
  // The template's SUM covers its own rows: a row inserted above the first or below the last of
  // them is outside.
  std::size_t first_template = 0, last_template = lines.size() - 1;
  while (lines[first_template].inserted) ++first_template;
  while (lines[last_template].inserted) --last_template;
  std::vector<int> outside_sum;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i < first_template || i > last_template) outside_sum.push_back(first + static_cast<int>(i));
  }

  std::vector<Cents> by_area(table.fixed_rows.size(), 0), by_source(sources, 0);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const Line& line = lines[i];
    const int r = first + static_cast<int>(i);
    book.set(r, 0, line.key.empty() ? Written{} : text(line.key));
    Cents row_sum = 0;
    for (std::size_t s = 0; s < sources; ++s) {
      if (!rng.chance(line.inserted ? 60 : 45)) continue;  // a blank cell
      const Cents cents = rng.amount(200000);
      row_sum += cents;
      by_source[s] += cents;
      Written cell = amount(cents);
      const std::size_t how = rng.below(1000);
      if (how < 15) {
        cell = text(euros(cents));  // '4.000,00: text that the total's SUM skips
        intent.refuse("importo scritto come testo in " + cell_name(r, static_cast<int>(s) + 1));
      } else if (how < 55) {
        cell.format = rng.chance(50) ? "0%" : "0.00%";  // a cell the clerk formatted as a percentage
      } else if (how < 95) {
        cell.format = "";  // General, as a pasted number
      }
      book.set(r, static_cast<int>(s) + 1, cell);
    }
    if (line.area) by_area[*line.area] += row_sum;
    const std::string n = std::to_string(r + 1);
    const std::string row_formula = "IF(COUNT(B" + n + ":I" + n + ")=0,\"\",SUM(B" + n + ":I" + n + "))";
    if (row_sum == 0) {
      if (!line.inserted) book.set(r, totale_col, formula_showing_nothing(row_formula));
      continue;
    }
    if (!line.area) intent.refuse("riga " + std::to_string(r + 1) + " con importi e senza area («" + line.key + "»)");
    if (std::find(outside_sum.begin(), outside_sum.end(), r) != outside_sum.end()) {
      intent.refuse("riga " + std::to_string(r + 1) + " inserita fuori dalla somma del totale");
    }
    // Totale: the template's formula (absent from an inserted row), or typed by the clerk.
    const std::size_t how = rng.below(100);
    if (!line.inserted && how < 80) {
      bool any = false;
      for (std::size_t s = 0; s < sources; ++s) {
        const Written* cell = book.at(r, static_cast<int>(s) + 1);
        any = any || (cell && cell->kind == Written::Kind::number);
      }
      Cents shown = 0;
      for (std::size_t s = 0; s < sources; ++s) shown += calc_sum(book, static_cast<int>(s) + 1, r, r);
      book.set(r, totale_col, any ? amount_formula(row_formula, shown) : formula_showing_nothing(row_formula));
    } else if (how < 92) {
      book.set(r, totale_col, amount(row_sum));
    } else if (how < 96) {
      book.set(r, totale_col, text(euros(row_sum)));
      intent.refuse("totale di riga scritto come testo in " + cell_name(r, totale_col));
    } else {
      book.set(r, totale_col, amount(row_sum + 1));
      intent.refuse("totale di riga sbagliato di un centesimo in " + cell_name(r, totale_col));
    }
    if (rng.chance(60)) {
      const Cents users = 1 + static_cast<Cents>(rng.below(3000));
      Written cell = number(static_cast<double>(users), "#,##0");
      cell.cents = users * 100;
      if (rng.chance(3)) {
        cell = text(std::to_string(users));  // a count pasted as text: the TOTALE's SUM skips it
        intent.refuse("utenti scritti come testo in " + cell_name(r, utenti_col));
      }
      book.set(r, utenti_col, cell);
      intent.users += users;
    }
  }
  // The TOTALE row: SUM over the template's rows, as Calc computes it.
  book.set(total_row, 0, text(*table.total_label));
  const int sum_first = first + static_cast<int>(first_template), sum_last = first + static_cast<int>(last_template);
  for (int c = 1; c <= utenti_col; ++c) {
    const std::string letter = cell_name(0, c).substr(0, 1);
    const std::string f = "SUM(" + letter + std::to_string(sum_first + 1) + ":" + letter + std::to_string(sum_last + 1) + ")";
    const Cents sum = calc_sum(book, c, sum_first, sum_last);
    book.set(total_row, c, c == utenti_col ? formula(f, as_number(sum), "#,##0") : amount_formula(f, sum));
  }
  book.name(forms::table_name(table.id), header, 0, total_row, utenti_col);
  intent.breakdowns["area"] = by_area;
  intent.breakdowns["fonte"] = by_source;
  return out;
}

// ---- rendiconto-ambito -------------------------------------------------------------------------

// A list item as the clerk put it in the cell: picked from the drop-down, or pasted as its label
// or its code, all of which name it.
std::string list_value(Random& rng, const forms::ListItem& item) {
  const std::size_t how = rng.below(10);
  if (how < 7 || item.code.empty()) return how < 9 ? item.display() : item.label;
  return how < 9 ? item.label : item.code;
}

Generated rendiconto(Random& rng, const registry::Ambito& ambito) {
  const forms::FormSpec& spec = form("rendiconto-ambito");
  const forms::TableSpec& entrate = *spec.table("entrate");
  const forms::TableSpec& spese = *spec.table("spese");
  const auto& funds = *spec.list("fondi");
  Generated out{Book(spec, "Rendiconto"), {}};
  Book& book = out.book;
  Intent& intent = out.intent;
  const registry::Ats* ats = registry_().ats_by_code(ambito.ats);
  const forms::ListItem* ats_item = forms::find_list_item(spec, "ats", ats->name);
  Written ats_cell = text(list_value(rng, *ats_item));
  if (rng.chance(3)) {
    ats_cell = text("ATS Lombardia Est");
    intent.refuse("ATS incollata che non è nell'elenco");
  }
  int row = write_fields(book, spec, 2,
                         {{"ambito", text(rng.chance(80) || ambito.aliases.empty() ? ambito.name : rng.pick(ambito.aliases))},
                          {"ente_capofila", text("Comune capofila")}, {"ats", ats_cell}, {"anno", number(2023, "0")},
                          {"referente", text("Ufficio di Piano")}});

  // ENTRATE: the funds, free rows with labels of their own (Altre entrate), rows inserted.
  const int entrate_header = row + 1;
  book.set(row, 0, text(entrate.label.it));
  book.set(entrate_header, 0, text(entrate.key.label.it));
  book.set(entrate_header, 1, text(entrate.columns[0].label.it));
  struct Line {
    std::string key;
    Cents cents = 0;
    bool inserted = false;
  };
  std::vector<Line> in;
  for (const std::string& fund : entrate.fixed_rows) in.push_back({fund, rng.chance(55) ? rng.amount(400000) : 0, false});
  static const std::vector<std::string> other_income = {"Contributi regionali diversi", "Quote associative dei Comuni", "Donazioni private",
                                                        "Residui anno precedente"};
  const std::size_t free_rows = rng.below(4);
  for (std::size_t k = 0; k < free_rows; ++k) in.push_back({rng.pick(other_income), rng.amount(300000), false});
  const std::size_t blank_rows = entrate.blank_rows - free_rows;
  if (rng.chance(25)) {  // a row inserted among the funds, with a label of its own or none
    const std::size_t at = 1 + rng.below(in.size() - 1);
    in.insert(in.begin() + static_cast<std::ptrdiff_t>(at), Line{rng.chance(50) ? "" : rng.pick(other_income), rng.amount(100000), true});
  }
  for (std::size_t k = 0; k < blank_rows; ++k) in.push_back({"", 0, false});
  bool above_total = false;
  if (rng.chance(5)) {  // a row inserted right above TOTALE ENTRATE: outside the template's SUM
    in.push_back({rng.pick(other_income), rng.amount(50000), true});
    above_total = true;
    intent.refuse("riga inserita sopra TOTALE ENTRATE, fuori dalla sua somma");
  }
  const int in_first = entrate_header + 1;
  const int in_last = in_first + static_cast<int>(in.size()) - 1;
  std::vector<Cents> by_fund(entrate.fixed_rows.size() + 1, 0);
  Cents total_in = 0;
  std::map<std::string, Cents> earmarked;  // fund code -> amount to pass on
  for (std::size_t i = 0; i < in.size(); ++i) {
    const int r = in_first + static_cast<int>(i);
    const Line& line = in[i];
    if (!line.key.empty()) book.set(r, 0, text(line.key));
    if (line.cents == 0) continue;
    Written cell = amount(line.cents);
    if (rng.chance(3)) {
      cell = text(euros(line.cents));
      intent.refuse("entrata scritta come testo in " + cell_name(r, 1));
    } else if (rng.chance(3)) {
      cell.format = "0.00%";
    }
    book.set(r, 1, cell);
    total_in += line.cents;
    const auto fixed = std::find(entrate.fixed_rows.begin(), entrate.fixed_rows.end(), line.key);
    const std::size_t item = fixed == entrate.fixed_rows.end() ? entrate.fixed_rows.size() : static_cast<std::size_t>(fixed - entrate.fixed_rows.begin());
    by_fund[item] += line.cents;
    const auto fund = std::find_if(funds.begin(), funds.end(), [&](const forms::ListItem& f) { return f.label == line.key; });
    if (fund != funds.end() && fund->group == "vincolato") earmarked[fund->code] += line.cents;
  }
  const int in_total = in_last + 1;
  const int in_sum_last = above_total ? in_last - 1 : in_last;
  book.set(in_total, 0, text(*entrate.total_label));
  book.set(in_total, 1, amount_formula("SUM(B" + std::to_string(in_first + 1) + ":B" + std::to_string(in_sum_last + 1) + ")",
                                       calc_sum(book, 1, in_first, in_sum_last)));
  book.name(forms::table_name(entrate.id), entrate_header, 0, in_total, 1);

  // SPESE: services, a subtotal of them, then each earmarked fund passed on in full.
  const int spese_header = in_total + 3;
  book.set(spese_header - 1, 0, text(spese.label.it));
  book.set(spese_header, 0, text(spese.key.label.it));
  for (std::size_t c = 0; c < spese.columns.size(); ++c) book.set(spese_header, static_cast<int>(c) + 1, text(spese.columns[c].label.it));
  struct Out {
    std::string key, fund;
    Cents cents;
    bool subtotal = false;
  };
  std::vector<Out> outs;
  Cents free_money = total_in;
  for (const auto& [code, cents] : earmarked) free_money -= cents;
  static const std::vector<std::string> services = {"Servizio tutela minori", "Assistenza domiciliare", "Segretariato sociale",
                                                    "Centri diurni disabili", "Inserimenti lavorativi"};
  const std::size_t parts = 1 + rng.below(4);
  Cents left = free_money, services_sum = 0;
  for (std::size_t k = 0; k < parts; ++k) {
    const Cents share = left / static_cast<Cents>(parts - k) + static_cast<Cents>(rng.below(1000));
    const Cents cents = k + 1 == parts ? left : std::min(left, share);
    if (cents == 0) continue;  // a service row needs its amount (REND-R07)
    left -= cents;
    services_sum += cents;
    outs.push_back({services[k], "", cents});
  }
  if (services_sum > 0 && rng.chance(50)) outs.push_back({"PIANO DI ZONA SERVIZI (COMPRENDE LE VOCI SOPRA)", "", services_sum, true});
  for (const auto& [code, cents] : earmarked) {
    const forms::ListItem& item = *std::find_if(funds.begin(), funds.end(), [&](const forms::ListItem& f) { return f.code == code; });
    std::string fund = list_value(rng, item);
    if (rng.chance(3)) {
      fund = item.label + " - quota 2023";  // pasted, and no item of the list
      intent.refuse("fondo incollato che non è nell'elenco: " + fund);
    }
    outs.push_back({"Trasferimenti " + item.label, fund, cents});
  }
  if (rng.chance(4) && !outs.empty()) {
    outs.front().cents += 1;  // one cent more spent than received (its subtotal agreeing)
    for (Out& o : outs) o.cents += o.subtotal ? 1 : 0;
    intent.refuse("SPESE diverse da ENTRATE di un centesimo");
  }
  const int out_first = spese_header + 1;
  Cents total_out = 0;
  std::vector<int> subtotal_rows;
  for (std::size_t i = 0; i < outs.size(); ++i) {
    const int r = out_first + static_cast<int>(i);
    const Out& o = outs[i];
    book.set(r, 0, text(o.key));
    if (!o.fund.empty()) book.set(r, 1, text(o.fund));
    Written cell = amount(o.cents);
    if (!o.subtotal && rng.chance(3)) {
      cell = text(euros(o.cents));
      intent.refuse("spesa scritta come testo in " + cell_name(r, 2));
    }
    book.set(r, 2, cell);
    if (o.subtotal) subtotal_rows.push_back(r);
    else total_out += o.cents;
  }
  const int out_last = out_first + static_cast<int>(outs.size()) + 3;  // three empty rows left
  const int out_total = out_last + 1;
  const std::string a = std::to_string(out_first + 1) + ":", b = std::to_string(out_last + 1);
  book.set(out_total, 0, text(*spese.total_label));
  book.set(out_total, 2, amount_formula("SUM(C" + a + "C" + b + ")-SUMIF(A" + a + "A" + b + ",\"*COMPRENDE LE VOCI SOPRA*\",C" + a + "C" + b +
                                            ")-SUMIF(A" + a + "A" + b + ",\"*SUBTOTALE*\",C" + a + "C" + b + ")",
                                        calc_sum(book, 2, out_first, out_last, subtotal_rows)));
  book.name(forms::table_name(spese.id), spese_header, 0, out_total, 2);
  intent.breakdowns["entrate"] = by_fund;
  intent.breakdowns["spese"] = {total_out};
  return out;
}

// ---- monitoraggio-obiettivi --------------------------------------------------------------------

Generated monitoraggio(Random& rng, const registry::Ambito& ambito) {
  const forms::FormSpec& spec = form("monitoraggio-obiettivi");
  const forms::TableSpec& table = *spec.table("indicatori");
  const auto& areas = *spec.list("macroaree");
  const auto& kinds = *spec.list("tipi_indicatore");
  const auto& units = *spec.list("unita");  // n., %, ore, scala 1-10
  Generated out{Book(spec, "Monitoraggio"), {}};
  Book& book = out.book;
  Intent& intent = out.intent;
  int row = write_fields(book, spec, 2, {{"ambito", text(ambito.name)}, {"anno", number(2023, "0")}, {"referente", text("Ufficio di Piano")}});
  const int header = row + 1;
  book.set(row, 0, text(table.label.it));
  book.set(header, 0, text(table.key.label.it));
  for (std::size_t c = 0; c < table.columns.size(); ++c) book.set(header, static_cast<int>(c) + 1, text(table.columns[c].label.it));
  const std::size_t count = 1 + rng.below(10);
  const int first = header + 1;
  // A value as the clerk typed it, for its unit; `cell` its column. Returns what was meant.
  auto value = [&](int r, int col, const std::string& unit) -> Cents {
    Cents meant;
    if (unit == "%") meant = 200 + static_cast<Cents>(rng.below(9801));   // 2,00 .. 100,00
    else if (unit == "scala 1-10") meant = 100 * (1 + static_cast<Cents>(rng.below(10))) + (rng.chance(30) ? 50 : 0);
    else meant = static_cast<Cents>(rng.below(200000)) * (rng.chance(70) ? 100 : 1);
    if (meant > 1000 && unit == "scala 1-10") meant = 1000;
    const std::size_t how = rng.below(100);
    Written cell = number(as_number(meant));
    if (unit == "%" && how < 35) {
      // "70%" typed in a General cell: Calc and Excel store 0,7 formatted as a percentage.
      cell = number(static_cast<double>(meant) / 10000.0, rng.chance(50) ? "0%" : "0.00%");
    } else if (how < 45) {
      std::string typed = euros(meant);  // "1.234,50": thousands and decimals as typed
      if (typed.ends_with(",00")) typed.resize(typed.size() - 3);
      if (unit == "%" && rng.chance(50)) typed += rng.chance(50) ? "%" : " %";
      cell = text(typed);  // a number pasted as text: not summed anywhere, read as written
    } else if (how < 48) {
      cell = number(46303, "dd/mm/yyyy");  // "8/10" turned into a date by the spreadsheet
      intent.refuse("data in " + cell_name(r, col));
    } else if (how < 50) {
      cell = text("circa " + std::to_string(meant / 100));
      intent.refuse("testo in " + cell_name(r, col));
    } else if (unit == "%" && how < 53) {
      cell = number(as_number(meant + 10000));  // above 100%
      meant += 10000;
      intent.refuse("percentuale oltre 100 in " + cell_name(r, col));
    }
    book.set(r, col, cell);
    return meant;
  };
  for (std::size_t i = 0; i < count; ++i) {
    const int r = first + static_cast<int>(i);
    const forms::ListItem& unit = units[rng.below(units.size())];
    book.set(r, 0, text("Obiettivo " + std::to_string(i / 2 + 1)));
    book.set(r, 1, text(list_value(rng, areas[rng.below(areas.size())])));
    Written kind = text(list_value(rng, kinds[rng.below(kinds.size())]));
    if (rng.chance(3)) {
      kind = text("Risultato atteso");
      intent.refuse("tipo incollato che non è nell'elenco");
    }
    book.set(r, 2, kind);
    book.set(r, 3, text("Indicatore " + std::to_string(i + 1)));
    book.set(r, 4, text(unit.display()));
    Intent::Indicator indicator{unit.display(), value(r, 5, unit.display()), std::nullopt};
    if (rng.chance(15)) book.set(r, 6, text(rng.chance(50) ? "In definizione" : "in corso"));
    else indicator.achieved = value(r, 6, unit.display());
    intent.indicators.push_back(indicator);
  }
  const int last = header + static_cast<int>(table.blank_rows);
  book.name(forms::table_name(table.id), header, 0, last, static_cast<int>(table.columns.size()));
  return out;
}

// ---- checking ------------------------------------------------------------------------------------

std::string describe(const forms::Report& report) {
  std::string out;
  for (const auto& issue : report.issues) out += "\n  " + issue.code + "@" + issue.cell + " " + issue.message.it;
  return out;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : "; ") + item;
  return out;
}

struct Tally {
  int files = 0, valid = 0, refused = 0;
};

// The properties of one file, checked through the normal path; returns whether it validated.
bool check(const Generated& generated, const std::string& path, Tally& tally) {
  generated.book.write(path);
  forms::TypedForm typed;
  const forms::Report report = forms::validate_file(path, all_forms(), registry_(), "", &typed);
  ++tally.files;
  for (const auto& issue : report.issues) {
    if (issue.severity != forms::Severity::error) continue;
    EXPECT_FALSE(issue.sheet.empty() || issue.cell.empty()) << path << ": refusal without a cell: " << issue.code << " " << issue.message.it;
  }
  const Intent& intent = generated.intent;
  if (!report.valid()) {
    ++tally.refused;
    EXPECT_FALSE(intent.refusals.empty()) << path << ": refused, though every mistake in it is harmless:" << describe(report);
    return false;
  }
  ++tally.valid;
  EXPECT_TRUE(intent.refusals.empty()) << path << ": valid, though it should be refused for: " << joined(intent.refusals) << describe(report);
  const forms::FormSpec& spec = typed.spec();
  std::optional<Cents> common_total;
  for (const forms::Breakdown& breakdown : spec.consolidation.breakdowns) {
    const std::vector<Cents> amounts = forms::breakdown_amounts(typed, breakdown);
    EXPECT_EQ(amounts, intent.breakdowns.at(breakdown.id)) << path << ": breakdown " << breakdown.id << describe(report);
    const Cents total = std::accumulate(amounts.begin(), amounts.end(), Cents{0});
    if (common_total) {
      EXPECT_EQ(total, *common_total) << path << ": breakdown " << breakdown.id << " does not add up to the others";
    }
    common_total = total;
  }
  if (spec.id == "spesa-sociale-comune") {  // and the TOTALE row's Totale, as the file shows it
    const forms::TypedTable& table = *typed.table("spesa");
    const std::size_t totale = *table.spec->position("totale");
    EXPECT_GT(table.total.size(), totale - 1) << path;
    if (table.total.size() > totale - 1) {
      EXPECT_EQ(table.total[totale - 1].number(), common_total) << path << ": TOTALE";
    }
    // Users served: what the rows say, what the TOTALE row says and what the clerk meant agree.
    const std::size_t utenti = *table.spec->position("utenti");
    Cents users = 0;
    for (const forms::TypedRow& row : table.rows) users += row.cells[utenti].number().value_or(0);
    EXPECT_EQ(users, intent.users) << path << ": utenti";
    if (table.total.size() > utenti - 1) {
      EXPECT_EQ(table.total[utenti - 1].number().value_or(0), intent.users) << path << ": TOTALE utenti";
    }
  }
  if (spec.id == "monitoraggio-obiettivi") {
    const forms::TypedTable& table = *typed.table("indicatori");
    const std::size_t unit_at = *table.spec->position("unita"), expected_at = *table.spec->position("valore_atteso"),
                      achieved_at = *table.spec->position("valore_realizzato");
    std::size_t i = 0;
    for (const forms::TypedRow& row : table.rows) {
      if (!row.row->filled()) continue;
      const auto& meant = intent.indicators.at(i++);
      const std::string unit = row.cells[unit_at].item() ? row.cells[unit_at].item()->display() : "";
      EXPECT_EQ(unit, meant.unit) << path << " row " << row.row->row + 1;
      for (const auto& [at, value] : {std::pair{expected_at, std::optional<Cents>(meant.expected)}, std::pair{achieved_at, meant.achieved}}) {
        const std::optional<Cents> read = row.cells[at].number();
        EXPECT_EQ(read, value) << path << " " << xlsx::to_a1(row.row->cells[at - 1].ref);
        if (!read) continue;
        if (unit == "%") {
          EXPECT_TRUE(*read >= 0 && *read <= 10000) << path << " " << *read;
        } else if (unit == "scala 1-10") {
          EXPECT_TRUE(*read >= 100 && *read <= 1000) << path << " " << *read;
        }
      }
    }
    EXPECT_EQ(i, intent.indicators.size()) << path;
  }
  return true;
}

// The consolidation of the valid files (one per ente) counts each ente's amounts as meant.
void check_consolidation(const std::string& form_id, const std::vector<std::pair<std::string, const Intent*>>& valid_files) {
  std::vector<std::string> files;
  for (const auto& [file, intent] : valid_files) files.push_back(file);
  consolidate::Options options;
  options.level = consolidate::Level::regione;
  const consolidate::Result result = consolidate::consolidate(files, all_forms(), form_id, options, registry_());
  ASSERT_EQ(result.enti.size(), files.size()) << form_id;
  for (const consolidate::EnteFigures& ente : result.enti) {
    const Intent& intent = *valid_files.at(ente.input).second;
    for (std::size_t b = 0; b < result.breakdowns.size(); ++b) {
      EXPECT_EQ(ente.amounts[b], intent.breakdowns.at(result.breakdowns[b].spec->id)) << files[ente.input] << " " << result.breakdowns[b].spec->id;
      EXPECT_EQ(ente.total(b), ente.total(0)) << files[ente.input];
    }
  }
}

}  // namespace

TEST(Property, GeneratedFormsValidateOnlyWhenTheirNumbersAreRightAndRefusalsNameACell) {
  const auto started = std::chrono::steady_clock::now();
  const fs::path dir = consolida::testing::temp_path("proprieta");
  fs::create_directories(dir);
  const auto& comuni = registry_().comuni();
  const auto& ambiti = registry_().ambiti();
  std::map<std::string, Tally> tallies;
  for (const std::string form_id : {"spesa-sociale-comune", "rendiconto-ambito", "monitoraggio-obiettivi"}) {
    Random rng(kSeed ^ std::hash<std::string>{}(form_id));
    std::vector<std::pair<std::string, const Intent*>> for_consolidation;
    std::vector<std::unique_ptr<Generated>> kept;
    std::map<std::string, bool> ente_used;
    for (int i = 0; i < kFilesPerForm; ++i) {
      const std::size_t ente = i % (form_id == "spesa-sociale-comune" ? comuni.size() : ambiti.size());
      auto generated = std::make_unique<Generated>(form_id == "spesa-sociale-comune" ? spesa(rng, comuni[ente])
                                                   : form_id == "rendiconto-ambito"   ? rendiconto(rng, ambiti[ente])
                                                                                      : monitoraggio(rng, ambiti[ente]));
      const std::string path = (dir / (form_id + "-" + std::to_string(i) + ".xlsx")).string();
      const bool valid = check(*generated, path, tallies[form_id]);
      if (::testing::Test::HasFailure()) return;  // the first file that breaks a property is enough to look at
      const std::string ente_key = std::to_string(ente);
      if (valid && form_id != "monitoraggio-obiettivi" && !ente_used[ente_key]) {
        ente_used[ente_key] = true;
        for_consolidation.emplace_back(path, &generated->intent);
        kept.push_back(std::move(generated));
      } else {
        fs::remove(path);
      }
    }
    if (!for_consolidation.empty()) check_consolidation(form_id, for_consolidation);
  }
  fs::remove_all(dir);
  for (const auto& [form_id, tally] : tallies) {
    // Both outcomes must be represented, or the generator tests nothing (spesa makes about 11-20%
    // valid files, depending on how many are drawn).
    EXPECT_GT(tally.valid, kFilesPerForm / 20) << form_id;
    EXPECT_GT(tally.refused, kFilesPerForm / 10) << form_id;
    std::printf("%s: %d file, %d validi, %d rifiutati\n", form_id.c_str(), tally.files, tally.valid, tally.refused);
  }
  std::printf("%.1f s\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}
