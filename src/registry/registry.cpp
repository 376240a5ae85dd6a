#include "consolida/registry.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "common/labels.hpp"
#include "common/numbers.hpp"
#include "consolida/error.hpp"
#include "registry/registry_data.hpp"

namespace consolida::registry {
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";  // Excel writes it at the start of a UTF-8 CSV

// Every problem found while checking the files, each with its file, line and column.
class Problems {
 public:
  void add(std::string_view file, std::size_t line, std::size_t column, std::string it, std::string en) {
    list.emplace_back(ErrorCode::invalid_registry, std::move(it), std::move(en), ErrorLocation{std::string(file), {}, {}, line, column});
  }
  std::vector<Error> list;
};

// A column a file must have (or may have: then its cells read as empty when it is absent).
struct Column {
  const char* name;
  bool required;
};

// One record of a CSV file: the line it starts on and its fields by the file's columns.
struct Record {
  std::size_t line = 0;
  std::vector<std::string> fields;
};

// A CSV file with a header row (RFC 4180 quoting, comma separated), its columns found by name.
class CsvTable {
 public:
  CsvTable(std::string_view text, std::string_view file, std::vector<Column> columns, Problems& problems)
      : file_(file), columns_(std::move(columns)), problems_(problems) {
    if (text.starts_with(kByteOrderMark)) text.remove_prefix(kByteOrderMark.size());
    std::vector<Record> raw = split(text);
    if (raw.empty()) {
      problems_.add(file_, 0, 0, "file vuoto: manca anche l'intestazione", "empty file: even the header is missing");
      return;
    }
    header_ok_ = find_columns(raw.front());
    if (!header_ok_) return;
    const std::size_t width = raw.front().fields.size();
    for (std::size_t r = 1; r < raw.size(); ++r) {
      if (raw[r].fields.size() != width) {
        problems_.add(file_, raw[r].line, 0,
                      std::to_string(raw[r].fields.size()) + " colonne invece di " + std::to_string(width) + " (quante nell'intestazione)",
                      std::to_string(raw[r].fields.size()) + " columns instead of " + std::to_string(width) + " (as in the header)");
      } else {
        records_.push_back(std::move(raw[r]));
      }
    }
  }

  bool header_ok() const { return header_ok_; }
  const std::vector<Record>& records() const { return records_; }
  // The record's cell in a column of the file's list ("" for an optional column it lacks).
  const std::string& at(const Record& record, const char* column) const {
    static const std::string none;
    const std::size_t index = position(column);
    return index == kAbsent ? none : record.fields[index];
  }
  // A problem with the record's cell in `column`: the message names the field.
  void report(const Record& record, const char* column, const std::string& it, const std::string& en) const {
    const std::size_t index = position(column);
    problems_.add(file_, record.line, index == kAbsent ? 0 : index + 1, "campo «" + std::string(column) + "»: " + it,
                  "field \"" + std::string(column) + "\": " + en);
  }
  std::string_view file() const { return file_; }

 private:
  static constexpr std::size_t kAbsent = static_cast<std::size_t>(-1);

  std::size_t position(const char* column) const {
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      if (std::string_view(columns_[c].name) == column) return index_[c];
    }
    return kAbsent;
  }

  bool find_columns(const Record& header) {
    index_.assign(columns_.size(), kAbsent);
    bool ok = true;
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      for (std::size_t f = 0; f < header.fields.size(); ++f) {
        if (header.fields[f] != columns_[c].name) continue;
        if (index_[c] != kAbsent) {
          problems_.add(file_, header.line, f + 1, "intestazione: colonna «" + std::string(columns_[c].name) + "» ripetuta",
                        "header: column \"" + std::string(columns_[c].name) + "\" given twice");
          ok = false;
        }
        index_[c] = f;
      }
      if (index_[c] == kAbsent && columns_[c].required) {
        // An Italian spreadsheet saves CSV with semicolons: say so rather than only "missing".
        const bool semicolons = header.fields.size() == 1 && header.fields[0].find(';') != std::string::npos;
        problems_.add(file_, header.line, 0,
                      "intestazione: manca la colonna «" + std::string(columns_[c].name) + "»" +
                          (semicolons ? " (il separatore dei campi deve essere la virgola, non il punto e virgola)" : ""),
                      "header: the column \"" + std::string(columns_[c].name) + "\" is missing" +
                          (semicolons ? " (fields must be separated by commas, not semicolons)" : ""));
        ok = false;
      }
    }
    return ok;
  }

  // The records of the text, empty lines skipped, each with the line it starts on.
  std::vector<Record> split(std::string_view text) {
    std::vector<Record> out;
    Record record;
    std::string field;
    bool quoted = false;
    std::size_t line = 1;
    record.line = 1;
    auto end_record = [&] {
      record.fields.push_back(std::move(field));
      field.clear();
      if (!(record.fields.size() == 1 && record.fields[0].empty())) out.push_back(std::move(record));
      record = Record{};
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      if (quoted) {
        if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') field += '"', ++i;
        else if (c == '"') quoted = false;
        else field += c, line += c == '\n';
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        record.fields.push_back(std::move(field));
        field.clear();
      } else if (c == '\n') {
        end_record();
        record.line = ++line;
      } else if (c != '\r') {
        field += c;
      }
    }
    if (quoted) problems_.add(file_, record.line, 0, "virgolette aperte e mai chiuse", "a quote opened and never closed");
    if (!field.empty() || !record.fields.empty()) end_record();
    return out;
  }

  std::string file_;
  std::vector<Column> columns_;
  Problems& problems_;
  std::vector<std::size_t> index_;
  std::vector<Record> records_;
  bool header_ok_ = false;
};

constexpr const char* kComuniFile = "comuni-lombardia.csv";
constexpr const char* kAtsFile = "ats.csv";
constexpr const char* kAmbitiFile = "ambiti.csv";
constexpr const char* kAssignmentFile = "comuni-ambiti.csv";

std::string pad_istat(std::string_view code) {
  std::string digits(code);
  while (!digits.empty() && digits.back() == ' ') digits.pop_back();
  while (!digits.empty() && digits.front() == ' ') digits.erase(digits.begin());
  if (digits.empty() || digits.size() > 6 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return {};
  }
  return std::string(6 - digits.size(), '0') + digits;
}

// A registry file's text; a missing or unreadable file is a registry that cannot be read.
std::string read_registry_file(const std::string& directory, const char* name) {
  const std::string path = directory + "/" + name;
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) {
    throw Error(ErrorCode::invalid_registry, "file mancante o illeggibile (servono " + std::string(kComuniFile) + ", " + kAtsFile + ", " +
                                                 kAmbitiFile + " e " + kAssignmentFile + ")",
                "file missing or unreadable (" + std::string(kComuniFile) + ", " + kAtsFile + ", " + kAmbitiFile + " and " +
                    kAssignmentFile + " are needed)",
                ErrorLocation{path, {}, {}, 0, 0});
  }
  return text.str();
}

// Words that say what kind of thing a name is, not which one.
bool generic_word(std::string_view word) {
  static const char* const words[] = {"ambito", "territoriale", "distrettuale", "distretto", "di", "del", "dell", "della",
                                      "sociale", "ufficio", "piano", "zona", "comune", "ats", "(sintetico)", "sintetico"};
  return std::any_of(std::begin(words), std::end(words), [&](const char* w) { return word == w; });
}

std::string key_of(std::string_view name) {
  std::string key;
  for (const std::string& word : name_words(name)) {
    if (generic_word(word)) continue;
    if (!key.empty()) key += ' ';
    key += word;
  }
  return key;
}

}  // namespace

std::vector<std::string> name_words(std::string_view name) {
  std::string text = normalise_label(name);
  // "Codogno (LO)", "Codogno (Lodi)": the province in brackets is not part of the name.
  if (const auto open = text.rfind('('); open != std::string::npos && open > 0 && text.ends_with(")")) text.resize(open);
  std::vector<std::string> words;
  std::string word;
  for (char c : text) {
    if (c == ' ' || c == '\'' || c == '-' || c == '/' || c == ',' || c == '(' || c == ')') {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  // "Comune di X" names X.
  if (words.size() > 2 && words[0] == "comune" && words[1] == "di") words.erase(words.begin(), words.begin() + 2);
  return words;
}

bool word_matches(std::string_view query, std::string_view word) {
  const auto first_dot = query.find('.');
  if (first_dot == std::string_view::npos) return query == word;
  const std::string_view head = query.substr(0, first_dot);
  const std::string_view tail = query.substr(query.rfind('.') + 1);
  if (head.empty() || word.size() < head.size() + tail.size()) return false;
  return word.starts_with(head) && word.ends_with(tail);
}

const std::vector<RegistryFile>& registry_file_table() {
  static const std::vector<RegistryFile> table = {
      {kComuniFile, &RegistryFiles::comuni},
      {kAtsFile, &RegistryFiles::ats},
      {kAmbitiFile, &RegistryFiles::ambiti},
      {kAssignmentFile, &RegistryFiles::assignment},
  };
  return table;
}

RegistryFiles RegistryFiles::builtin() {
  return RegistryFiles{std::string(data::kComuni), std::string(data::kAts), std::string(data::kAmbiti), std::string(data::kAssignment)};
}

RegistryFiles RegistryFiles::read(const std::string& directory) {
  RegistryFiles files;
  for (const RegistryFile& file : registry_file_table()) {
    // Kept without a byte-order mark and with \n line ends, as the built-in files are compiled:
    // the same registry saved by Excel or by LibreOffice is the same version.
    std::string text = read_registry_file(directory, file.name);
    if (text.starts_with(kByteOrderMark)) text.erase(0, kByteOrderMark.size());
    std::string& kept = files.*file.text;
    kept.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (!(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) kept += text[i];
    }
  }
  return files;
}

void RegistryFiles::write(const std::string& directory) const {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::create_directories(directory, error);
  for (const RegistryFile& file : registry_file_table()) {
    const std::string path = directory + "/" + file.name;
    if (fs::exists(path, error)) {
      throw Error(ErrorCode::io, "esiste già: " + path + " (scegliere una cartella vuota)", "already exists: " + path + " (choose an empty folder)",
                  ErrorLocation{path, {}, {}, 0, 0});
    }
  }
  for (const RegistryFile& file : registry_file_table()) {
    const std::string path = directory + "/" + file.name;
    std::ofstream out(path, std::ios::binary);
    out << this->*file.text;
    out.close();
    if (!out) throw Error(ErrorCode::io, "impossibile scrivere " + path, "cannot write " + path, ErrorLocation{path, {}, {}, 0, 0});
  }
}

RegistryCheck Registry::check(const RegistryFiles& files) {
  Problems problems;
  const CsvTable comuni_csv(files.comuni, kComuniFile,
                            {{"codice_istat", true}, {"nome", true}, {"provincia", true}, {"sigla", true}, {"codice_catastale", false},
                             {"popolazione_censimento_2011", true}},
                            problems);
  const CsvTable ats_csv(files.ats, kAtsFile, {{"codice_ats", true}, {"nome", true}}, problems);
  const CsvTable ambiti_csv(files.ambiti, kAmbitiFile,
                            {{"codice_ambito", true}, {"nome", true}, {"ats", true}, {"asst", true}, {"capofila_istat", true},
                             {"sintetico", false}, {"alias", false}},
                            problems);
  const CsvTable assignment_csv(files.assignment, kAssignmentFile, {{"codice_istat", true}, {"codice_ambito", true}}, problems);
  // A file whose columns cannot be found would turn every reference to it into a problem of its own.
  if (!comuni_csv.header_ok() || !ats_csv.header_ok() || !ambiti_csv.header_ok() || !assignment_csv.header_ok()) {
    return RegistryCheck{std::nullopt, std::move(problems.list)};
  }

  Registry registry;
  std::map<std::string, std::size_t> comune_line;  // ISTAT code -> its line in comuni-lombardia.csv
  for (const Record& row : comuni_csv.records()) {
    Comune comune;
    comune.istat = pad_istat(comuni_csv.at(row, "codice_istat"));
    comune.name = comuni_csv.at(row, "nome");
    comune.province = comuni_csv.at(row, "provincia");
    comune.sigla = comuni_csv.at(row, "sigla");
    const std::optional<std::int64_t> population = parse_integer<std::int64_t>(comuni_csv.at(row, "popolazione_censimento_2011"));
    bool ok = true;
    if (comune.istat.empty()) {
      comuni_csv.report(row, "codice_istat", "codice ISTAT non valido «" + comuni_csv.at(row, "codice_istat") + "» (fino a 6 cifre)",
                        "invalid ISTAT code \"" + comuni_csv.at(row, "codice_istat") + "\" (up to 6 digits)");
      ok = false;
    } else if (const auto [seen, fresh] = comune_line.emplace(comune.istat, row.line); !fresh) {
      comuni_csv.report(row, "codice_istat", "codice ISTAT " + comune.istat + " ripetuto (già alla riga " + std::to_string(seen->second) + ")",
                        "ISTAT code " + comune.istat + " given twice (already on line " + std::to_string(seen->second) + ")");
      ok = false;
    }
    if (comune.name.empty()) {
      comuni_csv.report(row, "nome", "vuoto: ogni comune ha un nome", "empty: every comune has a name");
      ok = false;
    }
    if (!population || *population < 0) {
      comuni_csv.report(row, "popolazione_censimento_2011", "«" + comuni_csv.at(row, "popolazione_censimento_2011") + "» non è un numero di abitanti",
                        "\"" + comuni_csv.at(row, "popolazione_censimento_2011") + "\" is not a number of inhabitants");
      ok = false;
    }
    if (!ok) continue;
    comune.population = *population;
    registry.comuni_.push_back(std::move(comune));
  }
  std::sort(registry.comuni_.begin(), registry.comuni_.end(), [](const Comune& a, const Comune& b) { return a.istat < b.istat; });

  std::map<std::string, std::size_t> ats_line;
  for (const Record& row : ats_csv.records()) {
    Ats ats{ats_csv.at(row, "codice_ats"), ats_csv.at(row, "nome"), {}, 0};
    if (ats.code.empty()) {
      ats_csv.report(row, "codice_ats", "vuoto: ogni ATS ha un codice", "empty: every ATS has a code");
    } else if (const auto [seen, fresh] = ats_line.emplace(ats.code, row.line); !fresh) {
      ats_csv.report(row, "codice_ats", "codice ATS «" + ats.code + "» ripetuto (già alla riga " + std::to_string(seen->second) + ")",
                     "ATS code \"" + ats.code + "\" given twice (already on line " + std::to_string(seen->second) + ")");
    } else {
      registry.ats_.push_back(std::move(ats));
    }
  }

  std::map<std::string, std::size_t> ambito_line, ambito_by_name;
  std::vector<const Record*> ambito_rows;  // the record of each kept Ambito, for problems found later
  for (const Record& row : ambiti_csv.records()) {
    Ambito ambito;
    ambito.code = ambiti_csv.at(row, "codice_ambito");
    ambito.name = ambiti_csv.at(row, "nome");
    ambito.ats = ambiti_csv.at(row, "ats");
    ambito.asst = ambiti_csv.at(row, "asst");
    ambito.capofila = pad_istat(ambiti_csv.at(row, "capofila_istat"));
    const std::string& synthetic = ambiti_csv.at(row, "sintetico");
    ambito.synthetic = synthetic == "1";
    const std::string& aliases = ambiti_csv.at(row, "alias");
    for (std::size_t start = 0; !aliases.empty() && start <= aliases.size();) {
      const auto bar = aliases.find('|', start);
      ambito.aliases.push_back(aliases.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
      if (bar == std::string::npos) break;
      start = bar + 1;
    }
    bool ok = true;
    if (ambito.code.empty()) {
      ambiti_csv.report(row, "codice_ambito", "vuoto: ogni Ambito ha un codice", "empty: every Ambito has a code");
      ok = false;
    } else if (const auto [seen, fresh] = ambito_line.emplace(ambito.code, row.line); !fresh) {
      ambiti_csv.report(row, "codice_ambito", "codice Ambito «" + ambito.code + "» ripetuto (già alla riga " + std::to_string(seen->second) + ")",
                        "Ambito code \"" + ambito.code + "\" given twice (already on line " + std::to_string(seen->second) + ")");
      ok = false;
    }
    if (ambito.name.empty()) {
      ambiti_csv.report(row, "nome", "vuoto: ogni Ambito ha un nome", "empty: every Ambito has a name");
      ok = false;
    } else if (const auto [seen, fresh] = ambito_by_name.emplace(key_of(ambito.name), row.line); !fresh) {
      // Files name their Ambito by name: two alike could not be told apart.
      ambiti_csv.report(row, "nome", "«" + ambito.name + "» è già il nome dell'Ambito alla riga " + std::to_string(seen->second),
                        "\"" + ambito.name + "\" is already the name of the Ambito on line " + std::to_string(seen->second));
      ok = false;
    }
    if (ambito.ats.empty()) {
      ambiti_csv.report(row, "ats", "vuoto: ogni Ambito appartiene a un'ATS (codice di " + std::string(kAtsFile) + ")",
                        "empty: every Ambito belongs to an ATS (a code of " + std::string(kAtsFile) + ")");
      ok = false;
    } else if (!ats_line.count(ambito.ats)) {
      ambiti_csv.report(row, "ats", "ATS sconosciuta «" + ambito.ats + "» (non è in " + kAtsFile + ")",
                        "unknown ATS \"" + ambito.ats + "\" (not in " + kAtsFile + ")");
      ok = false;
    }
    if (!synthetic.empty() && synthetic != "0" && synthetic != "1") {
      ambiti_csv.report(row, "sintetico", "«" + synthetic + "»: scrivere 1 (assegnazione sintetica) o 0", "\"" + synthetic + "\": write 1 (synthetic assignment) or 0");
      ok = false;
    }
    if (!ambiti_csv.at(row, "capofila_istat").empty() && !comune_line.count(ambito.capofila)) {
      ambiti_csv.report(row, "capofila_istat", "comune capofila sconosciuto «" + ambiti_csv.at(row, "capofila_istat") + "» (non è in " + kComuniFile + ")",
                        "unknown lead comune \"" + ambiti_csv.at(row, "capofila_istat") + "\" (not in " + kComuniFile + ")");
      ok = false;
    }
    if (!ok) continue;
    registry.ambiti_.push_back(std::move(ambito));
    ambito_rows.push_back(&row);
  }

  std::vector<std::size_t> assigned_on(registry.comuni_.size(), 0);  // the line of each comune's assignment
  std::vector<bool> mentioned(registry.comuni_.size(), false);       // named by some row, even a wrong one
  for (const Record& row : assignment_csv.records()) {
    const Comune* comune = registry.comune_by_istat(assignment_csv.at(row, "codice_istat"));
    const Ambito* ambito = registry.ambito_by_code(assignment_csv.at(row, "codice_ambito"));
    if (comune) mentioned[static_cast<std::size_t>(comune - registry.comuni_.data())] = true;
    if (!comune) {
      // A comune dropped or merged away only by a broken row of comuni-lombardia.csv is reported there.
      if (!comune_line.count(pad_istat(assignment_csv.at(row, "codice_istat")))) {
        assignment_csv.report(row, "codice_istat", "comune sconosciuto «" + assignment_csv.at(row, "codice_istat") + "» (non è in " + kComuniFile + ")",
                              "unknown comune \"" + assignment_csv.at(row, "codice_istat") + "\" (not in " + kComuniFile + ")");
      }
    }
    if (!ambito && !ambito_line.count(assignment_csv.at(row, "codice_ambito"))) {
      assignment_csv.report(row, "codice_ambito", "Ambito sconosciuto «" + assignment_csv.at(row, "codice_ambito") + "» (non è in " + kAmbitiFile + ")",
                            "unknown Ambito \"" + assignment_csv.at(row, "codice_ambito") + "\" (not in " + kAmbitiFile + ")");
    }
    if (!comune || !ambito) continue;
    const std::size_t c = static_cast<std::size_t>(comune - registry.comuni_.data());
    if (assigned_on[c]) {
      assignment_csv.report(row, "codice_istat", "comune " + comune->istat + " " + comune->name + " assegnato a due Ambiti (già alla riga " +
                                                     std::to_string(assigned_on[c]) + ", Ambito " + registry.ambiti_[comune->ambito].code + ")",
                            "comune " + comune->istat + " " + comune->name + " assigned to two Ambiti (already on line " +
                                std::to_string(assigned_on[c]) + ", Ambito " + registry.ambiti_[comune->ambito].code + ")");
      continue;
    }
    assigned_on[c] = row.line;
    registry.comuni_[c].ambito = static_cast<std::size_t>(ambito - registry.ambiti_.data());
  }
  for (std::size_t i = 0; i < registry.comuni_.size(); ++i) {
    const Comune& comune = registry.comuni_[i];
    if (!assigned_on[i]) {
      if (mentioned[i]) continue;  // its row is wrong, and reported
      problems.add(kComuniFile, comune_line[comune.istat], 1, "comune senza Ambito: " + comune.istat + " " + comune.name + " (nessuna riga in " + kAssignmentFile + ")",
                   "comune without an Ambito: " + comune.istat + " " + comune.name + " (no line in " + kAssignmentFile + ")");
      continue;
    }
    Ambito& ambito = registry.ambiti_[comune.ambito];
    ambito.comuni.push_back(i);
    ambito.population += comune.population;
  }
  for (std::size_t a = 0; a < registry.ambiti_.size(); ++a) {
    Ambito& ambito = registry.ambiti_[a];
    if (ambito.comuni.empty()) {
      ambiti_csv.report(*ambito_rows[a], "codice_ambito", "l'Ambito «" + ambito.code + "» non ha comuni (nessuna riga in " + kAssignmentFile + ")",
                        "the Ambito \"" + ambito.code + "\" has no comuni (no line in " + kAssignmentFile + ")");
    }
    const Comune* capofila = registry.comune_by_istat(ambito.capofila);
    if (capofila && assigned_on[static_cast<std::size_t>(capofila - registry.comuni_.data())] && capofila->ambito != a) {
      ambiti_csv.report(*ambito_rows[a], "capofila_istat",
                        "il capofila " + capofila->istat + " " + capofila->name + " è assegnato all'Ambito " + registry.ambiti_[capofila->ambito].code,
                        "the lead comune " + capofila->istat + " " + capofila->name + " is assigned to the Ambito " + registry.ambiti_[capofila->ambito].code);
    }
    Ats* ats = const_cast<Ats*>(registry.ats_by_code(ambito.ats));
    ats->ambiti.push_back(a);
    ats->population += ambito.population;
  }
  // In file order, each file's problems by line: as the Region reads them.
  const auto file_rank = [](const Error& e) {
    const auto& table = registry_file_table();
    for (std::size_t f = 0; f < table.size(); ++f) {
      if (e.location().file == table[f].name) return f;
    }
    return table.size();
  };
  std::stable_sort(problems.list.begin(), problems.list.end(), [&](const Error& a, const Error& b) {
    return std::make_pair(file_rank(a), a.location().line) < std::make_pair(file_rank(b), b.location().line);
  });
  if (!problems.list.empty()) return RegistryCheck{std::nullopt, std::move(problems.list)};
  return RegistryCheck{std::move(registry), {}};
}

Registry Registry::parse(const RegistryFiles& files) {
  RegistryCheck checked = check(files);
  if (!checked.problems.empty()) throw checked.problems.front();
  return std::move(*checked.registry);
}

Registry Registry::parse(std::string_view comuni_csv, std::string_view ats_csv, std::string_view ambiti_csv,
                         std::string_view assignment_csv) {
  return parse(RegistryFiles{std::string(comuni_csv), std::string(ats_csv), std::string(ambiti_csv), std::string(assignment_csv)});
}

Registry Registry::load(const std::string& directory) { return parse(RegistryFiles::read(directory)); }

const Registry& Registry::builtin() {
  static const Registry registry = parse(data::kComuni, data::kAts, data::kAmbiti, data::kAssignment);
  return registry;
}

const Comune* Registry::comune_by_istat(std::string_view code) const {
  const std::string wanted = pad_istat(code);
  if (wanted.empty()) return nullptr;
  const auto it = std::lower_bound(comuni_.begin(), comuni_.end(), wanted, [](const Comune& c, const std::string& w) { return c.istat < w; });
  return it != comuni_.end() && it->istat == wanted ? &*it : nullptr;
}

const Ambito* Registry::ambito_by_code(std::string_view code) const {
  for (const Ambito& ambito : ambiti_) {
    if (ambito.code == code) return &ambito;
  }
  return nullptr;
}

const Ats* Registry::ats_by_code(std::string_view code) const {
  for (const Ats& ats : ats_) {
    if (ats.code == code) return &ats;
  }
  return nullptr;
}

std::string Registry::ats_name(std::string_view code) const {
  const Ats* ats = ats_by_code(code);
  return ats ? ats->name : std::string(code);
}

Match Registry::find_comune(std::string_view name, const Ambito* within) const {
  Match match;
  const std::vector<std::string> query = name_words(name);
  if (query.empty()) return match;
  auto consider = [&](auto&& each) {
    for (const Comune& comune : comuni_) {
      if (within && &ambiti_[comune.ambito] != within) continue;
      each(comune);
    }
  };
  // Same words first; then abbreviations word by word; then, inside an Ambito, a shortened name.
  consider([&](const Comune& comune) {
    if (name_words(comune.name) == query) match.candidates.push_back(&comune);
  });
  match.exact = !match.candidates.empty();
  if (match.candidates.empty()) {
    consider([&](const Comune& comune) {
      const auto words = name_words(comune.name);
      if (words.size() != query.size()) return;
      for (std::size_t i = 0; i < words.size(); ++i) {
        if (!word_matches(query[i], words[i])) return;
      }
      match.candidates.push_back(&comune);
    });
  }
  if (match.candidates.empty() && within) {
    consider([&](const Comune& comune) {
      const auto words = name_words(comune.name);
      if (words.size() <= query.size()) return;
      for (std::size_t i = 0; i < query.size(); ++i) {
        if (!word_matches(query[i], words[i])) return;
      }
      match.candidates.push_back(&comune);
    });
  }
  if (match.candidates.size() == 1) match.comune = match.candidates[0];
  return match;
}

const Ambito* Registry::find_ambito(std::string_view name) const {
  for (const Ambito& ambito : ambiti_) {
    if (ambito.code == name) return &ambito;
  }
  const std::string wanted = key_of(name);
  if (wanted.empty()) return nullptr;
  const Ambito* found = nullptr;
  for (const Ambito& ambito : ambiti_) {
    bool same = key_of(ambito.name) == wanted;
    for (const std::string& alias : ambito.aliases) same = same || key_of(alias) == wanted;
    if (!same) continue;
    if (found && found != &ambito) return nullptr;  // ambiguous
    found = &ambito;
  }
  return found;
}

const Ats* Registry::find_ats(std::string_view name) const {
  for (const Ats& ats : ats_) {
    if (normalise_label(ats.code) == normalise_label(name)) return &ats;
  }
  const std::string wanted = key_of(name);
  for (const Ats& ats : ats_) {
    if (!wanted.empty() && key_of(ats.name) == wanted) return &ats;
  }
  return nullptr;
}

}  // namespace consolida::registry
