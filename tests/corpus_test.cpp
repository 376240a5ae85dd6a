// The shared corpus: every file is read or refused cleanly, and xlsx readings agree with
// openpyxl's except where tests/corpus-exceptions.txt documents why.
#include <gtest/gtest.h>

#include <Poco/JSON/Parser.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "consolida/xlsx.hpp"

namespace fs = std::filesystem;
using namespace consolida::xlsx;
using consolida::Error;
using consolida::Lang;

namespace {

const fs::path kCorpus = fs::path(CONSOLIDA_SHARED_DIR) / "corpus";

std::vector<fs::path> corpus_files() {
  std::vector<fs::path> files;
  if (!fs::exists(kCorpus / "calamine")) return files;
  for (const auto& entry : fs::directory_iterator(kCorpus / "calamine")) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// openpyxl renders elapsed times with Python's str(timedelta).
std::string python_timedelta(double days_value) {
  const auto total_ms = static_cast<long long>(std::llround(days_value * 86400000.0));
  const long long days = total_ms / 86400000;
  long long rest = total_ms % 86400000;
  const long long hours = rest / 3600000;
  rest %= 3600000;
  char buf[64];
  std::string out;
  if (days != 0) out = std::to_string(days) + (days == 1 ? " day, " : " days, ");
  std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", hours, rest / 60000, rest / 1000 % 60);
  out += buf;
  if (rest % 1000 != 0) {
    std::snprintf(buf, sizeof buf, ".%06lld", (rest % 1000) * 1000);
    out += buf;
  }
  return out;
}

// Our cell in openpyxl's notation: type letter and value as text.
std::pair<std::string, std::string> as_openpyxl(const CellView& cell, const Workbook& workbook) {
  switch (cell.type) {
    case CellType::number: {
      std::ostringstream s;
      s.precision(17);
      s << cell.number;
      return {"n", s.str()};
    }
    case CellType::string: return {"s", std::string(cell.text)};
    case CellType::boolean: return {"b", cell.number != 0 ? "true" : "false"};
    case CellType::error: return {"e", std::string(cell.text)};
    case CellType::date: {
      if (is_duration_format(workbook.number_format(cell.style))) return {"d", python_timedelta(cell.number)};
      const auto dt = serial_to_datetime(cell.number, workbook.date1904());
      if (!dt) return {"e", "#VALUE!"};
      std::string iso = to_iso8601(*dt);
      if (cell.number >= 0 && cell.number < 1) iso = iso.substr(iso.find('T') + 1);  // a time of day
      return {"d", iso};
    }
    case CellType::empty: return {"z", ""};
  }
  return {"?", ""};
}

std::pair<std::string, std::string> expected_value(const Poco::JSON::Array::Ptr& cell) {
  const std::string type = cell->getElement<std::string>(1);
  const Poco::Dynamic::Var value = cell->get(2);
  if (type == "n") {
    std::ostringstream s;
    s.precision(17);
    s << value.convert<double>();
    return {type, s.str()};
  }
  if (type == "b") return {type, value.convert<bool>() ? "true" : "false"};
  return {type, value.convert<std::string>()};
}

struct Exceptions {
  // key: "file|sheet|ref" (ref may be "*" for every cell of the sheet)
  std::map<std::string, std::string> reasons;
  std::set<std::string> used;

  static Exceptions load() {
    Exceptions ex;
    std::ifstream in(fs::path(CONSOLIDA_SOURCE_DIR) / "tests" / "corpus-exceptions.txt");
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream fields(line);
      std::string file, sheet, ref, reason;
      std::getline(fields, file, '\t');
      std::getline(fields, sheet, '\t');
      std::getline(fields, ref, '\t');
      std::getline(fields, reason);
      ex.reasons[file + "|" + sheet + "|" + ref] = reason;
    }
    return ex;
  }

  bool covers(const std::string& file, const std::string& sheet, const std::string& ref) {
    for (const std::string& key : {file + "|" + sheet + "|" + ref, file + "|" + sheet + "|*"}) {
      if (reasons.count(key)) {
        used.insert(key);
        return true;
      }
    }
    return false;
  }
};

TEST(Corpus, EveryFileIsReadOrRefusedWithAClearMessage) {
  const auto files = corpus_files();
  if (files.empty()) GTEST_SKIP() << "corpus not found at " << kCorpus;
  std::size_t read = 0, refused = 0;
  for (const fs::path& path : files) {
    try {
      Workbook workbook = Workbook::open(path.string());
      for (const SheetInfo& sheet : workbook.sheets()) {
        if (!sheet.part.empty()) workbook.stream_sheet(sheet, [](const RowView&) { return true; });
      }
      ++read;
    } catch (const Error& error) {
      ++refused;
      EXPECT_FALSE(error.message(Lang::it).empty()) << path;
      EXPECT_FALSE(error.message(Lang::en).empty()) << path;
      EXPECT_EQ(error.location().file, path.string());
    } catch (const std::exception& other) {
      ADD_FAILURE() << path << ": unexpected exception " << other.what();
    }
  }
  // .xls and .ods files are read since issue #15: what is left refused is damaged, encrypted,
  // hostile or not a workbook at all.
  EXPECT_GT(read, 100u);
  EXPECT_GT(refused, 15u);
}

TEST(Corpus, RefusesOtherFormatsNamingThem) {
  if (corpus_files().empty()) GTEST_SKIP();
  const std::map<std::string, std::pair<consolida::ErrorCode, std::string>> cases = {
      {"too_small.xls", {consolida::ErrorCode::unsupported_format, "CSV"}},
      {"issue_385.xls", {consolida::ErrorCode::encrypted, "password"}},
      {"date.xlsb", {consolida::ErrorCode::unsupported_format, ".xlsb"}},
      {"pass_protected.ods", {consolida::ErrorCode::encrypted, "password"}},
      {"issue_594_dos.ods", {consolida::ErrorCode::limit_exceeded, "number-rows-repeated"}},
      {"pass_protected.xlsx", {consolida::ErrorCode::encrypted, "password"}},
      {"pass_protected.xlsb", {consolida::ErrorCode::encrypted, "password"}},
      {"issue252.xlsx", {consolida::ErrorCode::corrupt_archive, ""}},
  };
  for (const auto& [name, expected] : cases) {
    try {
      // Some refusals come only while reading a sheet (a repetition bomb of an .ods).
      Workbook workbook = Workbook::open((kCorpus / "calamine" / name).string());
      for (const SheetInfo& sheet : workbook.sheets()) workbook.stream_sheet(sheet, [](const RowView&) { return true; });
      ADD_FAILURE() << name << " was not refused";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), expected.first) << name;
      EXPECT_NE(error.message(Lang::it).find(expected.second), std::string::npos) << name << ": " << error.message(Lang::it);
      EXPECT_NE(error.message(Lang::en).find(expected.second), std::string::npos) << name << ": " << error.message(Lang::en);
    }
  }
}

// Compares every cell, sheet name and state, and merged range of each file that has a reading in
// reference_dir (<file>.json) and is in scope, with that reading. Differences listed in the
// exceptions file are allowed; readings that are {"error": ...} are left to the tests above.
struct Comparison {
  std::vector<std::string> differences;
  std::size_t files = 0;
  std::size_t cells = 0;
};

Comparison compare_with_reference(const fs::path& reference_dir, const std::string& reference,
                                  const std::function<bool(const std::string&)>& in_scope, Exceptions& exceptions) {
  Comparison out;
  std::vector<std::string>& differences = out.differences;
  for (const auto& entry : fs::directory_iterator(reference_dir)) {
    const std::string json_name = entry.path().filename().string();
    const std::string file = json_name.substr(0, json_name.size() - 5);
    if (!in_scope(file)) continue;
    std::ifstream in(entry.path());
    Poco::JSON::Parser parser;
    const auto root = parser.parse(in).extract<Poco::JSON::Object::Ptr>();
    if (root->has("error")) continue;  // the reference could not read it; the tests above cover it
    ++out.files;
    std::unique_ptr<Workbook> workbook;
    try {
      workbook = std::make_unique<Workbook>(Workbook::open((kCorpus / "calamine" / file).string()));
    } catch (const Error& error) {
      if (!exceptions.covers(file, "*", "*")) differences.push_back(file + ": refused: " + error.describe(Lang::en));
      continue;
    }
    const auto sheets = root->getArray("sheets");
    std::vector<const SheetInfo*> ours;
    for (const SheetInfo& s : workbook->sheets()) {
      if (s.kind == SheetKind::worksheet) ours.push_back(&s);  // openpyxl lists chart sheets apart
    }
    if (ours.size() != sheets->size()) {
      if (!exceptions.covers(file, "*", "sheets")) {
        differences.push_back(file + ": " + std::to_string(ours.size()) + " sheets, " + reference + " " +
                              std::to_string(sheets->size()));
      }
      continue;
    }
    for (std::size_t i = 0; i < sheets->size(); ++i) {
      const auto sheet = sheets->getObject(static_cast<unsigned>(i));
      const std::string name = sheet->getValue<std::string>("name");
      if (ours[i]->name != name || std::string(to_string(ours[i]->state)) != sheet->getValue<std::string>("state")) {
        if (!exceptions.covers(file, name, "state")) {
          differences.push_back(file + ": sheet " + std::to_string(i) + " is \"" + ours[i]->name + "\"/" +
                                std::string(to_string(ours[i]->state)) + ", " + reference + " \"" + name + "\"/" +
                                sheet->getValue<std::string>("state"));
        }
        if (ours[i]->name != name) continue;
      }
      std::map<std::string, std::pair<std::string, std::string>> mine;
      const SheetFacts facts = workbook->stream_sheet(*ours[i], [&](const RowView& row) {
        for (const CellView& cell : row.cells) {
          if (cell.type != CellType::empty) mine[to_a1(CellRef{cell.row, cell.col})] = as_openpyxl(cell, *workbook);
        }
        return true;
      });
      const auto cells = sheet->getArray("cells");
      std::set<std::string> theirs_refs;
      for (std::size_t k = 0; k < cells->size(); ++k) {
        const auto cell = cells->getArray(static_cast<unsigned>(k));
        const std::string ref = cell->getElement<std::string>(0);
        theirs_refs.insert(ref);
        auto expected = expected_value(cell);
        auto it = mine.find(ref);
        ++out.cells;
        std::string found = it == mine.end() ? "(none)" : it->second.first + ":" + it->second.second;
        // openpyxl returns a date (no time) for ISO date cells; the same instant at midnight.
        if (it != mine.end() && expected.first == "d" && expected.second.size() == 10 &&
            it->second.second == expected.second + "T00:00:00") {
          continue;
        }
        // LibreOffice writes numbers into the xlsx with 15 significant digits: the same double may
        // differ from it in the last two.
        if (it != mine.end() && reference == "LibreOffice" && expected.first == "n" && it->second.first == "n") {
          const double a = std::stod(it->second.second), b = std::stod(expected.second);
          if (std::fabs(a - b) <= 1e-14 * std::max(std::fabs(a), std::fabs(b))) continue;
        }
        if (it == mine.end() || it->second != expected) {
          if (!exceptions.covers(file, name, ref)) {
            differences.push_back(file + " | " + name + " | " + ref + ": ours " + found + ", " + reference + " " +
                                  expected.first + ":" + expected.second);
          }
        }
      }
      for (const auto& [ref, value] : mine) {
        // LibreOffice writes no cell for an empty text (an empty string, a formula showing ""):
        // where it has none, ours is the same blank.
        if (reference == "LibreOffice" && value.first == "s" && value.second.empty() && !theirs_refs.count(ref)) continue;
        if (!theirs_refs.count(ref) && !exceptions.covers(file, name, ref)) {
          differences.push_back(file + " | " + name + " | " + ref + ": ours " + value.first + ":" + value.second + ", " +
                                reference + " (none)");
        }
      }
      std::set<std::string> merged_mine, merged_theirs;
      for (const Range& r : facts.merged) merged_mine.insert(to_a1(r));
      const auto merged = sheet->getArray("merged");
      for (std::size_t k = 0; k < merged->size(); ++k) merged_theirs.insert(merged->getElement<std::string>(static_cast<unsigned>(k)));
      if (merged_mine != merged_theirs && !exceptions.covers(file, name, "merged")) {
        differences.push_back(file + " | " + name + ": merged ranges differ");
      }
    }
  }
  return out;
}

void expect_no_undocumented(const Comparison& comparison, const Exceptions& exceptions,
                            const std::function<bool(const std::string&)>& in_scope) {
  for (const auto& d : comparison.differences) ADD_FAILURE() << "undocumented difference: " << d;
  for (const auto& [key, reason] : exceptions.reasons) {
    if (in_scope(key.substr(0, key.find('|'))) && !exceptions.used.count(key)) {
      ADD_FAILURE() << "stale exception (no longer differs): " << key;
    }
  }
}

bool has_extension(const std::string& file, const std::vector<std::string>& extensions) {
  return std::any_of(extensions.begin(), extensions.end(), [&](const std::string& ext) { return file.ends_with(ext); });
}

// The formats compared with LibreOffice's reading (calamine-expected-libreoffice/): the rest of
// the corpus is compared with openpyxl's.
const std::vector<std::string> kLibreOfficeReferenceFormats = {".ods", ".xls"};

}  // namespace

TEST(Corpus, CellsAgreeWithOpenpyxlOrAreDocumentedExceptions) {
  if (corpus_files().empty()) GTEST_SKIP();
  Exceptions exceptions = Exceptions::load();
  const auto in_scope = [](const std::string& file) { return !has_extension(file, kLibreOfficeReferenceFormats); };
  const Comparison comparison = compare_with_reference(kCorpus / "calamine-expected", "openpyxl", in_scope, exceptions);
  EXPECT_GT(comparison.files, 55u);
  EXPECT_GT(comparison.cells, 1000u);
  expect_no_undocumented(comparison, exceptions, in_scope);
}

TEST(Corpus, OdsCellsAgreeWithLibreOfficeOrAreDocumentedExceptions) {
  if (corpus_files().empty()) GTEST_SKIP();
  Exceptions exceptions = Exceptions::load();
  const auto in_scope = [](const std::string& file) { return has_extension(file, kLibreOfficeReferenceFormats); };
  const Comparison comparison =
      compare_with_reference(kCorpus / "calamine-expected-libreoffice", "LibreOffice", in_scope, exceptions);
  EXPECT_GE(comparison.files, 13u);
  EXPECT_GT(comparison.cells, 80u);
  expect_no_undocumented(comparison, exceptions, in_scope);
}
