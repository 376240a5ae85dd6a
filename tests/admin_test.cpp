// consolida admin on a data directory that a server is using: credentials (password change,
// disabling, deleting, revoking), the storage faults it must name (a missing file, an empty or
// misplaced database), `admin verifica` and `admin backup`, and a database of the previous schema.
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "common/digest.hpp"
#include "common/rome_time.hpp"
#include "consolida/server.hpp"
#include "consolida/xlsx.hpp"
#include "server/crypto.hpp"
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

using consolida::testing::melzo_files;

const std::string kMelzo = "015142", kCassano = "015059";

fs::path fresh_dir(const std::string& name) { return consolida::testing::fresh_temp_dir("admin", name); }

// `consolida [--lang en] admin --data-dir DIR ARGS`, with `input` on its stdin.
CliRun admin_at(const fs::path& data_dir, const std::string& args, const std::string& input = "", const std::string& lang = "it") {
  const fs::path stdin_file = data_dir.string() + ".stdin";
  std::ofstream(stdin_file) << input << "\n";
  return consolida::testing::run_cli("--lang " + lang + " admin --data-dir " + data_dir.string() + " " + args + " < " + stdin_file.string());
}

// A server in process on a fresh data directory: Melzo, the Ambito, the Region, an open campaign.
class AdminTest : public ::testing::Test {
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
    campaign_ = store.add_campaign({0, "Spesa sociale 2024", "spesa-sociale-comune", 2024, unix_now() - 86400, unix_now() + 86400, LatePolicy::refuse});
    store.add_user("melzo", Role::comune, kMelzo, "pw-melzo-1");
    store.add_user("ufficio-melzo", Role::ambito, "MELZO", "pw-ambito-1");
    store.add_user("regione", Role::regione, "", "pw-regione-1");
    tokens_["melzo"] = store.issue_token("melzo").secret;
    tokens_["regione"] = store.issue_token("regione").secret;
    server_->start();
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(data_dir_);
  }

  Reply call(const std::string& method, const std::string& path, const Headers& headers = {}, const std::string& body = "",
             const std::string& type = "") {
    return consolida::testing::http_call(server_->port(), method, path, body, type, headers);
  }
  static Headers bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }
  // The session cookie of a login, empty when it is refused.
  std::string login(const std::string& user, const std::string& password) {
    const Reply reply = call("POST", "/accesso", {}, "utente=" + user + "&password=" + password, "application/x-www-form-urlencoded");
    if (reply.status != 303) return "";
    return reply.set_cookie.substr(0, reply.set_cookie.find(';'));
  }
  // What an API read answers with the token, or the session cookie.
  int read_with_token(const std::string& token) { return call("GET", "/api/v1/campagne", bearer(token)).status; }
  int read_with_cookie(const std::string& cookie) { return call("GET", "/api/v1/campagne", {{"Cookie", cookie}}).status; }

  Reply upload(const std::string& token, const std::string& bytes, const std::string& name, const std::string& ente = "") {
    Headers headers = bearer(token);
    headers["X-Nome-File"] = name;
    if (!ente.empty()) headers["X-Ente"] = ente;
    return call("POST", "/api/v1/campagne/" + std::to_string(campaign_) + "/invii", headers, bytes, "application/octet-stream");
  }
  std::string status_json(const std::string& token) {
    return call("GET", "/api/v1/campagne/" + std::to_string(campaign_) + "/stato", bearer(token)).body;
  }

  CliRun admin(const std::string& args, const std::string& input = "", const std::string& lang = "it") {
    return admin_at(data_dir_, args, input, lang);
  }
  std::int64_t user_id(const std::string& name) {
    for (const User& u : server_->store().users()) {
      if (u.username == name) return u.id;
    }
    return 0;
  }

  fs::path data_dir_;
  std::unique_ptr<Server> server_;
  std::int64_t campaign_ = 0;
  std::map<std::string, std::string> tokens_;
};

// ---- credentials ----

TEST_F(AdminTest, APasswordChangeEndsTheUsersTokensAndSessions) {
  const std::string cookie = login("melzo", "pw-melzo-1");
  ASSERT_FALSE(cookie.empty());
  ASSERT_EQ(read_with_token(tokens_["melzo"]), 200);
  ASSERT_EQ(read_with_cookie(cookie), 200);

  const CliRun changed = admin("utente password melzo", "pw-melzo-nuova-2");
  ASSERT_EQ(changed.status, 0) << changed.out;
  EXPECT_EQ(read_with_token(tokens_["melzo"]), 401) << "the token made before the change";
  EXPECT_EQ(read_with_cookie(cookie), 401) << "the session opened with the old password";
  EXPECT_TRUE(login("melzo", "pw-melzo-1").empty());
  EXPECT_FALSE(login("melzo", "pw-melzo-nuova-2").empty());
  EXPECT_EQ(read_with_token(tokens_["regione"]), 200) << "other users keep theirs";
}

TEST_F(AdminTest, APasswordForAnUnknownUserFailsWithAClearMessageInBothLanguages) {
  const CliRun italian = admin("utente password nessuno", "una-password-lunga");
  EXPECT_NE(italian.status, 0);
  EXPECT_NE(italian.out.find("utente sconosciuto: nessuno"), std::string::npos) << italian.out;
  const CliRun english = admin("user password nessuno", "una-password-lunga", "en");
  EXPECT_NE(english.status, 0);
  EXPECT_NE(english.out.find("unknown user: nessuno"), std::string::npos) << english.out;
}

TEST_F(AdminTest, ADisabledUserCanNeitherLogInNorUseItsSessionsOrTokens) {
  const std::string cookie = login("melzo", "pw-melzo-1");
  ASSERT_EQ(read_with_cookie(cookie), 200);
  const CliRun disabled = admin("utente disabilita melzo");
  ASSERT_EQ(disabled.status, 0) << disabled.out;
  EXPECT_NE(disabled.out.find("utente disabilitato: melzo"), std::string::npos) << disabled.out;
  EXPECT_EQ(read_with_cookie(cookie), 401);
  EXPECT_EQ(read_with_token(tokens_["melzo"]), 401);
  EXPECT_TRUE(login("melzo", "pw-melzo-1").empty());
  EXPECT_NE(admin("utenti").out.find("melzo\tcomune\t015142\tdisabilitato"), std::string::npos) << admin("utenti").out;
  // A new token for a disabled user would be a way back in.
  EXPECT_NE(admin("token melzo").status, 0);
  const CliRun unknown = admin("utente disabilita nessuno");
  EXPECT_NE(unknown.status, 0);
  EXPECT_NE(unknown.out.find("utente sconosciuto: nessuno"), std::string::npos) << unknown.out;
}

TEST_F(AdminTest, ADeletedUserTakesItsTokensAndSessionsAndItsIdIsNeverGivenAgain) {
  // The newest user: without AUTOINCREMENT, SQLite would give its id to the next one.
  ASSERT_EQ(admin("utente aggiungi lodi --ruolo comune --ente 098031", "pw-lodi-lunga-1").status, 0);
  const std::int64_t old_id = user_id("lodi");
  const CliRun token = admin("token lodi");
  ASSERT_EQ(token.status, 0) << token.out;
  const std::string old_token = token.out.substr(0, 64);
  const std::string cookie = login("lodi", "pw-lodi-lunga-1");
  ASSERT_EQ(read_with_token(old_token), 200);
  ASSERT_EQ(read_with_cookie(cookie), 200);

  const CliRun deleted = admin("utente elimina lodi");
  ASSERT_EQ(deleted.status, 0) << deleted.out;
  EXPECT_EQ(read_with_token(old_token), 401);
  EXPECT_EQ(read_with_cookie(cookie), 401);
  EXPECT_EQ(user_id("lodi"), 0);

  ASSERT_EQ(admin("utente aggiungi lodi --ruolo comune --ente 098031", "pw-lodi-lunga-2").status, 0);
  EXPECT_GT(user_id("lodi"), old_id);
  EXPECT_EQ(read_with_token(old_token), 401) << "the old token does not come back with the name";
  EXPECT_EQ(read_with_cookie(cookie), 401);
  EXPECT_NE(admin("utente elimina nessuno").status, 0);
}

TEST_F(AdminTest, ARevokedTokenIsRefusedAndTheUsersOtherTokensStillWork) {
  const CliRun first = admin("token melzo"), second = admin("token melzo");
  ASSERT_EQ(first.status, 0) << first.out;
  ASSERT_EQ(second.status, 0) << second.out;
  // The list shows each token's id, user and creation time, never the token.
  const CliRun list = admin("tokens melzo");
  ASSERT_EQ(list.status, 0) << list.out;
  EXPECT_EQ(list.out.find(first.out.substr(0, 64)), std::string::npos);
  std::vector<std::string> ids;
  for (std::size_t at = 0; at < list.out.size();) {
    const std::size_t end = list.out.find('\n', at);
    const std::string line = list.out.substr(at, end - at);
    if (line.find("\tmelzo\t") != std::string::npos) ids.push_back(line.substr(0, line.find('\t')));
    at = end == std::string::npos ? list.out.size() : end + 1;
  }
  ASSERT_EQ(ids.size(), 3u) << list.out;  // the fixture's and the two above, oldest first
  const std::string first_id = ids[1];
  EXPECT_NE(first.out.find("token n. " + first_id), std::string::npos) << first.out;

  const CliRun revoked = admin("token revoca " + first_id);
  ASSERT_EQ(revoked.status, 0) << revoked.out;
  EXPECT_EQ(read_with_token(first.out.substr(0, 64)), 401);
  EXPECT_EQ(read_with_token(second.out.substr(0, 64)), 200);
  EXPECT_EQ(read_with_token(tokens_["melzo"]), 200);
  const CliRun again = admin("token revoca " + first_id);
  EXPECT_NE(again.status, 0);
  EXPECT_NE(again.out.find("token sconosciuto: " + first_id), std::string::npos) << again.out;
  EXPECT_EQ(admin("token revoca abc").status, 64);
}

TEST_F(AdminTest, EveryAdminActionIsAudited) {
  Store& store = server_->store();
  const fs::path backup = fresh_dir("audit-backup");
  const std::vector<std::pair<std::string, std::string>> actions = {
      {"campagna aggiungi --nome Prova --modulo spesa-sociale-comune --anno 2024 --apertura \"2026-01-01 00:00\" --scadenza \"2026-12-31 23:59\"", ""},
      {"utente aggiungi lodi --ruolo comune --ente 098031", "pw-lodi-lunga-1"},
      {"utente password lodi", "pw-lodi-lunga-2"},
      {"token lodi", ""},
      {"utente disabilita lodi", ""},
      {"utente elimina lodi", ""},
      {"utente password nessuno", "pw-lodi-lunga-2"},  // refused: audited too
      {"verifica", ""},
      {"backup " + backup.string(), ""},
  };
  for (const auto& [args, input] : actions) {
    const std::int64_t before = store.audit_count();
    admin(args, input);
    EXPECT_EQ(store.audit_count(), before + 1) << args;
  }
  fs::remove_all(backup);
}

// ---- storage faults ----

TEST_F(AdminTest, AMissingStoredFileIsNamedEverywhereAndTheSameBytesRestoreIt) {
  const std::string bytes = slurp(melzo_files().at(kMelzo));
  const Reply sent = upload(tokens_["melzo"], bytes, "melzo.xlsx");
  ASSERT_EQ(sent.status, 201) << sent.body;
  ASSERT_EQ(upload(tokens_["regione"], slurp(melzo_files().at(kCassano)), "cassano.xlsx", kCassano).status, 201);
  const std::string path = server_->store().file_path(sha256_hex(bytes));
  ASSERT_TRUE(fs::remove(path));

  for (const std::string view : {"/file", "/annotato"}) {
    const Reply read = call("GET", "/api/v1" + sent.location + view, bearer(tokens_["melzo"]));
    EXPECT_EQ(read.status, 410) << view << ": " << read.body;
    EXPECT_NE(read.body.find("file mancante sul server"), std::string::npos) << read.body;
  }
  const std::string status = status_json(tokens_["melzo"]);
  EXPECT_NE(status.find("\"stato\":\"file mancante\""), std::string::npos) << status;
  EXPECT_EQ(status.find("\"stato\":\"valido\""), std::string::npos) << status;

  // The consolidation names the ente's fault, not "nessun file ricevuto".
  const Reply consolidated =
      call("GET", "/api/v1/campagne/" + std::to_string(campaign_) + "/consolidato?livello=ambito&ambito=MELZO", bearer(tokens_["regione"]));
  ASSERT_EQ(consolidated.status, 200) << consolidated.body.substr(0, 300);
  xlsx::Workbook workbook = xlsx::Workbook::open_bytes(consolidated.body, "consolidato.xlsx");
  bool named = false;
  for (const xlsx::SheetInfo& info : workbook.sheets()) {
    const xlsx::Sheet sheet = workbook.load_sheet(info);
    for (const xlsx::Cell& cell : sheet.cells()) named = named || cell.text.find("file mancante sul server: inviare di nuovo") != std::string::npos;
  }
  EXPECT_TRUE(named);

  // The same bytes sent again put the file back: no duplicate refusal, no new version; after the
  // deadline too (the Region finds missing files when it consolidates, once uploads are closed).
  {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session db("SQLite", (fs::path(data_dir_) / "consolida.sqlite").string());
    std::int64_t past = unix_now() - 60, id = campaign_;
    db << "UPDATE campaigns SET deadline = ? WHERE id = ?", Poco::Data::Keywords::use(past), Poco::Data::Keywords::use(id), Poco::Data::Keywords::now;
  }
  ASSERT_EQ(upload(tokens_["melzo"], slurp(melzo_files().at(kCassano)), "altro.xlsx").status, 403) << "uploads are closed";
  const Reply again = upload(tokens_["melzo"], bytes, "melzo.xlsx");
  EXPECT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(slurp(path), bytes);
  EXPECT_EQ(server_->store().count_versions(campaign_, kMelzo), 1);
  EXPECT_NE(status_json(tokens_["melzo"]).find("\"stato\":\"valido\""), std::string::npos);
  const Reply download = call("GET", "/api/v1" + sent.location + "/file", bearer(tokens_["melzo"]));
  EXPECT_EQ(download.status, 200);
  EXPECT_TRUE(download.body == bytes) << "the file downloaded is the one sent";
  // Once restored, the same bytes are a duplicate again.
  EXPECT_EQ(upload(tokens_["melzo"], bytes, "melzo.xlsx").status, 409);
}

// ---- admin verifica, admin backup ----

TEST_F(AdminTest, VerificaIsCleanOnAHealthyStoreAndNamesEveryFault) {
  const std::string bytes = slurp(melzo_files().at(kMelzo));
  ASSERT_EQ(upload(tokens_["melzo"], bytes, "melzo.xlsx").status, 201);
  ASSERT_EQ(upload(tokens_["regione"], slurp(melzo_files().at(kCassano)), "cassano.xlsx", kCassano).status, 201);
  const CliRun clean = admin("verifica");
  EXPECT_EQ(clean.status, 0) << clean.out;
  EXPECT_NE(clean.out.find("nessun problema"), std::string::npos) << clean.out;

  const std::string sha = sha256_hex(bytes), path = server_->store().file_path(sha);
  std::ofstream(path, std::ios::binary | std::ios::app) << 'x';
  const CliRun altered = admin("verifica");
  EXPECT_EQ(altered.status, 1) << altered.out;
  EXPECT_NE(altered.out.find("SHA-256"), std::string::npos) << altered.out;
  EXPECT_NE(altered.out.find(kMelzo), std::string::npos) << altered.out;

  fs::remove(path);
  const std::string orphan = (data_dir_ / "files" / "00" / (std::string(64, '0') + ".xlsx")).string();
  fs::create_directories(fs::path(orphan).parent_path());
  std::ofstream(orphan) << "orfano";
  const CliRun faults = admin("verifica");
  EXPECT_EQ(faults.status, 1) << faults.out;
  EXPECT_NE(faults.out.find("file mancante"), std::string::npos) << faults.out;
  EXPECT_NE(faults.out.find("file orfano"), std::string::npos) << faults.out;
  EXPECT_NE(faults.out.find(std::string(64, '0')), std::string::npos) << faults.out;
  EXPECT_NE(faults.out.find("2 problemi"), std::string::npos) << faults.out;
  const CliRun english = admin("verifica", "", "en");
  EXPECT_EQ(english.status, 1);
  EXPECT_NE(english.out.find("orphan file"), std::string::npos) << english.out;
}

TEST_F(AdminTest, ABackupTakenWhileServingRestoresIntoAFreshDataDirectory) {
  const std::string melzo = slurp(melzo_files().at(kMelzo)), cassano = slurp(melzo_files().at(kCassano));
  ASSERT_EQ(upload(tokens_["melzo"], melzo, "melzo.xlsx").status, 201);
  ASSERT_EQ(upload(tokens_["regione"], cassano, "cassano.xlsx", kCassano).status, 201);
  const fs::path backup = fresh_dir("backup"), restored = fresh_dir("restored");
  const CliRun taken = admin("backup " + backup.string());
  ASSERT_EQ(taken.status, 0) << taken.out;
  // The server goes on after the backup; what came later is not in it.
  std::string later;
  for (const auto& [ente, file] : melzo_files()) {
    if (ente != kMelzo && ente != kCassano) later = ente;
  }
  ASSERT_EQ(upload(tokens_["regione"], slurp(melzo_files().at(later)), "dopo.xlsx", later).status, 201);
  // Another backup into a folder that is not empty is refused.
  EXPECT_NE(admin("backup " + backup.string()).status, 0);

  // The restore procedure of the README: copy the backup as the new data directory, verify it.
  fs::copy(backup, restored, fs::copy_options::recursive);
  const CliRun verified = admin_at(restored, "verifica");
  EXPECT_EQ(verified.status, 0) << verified.out;
  Store store(restored.string());
  for (const std::string& ente : {kMelzo, kCassano}) {
    const auto original = server_->store().submissions(campaign_, ente), copy = store.submissions(campaign_, ente);
    ASSERT_EQ(copy.size(), original.size()) << ente;
    ASSERT_EQ(copy.size(), 1u) << ente;
    EXPECT_EQ(copy[0].id, original[0].id);
    EXPECT_EQ(copy[0].sha256, original[0].sha256);
    EXPECT_EQ(slurp(store.file_path(copy[0].sha256)), ente == kMelzo ? melzo : cassano);
  }
  EXPECT_TRUE(store.submissions(campaign_, later).empty());
  EXPECT_TRUE(store.check_password("melzo", "pw-melzo-1"));
  fs::remove_all(backup);
  fs::remove_all(restored);
}

// A data directory whose database is gone while its files are there is refused, never taken
// for a new installation; likewise a directory where the database should be.
TEST(DataDirectory, AnEmptyDatabaseBesideStoredFilesOrADirectoryInItsPlaceStopsServeAndAdmin) {
  const fs::path emptied = fresh_dir("emptied"), misplaced = fresh_dir("misplaced");
  fs::create_directories(emptied / "files" / "ab");
  std::ofstream(emptied / "files" / "ab" / ("ab" + std::string(62, '1') + ".xlsx")) << "PK";
  std::ofstream(emptied / "consolida.sqlite").flush();
  fs::create_directories(misplaced / "consolida.sqlite");
  for (const fs::path& dir : {emptied, misplaced}) {
    const CliRun admin = consolida::testing::run_cli("admin --data-dir " + dir.string() + " utenti");
    EXPECT_EQ(admin.status, 22) << dir << ": " << admin.out;
    EXPECT_NE(admin.out.find("database"), std::string::npos) << admin.out;
    // A server that does not stop by itself within 10 s is stopped, and fails the test.
    const CliRun serve = consolida::testing::run_cli("serve --port 0 --data-dir " + dir.string() +
                                                     " 2>&1 & pid=$!; for i in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.2; done; "
                                                     "kill $pid 2>/dev/null; wait $pid");
    EXPECT_EQ(serve.status, 22) << dir << ": " << serve.out;
    EXPECT_NE(serve.out.find("database"), std::string::npos) << serve.out;
    const CliRun english = consolida::testing::run_cli("--lang en admin --data-dir " + dir.string() + " utenti");
    EXPECT_NE(english.out.find("database"), std::string::npos) << english.out;
  }
  EXPECT_EQ(fs::file_size(emptied / "consolida.sqlite"), 0u) << "left as found";
  fs::remove_all(emptied);
  fs::remove_all(misplaced);
}

// ---- a database made by the previous schema ----

TEST(StoreSchema, ADatabaseOfThePreviousSchemaKeepsItsAccountsAndVersionsAndNeverReusesIds) {
  const fs::path dir = fresh_dir("old-schema");
  fs::create_directories(dir);
  const std::string salt(32, '7');
  const std::string bytes = slurp(melzo_files().at(kMelzo)), sha = sha256_hex(bytes);
  {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session db("SQLite", (dir / "consolida.sqlite").string());
    using Poco::Data::Keywords::now;
    // The tables exactly as the first schema created them.
    for (const char* sql : {
             "CREATE TABLE campaigns(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, form_id TEXT NOT NULL, year INTEGER NOT NULL, "
             "opens_at INTEGER NOT NULL, deadline INTEGER NOT NULL, late_policy TEXT NOT NULL)",
             "CREATE TABLE users(id INTEGER PRIMARY KEY, username TEXT UNIQUE NOT NULL, role TEXT NOT NULL, ente TEXT NOT NULL, "
             "salt TEXT NOT NULL, iterations INTEGER NOT NULL, hash TEXT NOT NULL)",
             "CREATE TABLE sessions(token_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), csrf TEXT NOT NULL, "
             "expires INTEGER NOT NULL)",
             "CREATE TABLE api_tokens(token_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), created INTEGER NOT NULL)",
             "CREATE TABLE submissions(id INTEGER PRIMARY KEY, campaign INTEGER NOT NULL REFERENCES campaigns(id), ente TEXT NOT NULL, "
             "version INTEGER NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL, file_name TEXT NOT NULL, uploaded_by TEXT NOT NULL, "
             "uploaded_at INTEGER NOT NULL, valid INTEGER NOT NULL, late INTEGER NOT NULL, errors INTEGER NOT NULL, warnings INTEGER NOT NULL, "
             "report TEXT NOT NULL, UNIQUE(campaign, ente, version))",
             "CREATE TABLE audit(id INTEGER PRIMARY KEY, at INTEGER NOT NULL, user TEXT NOT NULL, action TEXT NOT NULL, campaign INTEGER, "
             "ente TEXT, sha256 TEXT, outcome TEXT NOT NULL, detail TEXT)",
             "INSERT INTO campaigns VALUES(1, 'Spesa 2024', 'spesa-sociale-comune', 2024, 0, 4000000000, 'refuse')",
         }) {
      db << sql, now;
    }
    const std::string hash = pbkdf2_hex("pw-melzo-1", salt, 1000);
    db << "INSERT INTO users VALUES(1, 'melzo', 'comune', '015142', '" + salt + "', 1000, '" + hash + "')", now;
    db << "INSERT INTO users VALUES(2, 'ultimo', 'comune', '015059', '" + salt + "', 1000, '" + hash + "')", now;
    db << "INSERT INTO api_tokens VALUES('" + sha256_hex("token-di-melzo") + "', 1, 0)", now;
    db << "INSERT INTO api_tokens VALUES('" + sha256_hex("token-di-ultimo") + "', 2, 0)", now;
    db << "INSERT INTO sessions VALUES('" + sha256_hex("sessione-di-melzo") + "', 1, 'csrf', 4000000000)", now;
    db << "INSERT INTO submissions VALUES(1, 1, '015142', 1, '" + sha + "', " + std::to_string(bytes.size()) +
              ", 'melzo.xlsx', 'melzo', 0, 1, 0, 0, 0, '{}')",
        now;
  }
  fs::create_directories(dir / "files" / sha.substr(0, 2));
  std::ofstream(dir / "files" / sha.substr(0, 2) / (sha + ".xlsx"), std::ios::binary) << bytes;

  {
    Store store(dir.string(), 1000);
  EXPECT_TRUE(store.check_password("melzo", "pw-melzo-1"));
    EXPECT_TRUE(store.token_user("token-di-melzo"));
    EXPECT_TRUE(store.session("sessione-di-melzo"));
    ASSERT_EQ(store.submissions(1, kMelzo).size(), 1u);
  }
  // The newest user deleted and made again: a new id, and its old token stays dead.
  ASSERT_EQ(admin_at(dir, "utente elimina ultimo").status, 0);
  ASSERT_EQ(admin_at(dir, "utente aggiungi ultimo --ruolo comune --ente 015059", "pw-ultimo-lungo").status, 0);
  {
    Store store(dir.string(), 1000);
    for (const User& u : store.users()) {
      if (u.username == "ultimo") {
        EXPECT_GT(u.id, 2);
      }
    }
    EXPECT_FALSE(store.token_user("token-di-ultimo"));
  }
  // Opened again: nothing migrated twice, nothing lost.
  Store again(dir.string(), 1000);
  EXPECT_TRUE(again.token_user("token-di-melzo"));
  EXPECT_EQ(again.users().size(), 2u);
  const CliRun verified = admin_at(dir, "verifica");
  EXPECT_EQ(verified.status, 0) << verified.out;
  fs::remove_all(dir);
}

}  // namespace
