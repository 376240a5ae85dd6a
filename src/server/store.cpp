#include <Poco/Data/RecordSet.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <mutex>

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

Submission submission_from(Poco::Data::RecordSet& rs, std::size_t row) {
  Submission s;
  s.id = rs.value(0, row).convert<Poco::Int64>();
  s.campaign = rs.value(1, row).convert<Poco::Int64>();
  s.ente = rs.value(2, row).convert<std::string>();
  s.version = rs.value(3, row).convert<int>();
  s.sha256 = rs.value(4, row).convert<std::string>();
  s.size = rs.value(5, row).convert<Poco::UInt64>();
  s.file_name = rs.value(6, row).convert<std::string>();
  s.uploaded_by = rs.value(7, row).convert<std::string>();
  s.uploaded_at = rs.value(8, row).convert<Poco::Int64>();
  s.valid = rs.value(9, row).convert<int>() != 0;
  s.late = rs.value(10, row).convert<int>() != 0;
  s.errors = rs.value(11, row).convert<int>();
  s.warnings = rs.value(12, row).convert<int>();
  s.report_json = rs.value(13, row).convert<std::string>();
  return s;
}

constexpr const char* kSubmissionColumns =
    "id, campaign, ente, version, sha256, size, file_name, uploaded_by, uploaded_at, valid, late, errors, warnings, report";

constexpr const char* kCampaignColumns = "id, name, form_id, year, opens_at, deadline, late_policy";

Campaign campaign_from(Poco::Data::RecordSet& rs, std::size_t row) {
  Campaign c;
  c.id = rs.value(0, row).convert<Poco::Int64>();
  c.name = rs.value(1, row).convert<std::string>();
  c.form_id = rs.value(2, row).convert<std::string>();
  c.year = rs.value(3, row).convert<int>();
  c.opens_at = rs.value(4, row).convert<Poco::Int64>();
  c.deadline = rs.value(5, row).convert<Poco::Int64>();
  c.late = rs.value(6, row).convert<std::string>() == "accept" ? LatePolicy::accept : LatePolicy::refuse;
  return c;
}

User user_from(Poco::Data::RecordSet& rs, std::size_t row) {
  User u;
  u.id = rs.value(0, row).convert<Poco::Int64>();
  u.username = rs.value(1, row).convert<std::string>();
  u.role = parse_role(rs.value(2, row).convert<std::string>()).value_or(Role::comune);
  u.ente = rs.value(3, row).convert<std::string>();
  return u;
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
  }
  return "mancante";
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
};

Store::Store(const std::string& data_dir, int password_iterations) : impl_(std::make_unique<Impl>()) {
  impl_->data_dir = data_dir;
  impl_->password_iterations = password_iterations;
  Poco::File(data_dir + "/files").createDirectories();
  Poco::File(data_dir + "/tmp").createDirectories();
  Poco::Data::SQLite::Connector::registerConnector();
  impl_->db = std::make_unique<Poco::Data::Session>("SQLite", data_dir + "/consolida.sqlite");
  Poco::Data::Session& db = *impl_->db;
  // WAL with FULL sync: a commit is on disk before the answer leaves; readers do not block it.
  db << "PRAGMA journal_mode=WAL", now;
  db << "PRAGMA synchronous=FULL", now;
  db << "PRAGMA foreign_keys=ON", now;
  db << "CREATE TABLE IF NOT EXISTS campaigns(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, form_id TEXT NOT NULL, "
        "year INTEGER NOT NULL, opens_at INTEGER NOT NULL, deadline INTEGER NOT NULL, late_policy TEXT NOT NULL)", now;
  db << "CREATE TABLE IF NOT EXISTS users(id INTEGER PRIMARY KEY, username TEXT UNIQUE NOT NULL, role TEXT NOT NULL, "
        "ente TEXT NOT NULL, salt TEXT NOT NULL, iterations INTEGER NOT NULL, hash TEXT NOT NULL)", now;
  db << "CREATE TABLE IF NOT EXISTS sessions(token_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), "
        "csrf TEXT NOT NULL, expires INTEGER NOT NULL)", now;
  db << "CREATE TABLE IF NOT EXISTS api_tokens(token_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), "
        "created INTEGER NOT NULL)", now;
  db << "CREATE TABLE IF NOT EXISTS submissions(id INTEGER PRIMARY KEY, campaign INTEGER NOT NULL REFERENCES campaigns(id), "
        "ente TEXT NOT NULL, version INTEGER NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL, file_name TEXT NOT NULL, "
        "uploaded_by TEXT NOT NULL, uploaded_at INTEGER NOT NULL, valid INTEGER NOT NULL, late INTEGER NOT NULL, "
        "errors INTEGER NOT NULL, warnings INTEGER NOT NULL, report TEXT NOT NULL, UNIQUE(campaign, ente, version))", now;
  db << "CREATE TABLE IF NOT EXISTS audit(id INTEGER PRIMARY KEY, at INTEGER NOT NULL, user TEXT NOT NULL, action TEXT NOT NULL, "
        "campaign INTEGER, ente TEXT, sha256 TEXT, outcome TEXT NOT NULL, detail TEXT)", now;
  // Leftovers of uploads, annotated copies and consolidations cut short by a crash are never part
  // of the store; a consolidation leaves a folder of hard links.
  Poco::File tmp(data_dir + "/tmp");
  std::vector<std::string> names;
  tmp.list(names);
  for (const std::string& name : names) {
    try {
      Poco::File(data_dir + "/tmp/" + name).remove(true);
    } catch (const Poco::FileException&) {  // start anyway: nothing reads what is left there
    }
  }
}

Store::~Store() = default;

const std::string& Store::data_dir() const { return impl_->data_dir; }

std::int64_t Store::add_campaign(const Campaign& c) {
  std::lock_guard guard(impl_->lock);
  impl_->exec("INSERT INTO campaigns(name, form_id, year, opens_at, deadline, late_policy) VALUES(?, ?, ?, ?, ?, ?)", bind(c.name),
              bind(c.form_id), bind(c.year), bind(static_cast<Poco::Int64>(c.opens_at)), bind(static_cast<Poco::Int64>(c.deadline)),
              bind(std::string(c.late == LatePolicy::accept ? "accept" : "refuse")));
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

void Store::set_password(const std::string& username, const std::string& password) {
  const std::string salt = random_hex(16);
  const std::string hash = pbkdf2_hex(password, salt, impl_->password_iterations);
  std::lock_guard guard(impl_->lock);
  impl_->exec("UPDATE users SET salt = ?, iterations = ?, hash = ? WHERE username = ?", bind(salt), bind(impl_->password_iterations),
              bind(hash), bind(username));
  // Sessions opened with the old password end.
  impl_->exec("DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = ?)", bind(username));
}

std::string Store::add_token(const std::string& username) {
  const std::string token = random_hex(32);
  std::lock_guard guard(impl_->lock);
  Poco::Int64 id = 0;
  *impl_->db << "SELECT id FROM users WHERE username = ?", bind(username), into(id), now;
  if (id == 0) throw Error(ErrorCode::not_found, "utente sconosciuto: " + username, "unknown user: " + username);
  impl_->exec("INSERT INTO api_tokens(token_hash, user_id, created) VALUES(?, ?, ?)", bind(sha256_hex(token)), bind(id),
              bind(static_cast<Poco::Int64>(unix_now())));
  return token;
}

std::vector<User> Store::users() const {
  std::lock_guard guard(impl_->lock);
  Poco::Data::Statement select(*impl_->db);
  select << "SELECT id, username, role, ente FROM users ORDER BY username", now;
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
    select << "SELECT id, username, role, ente, salt, iterations, hash FROM users WHERE username = ?", bind(username), now;
    Poco::Data::RecordSet rs(select);
    if (rs.rowCount() == 1) {
      user = user_from(rs, 0);
      salt = rs.value(4, 0).convert<std::string>();
      iterations = rs.value(5, 0).convert<int>();
      hash = rs.value(6, 0).convert<std::string>();
    }
  }
  // The slow hash runs outside the lock, and for unknown users too: same time either way.
  const std::string computed = pbkdf2_hex(password, user ? salt : std::string(32, '0'), user ? iterations : impl_->password_iterations);
  if (!user || !constant_time_equal(computed, hash)) return std::nullopt;
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
  select << "SELECT u.id, u.username, u.role, u.ente, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id "
            "WHERE s.token_hash = ? AND s.expires >= ?",
      bind(sha256_hex(token)), bind(static_cast<Poco::Int64>(unix_now())), now;
  Poco::Data::RecordSet rs(select);
  if (rs.rowCount() != 1) return std::nullopt;
  return std::make_pair(user_from(rs, 0), rs.value(4, 0).convert<std::string>());
}

void Store::close_session(const std::string& token) {
  std::lock_guard guard(impl_->lock);
  impl_->exec("DELETE FROM sessions WHERE token_hash = ?", bind(sha256_hex(token)));
}

std::optional<User> Store::token_user(const std::string& token) const {
  if (token.empty()) return std::nullopt;
  std::lock_guard guard(impl_->lock);
  Poco::Data::Statement select(*impl_->db);
  select << "SELECT u.id, u.username, u.role, u.ente FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?",
      bind(sha256_hex(token)), now;
  Poco::Data::RecordSet rs(select);
  if (rs.rowCount() != 1) return std::nullopt;
  return user_from(rs, 0);
}

std::string Store::file_path(const std::string& sha256) const {
  return impl_->data_dir + "/files/" + sha256.substr(0, 2) + "/" + sha256 + ".xlsx";
}

std::optional<Submission> Store::add_submission(const Submission& draft, const std::string& temp_path) {
  // The file first, durable under its final name; only then the row that points at it.
  const std::string target = file_path(draft.sha256);
  const std::string folder = target.substr(0, target.rfind('/'));
  Poco::File(folder).createDirectories();
  fsync_path(temp_path, O_RDONLY);
  if (Poco::File(target).exists()) {
    std::remove(temp_path.c_str());  // same content already stored
  } else if (std::rename(temp_path.c_str(), target.c_str()) != 0) {
    throw store_error("impossibile archiviare il file", "cannot store the file");
  }
  fsync_path(folder, O_RDONLY | O_DIRECTORY);

  std::lock_guard guard(impl_->lock);
  Poco::Data::Session& db = *impl_->db;
  db.begin();
  try {
    int version = 0;
    std::string last_sha;
    db << "SELECT version, sha256 FROM submissions WHERE campaign = ? AND ente = ? ORDER BY version DESC LIMIT 1",
        bind(static_cast<Poco::Int64>(draft.campaign)), bind(draft.ente), into(version), into(last_sha), now;
    if (last_sha == draft.sha256) {
      db.rollback();
      return std::nullopt;
    }
    Submission s = draft;
    s.version = version + 1;
    impl_->exec("INSERT INTO submissions(campaign, ente, version, sha256, size, file_name, uploaded_by, uploaded_at, valid, late, "
                "errors, warnings, report) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                bind(static_cast<Poco::Int64>(s.campaign)), bind(s.ente), bind(s.version), bind(s.sha256),
                bind(static_cast<Poco::Int64>(s.size)), bind(s.file_name), bind(s.uploaded_by), bind(static_cast<Poco::Int64>(s.uploaded_at)),
                bind(static_cast<int>(s.valid)), bind(static_cast<int>(s.late)), bind(s.errors), bind(s.warnings), bind(s.report_json));
    Poco::Int64 id = 0;
    db << "SELECT last_insert_rowid()", into(id), now;
    s.id = id;
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

namespace {
std::vector<Submission> select_submissions(Poco::Data::Session& db, const std::string& where, Poco::Int64 a, const std::string* b) {
  Poco::Data::Statement select(db);
  select << std::string("SELECT ") + kSubmissionColumns + " FROM submissions " + where;
  if (where.find('?') != std::string::npos) select, bind(a);
  if (b) select, bind(*b);
  select.execute();
  Poco::Data::RecordSet rs(select);
  std::vector<Submission> out;
  for (std::size_t row = 0; row < rs.rowCount(); ++row) out.push_back(submission_from(rs, row));
  return out;
}
}  // namespace

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
                            campaign, nullptr);
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

}  // namespace consolida::server
