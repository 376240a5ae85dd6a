#include "consolida/registry.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "common/labels.hpp"
#include "consolida/error.hpp"
#include "registry/registry_data.hpp"

namespace consolida::registry {
namespace {

using Rows = std::vector<std::vector<std::string>>;

[[noreturn]] void fail(std::string_view file, std::size_t line, const std::string& it, const std::string& en) {
  const std::string where = std::string(file) + (line ? ", riga " + std::to_string(line) : std::string());
  const std::string where_en = std::string(file) + (line ? ", line " + std::to_string(line) : std::string());
  throw Error(ErrorCode::invalid_registry, "anagrafica " + where + ": " + it, "registry " + where_en + ": " + en,
              ErrorLocation{std::string(file), {}, {}, line, 0});
}

// RFC 4180 CSV with a header row; returns the data rows, each checked to have the header's columns.
Rows parse_csv(std::string_view text, std::string_view file, const std::vector<std::string_view>& header) {
  Rows rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  std::size_t line = 1;
  auto end_row = [&] {
    row.push_back(std::move(field));
    field.clear();
    if (!(row.size() == 1 && row[0].empty())) {
      if (rows.empty() && line == 1) {
        for (std::size_t c = 0; c < header.size(); ++c) {
          if (c >= row.size() || row[c] != header[c]) {
            fail(file, line, "intestazione attesa: colonna " + std::to_string(c + 1) + " «" + std::string(header[c]) + "»",
                 "expected header: column " + std::to_string(c + 1) + " \"" + std::string(header[c]) + "\"");
          }
        }
        rows.push_back({});  // header marker, removed below
      } else if (row.size() != header.size()) {
        fail(file, line, std::to_string(row.size()) + " colonne invece di " + std::to_string(header.size()),
             std::to_string(row.size()) + " columns instead of " + std::to_string(header.size()));
      } else {
        rows.push_back(std::move(row));
      }
    }
    row.clear();
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
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      end_row();
      ++line;
    } else if (c != '\r') {
      field += c;
    }
  }
  if (!field.empty() || !row.empty()) end_row();
  if (rows.empty()) fail(file, 0, "file vuoto", "empty file");
  rows.erase(rows.begin());
  return rows;
}

std::string pad_istat(std::string_view code) {
  std::string digits(code);
  while (!digits.empty() && digits.back() == ' ') digits.pop_back();
  while (!digits.empty() && digits.front() == ' ') digits.erase(digits.begin());
  if (digits.empty() || digits.size() > 6 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return {};
  }
  return std::string(6 - digits.size(), '0') + digits;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::io, "impossibile leggere " + path, "cannot read " + path, ErrorLocation{path, {}, {}, 0, 0});
  std::ostringstream text;
  text << in.rdbuf();
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

Registry Registry::parse(std::string_view comuni_csv, std::string_view ats_csv, std::string_view ambiti_csv,
                         std::string_view assignment_csv) {
  Registry registry;
  std::map<std::string, std::size_t> by_code;
  for (const auto& row : parse_csv(comuni_csv, "comuni-lombardia.csv",
                                   {"codice_istat", "nome", "provincia", "sigla", "codice_catastale", "popolazione_censimento_2011"})) {
    Comune comune;
    comune.istat = pad_istat(row[0]);
    comune.name = row[1];
    comune.province = row[2];
    comune.sigla = row[3];
    if (comune.istat.empty() || comune.name.empty()) fail("comuni-lombardia.csv", 0, "codice ISTAT o nome non valido: " + row[0], "invalid ISTAT code or name: " + row[0]);
    try {
      comune.population = std::stoll(row[5]);
    } catch (const std::exception&) {
      fail("comuni-lombardia.csv", 0, "popolazione non numerica per " + comune.name, "population is not a number for " + comune.name);
    }
    registry.comuni_.push_back(std::move(comune));
  }
  std::sort(registry.comuni_.begin(), registry.comuni_.end(), [](const Comune& a, const Comune& b) { return a.istat < b.istat; });
  for (std::size_t i = 0; i < registry.comuni_.size(); ++i) {
    if (!by_code.emplace(registry.comuni_[i].istat, i).second) {
      fail("comuni-lombardia.csv", 0, "codice ISTAT ripetuto: " + registry.comuni_[i].istat, "repeated ISTAT code: " + registry.comuni_[i].istat);
    }
  }
  for (const auto& row : parse_csv(ats_csv, "ats.csv", {"codice_ats", "nome"})) registry.ats_.push_back(Ats{row[0], row[1], {}, 0});
  for (const auto& row : parse_csv(ambiti_csv, "ambiti.csv", {"codice_ambito", "nome", "ats", "asst", "capofila_istat", "sintetico", "alias"})) {
    Ambito ambito;
    ambito.code = row[0];
    ambito.name = row[1];
    ambito.ats = row[2];
    ambito.asst = row[3];
    ambito.capofila = pad_istat(row[4]);
    ambito.synthetic = row[5] == "1";
    for (std::size_t start = 0; !row[6].empty() && start <= row[6].size();) {
      const auto bar = row[6].find('|', start);
      ambito.aliases.push_back(row[6].substr(start, bar == std::string::npos ? std::string::npos : bar - start));
      if (bar == std::string::npos) break;
      start = bar + 1;
    }
    if (!registry.ats_by_code(ambito.ats)) fail("ambiti.csv", 0, "ATS sconosciuta «" + ambito.ats + "» per " + ambito.name, "unknown ATS \"" + ambito.ats + "\" for " + ambito.name);
    registry.ambiti_.push_back(std::move(ambito));
  }
  std::vector<int> assigned(registry.comuni_.size(), 0);
  for (const auto& row : parse_csv(assignment_csv, "comuni-ambiti.csv", {"codice_istat", "codice_ambito"})) {
    const auto comune = by_code.find(pad_istat(row[0]));
    if (comune == by_code.end()) fail("comuni-ambiti.csv", 0, "comune sconosciuto " + row[0], "unknown comune " + row[0]);
    const auto ambito = std::find_if(registry.ambiti_.begin(), registry.ambiti_.end(), [&](const Ambito& a) { return a.code == row[1]; });
    if (ambito == registry.ambiti_.end()) fail("comuni-ambiti.csv", 0, "Ambito sconosciuto " + row[1], "unknown Ambito " + row[1]);
    if (assigned[comune->second]++) fail("comuni-ambiti.csv", 0, "comune assegnato a due Ambiti: " + row[0], "comune assigned twice: " + row[0]);
    registry.comuni_[comune->second].ambito = static_cast<std::size_t>(ambito - registry.ambiti_.begin());
  }
  for (std::size_t i = 0; i < registry.comuni_.size(); ++i) {
    if (!assigned[i]) fail("comuni-ambiti.csv", 0, "comune senza Ambito: " + registry.comuni_[i].istat + " " + registry.comuni_[i].name,
                           "comune without an Ambito: " + registry.comuni_[i].istat + " " + registry.comuni_[i].name);
    Ambito& ambito = registry.ambiti_[registry.comuni_[i].ambito];
    ambito.comuni.push_back(i);
    ambito.population += registry.comuni_[i].population;
  }
  for (std::size_t a = 0; a < registry.ambiti_.size(); ++a) {
    Ats* ats = const_cast<Ats*>(registry.ats_by_code(registry.ambiti_[a].ats));
    ats->ambiti.push_back(a);
    ats->population += registry.ambiti_[a].population;
  }
  return registry;
}

Registry Registry::load(const std::string& directory) {
  return parse(read_file(directory + "/comuni-lombardia.csv"), read_file(directory + "/ats.csv"), read_file(directory + "/ambiti.csv"),
               read_file(directory + "/comuni-ambiti.csv"));
}

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
