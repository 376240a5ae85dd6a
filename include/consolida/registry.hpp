// The reference registry: the comuni of Lombardy (ISTAT code, name, province, population), the
// Ambito territoriale each belongs to, and each Ambito's ATS and ASST.
//
// The built-in registry is compiled into the library from src/registry/data/. Only the Ambiti of
// Lodi, Melzo and Milano are real assignments; the others are synthetic (Ambito::synthetic) and
// serve scale tests only. The Region's own registry is loaded from files with the same columns
// (`consolida admin anagrafica importa`, README "How the Region loads its real Ambiti").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "consolida/error.hpp"

namespace consolida::registry {

// The texts a registry is read from: the CSV files of src/registry/data/, same names and columns.
struct RegistryFiles {
  std::string comuni;      // comuni-lombardia.csv
  std::string ats;         // ats.csv
  std::string ambiti;      // ambiti.csv
  std::string assignment;  // comuni-ambiti.csv

  // The texts compiled into the library: the built-in registry.
  static RegistryFiles builtin();
  // The four files of a folder. One missing or unreadable: Error(invalid_registry) naming it.
  static RegistryFiles read(const std::string& directory);
  // Writes the four files into `directory` (made if missing). Refuses, writing nothing, when one
  // of them is already there: an export never overwrites the files someone is editing.
  void write(const std::string& directory) const;
};

// One file of a registry: its name, and where RegistryFiles keeps its text. In reading order.
struct RegistryFile {
  const char* name;
  std::string RegistryFiles::*text;
};
const std::vector<RegistryFile>& registry_file_table();

struct RegistryCheck;

struct Comune {
  std::string istat;     // "098031"
  std::string name;      // "Lodi"
  std::string province;  // "Lodi"
  std::string sigla;     // "LO"
  std::int64_t population = 0;  // 2011 census
  std::size_t ambito = 0;       // index into Registry::ambiti()
};

struct Ambito {
  std::string code;      // "LODI", "SINT-BG-01"
  std::string name;      // "Ambito di Lodi"
  std::string ats;       // ATS code: "MI"
  std::string asst;      // "ASST di Lodi"
  std::string capofila;  // ISTAT code of the lead comune
  bool synthetic = false;
  std::vector<std::string> aliases;
  std::vector<std::size_t> comuni;  // indexes into Registry::comuni(), by ISTAT code
  std::int64_t population = 0;
};

struct Ats {
  std::string code;  // "MI"
  std::string name;  // "ATS della Città Metropolitana di Milano"
  std::vector<std::size_t> ambiti;
  std::int64_t population = 0;
};

// What a name matched: one comune, none, or several (then `candidates` lists them).
struct Match {
  const Comune* comune = nullptr;
  std::vector<const Comune*> candidates;
  bool exact = false;  // same words; false for an abbreviation or a shortened name
};

class Registry {
 public:
  // The registry compiled into the library.
  static const Registry& builtin();
  // Every problem of the files, each an Error(invalid_registry) naming the file, the line, the
  // column and the field; the registry only when there is none. Columns are found by their header
  // (any order, others ignored).
  static RegistryCheck check(const RegistryFiles& files);
  // Like check(), but throws the first problem.
  static Registry parse(const RegistryFiles& files);
  static Registry parse(std::string_view comuni_csv, std::string_view ats_csv, std::string_view ambiti_csv,
                        std::string_view assignment_csv);
  // Reads comuni-lombardia.csv, ats.csv, ambiti.csv and comuni-ambiti.csv from a folder.
  static Registry load(const std::string& directory);

  const std::vector<Comune>& comuni() const { return comuni_; }
  const std::vector<Ambito>& ambiti() const { return ambiti_; }
  const std::vector<Ats>& ats() const { return ats_; }

  const Comune* comune_by_istat(std::string_view code) const;  // "98031" is read as "098031"
  const Ambito* ambito_by_code(std::string_view code) const;
  const Ats* ats_by_code(std::string_view code) const;
  // The ATS's name, or the code itself when no ATS has it (a heading must still say something).
  std::string ats_name(std::string_view code) const;
  const Ambito& ambito_of(const Comune& comune) const { return ambiti_[comune.ambito]; }

  // A comune named as the seeds write them: any case, accents or apostrophes, "Comune di ...",
  // abbreviations ("Pozzuolo M.", "BORGHETTO LOD.NO") and, within an Ambito, the first words of
  // the name alone ("Cassano" for Cassano d'Adda in the Ambito di Melzo).
  Match find_comune(std::string_view name, const Ambito* within = nullptr) const;
  // An Ambito by code, name or alias ("Ambito 5 Melzo", "ambito territoriale di Lodi").
  const Ambito* find_ambito(std::string_view name) const;
  // An ATS by code or name ("ATS Val Padana", "VP").
  const Ats* find_ats(std::string_view name) const;

 private:
  std::vector<Comune> comuni_;  // sorted by ISTAT code
  std::vector<Ambito> ambiti_;
  std::vector<Ats> ats_;
};

struct RegistryCheck {
  std::optional<Registry> registry;  // set when `problems` is empty
  std::vector<Error> problems;       // in file order, then line order
};

// Words of a name for matching: lower case, accents folded, split at spaces, apostrophes and
// hyphens; a word keeps its dots ("lod.no") since they mark an abbreviation.
std::vector<std::string> name_words(std::string_view name);
// A word of a query against a word of a name: equal, or an abbreviation of it ("m." ~ "martesana",
// "lod.no" ~ "lodigiano", "s." ~ "san").
bool word_matches(std::string_view query_word, std::string_view name_word);

}  // namespace consolida::registry
