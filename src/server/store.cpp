#include <Poco/Data/RecordSet.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>

#include "common/digest.hpp"
#include "common/rome_time.hpp"
#include "consolida/error.hpp"
#include "consolida/server.hpp"
#include "server/crypto.hpp"

using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::range;

namespace consolida::server {
namespace {

Error store_error(const std::string& it, const std::string& en) { return Error(ErrorCode::io, it, en); }

void fsync_path(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) throw store_error("impossibile aprire " + path, "cannot open " + path);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw store_error("scrittura su disco non riuscita: " + path, "fsync failed: " + path);
}

// In the order select_submissions extracts them.
constexpr const char* kSubmissionColumns =
    "id, campaign, ente, version, sha256, size, file_name, uploaded_by, uploaded_at, valid, late, errors, warnings, report, on_behalf, protocol";

constexpr const char* kCampaignColumns = "id, name, form_id, year, opens_at, deadline, late_policy, registry_version";

Campaign campaign_from(Poco::Data::RecordSet& rs, std::size_t row) {
  Campaign c;
  c.id = rs.value(0, row).convert<Poco::Int64>();
  c.name = rs.value(1, row).convert<std::string>();
  c.form_id = rs.value(2, row).convert<std::string>();
  c.year = rs.value(3, row).convert<int>();
  c.opens_at = rs.value(4, row).convert<Poco::Int64>();
  c.deadline = rs.value(5, row).convert<Poco::Int64>();
  c.late = rs.value(6, row).convert<std::string>() == "accept" ? LatePolicy::accept : LatePolicy::refuse;
  c.registry_version = rs.value(7, row).convert<int>();
  return c;
}

User user_from(Poco::Data::RecordSet& rs, std::size_t row) {
  User u;
  u.id = rs.value(0, row).convert<Poco::Int64>();
  u.username = rs.value(1, row).convert<std::string>();
  u.role = parse_role(rs.value(2, row).convert<std::string>()).value_or(Role::comune);
  u.ente = rs.value(3, row).convert<std::string>();
  u.disabled = rs.value(4, row).convert<int>() != 0;
  return u;
}

constexpr const char* kDatabaseFile = "/consolida.sqlite";

Error unknown_user(const std::string& username) {
  return Error(ErrorCode::not_found, "utente sconosciuto: " + username, "unknown user: " + username);
}

// The accounts' tables of schema 1: ids are never given again (AUTOINCREMENT), so that a token
// or a cookie of a deleted user can never name a new one; sessions and tokens go with their user.
constexpr const char* kUsersTable =
    "(id INTEGER PRIMARY KEY AUTOINCREMENT, username TEXT UNIQUE NOT NULL, role TEXT NOT NULL, ente TEXT NOT NULL, "
    "salt TEXT NOT NULL, iterations INTEGER NOT NULL, hash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0, email TEXT NOT NULL DEFAULT '')";
constexpr const char* kSessionsTable =
    "(id INTEGER PRIMARY KEY AUTOINCREMENT, token_hash TEXT UNIQUE NOT NULL, "
    "user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE, csrf TEXT NOT NULL, expires INTEGER NOT NULL)";
constexpr const char* kTokensTable =
    "(id INTEGER PRIMARY KEY AUTOINCREMENT, token_hash TEXT UNIQUE NOT NULL, "
    "user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE, created INTEGER NOT NULL)";
constexpr int kSchemaVersion = 1;  // PRAGMA user_version; 0 is the first schema

bool has_table(Poco::Data::Session& db, const std::string& name) {
  int n = 0;
  db << "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?", bind(name), into(n), now;
  return n > 0;
}

// Schema 0 -> 1: the accounts' tables rebuilt with AUTOINCREMENT ids and cascading deletes (SQLite
// cannot alter a key: new table, copy, drop, rename, in one transaction), and the versions get
// the column saying on whose behalf they were sent. Every id, hash and row is kept.
void migrate_to_schema_1(Poco::Data::Session& db) {
  db << "PRAGMA foreign_keys=OFF", now;  // not inside a transaction: SQLite ignores it there
  db.begin();
  try {
    db << std::string("CREATE TABLE users_new") + kUsersTable, now;
    db << "INSERT INTO users_new(id, username, role, ente, salt, iterations, hash) "
          "SELECT id, username, role, ente, salt, iterations, hash FROM users",
        now;
    db << std::string("CREATE TABLE sessions_new") + kSessionsTable, now;
    db << "INSERT INTO sessions_new(token_hash, user_id, csrf, expires) "
          "SELECT token_hash, user_id, csrf, expires FROM sessions WHERE user_id IN (SELECT id FROM users)",
        now;
    db << std::string("CREATE TABLE api_tokens_new") + kTokensTable, now;
    db << "INSERT INTO api_tokens_new(token_hash, user_id, created) "
          "SELECT token_hash, user_id, created FROM api_tokens WHERE user_id IN (SELECT id FROM users) ORDER BY rowid",
        now;
    db << "DROP TABLE sessions", now;
    db << "DROP TABLE api_tokens", now;
    db << "DROP TABLE users", now;
    db << "ALTER TABLE users_new RENAME TO users", now;
    db << "ALTER TABLE sessions_new RENAME TO sessions", now;
    db << "ALTER TABLE api_tokens_new RENAME TO api_tokens", now;
    if (has_table(db, "submissions")) db << "ALTER TABLE submissions ADD COLUMN on_behalf TEXT NOT NULL DEFAULT ''", now;
    db << "PRAGMA user_version=" + std::to_string(kSchemaVersion), now;
    db.commit();
  } catch (...) {
    db.rollback();
    db << "PRAGMA foreign_keys=ON", now;
    throw;
  }
  db << "PRAGMA foreign_keys=ON", now;
}

bool has_column(Poco::Data::Session& db, const std::string& table, const std::string& column) {
  int n = 0;
  db << "SELECT COUNT(*) FROM pragma_table_info(?) WHERE name = ?", bind(table), bind(column), into(n), now;
  return n > 0;
}

// The imported registries, whole: their files are small (about 100 KB) and a campaign may need an
// old one years later. Version 1, the built-in registry, is never stored.
constexpr const char* kRegistryVersionsTable =
    "(version INTEGER PRIMARY KEY CHECK(version >= 2), imported_at INTEGER NOT NULL, imported_by TEXT NOT NULL, "
    "source TEXT NOT NULL, sha256 TEXT NOT NULL, comuni_count INTEGER NOT NULL, ambiti_count INTEGER NOT NULL, "
    "ats_count INTEGER NOT NULL, comuni TEXT NOT NULL, ats TEXT NOT NULL, ambiti TEXT NOT NULL, assignment TEXT NOT NULL)";

// Campaigns opened before registries had versions were opened on the built-in one. Checked by the
// column rather than by the schema number, so that it composes with any other migration.
void add_registry_version_to_campaigns(Poco::Data::Session& db) {
  if (has_table(db, "campaigns") && !has_column(db, "campaigns", "registry_version")) {
    db << "ALTER TABLE campaigns ADD COLUMN registry_version INTEGER NOT NULL DEFAULT " + std::to_string(kBuiltinRegistryVersion), now;
  }
}

// "C3-2024-000123": the receipt's protocol number of the seq-th version of a campaign.
std::string protocol_number(Poco::Int64 campaign, int year, Poco::Int64 seq) {
  std::string digits = std::to_string(seq);
  if (digits.size() < 6) digits.insert(0, 6 - digits.size(), '0');
  return "C" + std::to_string(campaign) + "-" + std::to_string(year) + "-" + digits;
}

// Versions stored before receipts existed get their protocol numbers in id order, each campaign
// counting from 1, in one transaction; like the registry versions, checked by the column.
void add_protocol_numbers(Poco::Data::Session& db) {
  if (!has_table(db, "submissions") || has_column(db, "submissions", "protocol")) return;
  db.begin();
  try {
    db << "ALTER TABLE submissions ADD COLUMN protocol_seq INTEGER NOT NULL DEFAULT 0", now;
    db << "ALTER TABLE submissions ADD COLUMN protocol TEXT NOT NULL DEFAULT ''", now;
    Poco::Data::Statement select(db);
    select << "SELECT s.id, s.campaign, c.year FROM submissions s JOIN campaigns c ON c.id = s.campaign ORDER BY s.id", now;
    Poco::Data::RecordSet rs(select);
    std::map<Poco::Int64, Poco::Int64> last;  // campaign -> its last sequence number
    for (std::size_t row = 0; row < rs.rowCount(); ++row) {
      const Poco::Int64 id = rs.value(0, row).convert<Poco::Int64>(), campaign = rs.value(1, row).convert<Poco::Int64>();
      const Poco::Int64 seq = ++last[campaign];
      std::string protocol = protocol_number(campaign, rs.value(2, row).convert<int>(), seq);
      db << "UPDATE submissions SET protocol_seq = ?, protocol = ? WHERE id = ?", bind(seq), bind(protocol), bind(id), now;
    }
    db.commit();
  } catch (...) {
    db.rollback();
    throw;
  }
}

void add_user_emails(Poco::Data::Session& db) {
  if (has_table(db, "users") && !has_column(db, "users", "email")) db << "ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT ''", now;
}

// The outbox: one row per e-mail, its key unique (a second enqueue of the same key is ignored).
constexpr const char* kOutboxTable =
    "(id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT UNIQUE NOT NULL, recipient TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL, "
    "created INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt INTEGER NOT NULL, sent_at INTEGER NOT NULL DEFAULT 0, "
    "last_error TEXT NOT NULL DEFAULT '', abandoned INTEGER NOT NULL DEFAULT 0)";
constexpr const char* kOutboxColumns = "id, key, recipient, subject, body, created, attempts, next_attempt, sent_at, last_error, abandoned";

OutboxMessage outbox_from(Poco::Data::RecordSet& rs, std::size_t row) {
  OutboxMessage m;
  m.id = rs.value(0, row).convert<Poco::Int64>();
  m.key = rs.value(1, row).convert<std::string>();
  m.recipient = rs.value(2, row).convert<std::string>();
  m.subject = rs.value(3, row).convert<std::string>();
  m.body = rs.value(4, row).convert<std::string>();
  m.created = rs.value(5, row).convert<Poco::Int64>();
  m.attempts = rs.value(6, row).convert<int>();
  m.next_attempt = rs.value(7, row).convert<Poco::Int64>();
  m.sent_at = rs.value(8, row).convert<Poco::Int64>();
  m.last_error = rs.value(9, row).convert<std::string>();
  m.abandoned = rs.value(10, row).convert<int>() != 0;
  return m;
}

// Every regular file under `folder`, as paths relative to it.
std::vector<std::string> files_under(const std::string& folder) {
  std::vector<std::string> out;
  std::error_code error;
  for (std::filesystem::recursive_directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    if (it->is_regular_file()) out.push_back(std::filesystem::relative(it->path(), folder).string());
  }
  return out;
}

// Moves temp_path to target durably: the file fsynced, renamed, its folder fsynced. When the
// target is already there (the same content) the temporary file is dropped.
void place_file(const std::string& temp_path, const std::string& target) {
  const std::string folder = target.substr(0, target.rfind('/'));
  Poco::File(folder).createDirectories();
  fsync_path(temp_path, O_RDONLY);
  if (Poco::File(target).exists()) {
    std::remove(temp_path.c_str());
  } else if (std::rename(temp_path.c_str(), target.c_str()) != 0) {
    throw store_error("impossibile archiviare il file", "cannot store the file");
  }
  fsync_path(folder, O_RDONLY | O_DIRECTORY);
}

}  // namespace

std::string_view to_string(Role role) {
  switch (role) {
    case Role::comune: return "comune";
    case Role::ambito: return "ambito";
    case Role::regione: return "regione";
  }
  return "comune";
}

std::optional<Role> parse_role(std::string_view text) {
  if (text == "comune") return Role::comune;
  if (text == "ambito") return Role::ambito;
  if (text == "regione") return Role::regione;
  return std::nullopt;
}

std::string_view to_string(EnteState state) {
  switch (state) {
    case EnteState::mancante: return "mancante";
    case EnteState::con_errori: return "con errori";
    case EnteState::valido: return "valido";
    case EnteState::in_ritardo: return "in ritardo";
    case EnteState::file_mancante: return "file mancante";
  }
  return "mancante";
}

std::optional<EnteState> parse_ente_state(std::string_view text) {
  for (EnteState state : {EnteState::mancante, EnteState::con_errori, EnteState::valido, EnteState::in_ritardo, EnteState::file_mancante}) {
    const std::string_view name = to_string(state);
    if (text == name) return state;
    // In an address the space is often an underscore: "con_errori".
    if (text.size() == name.size() && std::equal(text.begin(), text.end(), name.begin(), [](char a, char b) { return a == b || (a == '_' && b == ' '); })) {
      return state;
    }
  }
  return std::nullopt;
}

CountingVersion which_counts(const std::vector<Submission>& versions) {
  CountingVersion out;
  const Submission* newest = nullptr;
  for (const Submission& s : versions) {
    if (!newest || s.version > newest->version) newest = &s;
    if (s.valid && (!out.counts || s.version > out.counts->version)) out.counts = &s;
  }
  out.newer_with_errors = out.counts && newest != out.counts;
  return out;
}

std::int64_t version_to_decide(const std::vector<Submission>& versions) {
  if (const CountingVersion counting = which_counts(versions); counting.counts) return counting.counts->id;
  const auto newest = std::max_element(versions.begin(), versions.end(), [](const Submission& a, const Submission& b) { return a.version < b.version; });
  return newest == versions.end() ? 0 : newest->id;
}

std::string_view to_string(ReviewOutcome outcome) {
  switch (outcome) {
    case ReviewOutcome::approvato: return "approvato";
    case ReviewOutcome::rinviato: return "rinviato";
    case ReviewOutcome::riaperto: return "riaperto";
  }
  return "rinviato";
}

std::optional<ReviewOutcome> parse_review_outcome(std::string_view text) {
  for (ReviewOutcome outcome : {ReviewOutcome::approvato, ReviewOutcome::rinviato, ReviewOutcome::riaperto}) {
    if (text == to_string(outcome)) return outcome;
  }
  return std::nullopt;
}

std::string_view to_string(ReviewState state) {
  switch (state) {
    case ReviewState::nessuna: return "";
    case ReviewState::da_rivedere: return "da rivedere";
    case ReviewState::approvato: return "approvato";
    case ReviewState::rinviato: return "da correggere";
  }
  return "";
}

std::optional<ReviewState> parse_review_state(std::string_view text) {
  for (ReviewState state : {ReviewState::da_rivedere, ReviewState::approvato, ReviewState::rinviato}) {
    if (text == to_string(state)) return state;
  }
  return std::nullopt;
}

struct Store::Impl {
  std::string data_dir;
  int password_iterations = Store::kPasswordIterations;
  mutable std::mutex lock;  // one SQLite connection, one writer at a time
  std::unique_ptr<Poco::Data::Session> db;

  template <typename... Args>
  void exec(const std::string& sql, Args&&... args) {
    Poco::Data::Statement statement(*db);
    statement << sql;
    (statement.addBind(std::forward<Args>(args)), ...);
    statement.execute();
  }

  // Runs `work` in one transaction: all of it or, when it throws, none of it.
  template <typename Work>
  void in_transaction(Work&& work) {
    db->begin();
    try {
      work();
      db->commit();
    } catch (...) {
      db->rollback();
      throw;
    }
  }

  // Adds one message to the outbox inside the caller's transaction, unless its key is there
  // already; true when added. Any write of the store that causes a mail calls it in its own
  // transaction, so that the mail and its cause are committed together or not at all.
  bool enqueue(const OutboxMessage& m) {
    exec("INSERT OR IGNORE INTO outbox(key, recipient, subject, body, created, next_attempt) VALUES(?, ?, ?, ?, ?, ?)", bind(m.key),
         bind(m.recipient), bind(m.subject), bind(m.body), bind(static_cast<Poco::Int64>(m.created)),
         bind(static_cast<Poco::Int64>(m.next_attempt ? m.next_attempt : m.created)));
    int added = 0;
    *db << "SELECT changes()", into(added), now;
    return added > 0;
  }

  std::vector<OutboxMessage> select_outbox(const std::string& where_and_order) {
    Poco::Data::Statement select(*db);
    select << std::string("SELECT ") + kOutboxColumns + " FROM outbox " + where_and_order, now;
    Poco::Data::RecordSet rs(select);
    std::vector<OutboxMessage> out;
    for (std::size_t row = 0; row < rs.rowCount(); ++row) out.push_back(outbox_from(rs, row));
    return out;
  }

  // Ends what a user holds open: its sessions and API tokens (a password change, a disabled user).
  void end_sessions_and_tokens(Poco::Int64 id) {
    exec("DELETE FROM sessions WHERE user_id = ?", bind(id));
    exec("DELETE FROM api_tokens WHERE user_id = ?", bind(id));
  }
};

void Store::check_data_dir(const std::string& data_dir) {
  namespace fs = std::filesystem;
  const std::string database = data_dir + kDatabaseFile;
  std::error_code error;
  if (fs::is_directory(database, error)) {
    throw Error(ErrorCode::data_dir_damaged,
                "il database " + database + " è una cartella, non un file: controllare la cartella dei dati (--data-dir)",
                "the database " + database + " is a folder, not a file: check the data folder (--data-dir)");
  }
  const bool exists = fs::exists(database, error);
  const bool empty = !exists || fs::file_size(database, error) == 0;
  if (!empty) return;
  const std::size_t stored = files_under(data_dir + "/files").size();
  if (stored == 0) return;  // a new installation
  const std::string count = std::to_string(stored);
  throw Error(ErrorCode::data_dir_damaged,
              "il database " + database + (exists ? " è vuoto" : " manca") + " ma files/ contiene " + count +
                  (stored == 1 ? " file archiviato" : " file archiviati") +
                  ": ripristinare il database da un backup (README, «Verifica, backup and restore») invece di ripartire da zero",
              "the database " + database + (exists ? " is empty" : " is missing") + " but files/ holds " + count +
                  (stored == 1 ? " stored file" : " stored files") +
                  ": restore the database from a backup (README, «Verifica, backup and restore») instead of starting afresh");
}

Store::Store(const std::string& data_dir, int password_iterations) : impl_(std::make_unique<Impl>()) {
  impl_->data_dir = data_dir;
  impl_->password_iterations = password_iterations;
  check_data_dir(data_dir);
  Poco::File(data_dir + "/files").createDirectories();
  Poco::File(data_dir + "/tmp").createDirectories();
  Poco::Data::SQLite::Connector::registerConnector();
  impl_->db = std::make_unique<Poco::Data::Session>("SQLite", data_dir + kDatabaseFile);
  Poco::Data::Session& db = *impl_->db;
  // WAL with FULL sync: a commit is on disk before the answer leaves; readers do not block it.
  db << "PRAGMA journal_mode=WAL", now;
  db << "PRAGMA synchronous=FULL", now;
  db << "PRAGMA foreign_keys=ON", now;
  int schema = 0;
  db << "PRAGMA user_version", into(schema), now;
  if (schema < 1 && has_table(db, "users")) migrate_to_schema_1(db);
  add_registry_version_to_campaigns(db);
  add_protocol_numbers(db);
  add_user_emails(db);
  db << "CREATE TABLE IF NOT EXISTS campaigns(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, form_id TEXT NOT NULL, "
        "year INTEGER NOT NULL, opens_at INTEGER NOT NULL, deadline INTEGER NOT NULL, late_policy TEXT NOT NULL, "
        "registry_version INTEGER NOT NULL DEFAULT 1)", now;
  db << std::string("CREATE TABLE IF NOT EXISTS registry_versions") + kRegistryVersionsTable, now;
  db << std::string("CREATE TABLE IF NOT EXISTS users") + kUsersTable, now;
  db << std::string("CREATE TABLE IF NOT EXISTS sessions") + kSessionsTable, now;
  db << std::string("CREATE TABLE IF NOT EXISTS api_tokens") + kTokensTable, now;
  db << "CREATE TABLE IF NOT EXISTS submissions(id INTEGER PRIMARY KEY, campaign INTEGER NOT NULL REFERENCES campaigns(id), "
        "ente TEXT NOT NULL, version INTEGER NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL, file_name TEXT NOT NULL, "
        "uploaded_by TEXT NOT NULL, uploaded_at INTEGER NOT NULL, valid INTEGER NOT NULL, late INTEGER NOT NULL, "
        "errors INTEGER NOT NULL, warnings INTEGER NOT NULL, report TEXT NOT NULL, on_behalf TEXT NOT NULL DEFAULT '', "
        "protocol_seq INTEGER NOT NULL DEFAULT 0, protocol TEXT NOT NULL DEFAULT '', UNIQUE(campaign, ente, version))", now;
  db << "CREATE UNIQUE INDEX IF NOT EXISTS submissions_protocol ON submissions(protocol)", now;
  db << std::string("CREATE TABLE IF NOT EXISTS outbox") + kOutboxTable, now;
  db << "CREATE INDEX IF NOT EXISTS outbox_due ON outbox(next_attempt) WHERE sent_at = 0 AND abandoned = 0", now;
  db << "CREATE TABLE IF NOT EXISTS audit(id INTEGER PRIMARY KEY, at INTEGER NOT NULL, user TEXT NOT NULL, action TEXT NOT NULL, "
        "campaign INTEGER, ente TEXT, sha256 TEXT, outcome TEXT NOT NULL, detail TEXT)", now;
  // A new table: a database of an older schema simply gains it.
  db << "CREATE TABLE IF NOT EXISTS reviews(id INTEGER PRIMARY KEY AUTOINCREMENT, campaign INTEGER NOT NULL REFERENCES campaigns(id), "
        "ente TEXT NOT NULL, submission INTEGER NOT NULL REFERENCES submissions(id), newest_seen INTEGER NOT NULL, outcome TEXT NOT NULL, "
        "note TEXT NOT NULL, reviewer TEXT NOT NULL, at INTEGER NOT NULL)", now;
  db << "CREATE INDEX IF NOT EXISTS reviews_of_ente ON reviews(campaign, ente, id)", now;
  if (schema < kSchemaVersion) db << "PRAGMA user_version=" + std::to_string(kSchemaVersion), now;
}

void Store::clear_temp() {
  // Leftovers of uploads, annotated copies and consolidations cut short by a crash are never part
  // of the store; a consolidation leaves a folder of hard links.
  Poco::File tmp(impl_->data_dir + "/tmp");
  std::vector<std::string> names;
  tmp.list(names);
  for (const std::string& name : names) {
    try {
      Poco::File(impl_->data_dir + "/tmp/" + name).remove(true);
    } catch (const Poco::FileException&) {  // start anyway: nothing reads what is left there
    }
  }
}

Store::~Store() = default;

const std::string& Store::data_dir() const { return impl_->data_dir; }

std::int64_t Store::add_campaign(const Campaign& c) {
  std::lock_guard guard(impl_->lock);
  if (c.registry_version != 0 && c.registry_version != kBuiltinRegistryVersion) {
    int known = 0;
    *impl_->db << "SELECT COUNT(*) FROM registry_versions WHERE version = ?", bind(c.registry_version), into(known), now;
    if (!known) {
      throw Error(ErrorCode::not_found, "versione dell'anagrafica sconosciuta: " + std::to_string(c.registry_version),
                  "unknown registry version: " + std::to_string(c.registry_version));
    }
  }
  // The current version is read in the same statement: an import running beside it comes wholly
  // before or wholly after.
  impl_->exec("INSERT INTO campaigns(name, form_id, year, opens_at, deadline, late_policy, registry_version) VALUES(?, ?, ?, ?, ?, ?, "
              "COALESCE(NULLIF(?, 0), (SELECT MAX(version) FROM registry_versions), " + std::to_string(kBuiltinRegistryVersion) + "))",
              bind(c.name), bind(c.form_id), bind(c.year), bind(static_cast<Poco::Int64>(c.opens_at)),
              bind(static_cast<Poco::Int64>(c.deadline)), bind(std::string(c.late == LatePolicy::accept ? "accept" : "refuse")),
              bind(c.registry_version));
  Poco::Int64 id = 0;
  *impl_->db << "SELECT last_insert_rowid()", into(id), now;
  return id;
}

std::vector<Campaign> Store::campaigns() const {
  std::lock_guard guard(impl_->lock);
  Poco::Data::Statement select(*impl_->db);
  select << std::string("SELECT ") + kCampaignColumns + " FROM campaigns ORDER BY id", now;
  Poco::Data::RecordSet rs(select);
  std::vector<Campaign> out;
  for (std::size_t row = 0; row < rs.rowCount(); ++row) out.push_back(campaign_from(rs, row));
  return out;
}

std::optional<Campaign> Store::campaign(std::int64_t id) const {
  std::lock_guard guard(impl_->lock);
  Poco::Data::Statement select(*impl_->db);
  select << std::string("SELECT ") + kCampaignColumns + " FROM campaigns WHERE id = ?", bind(static_cast<Poco::Int64>(id)), now;
  Poco::Data::RecordSet rs(select);
  if (rs.rowCount() != 1) return std::nullopt;
  return campaign_from(rs, 0);
}

std::string registry_files_digest(const registry::RegistryFiles& files) {
  std::string all;
  for (const registry::RegistryFile& file : registry::registry_file_table()) {
    const std::string& text = files.*file.text;
    all += std::string(file.name) + '\n' + std::to_string(text.size()) + '\n' + text;
  }
  return sha256_hex(all);
}

Store::AddedRegistry Store::add_registry_version(const registry::RegistryFiles& files, const RegistryVersion& about) {
  const std::string digest = registry_files_digest(files);
  std::lock_guard guard(impl_->lock);
  AddedRegistry out;
  impl_->in_transaction([&] {
    int current = kBuiltinRegistryVersion;
    std::string current_digest;
    Poco::Data::Statement last(*impl_->db);
    last << "SELECT version, sha256 FROM registry_versions ORDER BY version DESC LIMIT 1", now;
    Poco::Data::RecordSet rs(last);
    if (rs.rowCount() == 1) {
      current = rs.value(0, 0).convert<int>();
      current_digest = rs.value(1, 0).convert<std::string>();
    } else {
      current_digest = registry_files_digest(registry::RegistryFiles::builtin());
    }
    if (digest == current_digest) {
      out = {current, false};
      return;
    }
    out = {current + 1, true};
    impl_->exec("INSERT INTO registry_versions(version, imported_at, imported_by, source, sha256, comuni_count, ambiti_count, ats_count, "
                "comuni, ats, ambiti, assignment) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                bind(out.version), bind(static_cast<Poco::Int64>(about.imported_at)), bind(about.imported_by), bind(about.source),
                bind(digest), bind(about.comuni), bind(about.ambiti), bind(about.ats), bind(files.comuni), bind(files.ats),
                bind(files.ambiti), bind(files.assignment));
  });
  return out;
}

std::vector<RegistryVersion> Store::registry_versions() const {
  std::lock_guard guard(impl_->lock);
  Poco::Data::Statement select(*impl_->db);
  select << "SELECT version, imported_at, imported_by, source, sha256, comuni_count, ambiti_count, ats_count FROM registry_versions "
            "ORDER BY version",
      now;
  Poco::Data::RecordSet rs(select);
  std::vector<RegistryVersion> out;
  for (std::size_t row = 0; row < rs.rowCount(); ++row) {
    RegistryVersion v;
    v.version = rs.value(0, row).convert<int>();
    v.imported_at = rs.value(1, row).convert<Poco::Int64>();
    v.imported_by = rs.value(2, row).convert<std::string>();
    v.source = rs.value(3, row).convert<std::string>();
    v.sha256 = rs.value(4, row).convert<std::string>();
    v.comuni = rs.value(5, row).convert<int>();
    v.ambiti = rs.value(6, row).convert<int>();
    v.ats = rs.value(7, row).convert<int>();
    out.push_back(std::move(v));
  }
  return out;
}

std::optional<registry::RegistryFiles> Store::registry_files(int version) const {
  std::lock_guard guard(impl_->lock);
  Poco::Data::Statement select(*impl_->db);
  select << "SELECT comuni, ats, ambiti, assignment FROM registry_versions WHERE version = ?", bind(version), now;
  Poco::Data::RecordSet rs(select);
  if (rs.rowCount() != 1) return std::nullopt;
  return registry::RegistryFiles{rs.value(0, 0).convert<std::string>(), rs.value(1, 0).convert<std::string>(),
                                 rs.value(2, 0).convert<std::string>(), rs.value(3, 0).convert<std::string>()};
}

int Store::current_registry_version() const {
  std::lock_guard guard(impl_->lock);
  int version = 0;
  *impl_->db << "SELECT COALESCE(MAX(version), " + std::to_string(kBuiltinRegistryVersion) + ") FROM registry_versions", into(version), now;
  return version;
}

std::int64_t Store::add_user(const std::string& username, Role role, const std::string& ente, const std::string& password) {
  const std::string salt = random_hex(16);
  const std::string hash = pbkdf2_hex(password, salt, impl_->password_iterations);
  std::lock_guard guard(impl_->lock);
  impl_->exec("INSERT INTO users(username, role, ente, salt, iterations, hash) VALUES(?, ?, ?, ?, ?, ?)", bind(username),
              bind(std::string(to_string(role))), bind(ente), bind(salt), bind(impl_->password_iterations), bind(hash));
  Poco::Int64 id = 0;
  *impl_->db << "SELECT last_insert_rowid()", into(id), now;
  return id;
}

namespace {
// The id of a user by name, 0 when there is none; called under the store's lock.
Poco::Int64 user_id(Poco::Data::Session& db, const std::string& username) {
  Poco::Int64 id = 0;
  db << "SELECT id FROM users WHERE username = ?", bind(username), into(id), now;
  return id;
}
}  // namespace

void Store::set_password(const std::string& username, const std::string& password) {
  const std::string salt = random_hex(16);
  const std::string hash = pbkdf2_hex(password, salt, impl_->password_iterations);
  std::lock_guard guard(impl_->lock);
  const Poco::Int64 id = user_id(*impl_->db, username);
  if (id == 0) throw unknown_user(username);
  // A new password shuts out whoever held the old one: its sessions end, and its tokens (which the
  // old password may have been used to obtain, or may have leaked with it) are revoked.
  impl_->in_transaction([&] {
    impl_->exec("UPDATE users SET salt = ?, iterations = ?, hash = ? WHERE id = ?", bind(salt), bind(impl_->password_iterations), bind(hash),
                bind(id));
    impl_->end_sessions_and_tokens(id);
  });
}

void Store::disable_user(const std::string& username) {
  std::lock_guard guard(impl_->lock);
  const Poco::Int64 id = user_id(*impl_->db, username);
  if (id == 0) throw unknown_user(username);
  impl_->in_transaction([&] {
    impl_->exec("UPDATE users SET disabled = 1 WHERE id = ?", bind(id));
    impl_->end_sessions_and_tokens(id);
  });
}

void Store::delete_user(const std::string& username) {
  std::lock_guard guard(impl_->lock);
  const Poco::Int64 id = user_id(*impl_->db, username);
  if (id == 0) throw unknown_user(username);
  impl_->exec("DELETE FROM users WHERE id = ?", bind(id));  // its sessions and tokens cascade
}

NewToken Store::issue_token(const std::string& username) {
  const std::string token = random_hex(32);
  std::lock_guard guard(impl_->lock);
  Poco::Data::Session& db = *impl_->db;
  Poco::Int64 id = 0;
  int disabled = 0;
  db << "SELECT id, disabled FROM users WHERE username = ?", bind(username), into(id), into(disabled), now;
  if (id == 0) throw unknown_user(username);
  if (disabled != 0) {
    throw Error(ErrorCode::not_found, "utente disabilitato: " + username + " (nessun token per un utente disabilitato)",
                "user disabled: " + username + " (no token for a disabled user)");
  }
  impl_->exec("INSERT INTO api_tokens(token_hash, user_id, created) VALUES(?, ?, ?)", bind(sha256_hex(token)), bind(id),
              bind(static_cast<Poco::Int64>(unix_now())));
  Poco::Int64 token_id = 0;
  db << "SELECT last_insert_rowid()", into(token_id), now;
  return {token_id, token};
}

std::vector<ApiToken> Store::tokens(const std::string& username) const {
  std::lock_guard guard(impl_->lock);
  Poco::Data::Statement select(*impl_->db);
  select << "SELECT t.id, u.username, t.created FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE ? = '' OR u.username = ? "
            "ORDER BY t.id",
      bind(username), bind(username), now;
  Poco::Data::RecordSet rs(select);
  std::vector<ApiToken> out;
  for (std::size_t row = 0; row < rs.rowCount(); ++row) {
    out.push_back({rs.value(0, row).convert<Poco::Int64>(), rs.value(1, row).convert<std::string>(), rs.value(2, row).convert<Poco::Int64>()});
  }
  return out;
}

void Store::revoke_token(std::int64_t id) {
  std::lock_guard guard(impl_->lock);
  int found = 0;
  *impl_->db << "SELECT COUNT(*) FROM api_tokens WHERE id = ?", bind(static_cast<Poco::Int64>(id)), into(found), now;
  if (found == 0) throw Error(ErrorCode::not_found, "token sconosciuto: " + std::to_string(id), "unknown token: " + std::to_string(id));
  impl_->exec("DELETE FROM api_tokens WHERE id = ?", bind(static_cast<Poco::Int64>(id)));
}

std::vector<User> Store::users() const {
  std::lock_guard guard(impl_->lock);
  Poco::Data::Statement select(*impl_->db);
  select << "SELECT id, username, role, ente, disabled FROM users ORDER BY username", now;
  Poco::Data::RecordSet rs(select);
  std::vector<User> out;
  for (std::size_t row = 0; row < rs.rowCount(); ++row) out.push_back(user_from(rs, row));
  return out;
}

std::optional<User> Store::check_password(const std::string& username, const std::string& password) const {
  std::string salt, hash;
  int iterations = 0;
  std::optional<User> user;
  {
    std::lock_guard guard(impl_->lock);
    Poco::Data::Statement select(*impl_->db);
    select << "SELECT id, username, role, ente, disabled, salt, iterations, hash FROM users WHERE username = ?", bind(username), now;
    Poco::Data::RecordSet rs(select);
    if (rs.rowCount() == 1) {
      user = user_from(rs, 0);
      salt = rs.value(5, 0).convert<std::string>();
      iterations = rs.value(6, 0).convert<int>();
      hash = rs.value(7, 0).convert<std::string>();
    }
  }
  // The slow hash runs outside the lock, and for unknown users too: same time either way.
  const std::string computed = pbkdf2_hex(password, user ? salt : std::string(32, '0'), user ? iterations : impl_->password_iterations);
  if (!user || !constant_time_equal(computed, hash) || user->disabled) return std::nullopt;
  return user;
}

std::pair<std::string, std::string> Store::open_session(const User& user, std::int64_t seconds) {
  const std::string token = random_hex(32), csrf = random_hex(16);
  std::lock_guard guard(impl_->lock);
  const Poco::Int64 expires = unix_now() + seconds;
  impl_->exec("DELETE FROM sessions WHERE expires < ?", bind(static_cast<Poco::Int64>(unix_now())));
  impl_->exec("INSERT INTO sessions(token_hash, user_id, csrf, expires) VALUES(?, ?, ?, ?)", bind(sha256_hex(token)),
              bind(static_cast<Poco::Int64>(user.id)), bind(csrf), bind(expires));
  return {token, csrf};
}

std::optional<std::pair<User, std::string>> Store::session(const std::string& token) const {
  if (token.empty()) return std::nullopt;
  std::lock_guard guard(impl_->lock);
  Poco::Data::Statement select(*impl_->db);
  select << "SELECT u.id, u.username, u.role, u.ente, u.disabled, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id "
            "WHERE s.token_hash = ? AND s.expires >= ? AND u.disabled = 0",
      bind(sha256_hex(token)), bind(static_cast<Poco::Int64>(unix_now())), now;
  Poco::Data::RecordSet rs(select);
  if (rs.rowCount() != 1) return std::nullopt;
  return std::make_pair(user_from(rs, 0), rs.value(5, 0).convert<std::string>());
}

void Store::close_session(const std::string& token) {
  std::lock_guard guard(impl_->lock);
  impl_->exec("DELETE FROM sessions WHERE token_hash = ?", bind(sha256_hex(token)));
}

std::optional<User> Store::token_user(const std::string& token) const {
  if (token.empty()) return std::nullopt;
  std::lock_guard guard(impl_->lock);
  Poco::Data::Statement select(*impl_->db);
  select << "SELECT u.id, u.username, u.role, u.ente, u.disabled FROM api_tokens t JOIN users u ON u.id = t.user_id "
            "WHERE t.token_hash = ? AND u.disabled = 0",
      bind(sha256_hex(token)), now;
  Poco::Data::RecordSet rs(select);
  if (rs.rowCount() != 1) return std::nullopt;
  return user_from(rs, 0);
}

std::string Store::file_path(const std::string& sha256) const {
  return impl_->data_dir + "/files/" + sha256.substr(0, 2) + "/" + sha256 + ".xlsx";
}

namespace {
// The columns of kSubmissionColumns with an empty report: a status of thousands of enti reads
// no validation report.
constexpr const char* kWithoutReport =
    "id, campaign, ente, version, sha256, size, file_name, uploaded_by, uploaded_at, valid, late, errors, warnings, '' AS report, on_behalf, "
    "protocol";

std::vector<Submission> select_submissions(Poco::Data::Session& db, const std::string& where, Poco::Int64 a, const std::string* b,
                                           const char* columns = kSubmissionColumns) {
  Poco::Data::Statement select(db);
  select << std::string("SELECT ") + columns + " FROM submissions " + where;
  if (where.find('?') != std::string::npos) select, bind(a);
  if (b) select, bind(*b);
  // Typed columns: a RecordSet makes a Dynamic::Var of every cell, which was most of the time of
  // a status of all of Italy's 7,900 comuni.
  std::vector<Poco::Int64> id, campaign, size, uploaded_at;
  std::vector<std::string> ente, sha256, file_name, uploaded_by, report, on_behalf, protocol;
  std::vector<int> version, valid, late, errors, warnings;
  select, into(id), into(campaign), into(ente), into(version), into(sha256), into(size), into(file_name), into(uploaded_by),
      into(uploaded_at), into(valid), into(late), into(errors), into(warnings), into(report), into(on_behalf), into(protocol);
  select.execute();
  std::vector<Submission> out(id.size());
  for (std::size_t row = 0; row < out.size(); ++row) {
    Submission& s = out[row];
    s.id = id[row];
    s.campaign = campaign[row];
    s.ente = std::move(ente[row]);
    s.version = version[row];
    s.sha256 = std::move(sha256[row]);
    s.size = static_cast<std::uint64_t>(size[row]);
    s.file_name = std::move(file_name[row]);
    s.uploaded_by = std::move(uploaded_by[row]);
    s.uploaded_at = uploaded_at[row];
    s.valid = valid[row] != 0;
    s.late = late[row] != 0;
    s.errors = errors[row];
    s.warnings = warnings[row];
    s.report_json = std::move(report[row]);
    s.on_behalf = std::move(on_behalf[row]);
    s.protocol = std::move(protocol[row]);
  }
  return out;
}
}  // namespace

namespace {

constexpr const char* kReviewColumns =
    "id, campaign, ente, submission, outcome, note, reviewer, at, newest_seen, "
    "(SELECT version FROM submissions WHERE submissions.id = reviews.submission)";

std::vector<Review> select_reviews(Poco::Data::Session& db, const std::string& where, Poco::Int64 campaign, const std::string* ente) {
  Poco::Data::Statement select(db);
  select << std::string("SELECT ") + kReviewColumns + " FROM reviews " + where, bind(campaign);
  if (ente) select, bind(*ente);
  select.execute();
  Poco::Data::RecordSet rs(select);
  std::vector<Review> out;
  for (std::size_t row = 0; row < rs.rowCount(); ++row) {
    Review r;
    r.id = rs.value(0, row).convert<Poco::Int64>();
    r.campaign = rs.value(1, row).convert<Poco::Int64>();
    r.ente = rs.value(2, row).convert<std::string>();
    r.submission = rs.value(3, row).convert<Poco::Int64>();
    // Only this code writes the column: an unknown word would be a damaged database.
    r.outcome = parse_review_outcome(rs.value(4, row).convert<std::string>()).value_or(ReviewOutcome::rinviato);
    r.note = rs.value(5, row).convert<std::string>();
    r.reviewer = rs.value(6, row).convert<std::string>();
    r.at = rs.value(7, row).convert<Poco::Int64>();
    r.newest_seen = rs.value(8, row).convert<Poco::Int64>();
    r.version = rs.isNull(9, row) ? 0 : rs.value(9, row).convert<int>();
    out.push_back(std::move(r));
  }
  return out;
}

std::optional<Review> last_review_of(Poco::Data::Session& db, std::int64_t campaign, const std::string& ente) {
  auto rows = select_reviews(db, "WHERE campaign = ? AND ente = ? ORDER BY id DESC LIMIT 1", campaign, &ente);
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

}  // namespace

std::variant<Submission, NotStored> Store::add_submission(const Submission& draft, const std::string& temp_path, const MailsFor& mails) {
  // Checked first so that a locked ente's file is not placed for nothing; checked again in the
  // transaction, where it counts (an approval between the two leaves the file unreferenced).
  if (locks(last_review(draft.campaign, draft.ente))) return NotStored::locked;
  // The file first, durable under its final name; only then the row that points at it.
  place_file(temp_path, file_path(draft.sha256));

  std::lock_guard guard(impl_->lock);
  Poco::Data::Session& db = *impl_->db;
  db.begin();
  try {
    if (locks(last_review_of(db, draft.campaign, draft.ente))) {
      db.rollback();
      return NotStored::locked;
    }
    int version = 0;
    std::string last_sha;
    db << "SELECT version, sha256 FROM submissions WHERE campaign = ? AND ente = ? ORDER BY version DESC LIMIT 1",
        bind(static_cast<Poco::Int64>(draft.campaign)), bind(draft.ente), into(version), into(last_sha), now;
    if (last_sha == draft.sha256) {
      db.rollback();
      return NotStored::duplicate;
    }
    Submission s = draft;
    s.version = version + 1;
    // The receipt's number: the campaign's next, in this transaction (commits are serialised).
    Poco::Int64 seq = 0;
    int year = 0;
    db << "SELECT COALESCE(MAX(protocol_seq), 0) + 1 FROM submissions WHERE campaign = ?", bind(static_cast<Poco::Int64>(draft.campaign)),
        into(seq), now;
    db << "SELECT year FROM campaigns WHERE id = ?", bind(static_cast<Poco::Int64>(draft.campaign)), into(year), now;
    s.protocol = protocol_number(draft.campaign, year, seq);
    impl_->exec("INSERT INTO submissions(campaign, ente, version, sha256, size, file_name, uploaded_by, uploaded_at, valid, late, "
                "errors, warnings, report, on_behalf, protocol_seq, protocol) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                bind(static_cast<Poco::Int64>(s.campaign)), bind(s.ente), bind(s.version), bind(s.sha256),
                bind(static_cast<Poco::Int64>(s.size)), bind(s.file_name), bind(s.uploaded_by), bind(static_cast<Poco::Int64>(s.uploaded_at)),
                bind(static_cast<int>(s.valid)), bind(static_cast<int>(s.late)), bind(s.errors), bind(s.warnings), bind(s.report_json), bind(s.on_behalf), bind(seq), bind(s.protocol));
    Poco::Int64 id = 0;
    db << "SELECT last_insert_rowid()", into(id), now;
    s.id = id;
    if (mails) {
      for (const OutboxMessage& m : mails(s)) impl_->enqueue(m);
    }
    impl_->exec("INSERT INTO audit(at, user, action, campaign, ente, sha256, outcome, detail) VALUES(?, ?, 'invio', ?, ?, ?, ?, ?)",
                bind(static_cast<Poco::Int64>(unix_now())), bind(s.uploaded_by), bind(static_cast<Poco::Int64>(s.campaign)), bind(s.ente),
                bind(s.sha256), bind(std::string(s.valid ? "valido" : "con errori")), bind("versione " + std::to_string(s.version)));
    db.commit();
    return s;
  } catch (...) {
    db.rollback();
    throw;
  }
}

std::variant<Review, ReviewRefused> Store::add_review(const Review& draft, std::optional<std::int64_t> after_decision, const ReviewMails& mails) {
  std::lock_guard guard(impl_->lock);
  Poco::Data::Session& db = *impl_->db;
  db.begin();
  try {
    const std::vector<Submission> versions = select_submissions(db, "WHERE campaign = ? AND ente = ?", draft.campaign, &draft.ente, kWithoutReport);
    const std::int64_t counting = version_to_decide(versions);
    const std::optional<Review> last = last_review_of(db, draft.campaign, draft.ente);
    std::optional<ReviewRefused> refused;
    if (after_decision && (last ? last->id : 0) != *after_decision) refused = ReviewRefused::overtaken;
    else if (counting != draft.submission) refused = ReviewRefused::stale;
    else if (draft.outcome == ReviewOutcome::approvato && locks(last)) refused = ReviewRefused::already_approved;
    else if (draft.outcome == ReviewOutcome::riaperto && !locks(last)) refused = ReviewRefused::not_approved;
    if (refused) {
      db.rollback();
      return *refused;
    }
    Review r = draft;
    for (const Submission& v : versions) {
      if (v.id == r.submission) r.version = v.version;
    }
    Poco::Int64 newest = 0;
    db << "SELECT COALESCE(MAX(id), 0) FROM submissions WHERE campaign = ? AND ente = ?", bind(static_cast<Poco::Int64>(draft.campaign)),
        bind(draft.ente), into(newest), now;
    r.newest_seen = newest;
    impl_->exec("INSERT INTO reviews(campaign, ente, submission, newest_seen, outcome, note, reviewer, at) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
                bind(static_cast<Poco::Int64>(r.campaign)), bind(r.ente), bind(static_cast<Poco::Int64>(r.submission)), bind(newest),
                bind(std::string(to_string(r.outcome))), bind(r.note), bind(r.reviewer), bind(static_cast<Poco::Int64>(r.at)));
    Poco::Int64 id = 0;
    db << "SELECT last_insert_rowid()", into(id), now;
    r.id = id;
    if (mails) {
      for (const OutboxMessage& m : mails(r)) impl_->enqueue(m);
    }
    impl_->exec("INSERT INTO audit(at, user, action, campaign, ente, sha256, outcome, detail) VALUES(?, ?, 'revisione', ?, ?, '', ?, ?)",
                bind(static_cast<Poco::Int64>(r.at)), bind(r.reviewer), bind(static_cast<Poco::Int64>(r.campaign)), bind(r.ente),
                bind(std::string(to_string(r.outcome))), bind("invio " + std::to_string(r.submission) + ": " + r.note));
    db.commit();
    return r;
  } catch (...) {
    db.rollback();
    throw;
  }
}

std::optional<Review> Store::last_review(std::int64_t campaign, const std::string& ente) const {
  std::lock_guard guard(impl_->lock);
  return last_review_of(*impl_->db, campaign, ente);
}

std::map<std::string, Review> Store::last_reviews(std::int64_t campaign) const {
  std::lock_guard guard(impl_->lock);
  std::map<std::string, Review> out;
  for (Review& r : select_reviews(*impl_->db, "WHERE campaign = ? ORDER BY id", campaign, nullptr)) out.insert_or_assign(r.ente, std::move(r));
  return out;
}

std::vector<Review> Store::reviews(std::int64_t campaign, const std::string& ente) const {
  std::lock_guard guard(impl_->lock);
  return select_reviews(*impl_->db, "WHERE campaign = ? AND ente = ? ORDER BY id", campaign, &ente);
}


std::optional<Submission> Store::submission(std::int64_t id) const {
  std::lock_guard guard(impl_->lock);
  auto rows = select_submissions(*impl_->db, "WHERE id = ?", id, nullptr);
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

std::vector<Submission> Store::submissions(std::int64_t campaign, const std::string& ente) const {
  std::lock_guard guard(impl_->lock);
  return select_submissions(*impl_->db, "WHERE campaign = ? AND ente = ? ORDER BY version", campaign, &ente);
}

std::optional<Submission> Store::latest(std::int64_t campaign, const std::string& ente) const {
  std::lock_guard guard(impl_->lock);
  auto rows = select_submissions(*impl_->db, "WHERE campaign = ? AND ente = ? ORDER BY version DESC LIMIT 1", campaign, &ente);
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

std::vector<Submission> Store::latest_per_ente(std::int64_t campaign, bool valid_only) const {
  std::lock_guard guard(impl_->lock);
  const std::string filter = valid_only ? " AND valid = 1" : "";
  return select_submissions(*impl_->db,
                            "WHERE id IN (SELECT MAX(id) FROM submissions WHERE campaign = ?" + filter + " GROUP BY ente) ORDER BY ente",
                            campaign, nullptr, kWithoutReport);
}

int Store::count_versions(std::int64_t campaign, const std::string& ente) const {
  std::lock_guard guard(impl_->lock);
  int n = 0;
  *impl_->db << "SELECT COUNT(*) FROM submissions WHERE campaign = ? AND ente = ?", bind(static_cast<Poco::Int64>(campaign)), bind(ente),
      into(n), now;
  return n;
}

void Store::audit(const std::string& user, const std::string& action, std::int64_t campaign, const std::string& ente,
                  const std::string& sha256, const std::string& outcome, const std::string& detail) {
  std::lock_guard guard(impl_->lock);
  impl_->exec("INSERT INTO audit(at, user, action, campaign, ente, sha256, outcome, detail) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
              bind(static_cast<Poco::Int64>(unix_now())), bind(user), bind(action), bind(static_cast<Poco::Int64>(campaign)), bind(ente),
              bind(sha256), bind(outcome), bind(detail));
}

std::int64_t Store::audit_count() const {
  std::lock_guard guard(impl_->lock);
  Poco::Int64 n = 0;
  *impl_->db << "SELECT COUNT(*) FROM audit", into(n), now;
  return n;
}

void Store::restore_file(const std::string& sha256, const std::string& temp_path) { place_file(temp_path, file_path(sha256)); }

namespace {

std::string version_name(const std::string& ente, Poco::Int64 version, Poco::Int64 campaign, Poco::Int64 id, Lang lang) {
  return lang == Lang::it ? "versione " + std::to_string(version) + " di " + ente + " (campagna " + std::to_string(campaign) + ", invio n. " +
                                std::to_string(id) + ")"
                          : "version " + std::to_string(version) + " of " + ente + " (campaign " + std::to_string(campaign) + ", upload no. " +
                                std::to_string(id) + ")";
}

// One stored version as `verifica` and `backup` name it.
struct StoredVersion {
  Poco::Int64 id = 0, campaign = 0, version = 0;
  std::string ente, sha256;
  std::string name(Lang lang) const { return version_name(ente, version, campaign, id, lang); }
};

std::vector<StoredVersion> stored_versions(Poco::Data::Session& db) {
  Poco::Data::Statement select(db);
  select << "SELECT id, campaign, version, ente, sha256 FROM submissions ORDER BY id", now;
  Poco::Data::RecordSet rs(select);
  std::vector<StoredVersion> out;
  for (std::size_t row = 0; row < rs.rowCount(); ++row) {
    out.push_back({rs.value(0, row).convert<Poco::Int64>(), rs.value(1, row).convert<Poco::Int64>(), rs.value(2, row).convert<Poco::Int64>(),
                   rs.value(3, row).convert<std::string>(), rs.value(4, row).convert<std::string>()});
  }
  return out;
}

std::string relative_file(const std::string& sha256) { return sha256.substr(0, 2) + "/" + sha256 + ".xlsx"; }

}  // namespace

std::vector<StoreFinding> Store::verify() const {
  std::vector<StoreFinding> findings;
  std::vector<StoredVersion> versions;
  {
    std::lock_guard guard(impl_->lock);
    Poco::Data::Session& db = *impl_->db;
    Poco::Data::Statement integrity(db);
    integrity << "PRAGMA integrity_check", now;
    Poco::Data::RecordSet checked(integrity);
    for (std::size_t row = 0; row < checked.rowCount(); ++row) {
      const std::string line = checked.value(0, row).convert<std::string>();
      if (line != "ok") findings.push_back({"integrità del database: " + line, "database integrity: " + line});
    }
    Poco::Data::Statement keys(db);
    keys << "PRAGMA foreign_key_check", now;
    Poco::Data::RecordSet broken(keys);
    for (std::size_t row = 0; row < broken.rowCount(); ++row) {
      const std::string table = broken.value(0, row).convert<std::string>(), rowid = broken.value(1, row).convert<std::string>();
      findings.push_back({"riga " + rowid + " della tabella " + table + ": rimanda a un record che non esiste",
                          "row " + rowid + " of table " + table + ": refers to a record that does not exist"});
    }
    versions = stored_versions(db);
  }
  // The files are read outside the lock: hashing them all takes a while and the server goes on.
  std::set<std::string> expected;
  std::map<std::string, bool> checked;  // sha256 -> its file is there with that content
  for (const StoredVersion& v : versions) {
    expected.insert(relative_file(v.sha256));
    auto [at, first] = checked.emplace(v.sha256, false);
    const std::string path = file_path(v.sha256);
    if (first) at->second = std::filesystem::exists(path) && sha256_hex_file(path) == v.sha256;
    if (at->second) continue;
    if (!std::filesystem::exists(path)) {
      findings.push_back({"file mancante per la " + v.name(Lang::it) + ": files/" + relative_file(v.sha256),
                          "missing file for " + v.name(Lang::en) + ": files/" + relative_file(v.sha256)});
    } else {
      findings.push_back({"il file della " + v.name(Lang::it) + " non ha più lo SHA-256 registrato (" + v.sha256 + "): files/" + relative_file(v.sha256),
                          "the file of " + v.name(Lang::en) + " no longer has its recorded SHA-256 (" + v.sha256 + "): files/" +
                              relative_file(v.sha256)});
    }
  }
  for (const std::string& file : files_under(impl_->data_dir + "/files")) {
    if (!expected.count(file)) {
      findings.push_back({"file orfano (nessuna versione lo registra): files/" + file, "orphan file (no version records it): files/" + file});
    }
  }
  return findings;
}

BackupResult Store::backup(const std::string& dir) const {
  namespace fs = std::filesystem;
  std::error_code error;
  if (fs::exists(dir, error) && !fs::is_empty(dir, error)) {
    throw Error(ErrorCode::io, "la cartella del backup non è vuota: " + dir, "the backup folder is not empty: " + dir);
  }
  fs::create_directories(fs::path(dir) / "files");
  fs::create_directories(fs::path(dir) / "tmp");
  const std::string target = dir + kDatabaseFile;
  {
    // SQLite's online backup copies a consistent snapshot page by page while others read and
    // write; the store's lock keeps this connection for the backup alone meanwhile.
    std::lock_guard guard(impl_->lock);
    sqlite3* source = Poco::Data::SQLite::Utility::dbHandle(*impl_->db);
    sqlite3* copy = nullptr;
    if (sqlite3_open_v2(target.c_str(), &copy, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
      sqlite3_close(copy);
      throw store_error("impossibile creare il database del backup: " + target, "cannot create the backup database: " + target);
    }
    sqlite3_backup* job = sqlite3_backup_init(copy, "main", source, "main");
    int rc = job ? SQLITE_OK : sqlite3_errcode(copy);
    while (job && (rc = sqlite3_backup_step(job, -1)) != SQLITE_DONE) {
      if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
      sqlite3_sleep(10);
    }
    if (job) sqlite3_backup_finish(job);
    sqlite3_close(copy);
    if (rc != SQLITE_DONE) {
      throw store_error("backup del database non riuscito: " + std::string(sqlite3_errstr(rc)), "database backup failed: " + std::string(sqlite3_errstr(rc)));
    }
  }
  fsync_path(target, O_RDONLY);
  // The files the snapshot's versions name: each was durable before its row was committed, and
  // a stored file never changes, so a hard link is a copy.
  BackupResult result;
  std::vector<StoredVersion> versions;
  {
    Poco::Data::Session copy("SQLite", target);
    versions = stored_versions(copy);
  }
  std::set<std::string> done;
  for (const StoredVersion& v : versions) {
    if (!done.insert(v.sha256).second) continue;
    const fs::path from = file_path(v.sha256), to = fs::path(dir) / "files" / relative_file(v.sha256);
    if (!fs::exists(from, error)) {
      result.missing.push_back({"file mancante, non copiato, per la " + v.name(Lang::it) + ": files/" + relative_file(v.sha256),
                                "missing file, not copied, for " + v.name(Lang::en) + ": files/" + relative_file(v.sha256)});
      continue;
    }
    fs::create_directories(to.parent_path());
    fs::create_hard_link(from, to, error);
    if (error) {
      fs::copy_file(from, to);  // another file system
      fsync_path(to.string(), O_RDONLY);
    }
    ++result.files;
  }
  for (const std::string& folder : done) {
    const std::string path = dir + "/files/" + folder.substr(0, 2);
    if (fs::exists(path, error)) fsync_path(path, O_RDONLY | O_DIRECTORY);
  }
  fsync_path(dir + "/files", O_RDONLY | O_DIRECTORY);
  fsync_path(dir, O_RDONLY | O_DIRECTORY);
  return result;
}

// ---- e-mail addresses and the outbox ----

void Store::set_email(const std::string& username, const std::string& email) {
  std::lock_guard guard(impl_->lock);
  const Poco::Int64 id = user_id(*impl_->db, username);
  if (id == 0) throw unknown_user(username);
  impl_->exec("UPDATE users SET email = ? WHERE id = ?", bind(email), bind(id));
}

std::string Store::email(const std::string& username) const {
  std::lock_guard guard(impl_->lock);
  std::string address;
  *impl_->db << "SELECT email FROM users WHERE username = ?", bind(username), into(address), now;
  return address;
}

std::map<std::string, std::string> Store::emails() const {
  std::lock_guard guard(impl_->lock);
  Poco::Data::Statement select(*impl_->db);
  select << "SELECT username, email FROM users WHERE email <> ''", now;
  Poco::Data::RecordSet rs(select);
  std::map<std::string, std::string> out;
  for (std::size_t row = 0; row < rs.rowCount(); ++row) out[rs.value(0, row).convert<std::string>()] = rs.value(1, row).convert<std::string>();
  return out;
}

std::map<std::string, std::vector<std::string>> Store::addresses_by_ente() const {
  std::lock_guard guard(impl_->lock);
  Poco::Data::Statement select(*impl_->db);
  select << "SELECT DISTINCT ente, email FROM users WHERE email <> '' AND ente <> '' AND disabled = 0 ORDER BY ente, email", now;
  Poco::Data::RecordSet rs(select);
  std::map<std::string, std::vector<std::string>> out;
  for (std::size_t row = 0; row < rs.rowCount(); ++row) {
    out[rs.value(0, row).convert<std::string>()].push_back(rs.value(1, row).convert<std::string>());
  }
  return out;
}

std::size_t Store::enqueue_mails(const std::vector<OutboxMessage>& messages) {
  std::lock_guard guard(impl_->lock);
  std::size_t added = 0;
  impl_->in_transaction([&] {
    for (const OutboxMessage& m : messages) added += impl_->enqueue(m);
  });
  return added;
}

std::vector<OutboxMessage> Store::due_mail(std::int64_t now_seconds, std::size_t limit) const {
  std::lock_guard guard(impl_->lock);
  return impl_->select_outbox("WHERE sent_at = 0 AND abandoned = 0 AND next_attempt <= " + std::to_string(now_seconds) + " ORDER BY id LIMIT " +
                              std::to_string(limit));
}

void Store::mark_mail_sent(std::int64_t id, std::int64_t at) {
  std::lock_guard guard(impl_->lock);
  impl_->exec("UPDATE outbox SET sent_at = ?, last_error = '' WHERE id = ?", bind(static_cast<Poco::Int64>(at)), bind(static_cast<Poco::Int64>(id)));
}

void Store::mark_mail_failed(std::int64_t id, const std::string& error, std::int64_t now_seconds, const RetryPolicy& policy,
                             MailFailure failure) {
  std::lock_guard guard(impl_->lock);
  int attempts = 0;
  *impl_->db << "SELECT attempts FROM outbox WHERE id = ?", bind(static_cast<Poco::Int64>(id)), into(attempts), now;
  ++attempts;
  const bool abandon = failure == MailFailure::permanent || (failure == MailFailure::transient && attempts >= policy.max_attempts);
  impl_->exec("UPDATE outbox SET attempts = ?, next_attempt = ?, last_error = ?, abandoned = ? WHERE id = ? AND sent_at = 0", bind(attempts),
              bind(static_cast<Poco::Int64>(now_seconds + policy.delay_after(attempts))), bind(error.substr(0, 500)),
              bind(static_cast<int>(abandon)), bind(static_cast<Poco::Int64>(id)));
}

bool Store::retry_mail(std::int64_t id, std::int64_t now_seconds) {
  std::lock_guard guard(impl_->lock);
  impl_->exec("UPDATE outbox SET attempts = 0, abandoned = 0, next_attempt = ? WHERE id = ? AND sent_at = 0",
              bind(static_cast<Poco::Int64>(now_seconds)), bind(static_cast<Poco::Int64>(id)));
  int changed = 0;
  *impl_->db << "SELECT changes()", into(changed), now;
  return changed > 0;
}

std::vector<OutboxMessage> Store::failing_mail(std::size_t limit) const {
  std::lock_guard guard(impl_->lock);
  return impl_->select_outbox("WHERE sent_at = 0 AND (attempts > 0 OR abandoned = 1) ORDER BY id DESC LIMIT " + std::to_string(limit));
}

std::vector<OutboxMessage> Store::outbox() const {
  std::lock_guard guard(impl_->lock);
  return impl_->select_outbox("ORDER BY id");
}

OutboxCounts Store::outbox_counts() const {
  std::lock_guard guard(impl_->lock);
  OutboxCounts c;
  *impl_->db << "SELECT COALESCE(SUM(sent_at = 0 AND abandoned = 0 AND attempts = 0), 0), COALESCE(SUM(sent_at = 0 AND abandoned = 0 AND attempts > 0), 0), "
                "COALESCE(SUM(sent_at <> 0), 0), COALESCE(SUM(sent_at = 0 AND abandoned = 1), 0) FROM outbox",
      into(c.pending), into(c.failing), into(c.sent), into(c.abandoned), now;
  return c;
}

}  // namespace consolida::server
