#include "consolida/registry.hpp"

#include <gtest/gtest.h>

#include <map>

#include "consolida/error.hpp"
#include "support/files.hpp"

namespace {

using consolida::registry::Registry;

// The source table read here on its own, to check the compiled-in registry against it.
struct SourceRow {
  std::string sigla;
  long long population;
};
std::map<std::string, SourceRow> read_source() {
  std::map<std::string, SourceRow> rows;
  for (const auto& fields : consolida::testing::csv_rows(CONSOLIDA_SOURCE_DIR "/src/registry/data/comuni-lombardia.csv")) {
    rows[fields.at(0)] = SourceRow{fields.at(3), std::stoll(fields.at(5))};
  }
  return rows;
}

TEST(Registry, BuiltinHoldsEveryComuneOnceInOneOf91Ambiti) {
  const Registry& registry = Registry::builtin();
  const auto source = read_source();
  ASSERT_EQ(source.size(), 1506u);
  EXPECT_EQ(registry.comuni().size(), source.size());
  EXPECT_EQ(registry.ambiti().size(), 91u);
  EXPECT_EQ(registry.ats().size(), 8u);
  std::size_t in_ambiti = 0;
  long long population = 0, ats_population = 0;
  for (const auto& ambito : registry.ambiti()) in_ambiti += ambito.comuni.size(), population += ambito.population;
  for (const auto& ats : registry.ats()) ats_population += ats.population;
  long long source_population = 0;
  for (const auto& [code, row] : source) source_population += row.population;
  EXPECT_EQ(in_ambiti, 1506u);
  EXPECT_EQ(population, source_population);
  EXPECT_EQ(ats_population, source_population);
}

TEST(Registry, RealAssignmentsOfTheSeeds) {
  const Registry& registry = Registry::builtin();
  const auto source = read_source();
  const auto* lodi = registry.find_ambito("Ambito di Lodi");
  ASSERT_NE(lodi, nullptr);
  EXPECT_FALSE(lodi->synthetic);
  EXPECT_EQ(lodi->asst, "ASST di Lodi");
  EXPECT_EQ(registry.ats_by_code(lodi->ats)->name, "ATS della Città Metropolitana di Milano");
  std::size_t lodi_source = 0;
  long long lodi_population = 0;
  for (const auto& [code, row] : source) {
    if (row.sigla == "LO") ++lodi_source, lodi_population += row.population;
  }
  EXPECT_EQ(lodi->comuni.size(), lodi_source);
  EXPECT_EQ(lodi->comuni.size(), 60u);
  EXPECT_EQ(lodi->population, lodi_population);

  const auto* melzo = registry.find_ambito("Ambito 5 Melzo");
  ASSERT_NE(melzo, nullptr);
  std::vector<std::string> names;
  for (std::size_t i : melzo->comuni) names.push_back(registry.comuni()[i].name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"Cassano d'Adda", "Inzago", "Liscate", "Melzo", "Pozzuolo Martesana", "Settala",
                                              "Truccazzano", "Vignate"}));
  EXPECT_EQ(registry.comune_by_istat(melzo->capofila)->name, "Melzo");
  // Every other Ambito is marked synthetic, in its flag and in its name.
  for (const auto& ambito : registry.ambiti()) {
    if (&ambito == lodi || &ambito == melzo || ambito.code == "MILANO") continue;
    EXPECT_TRUE(ambito.synthetic) << ambito.name;
    EXPECT_NE(ambito.name.find("(sintetico)"), std::string::npos) << ambito.name;
  }
}

TEST(Registry, NamesAsTheSeedsWriteThem) {
  const Registry& registry = Registry::builtin();
  const auto* melzo = registry.find_ambito("ambito territoriale 5");
  ASSERT_NE(melzo, nullptr);
  auto name_of = [&](std::string_view query, const consolida::registry::Ambito* within = nullptr) {
    const auto match = registry.find_comune(query, within);
    return match.comune ? match.comune->name : std::string("(" + std::to_string(match.candidates.size()) + " candidati)");
  };
  EXPECT_EQ(name_of("Cassano D'Adda"), "Cassano d'Adda");
  EXPECT_EQ(name_of("CASSANO D’ADDA"), "Cassano d'Adda");
  EXPECT_EQ(name_of("Pozzuolo M."), "Pozzuolo Martesana");
  EXPECT_EQ(name_of("BORGHETTO LOD.NO"), "Borghetto Lodigiano");
  EXPECT_EQ(name_of("Comune di Lodi"), "Lodi");
  EXPECT_EQ(name_of("CANTU'"), "Cantù");
  EXPECT_EQ(name_of("Codogno (LO)"), "Codogno");  // the province in brackets
  EXPECT_EQ(name_of("Codogno (Lodi)"), "Codogno");
  // "Cassano" alone names three comuni of Lombardy, but one in the Ambito di Melzo.
  EXPECT_EQ(name_of("Cassano"), "(0 candidati)");
  EXPECT_EQ(name_of("Cassano", melzo), "Cassano d'Adda");
  EXPECT_EQ(name_of("Milano", melzo), "(0 candidati)");
  EXPECT_EQ(name_of("Atlantide"), "(0 candidati)");
  EXPECT_EQ(registry.comune_by_istat("98031")->name, "Lodi");
  EXPECT_EQ(registry.comune_by_istat("098031")->name, "Lodi");
  EXPECT_EQ(registry.comune_by_istat("999999"), nullptr);
  EXPECT_EQ(registry.comune_by_istat("LODI"), nullptr);
  EXPECT_EQ(registry.find_ats("ATS Val Padana")->code, "VP");
  EXPECT_EQ(registry.find_ats("pv")->code, "PV");
  EXPECT_EQ(registry.find_ambito("Ambito di Atlantide"), nullptr);
}

TEST(Registry, AtsNameFallsBackToTheCode) {
  EXPECT_EQ(Registry::builtin().ats_name("VP"), "ATS della Val Padana");
  EXPECT_EQ(Registry::builtin().ats_name("XX"), "XX");
}

TEST(Registry, MalformedFilesAreRefusedWithTheirPlace) {
  const std::string comuni = "codice_istat,nome,provincia,sigla,codice_catastale,popolazione_censimento_2011\n"
                             "098031,Lodi,Lodi,LO,E648,43332\n098004,Borghetto Lodigiano,Lodi,LO,A995,4379\n";
  const std::string ats = "codice_ats,nome\nMI,ATS della Città Metropolitana di Milano\n";
  const std::string ambiti = "codice_ambito,nome,ats,asst,capofila_istat,sintetico,alias\nLODI,Ambito di Lodi,MI,ASST di Lodi,098031,0,\n";
  const std::string both = "codice_istat,codice_ambito\n098031,LODI\n098004,LODI\n";
  const Registry small = Registry::parse(comuni, ats, ambiti, both);
  EXPECT_EQ(small.ambiti()[0].population, 43332 + 4379);

  auto code_of = [](auto&& call) {
    try {
      call();
    } catch (const consolida::Error& e) {
      return std::make_pair(e.code(), e.describe(consolida::Lang::it));
    }
    return std::make_pair(consolida::ErrorCode::io, std::string("nessun errore"));
  };
  const auto unassigned = code_of([&] { Registry::parse(comuni, ats, ambiti, "codice_istat,codice_ambito\n098031,LODI\n"); });
  EXPECT_EQ(unassigned.first, consolida::ErrorCode::invalid_registry);
  EXPECT_NE(unassigned.second.find("comune senza Ambito: 098004"), std::string::npos) << unassigned.second;
  const auto twice = code_of([&] { Registry::parse(comuni, ats, ambiti, both + "098004,LODI\n"); });
  EXPECT_NE(twice.second.find("assegnato a due Ambiti"), std::string::npos) << twice.second;
  const auto columns = code_of([&] { Registry::parse(comuni + "1,2,3\n", ats, ambiti, both); });
  EXPECT_NE(columns.second.find("riga 4"), std::string::npos) << columns.second;
  const auto header = code_of([&] { Registry::parse("istat,nome\n", ats, ambiti, both); });
  EXPECT_NE(header.second.find("manca la colonna «codice_istat»"), std::string::npos) << header.second;
  const auto bad_ats = code_of([&] { Registry::parse(comuni, ats, "codice_ambito,nome,ats,asst,capofila_istat,sintetico,alias\nX,Y,ZZ,,,0,\n", both); });
  EXPECT_NE(bad_ats.second.find("ATS sconosciuta"), std::string::npos) << bad_ats.second;
}

}  // namespace
