// The Region's registry files checked before they are stored: every kind of mistake is named by
// file, line, column and field, in Italian and in English.
#include <gtest/gtest.h>

#include <string>

#include "consolida/error.hpp"
#include "consolida/registry.hpp"

namespace {

using consolida::Error;
using consolida::Lang;
using consolida::registry::Registry;
using consolida::registry::RegistryFiles;

// Two Ambiti of one ATS, three comuni.
RegistryFiles small_registry() {
  return RegistryFiles{
      "codice_istat,nome,provincia,sigla,codice_catastale,popolazione_censimento_2011\n"
      "098031,Lodi,Lodi,LO,E648,43332\n"
      "098004,Borghetto Lodigiano,Lodi,LO,A995,4379\n"
      "015142,Melzo,Milano,MI,F119,18203\n",
      "codice_ats,nome\nMI,ATS della Città Metropolitana di Milano\n",
      "codice_ambito,nome,ats,asst,capofila_istat,sintetico,alias\n"
      "LODI,Ambito di Lodi,MI,ASST di Lodi,098031,0,\n"
      "MELZO,Ambito di Melzo,MI,ASST Melegnano e della Martesana,015142,0,Ambito 5 Melzo\n",
      "codice_istat,codice_ambito\n098031,LODI\n098004,LODI\n015142,MELZO\n"};
}

// The first problem of the files, as the CLI prints it in the language asked.
std::string first_problem(const RegistryFiles& files, Lang lang = Lang::it) {
  try {
    Registry::parse(files);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), consolida::ErrorCode::invalid_registry);
    return e.describe(lang);
  }
  return "nessun problema";
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(RegistryImport, TheSmallRegistryIsRead) {
  const Registry registry = Registry::parse(small_registry());
  EXPECT_EQ(registry.comuni().size(), 3u);
  EXPECT_EQ(registry.ambito_by_code("LODI")->population, 43332 + 4379);
}

TEST(RegistryImport, AnUnknownComuneInAnAssignmentIsNamedByFileLineAndField) {
  RegistryFiles files = small_registry();
  files.assignment += "099999,LODI\n";
  EXPECT_EQ(first_problem(files),
            "comuni-ambiti.csv, riga 5, colonna 1: campo «codice_istat»: comune sconosciuto «099999» (non è in comuni-lombardia.csv)");
  EXPECT_EQ(first_problem(files, Lang::en),
            "comuni-ambiti.csv, line 5, column 1: field \"codice_istat\": unknown comune \"099999\" (not in comuni-lombardia.csv)");
}

TEST(RegistryImport, AnAmbitoWithoutAtsOrWithAnUnknownOneIsNamed) {
  RegistryFiles files = small_registry();
  files.ambiti = replaced(files.ambiti, "MELZO,Ambito di Melzo,MI,", "MELZO,Ambito di Melzo,,");
  EXPECT_EQ(first_problem(files),
            "ambiti.csv, riga 3, colonna 3: campo «ats»: vuoto: ogni Ambito appartiene a un'ATS (codice di ats.csv)");
  files = small_registry();
  files.ambiti = replaced(files.ambiti, "MELZO,Ambito di Melzo,MI,", "MELZO,Ambito di Melzo,MM,");
  EXPECT_EQ(first_problem(files), "ambiti.csv, riga 3, colonna 3: campo «ats»: ATS sconosciuta «MM» (non è in ats.csv)");
  EXPECT_EQ(first_problem(files, Lang::en), "ambiti.csv, line 3, column 3: field \"ats\": unknown ATS \"MM\" (not in ats.csv)");
}

TEST(RegistryImport, AComuneInTwoAmbitiNamesBothLines) {
  RegistryFiles files = small_registry();
  files.assignment += "098004,MELZO\n";
  EXPECT_EQ(first_problem(files), "comuni-ambiti.csv, riga 5, colonna 1: campo «codice_istat»: comune 098004 Borghetto Lodigiano "
                                  "assegnato a due Ambiti (già alla riga 3, Ambito LODI)");
}

TEST(RegistryImport, DuplicateCodesAreNamedWithTheFirstLine) {
  RegistryFiles files = small_registry();
  files.comuni += "98004,Borghetto,Lodi,LO,A995,4379\n";
  EXPECT_EQ(first_problem(files),
            "comuni-lombardia.csv, riga 5, colonna 1: campo «codice_istat»: codice ISTAT 098004 ripetuto (già alla riga 3)");
  files = small_registry();
  files.ats += "MI,ATS Milano\n";
  EXPECT_EQ(first_problem(files), "ats.csv, riga 3, colonna 1: campo «codice_ats»: codice ATS «MI» ripetuto (già alla riga 2)");
  files = small_registry();
  files.ambiti += "LODI,Ambito del Lodigiano,MI,ASST di Lodi,098031,0,\n";
  EXPECT_EQ(first_problem(files),
            "ambiti.csv, riga 4, colonna 1: campo «codice_ambito»: codice Ambito «LODI» ripetuto (già alla riga 2)");
}

TEST(RegistryImport, AMissingColumnIsNamedWhateverTheOrderOfTheOthers) {
  RegistryFiles files = small_registry();
  files.ambiti = "nome,codice_ambito,asst,capofila_istat\nAmbito di Lodi,LODI,ASST di Lodi,098031\n";
  EXPECT_EQ(first_problem(files), "ambiti.csv, riga 1: intestazione: manca la colonna «ats»");
  EXPECT_EQ(first_problem(files, Lang::en), "ambiti.csv, line 1: header: the column \"ats\" is missing");
  // A spreadsheet's semicolons are named as the cause.
  files = small_registry();
  files.ats = "codice_ats;nome\nMI;ATS della Città Metropolitana di Milano\n";
  EXPECT_NE(first_problem(files).find("il separatore dei campi deve essere la virgola"), std::string::npos) << first_problem(files);
}

TEST(RegistryImport, ColumnsInAnotherOrderAndABomAreRead) {
  RegistryFiles files = small_registry();
  files.assignment = "\xEF\xBB\xBF" "codice_ambito,codice_istat\r\nLODI,098031\r\nLODI,098004\r\nMELZO,015142\r\n";
  const Registry registry = Registry::parse(files);
  EXPECT_EQ(registry.ambito_of(*registry.comune_by_istat("098004")).code, "LODI");
}

TEST(RegistryImport, EveryProblemIsListedInFileAndLineOrder) {
  RegistryFiles files = small_registry();
  files.assignment += "099999,LODI\n098004,MELZO\n";
  files.ambiti = replaced(files.ambiti, "MELZO,Ambito di Melzo,MI,", "MELZO,Ambito di Melzo,MM,");
  files.comuni = replaced(files.comuni, "18203", "diciottomila");
  const auto checked = Registry::check(files);
  EXPECT_FALSE(checked.registry);
  ASSERT_EQ(checked.problems.size(), 3u);
  EXPECT_EQ(checked.problems[0].describe(Lang::it),
            "comuni-lombardia.csv, riga 4, colonna 6: campo «popolazione_censimento_2011»: «diciottomila» non è un numero di abitanti");
  EXPECT_EQ(checked.problems[1].describe(Lang::it), "ambiti.csv, riga 3, colonna 3: campo «ats»: ATS sconosciuta «MM» (non è in ats.csv)");
  EXPECT_EQ(checked.problems[2].describe(Lang::it),
            "comuni-ambiti.csv, riga 5, colonna 1: campo «codice_istat»: comune sconosciuto «099999» (non è in comuni-lombardia.csv)");
}

TEST(RegistryImport, AComuneLeftWithoutAmbitoIsNamedWhereItIsListed) {
  RegistryFiles files = small_registry();
  files.assignment = "codice_istat,codice_ambito\n098031,LODI\n015142,MELZO\n";
  EXPECT_EQ(first_problem(files), "comuni-lombardia.csv, riga 3, colonna 1: comune senza Ambito: 098004 Borghetto Lodigiano "
                                  "(nessuna riga in comuni-ambiti.csv)");
}

TEST(RegistryImport, TheBuiltInFilesAreTheBuiltInRegistry) {
  const Registry registry = Registry::parse(RegistryFiles::builtin());
  EXPECT_EQ(registry.comuni().size(), Registry::builtin().comuni().size());
  EXPECT_EQ(registry.ambiti().size(), 91u);
}

}  // namespace
