// The registry belongs to the Region: `consolida admin anagrafica importa` stores a checked
// registry as a new version, campaigns keep the version they were opened with (who they expect,
// how their uploads are checked, what their consolidation lists), `esporta` writes a version back.
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "common/rome_time.hpp"
#include "consolida/server.hpp"
#include "consolida/xlsx.hpp"
#include "server/intake.hpp"
#include "support/cli_run.hpp"
#include "support/files.hpp"
#include "support/melzo_samples.hpp"
#include "support/http_call.hpp"

namespace {

namespace fs = std::filesystem;
using namespace consolida;
using namespace consolida::server;
using consolida::testing::CliRun;
using consolida::testing::slurp;
using Reply = consolida::testing::HttpReply;
using Headers = std::map<std::string, std::string>;

const fs::path kBuiltinData = CONSOLIDA_SOURCE_DIR "/src/registry/data";
const char* const kFiles[] = {"comuni-lombardia.csv", "ats.csv", "ambiti.csv", "comuni-ambiti.csv"};
const std::string kMelzo = "015142", kLiscate = "015122", kVignate = "015237", kMerged = "015999";

fs::path fresh_dir(const std::string& name) { return consolida::testing::fresh_temp_dir("registry", name); }

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The text without its line that starts with `start` (the files mix line endings: any is taken).
std::string without_line(std::string text, const std::string& start) {
  const auto at = text.find("\n" + start);
  EXPECT_NE(at, std::string::npos) << start;
  if (at != std::string::npos) text.erase(at + 1, text.find('\n', at + 1) - at);
  return text;
}

// A file's text with \n line ends: the registry keeps them so (the built-in files mix both).
std::string lines_of(const fs::path& path) {
  std::string text = slurp(path);
  std::erase(text, '\r');
  return text;
}

void write_text(const fs::path& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

// The built-in registry as the Region changes it: Liscate and Vignate merged into one new comune
// (a new ISTAT code, the two populations), and the Ambito of Melzo renamed (its code stays).
fs::path changed_registry(const std::string& name) {
  const fs::path dir = fresh_dir(name);
  fs::create_directories(dir);
  std::string comuni = slurp(kBuiltinData / "comuni-lombardia.csv");
  comuni = without_line(without_line(comuni, kLiscate + ",Liscate,"), kVignate + ",Vignate,");
  comuni += kMerged + ",Liscate Vignate,Milano,MI,Z999,13103\n";
  std::string assignment = slurp(kBuiltinData / "comuni-ambiti.csv");
  assignment = without_line(without_line(assignment, kLiscate + ",MELZO"), kVignate + ",MELZO");
  assignment += kMerged + ",MELZO\n";
  write_text(dir / "comuni-lombardia.csv", comuni);
  write_text(dir / "comuni-ambiti.csv", assignment);
  write_text(dir / "ambiti.csv", replaced(slurp(kBuiltinData / "ambiti.csv"), "MELZO,Ambito di Melzo,", "MELZO,Ambito Adda Martesana,"));
  fs::copy_file(kBuiltinData / "ats.csv", dir / "ats.csv");
  return dir;
}

CliRun admin_at(const fs::path& data_dir, const std::string& args, const std::string& lang = "it", const std::string& input = "") {
  const fs::path stdin_file = data_dir.string() + ".stdin";
  std::ofstream(stdin_file) << input << "\n";
  return consolida::testing::run_cli("--lang " + lang + " admin --data-dir " + data_dir.string() + " " + args + " < " + stdin_file.string());
}

using consolida::testing::melzo_files;

// A server on a fresh data directory, with two campaigns opened on the built-in registry.
class RegistryVersionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_dir_ = fresh_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    ServerOptions options;
    options.data_dir = data_dir_.string();
    options.port = 0;
    options.threads = 4;
    options.password_iterations = 1000;
    server_ = std::make_unique<Server>(options, forms::load_forms(CONSOLIDA_SOURCE_DIR "/plugins", {CONSOLIDA_RULES_PATH}),
                                       registry::Registry::builtin());
    Store& store = server_->store();
    old_spesa_ = store.add_campaign({0, "Spesa sociale 2024", "spesa-sociale-comune", 2024, unix_now() - 86400, unix_now() + 86400,
                                     LatePolicy::refuse});
    old_rendiconto_ = store.add_campaign({0, "Rendiconto 2024", "rendiconto-ambito", 2024, unix_now() - 86400, unix_now() + 86400,
                                          LatePolicy::refuse});
    store.add_user("regione", Role::regione, "", "pw-regione-1");
    regione_ = store.issue_token("regione").secret;
    server_->start();
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(data_dir_);
    fs::remove(data_dir_.string() + ".stdin");
  }

  Reply get(const std::string& path) { return consolida::testing::http_call(server_->port(), "GET", path, "", "", {{"Authorization", "Bearer " + regione_}}); }
  Reply upload(std::int64_t campaign, const std::string& ente) {
    const Headers headers = {{"Authorization", "Bearer " + regione_}, {"X-Nome-File", ente + ".xlsx"}, {"X-Ente", ente}};
    return consolida::testing::http_call(server_->port(), "POST", "/api/v1/campagne/" + std::to_string(campaign) + "/invii",
                                         slurp(melzo_files().at(ente)), "application/octet-stream", headers);
  }
  // The enti a campaign's status lists, code -> name, and the registry version it names.
  std::map<std::string, std::string> expected_enti(std::int64_t campaign, int* registry_version = nullptr) {
    const Reply reply = get("/api/v1/campagne/" + std::to_string(campaign) + "/stato");
    EXPECT_EQ(reply.status, 200) << reply.body;
    std::map<std::string, std::string> out;
    const auto body = Poco::JSON::Parser().parse(reply.body).extract<Poco::JSON::Object::Ptr>();
    if (registry_version) *registry_version = body->getValue<int>("versione_anagrafica");
    const auto enti = body->getArray("enti");
    for (std::size_t i = 0; i < enti->size(); ++i) {
      const auto ente = enti->getObject(static_cast<unsigned>(i));
      out[ente->getValue<std::string>("ente")] = ente->getValue<std::string>("nome");
    }
    return out;
  }
  // The names on the Mancanti sheet of a campaign's consolidation for the Ambito of Melzo.
  std::set<std::string> missing_in_consolidation(std::int64_t campaign) {
    const Reply reply = get("/api/v1/campagne/" + std::to_string(campaign) + "/consolidato?livello=ambito&ambito=MELZO");
    EXPECT_EQ(reply.status, 200) << reply.body.substr(0, 300);
    std::set<std::string> out;
    if (reply.status != 200) return out;
    xlsx::Workbook workbook = xlsx::Workbook::open_bytes(reply.body, "consolidato.xlsx");
    const xlsx::Sheet missing = workbook.load_sheet(*workbook.find_sheet("Mancanti"));
    for (const xlsx::Cell& cell : missing.cells()) {
      if (cell.row > 0) out.insert(cell.text);
    }
    return out;
  }
  CliRun admin(const std::string& args, const std::string& lang = "it", const std::string& input = "") {
    return admin_at(data_dir_, args, lang, input);
  }
  std::int64_t add_campaign_with_cli(const std::string& name, const std::string& form, int expected_version) {
    const CliRun added = admin("campagna aggiungi --nome \"" + name + "\" --modulo " + form +
                               " --anno 2024 --apertura \"2020-01-01 00:00\" --scadenza \"2099-12-31 23:59\"");
    EXPECT_EQ(added.status, 0) << added.out;
    EXPECT_NE(added.out.find("(anagrafica versione " + std::to_string(expected_version) + ")"), std::string::npos) << added.out;
    return std::stoll(added.out.substr(added.out.find(": ") + 2));
  }

  fs::path data_dir_;
  std::unique_ptr<Server> server_;
  std::int64_t old_spesa_ = 0, old_rendiconto_ = 0;
  std::string regione_;
};

TEST_F(RegistryVersionsTest, ANewCampaignUsesTheImportedRegistryAndTheEarlierOneKeepsItsOwn) {
  const fs::path changed = changed_registry("changed");
  const std::string add_merged = "utente aggiungi liscate-vignate --ruolo comune --ente " + kMerged;
  EXPECT_NE(admin(add_merged, "it", "pw-nuovo-comune-1").out.find("ruolo ed ente incoerenti"), std::string::npos) << "not a comune yet";
  const CliRun imported = admin("anagrafica importa " + changed.string());
  ASSERT_EQ(imported.status, 0) << imported.out;
  EXPECT_NE(imported.out.find("anagrafica importata: versione 2 (1505 comuni, 91 Ambiti, 8 ATS)"), std::string::npos) << imported.out;
  const std::int64_t new_spesa = add_campaign_with_cli("Spesa sociale 2024 (nuova anagrafica)", "spesa-sociale-comune", 2);
  // Accounts: the merged comune now; Liscate still, for the campaign opened before.
  EXPECT_EQ(admin(add_merged, "it", "pw-nuovo-comune-1").status, 0);
  EXPECT_EQ(admin("utente aggiungi liscate --ruolo comune --ente " + kLiscate, "it", "pw-liscate-lunga-1").status, 0);
  const std::int64_t new_rendiconto = add_campaign_with_cli("Rendiconto 2024 (nuova anagrafica)", "rendiconto-ambito", 2);

  // Who is expected: the merged comune in the new campaign, the two comuni in the earlier one.
  int version = 0;
  const auto before = expected_enti(old_spesa_, &version);
  EXPECT_EQ(version, 1);
  EXPECT_EQ(before.size(), 1506u);
  EXPECT_EQ(before.count(kLiscate) + before.count(kVignate), 2u);
  EXPECT_EQ(before.count(kMerged), 0u);
  const auto after = expected_enti(new_spesa, &version);
  EXPECT_EQ(version, 2);
  EXPECT_EQ(after.size(), 1505u);
  EXPECT_EQ(after.count(kLiscate) + after.count(kVignate), 0u);
  EXPECT_EQ(after.at(kMerged), "Liscate Vignate");
  // The Ambito's name: the old one in the earlier campaign, the new one in the new campaign.
  EXPECT_EQ(expected_enti(old_rendiconto_).at("MELZO"), "Ambito di Melzo");
  EXPECT_EQ(expected_enti(new_rendiconto).at("MELZO"), "Ambito Adda Martesana");

  // Uploads are checked against the campaign's version: Liscate may still send to the earlier one.
  EXPECT_EQ(upload(old_spesa_, kLiscate).status, 201);
  const Reply refused = upload(new_spesa, kLiscate);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_NE(refused.body.find("non è tra quelli"), std::string::npos) << refused.body;
  EXPECT_EQ(upload(new_spesa, kMelzo).status, 201);

  // The consolidation lists the missing enti of its own version.
  const std::set<std::string> old_missing = missing_in_consolidation(old_spesa_);
  EXPECT_TRUE(old_missing.count("Vignate")) << "the earlier campaign still waits for Vignate";
  EXPECT_FALSE(old_missing.count("Liscate")) << "Liscate sent its file";
  EXPECT_FALSE(old_missing.count("Liscate Vignate"));
  const std::set<std::string> new_missing = missing_in_consolidation(new_spesa);
  EXPECT_TRUE(new_missing.count("Liscate Vignate"));
  EXPECT_FALSE(new_missing.count("Vignate"));
  EXPECT_FALSE(new_missing.count("Melzo"));

  // A server started again finds each campaign's version in the store.
  server_.reset();
  ServerOptions options;
  options.data_dir = data_dir_.string();
  options.port = 0;
  options.threads = 2;
  options.password_iterations = 1000;
  server_ = std::make_unique<Server>(options, forms::load_forms(CONSOLIDA_SOURCE_DIR "/plugins", {CONSOLIDA_RULES_PATH}),
                                     registry::Registry::builtin());
  server_->start();
  EXPECT_EQ(expected_enti(new_spesa).count(kMerged), 1u);
  EXPECT_EQ(expected_enti(old_spesa_).count(kVignate), 1u);

  const CliRun versions = admin("anagrafica versioni");
  EXPECT_NE(versions.out.find("1\t-\tintegrata nel programma\t1506 comuni, 91 Ambiti, 8 ATS\tcampagne: 1, 2"), std::string::npos) << versions.out;
  EXPECT_NE(versions.out.find("2 (corrente)\t"), std::string::npos) << versions.out;
  EXPECT_NE(versions.out.find("1505 comuni, 91 Ambiti, 8 ATS\tcampagne: 3, 4\t" + fs::absolute(changed).lexically_normal().string()),
            std::string::npos)
      << versions.out;
}

TEST_F(RegistryVersionsTest, ExportedFilesImportAgainAsTheSameRegistry) {
  // Version 1 is written back as the files it was compiled from.
  const fs::path builtin_export = fresh_dir("export-1");
  const CliRun first = admin("anagrafica esporta " + builtin_export.string() + " --versione 1");
  ASSERT_EQ(first.status, 0) << first.out;
  for (const char* file : kFiles) EXPECT_TRUE(slurp(builtin_export / file) == lines_of(kBuiltinData / file)) << file;
  // The same files again are no new version, whatever their line ends.
  const CliRun same = admin("anagrafica importa " + builtin_export.string());
  EXPECT_EQ(same.status, 0) << same.out;
  EXPECT_NE(same.out.find("identica alla versione corrente 1"), std::string::npos) << same.out;
  const CliRun source = admin("anagrafica importa " + kBuiltinData.string());
  EXPECT_NE(source.out.find("identica alla versione corrente 1"), std::string::npos) << source.out;
  EXPECT_TRUE(server_->store().registry_versions().empty());

  const fs::path changed = changed_registry("roundtrip");
  ASSERT_EQ(admin("anagrafica importa " + changed.string()).status, 0);
  const fs::path current_export = fresh_dir("export-current");
  ASSERT_EQ(admin("anagrafica esporta " + current_export.string()).status, 0);
  for (const char* file : kFiles) EXPECT_TRUE(slurp(current_export / file) == lines_of(changed / file)) << file;
  const CliRun again = admin("anagrafica importa " + current_export.string());
  EXPECT_EQ(again.status, 0) << again.out;
  EXPECT_NE(again.out.find("identica alla versione corrente 2"), std::string::npos) << again.out;
  // Going back to the built-in registry is one more version, read as the built-in one.
  const CliRun back = admin("anagrafica importa " + builtin_export.string());
  EXPECT_NE(back.out.find("versione 3 (1506 comuni"), std::string::npos) << back.out;
  ASSERT_EQ(server_->store().registry_versions().size(), 2u);
  // An export never overwrites: the folder already holds the files.
  const CliRun over = admin("anagrafica esporta " + current_export.string());
  EXPECT_EQ(over.status, 10) << over.out;
  EXPECT_NE(over.out.find("esiste già"), std::string::npos) << over.out;
  const CliRun unknown = admin("anagrafica esporta " + fresh_dir("export-9").string() + " --versione 9");
  EXPECT_EQ(unknown.status, 17) << unknown.out;
  for (const fs::path& dir : {builtin_export, changed, current_export}) fs::remove_all(dir);
}

TEST_F(RegistryVersionsTest, ADamagedOrMissingFileIsRefusedNamingFileLineAndFieldAndNothingIsStored) {
  const fs::path dir = changed_registry("damaged");
  // A file cut short in the middle of its last line, an unknown comune, a comune in two Ambiti.
  const std::string ats = slurp(dir / "ats.csv");
  write_text(dir / "ats.csv", ats.substr(0, ats.find("\nPV,") + 3));
  write_text(dir / "comuni-ambiti.csv", slurp(dir / "comuni-ambiti.csv") + kLiscate + ",MELZO\n098031,MELZO\n");
  const CliRun refused = admin("anagrafica importa " + dir.string());
  EXPECT_EQ(refused.status, 21) << refused.out;
  EXPECT_NE(refused.out.find("errore [anagrafica-non-valida]: ats.csv, riga 9: 1 colonne invece di 2 (quante nell'intestazione)"),
            std::string::npos)
      << refused.out;
  // The Ambiti of the ATS lost with that line are named too.
  EXPECT_NE(refused.out.find("campo «ats»: ATS sconosciuta «PV» (non è in ats.csv)"), std::string::npos) << refused.out;
  EXPECT_NE(refused.out.find(", colonna 1: campo «codice_istat»: comune sconosciuto «015122» (non è in comuni-lombardia.csv)"),
            std::string::npos)
      << refused.out;
  EXPECT_NE(refused.out.find("campo «codice_istat»: comune 098031 Lodi assegnato a due Ambiti"), std::string::npos) << refused.out;
  EXPECT_NE(refused.out.find("anagrafica non importata ("), std::string::npos) << refused.out;
  EXPECT_NE(refused.out.find("nulla è stato registrato"), std::string::npos) << refused.out;
  const CliRun english = admin("registry import " + dir.string(), "en");
  EXPECT_EQ(english.status, 21);
  EXPECT_NE(english.out.find("field \"codice_istat\": unknown comune \"015122\""), std::string::npos) << english.out;
  EXPECT_NE(english.out.find("nothing was stored"), std::string::npos) << english.out;

  fs::remove(dir / "ambiti.csv");
  const CliRun missing = admin("anagrafica importa " + dir.string());
  EXPECT_EQ(missing.status, 21) << missing.out;
  EXPECT_NE(missing.out.find((dir / "ambiti.csv").string() + ": file mancante o illeggibile"), std::string::npos) << missing.out;

  EXPECT_TRUE(server_->store().registry_versions().empty());
  EXPECT_EQ(server_->store().current_registry_version(), 1);
  const std::int64_t campaign = add_campaign_with_cli("Dopo un'importazione rifiutata", "spesa-sociale-comune", 1);
  EXPECT_EQ(expected_enti(campaign).size(), 1506u);
  // Each refusal is audited.
  EXPECT_GE(server_->store().audit_count(), 3);
  fs::remove_all(dir);
}

TEST_F(RegistryVersionsTest, ACampaignsRegistryIsParsedOnceAndKept) {
  const fs::path changed = changed_registry("cached");
  ASSERT_EQ(admin("anagrafica importa " + changed.string()).status, 0);
  Store& store = server_->store();
  const std::int64_t id = store.add_campaign({0, "Spesa 2024 bis", "spesa-sociale-comune", 2024, 0, unix_now() + 3600, LatePolicy::refuse});
  const Campaign campaign = *store.campaign(id);
  EXPECT_EQ(campaign.registry_version, 2);
  const std::vector<forms::FormSpec> forms;
  const Intake intake(store, forms, registry::Registry::builtin());
  const registry::Registry& first = intake.registry(campaign);
  EXPECT_EQ(&first, &intake.registry(campaign));
  EXPECT_EQ(&intake.registry(*store.campaign(old_spesa_)), &registry::Registry::builtin());
  EXPECT_TRUE(first.comune_by_istat(kMerged));
  EXPECT_THROW(store.add_campaign({0, "Versione inesistente", "spesa-sociale-comune", 2024, 0, 1, LatePolicy::refuse, 7}), Error);
  fs::remove_all(changed);
}

TEST(StoreSchema, CampaignsOpenedBeforeRegistryVersionsKeepTheBuiltInOne) {
  const fs::path dir = fresh_dir("campaigns-before-versions");
  fs::create_directories(dir);
  {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session db("SQLite", (dir / "consolida.sqlite").string());
    using Poco::Data::Keywords::now;
    db << "CREATE TABLE campaigns(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, form_id TEXT NOT NULL, year INTEGER NOT NULL, "
          "opens_at INTEGER NOT NULL, deadline INTEGER NOT NULL, late_policy TEXT NOT NULL)",
        now;
    db << "INSERT INTO campaigns VALUES(1, 'Spesa 2024', 'spesa-sociale-comune', 2024, 0, 4000000000, 'refuse')", now;
    db << "PRAGMA user_version=1", now;
  }
  {
    Store store(dir.string(), 1000);
    ASSERT_TRUE(store.campaign(1));
    EXPECT_EQ(store.campaign(1)->registry_version, 1);
  }
  const fs::path changed = changed_registry("after-migration");
  ASSERT_EQ(admin_at(dir, "anagrafica importa " + changed.string()).status, 0);
  fs::remove(dir.string() + ".stdin");
  Store again(dir.string(), 1000);
  EXPECT_EQ(again.campaign(1)->registry_version, 1);
  EXPECT_EQ(again.campaign(again.add_campaign({0, "Spesa 2025", "spesa-sociale-comune", 2025, 0, 1, LatePolicy::refuse}))->registry_version, 2);
  fs::remove_all(dir);
  fs::remove_all(changed);
}

}  // namespace
