// The upload front end: campaigns with a deadline, accounts of comuni, Ambiti and the Region,
// versioned submissions validated on arrival, status and consolidation for the Region.
//
// Data flows one way: an upload is streamed to a temporary file, validated, stored under its
// SHA-256 (written, fsynced, renamed) and only then recorded in SQLite; the answer comes after
// the commit, so every 2xx names a version that survives a crash.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "consolida/forms.hpp"
#include "consolida/registry.hpp"

namespace consolida::server {

enum class Role { comune, ambito, regione };
std::string_view to_string(Role role);
std::optional<Role> parse_role(std::string_view text);

enum class LatePolicy { refuse, accept };

struct User {
  std::int64_t id = 0;
  std::string username;
  Role role = Role::comune;
  std::string ente;  // ISTAT code (comune), Ambito code (ambito), empty (regione)
  bool disabled = false;  // may not log in; its sessions and tokens are refused
};

// An API token as the administrator sees it: never the token itself, only its hash is kept.
struct ApiToken {
  std::int64_t id = 0;
  std::string username;
  std::int64_t created = 0;  // Unix seconds
};

// A token just made: its secret is shown once.
struct NewToken {
  std::int64_t id = 0;
  std::string secret;
};

struct Campaign {
  std::int64_t id = 0;
  std::string name;
  std::string form_id;
  int year = 0;
  std::int64_t opens_at = 0;  // Unix seconds
  std::int64_t deadline = 0;  // Unix seconds
  LatePolicy late = LatePolicy::refuse;
  // The registry version the campaign was opened with: who it expects, how uploads are checked
  // and consolidated. When adding a campaign, 0 means the current version.
  int registry_version = 0;
};

// The built-in registry (compiled in) is version 1; each `admin anagrafica importa` adds the next.
constexpr int kBuiltinRegistryVersion = 1;

// A version of the registry the server keeps.
struct RegistryVersion {
  int version = 0;
  std::int64_t imported_at = 0;  // Unix seconds; 0 for the built-in one
  std::string imported_by;
  std::string source;  // the folder it was imported from
  std::string sha256;  // of its four files (registry_files_digest)
  int comuni = 0, ambiti = 0, ats = 0;
};

// One SHA-256 over a registry's four files, their names and lengths: equal digests, equal files.
std::string registry_files_digest(const registry::RegistryFiles& files);

// One stored upload of one ente for one campaign.
struct Submission {
  std::int64_t id = 0;
  std::int64_t campaign = 0;
  std::string ente;
  int version = 0;
  std::string sha256;
  std::uint64_t size = 0;
  std::string file_name;  // as uploaded
  std::string uploaded_by;
  // Who the account sent for another ente as ("Ambito MELZO", "Regione"); empty when the ente
  // sent its own file. Kept with the version: the account may change or go later.
  std::string on_behalf;
  std::int64_t uploaded_at = 0;
  bool valid = false;
  bool late = false;
  int errors = 0;
  int warnings = 0;
  std::string report_json;  // the validation report
  // The receipt's protocol number, "C<campaign>-<campaign's year>-<sequence in the campaign, 6
  // digits>" (C3-2024-000123): given in the transaction that stores the version, never reused.
  std::string protocol;

  // "ufficio-melzo (Ambito MELZO)", or the account alone when the ente sent its own file.
  std::string sender() const { return on_behalf.empty() ? uploaded_by : uploaded_by + " (" + on_behalf + ")"; }
};

// Which of an ente's versions counts: the newest valid one, or none. `newer_with_errors` when a
// later version with blocking errors did not replace it (the ente may believe it did).
struct CountingVersion {
  const Submission* counts = nullptr;
  bool newer_with_errors = false;
};
// `versions` in any order.
CountingVersion which_counts(const std::vector<Submission>& versions);
// The version a reviewer decides on: the one that counts, else (none valid) the newest; 0 when
// there is none. `versions` in any order.
std::int64_t version_to_decide(const std::vector<Submission>& versions);

// State of an expected ente in a campaign.
// file_mancante: the version that counts is recorded but its file is gone from the server.
enum class EnteState { mancante, con_errori, valido, in_ritardo, file_mancante };
std::string_view to_string(EnteState state);
// "con errori" or "con_errori"; nullopt for any other word.
std::optional<EnteState> parse_ente_state(std::string_view text);

// A reviewer's decision on the version of an ente that counts: the Ambito reviews its comuni,
// the Region every ente. An approved ente is locked (no uploads) until it is reopened; a
// rinviato ente is asked to correct its file, with the note saying what.
enum class ReviewOutcome { approvato, rinviato, riaperto };
std::string_view to_string(ReviewOutcome outcome);
std::optional<ReviewOutcome> parse_review_outcome(std::string_view text);

struct Review {
  std::int64_t id = 0;
  std::int64_t campaign = 0;
  std::string ente;
  std::int64_t submission = 0;  // the version decided on
  int version = 0;              // its number among the ente's versions (set by the store)
  // The ente's newest version when it was decided (set by the store): one newer than this is the
  // ente's answer to a rinvio, even when the decision was on an older, valid version.
  std::int64_t newest_seen = 0;
  ReviewOutcome outcome = ReviewOutcome::approvato;
  std::string note;
  std::string reviewer;  // the account
  std::int64_t at = 0;   // Unix seconds
};

// Whether the ente's last decision locks it: approved, not reopened since.
inline bool locks(const std::optional<Review>& last) { return last && last->outcome == ReviewOutcome::approvato; }

// Where an ente stands with its reviewer. rinviato holds until the ente sends a new version.
enum class ReviewState { nessuna, da_rivedere, approvato, rinviato };
std::string_view to_string(ReviewState state);
// "da rivedere", "approvato", "da correggere" -> the state; nullopt for anything else.
std::optional<ReviewState> parse_review_state(std::string_view text);

struct EnteStatus {
  std::string ente, name, ambito;
  EnteState state = EnteState::mancante;
  int versions = 0;
  std::optional<Submission> latest;        // the last upload, valid or not
  std::optional<Submission> latest_valid;  // the version that counts
  ReviewState review_state = ReviewState::nessuna;
  std::optional<Review> review;            // the last decision on the ente, whatever its version
};

// Why add_submission recorded nothing.
enum class NotStored {
  duplicate,  // the same bytes as the ente's last version
  locked,     // the ente's version was approved: no new one until it is reopened
};

// Why add_review recorded nothing.
enum class ReviewRefused {
  stale,             // the version that counts is no longer the one decided on
  overtaken,         // another decision came after the one the reviewer saw
  already_approved,  // approving an approved ente
  not_approved,      // reopening an ente that is not approved
};

// What `admin verifica` found wrong, and what `admin backup` could not copy.
struct StoreFinding {
  std::string it, en;
};

struct BackupResult {
  std::size_t files = 0;               // stored files linked or copied
  std::vector<StoreFinding> missing;   // versions whose file was not there to copy
};

// One e-mail of the outbox. It is written in the same transaction as what causes it (a stored
// version, a reminder), and a sender thread hands it to the SMTP server later: a crash loses none.
struct OutboxMessage {
  std::int64_t id = 0;
  // Idempotency key: a second message with a key already in the outbox is not added, and the key
  // travels in the Message-ID (and X-Consolida-Chiave) so that a receiver can tell a duplicate.
  std::string key;
  std::string recipient, subject, body;  // body: plain text, UTF-8
  std::int64_t created = 0;              // Unix seconds
  int attempts = 0;                      // failed attempts so far
  std::int64_t next_attempt = 0;         // not before (Unix seconds)
  std::int64_t sent_at = 0;              // when the SMTP server accepted it; 0: not yet
  std::string last_error;
  bool abandoned = false;                // no more attempts (RetryPolicy::max_attempts failures)
};

// How an attempt to send a message failed: refused by the relay for now (4xx: counted, abandoned
// after RetryPolicy::max_attempts), refused for good (5xx: abandoned at once, retrying cannot
// help), or the relay not reached at all (counted and shown, never a reason to abandon: the outage
// is no fault of the message).
enum class MailFailure { transient, permanent, relay_down };

// pending: never tried yet, or due again; failing: at least one attempt failed, more will follow.
enum class MailState { pending, failing, sent, abandoned };
MailState state_of(const OutboxMessage& message);
std::string_view to_string(MailState state);  // "in attesa", "in errore", "inviato", "abbandonato"

// Growing delays between the attempts of a failing message: first, then twice as long each time
// up to max; after max_attempts refusals for now the message is abandoned (and shown to the Region,
// who may put it back in line).
struct RetryPolicy {
  std::int64_t first_delay_seconds = 60;
  std::int64_t max_delay_seconds = 3600;
  int max_attempts = 20;
  // The wait after the n-th failed attempt (n >= 1).
  std::int64_t delay_after(int failed_attempts) const;
};

// How many messages are in each state, for the Region.
struct OutboxCounts {
  std::int64_t pending = 0, failing = 0, sent = 0, abandoned = 0;
};

// SQLite database and content-addressed files under one data directory. Thread-safe.
class Store {
 public:
  // password_iterations: the PBKDF2 cost of new passwords (each user keeps its own count).
  // Throws Error(data_dir_damaged) when check_data_dir does; migrates a database of an older schema.
  explicit Store(const std::string& data_dir, int password_iterations = kPasswordIterations);
  // Refuses a data directory whose database is a directory, or is empty or missing while files/
  // holds stored files: starting there would be an empty installation beside the data.
  static void check_data_dir(const std::string& data_dir);
#ifdef CONSOLIDA_SANITIZED_BUILD
  // A sanitizer build is never deployed, and under ASan each of OpenSSL's rounds is slow: the
  // CLI's `admin utente` and logins against it (tests/admin_test.cpp) would take minutes.
  static constexpr int kPasswordIterations = 1000;
#else
  static constexpr int kPasswordIterations = 600000;  // PBKDF2-HMAC-SHA256, OWASP's figure
#endif
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::string& data_dir() const;
  // Removes what uploads, annotated copies and consolidations cut short by a crash left in tmp/.
  // Only the server calls it, at start: an admin command runs beside a server that is using tmp/.
  void clear_temp();

  // ---- administration ----
  std::int64_t add_campaign(const Campaign& campaign);
  std::vector<Campaign> campaigns() const;
  std::optional<Campaign> campaign(std::int64_t id) const;
  std::int64_t add_user(const std::string& username, Role role, const std::string& ente, const std::string& password);
  // Also ends the user's sessions and revokes its API tokens. Unknown user: Error(not_found).
  void set_password(const std::string& username, const std::string& password);
  // The user may no longer log in; its sessions and tokens end. Unknown user: Error(not_found).
  void disable_user(const std::string& username);
  // The user goes, with its sessions and tokens; its id is never given again (AUTOINCREMENT).
  // The versions it sent keep its name. Unknown user: Error(not_found).
  void delete_user(const std::string& username);
  // A new API token for the user (shown once; only its hash is kept). Unknown or disabled user:
  // Error(not_found).
  NewToken issue_token(const std::string& username);
  // Every token, or the user's, oldest first.
  std::vector<ApiToken> tokens(const std::string& username = "") const;
  // Unknown id: Error(not_found).
  void revoke_token(std::int64_t id);
  std::vector<User> users() const;

  // ---- registry versions ----
  // Stores checked registry files as the next version (2, 3, ...) and returns its number; files
  // identical to the current version's are not stored again: then `added` is false and the
  // number is the current version's.
  struct AddedRegistry {
    int version = 0;
    bool added = false;
  };
  AddedRegistry add_registry_version(const registry::RegistryFiles& files, const RegistryVersion& about);
  // The imported versions, oldest first (the built-in version 1 is not stored here).
  std::vector<RegistryVersion> registry_versions() const;
  // The files of an imported version; nullopt for the built-in one or an unknown number.
  std::optional<registry::RegistryFiles> registry_files(int version) const;
  // The version new campaigns are opened with: the last imported, else the built-in one.
  int current_registry_version() const;

  // ---- authentication ----
  std::optional<User> check_password(const std::string& username, const std::string& password) const;
  // A new session: {cookie token, CSRF token}; expires after `seconds`.
  std::pair<std::string, std::string> open_session(const User& user, std::int64_t seconds);
  // The session's user and CSRF token, if the token is known and not expired.
  std::optional<std::pair<User, std::string>> session(const std::string& token) const;
  void close_session(const std::string& token);
  std::optional<User> token_user(const std::string& token) const;

  // ---- submissions ----
  // Moves the file at temp_path into the content store (fsync, rename) and records a version.
  // Records nothing if the ente's last version has the same SHA-256 (duplicate) or the ente is
  // approved (locked): checked in the same transaction, so two identical uploads at once (a
  // double click) give one version and no upload slips in after an approval.
  // `mails` (optional) is called inside the same transaction with the stored version (its id and
  // protocol number known): the messages it returns are enqueued with it, or none are.
  using MailsFor = std::function<std::vector<OutboxMessage>(const Submission& stored)>;
  std::variant<Submission, NotStored> add_submission(const Submission& draft, const std::string& temp_path, const MailsFor& mails = {});
  std::optional<Submission> submission(std::int64_t id) const;
  std::optional<Submission> latest(std::int64_t campaign, const std::string& ente) const;
  std::vector<Submission> submissions(std::int64_t campaign, const std::string& ente) const;
  // The latest version of every ente that has uploaded, or the latest valid one, without their
  // validation reports (report_json empty).
  std::vector<Submission> latest_per_ente(std::int64_t campaign, bool valid_only) const;
  int count_versions(std::int64_t campaign, const std::string& ente) const;
  std::string file_path(const std::string& sha256) const;
  // Puts back the missing file of a stored version from the same bytes (at temp_path).
  void restore_file(const std::string& sha256, const std::string& temp_path);

  // ---- reviews ----
  // Records a decision on draft.submission with its audit line, in one transaction, if that is
  // still the version of the ente that counts (the newest valid one, else the newest) and the
  // decision follows the last one: approvato and rinviato on any ente not approved (rinviato
  // also on an approved one, which reopens it), riaperto only on an approved one.
  // `mails` (optional) is called inside the transaction with the stored decision (its id known):
  // the messages it returns are enqueued with it, or none are.
  using ReviewMails = std::function<std::vector<OutboxMessage>(const Review& stored)>;
  // `after_decision`: the id of the last decision the reviewer saw (0: none); when given and
  // another came since (two reviewers on one ente), nothing is recorded (overtaken).
  std::variant<Review, ReviewRefused> add_review(const Review& draft, std::optional<std::int64_t> after_decision = std::nullopt,
                                                 const ReviewMails& mails = {});
  std::optional<Review> last_review(std::int64_t campaign, const std::string& ente) const;
  // The last decision on each ente of the campaign that has one, by ente.
  std::map<std::string, Review> last_reviews(std::int64_t campaign) const;
  // Every decision on the ente, oldest first.
  std::vector<Review> reviews(std::int64_t campaign, const std::string& ente) const;

  // ---- integrity ----
  // Every version has its file with its SHA-256, files/ holds nothing else, SQLite's own
  // integrity and foreign-key checks pass. Empty when all is well.
  std::vector<StoreFinding> verify() const;
  // A consistent copy while the server runs: the database through SQLite's online backup, then
  // the files its versions name (hard links, copies across file systems), into `dir`, which
  // must not exist or be empty. `dir` is then a data directory of its own.
  BackupResult backup(const std::string& dir) const;

  // ---- e-mail addresses and the outbox ----
  // Sets (or, with an empty address, removes) a user's e-mail address. Unknown user: Error(not_found).
  void set_email(const std::string& username, const std::string& email);
  // The user's address, empty when it has none.
  std::string email(const std::string& username) const;
  // Every user's address by user name (users without one are left out).
  std::map<std::string, std::string> emails() const;
  // The addresses of the enabled users of each ente (ISTAT or Ambito code) that have one.
  std::map<std::string, std::vector<std::string>> addresses_by_ente() const;
  // Adds messages in one transaction; those whose key is already there are left out. Returns how
  // many were added. (Inside a transaction of the store itself, Impl::enqueue does the same.)
  std::size_t enqueue_mails(const std::vector<OutboxMessage>& messages);
  // Messages to try now: not sent, not abandoned, next_attempt <= now; oldest first.
  std::vector<OutboxMessage> due_mail(std::int64_t now, std::size_t limit) const;
  // The SMTP server accepted it: never sent again.
  void mark_mail_sent(std::int64_t id, std::int64_t at);
  // An attempt failed: counted, and the next one put off by the policy (or the message abandoned,
  // as MailFailure says).
  void mark_mail_failed(std::int64_t id, const std::string& error, std::int64_t now, const RetryPolicy& policy, MailFailure failure);
  // The Region puts a message not sent back in line: due at `now`, its attempts counted from zero
  // (the last error kept). False when there is no such message or it was sent.
  bool retry_mail(std::int64_t id, std::int64_t now);
  // The messages not sent yet that failed at least once, and the abandoned ones; newest first.
  std::vector<OutboxMessage> failing_mail(std::size_t limit) const;
  std::vector<OutboxMessage> outbox() const;  // every message, oldest first
  OutboxCounts outbox_counts() const;

  void audit(const std::string& user, const std::string& action, std::int64_t campaign, const std::string& ente,
             const std::string& sha256, const std::string& outcome, const std::string& detail);
  std::int64_t audit_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Who runs the site, as every page says it (the header, the footer, the legal pages).
struct SiteInfo {
  std::string administration = "Regione Lombardia";
  // The footer's help desk: a sentence, and an address and a telephone number when given.
  std::string help_text = "Per assistenza sulla compilazione rivolgersi al proprio Ambito territoriale o all'ufficio regionale dei Piani di Zona.";
  std::string help_email;
  std::string help_phone;
  // The pages /privacy and /accessibilita: plain text, paragraphs parted by a blank line, a line
  // starting "## " a heading. Empty: a default text that names the administration.
  std::string privacy_text;
  std::string accessibility_text;
};

// An address a mail can go to: one '@', a local part and a domain with a dot, no spaces, no
// control characters and nothing that would end a header or list another address (<>,;").
bool plausible_email_address(std::string_view address);

// E-mail through an SMTP server (`smtp_*` and `mail_*` keys of the configuration file).
struct MailOptions {
  std::string smtp_host;  // empty: nothing is sent; messages wait in the outbox
  std::uint16_t smtp_port = 25;
  bool starttls = false;  // STARTTLS before logging in (Poco NetSSL); the server's certificate is verified
  std::string ca_file;    // a CA certificate to trust besides the system's (a private relay)
  std::string user, password;  // AUTH LOGIN when user is set
  std::string sender = "consolida@localhost";  // From:
  // The site's address as users reach it (https://...), for the links in the mails.
  std::string site_url;
  RetryPolicy retry;
  // Reminders to every ente still missing or with errors, these many days before the deadline.
  std::vector<int> reminder_days{7, 2, 1};
  // How often the scheduler looks for reminders to send (seconds).
  int reminder_interval_seconds = 300;
  // FOR TESTS ONLY (CONSOLIDA_TEST_CLOCK): the scheduler's clock runs this many seconds ahead.
  std::int64_t scheduler_clock_offset_seconds = 0;
};

struct ServerOptions {
  std::string data_dir = "consolida-dati";
  SiteInfo site;
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port
  std::uint64_t max_upload_bytes = 16u << 20;
  // One thread serves one connection for as long as it is kept alive: more threads than the
  // clients expected at once, else the surplus waits in the queue.
  int threads = 64;
  // Connections waiting for a thread; one more is answered 503 at once rather than left hanging.
  int max_queued = 64;
  // Connections open at once from one client address (queued ones included); more are answered
  // 429; 0: no limit. Offices behind one NAT address may need more, and behind a reverse proxy
  // every client has the proxy's address: there the proxy limits clients (nginx limit_conn).
  int max_connections_per_address = 16;
  // The whole head of a connection's first request must arrive within this time, however it is
  // dripped; a stalled body read gives up after three times as long.
  int header_timeout_seconds = 10;
  // Uploads over 1 MB validated at once: each holds its workbook in memory. 0: one per core.
  int concurrent_validations = 0;
  std::int64_t session_seconds = 8 * 3600;
  // Lower only in tests: under ASan every allocation inside OpenSSL is slow.
  int password_iterations = Store::kPasswordIterations;
  // How long an account or address stays closed after its first throttled failure (later ones
  // double it). Tests raise it, so that a slow machine never reopens it mid-test.
  int login_first_delay_seconds = 1;
  // The session cookie is sent only over HTTPS (`Secure`): on when a TLS proxy stands in front;
  // off by default, for plain http on loopback.
  bool cookie_secure = false;
  // Addresses of the reverse proxies in front (nginx on the same host: 127.0.0.1). Their
  // connections are not capped per address (the proxy caps its own clients), and for requests
  // they pass on the client is the last address of X-Forwarded-For. From any other peer that
  // header is ignored: a client cannot choose the address it is throttled by.
  std::vector<std::string> trusted_proxies;
  MailOptions mail;
};

// Poco HTTP server over a Store. start() returns once listening.
class Server {
 public:
  Server(ServerOptions options, std::vector<forms::FormSpec> forms, const registry::Registry& registry);
  ~Server();
  void start();
  void stop();
  std::uint16_t port() const;
  Store& store();

  struct Impl;  // defined with the request handlers

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace consolida::server
