// The HTTP layer of the upload server: a router that picks a handler per route family, handlers
// that read requests and write answers. What a request means is decided by the Intake
// (server/intake.hpp); this file alone knows HTTP, and turns the Intake's outcomes into statuses.
#include <Poco/BufferedStreamBuf.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPCookie.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/HTTPStream.h>
#include <Poco/Net/MediaType.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/PartHandler.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/TemporaryFile.h>
#include <Poco/String.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include <malloc.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>
#include <thread>

#include "common/numbers.hpp"
#include "common/file_name.hpp"
#include "common/rome_time.hpp"
#include "consolida/consolidate.hpp"
#include "consolida/error.hpp"
#include "consolida/report_json.hpp"
#include "consolida/server.hpp"
#include "consolida/write.hpp"
#include "consolida/xlsx.hpp"
#include "server/admission.hpp"
#include "server/assets.hpp"
#include "server/connections.hpp"
#include "server/crypto.hpp"
#include "server/dashboard.hpp"
#include "server/intake.hpp"
#include "server/mail.hpp"
#include "server/pages.hpp"
#include "server/reminders.hpp"

namespace consolida::server {
namespace {

using Poco::Net::HTTPRequest;
using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

constexpr const char* kSessionCookie = "consolida_sessione";
constexpr const char* kXlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
constexpr const char* kOdsType = "application/vnd.oasis.opendocument.spreadsheet";
// The site's own stylesheet and nothing else; no page of it inside another site's frame.
constexpr const char* kContentSecurityPolicy = "default-src 'self'; style-src 'self'; frame-ancestors 'none'";
// The most bytes of text a client chose that one audit row records.
constexpr std::size_t kAuditedTextBytes = 200;

// The status of each outcome: the only place where they meet. A switch, so that the compiler
// names any kind left without a status.
HTTPResponse::HTTPStatus http_status(OutcomeKind kind) {
  switch (kind) {
    case OutcomeKind::stored: return HTTPResponse::HTTP_CREATED;
    case OutcomeKind::login_required: return HTTPResponse::HTTP_UNAUTHORIZED;
    case OutcomeKind::form_expired: return HTTPResponse::HTTP_FORBIDDEN;
    case OutcomeKind::malformed_request: return HTTPResponse::HTTP_BAD_REQUEST;
    case OutcomeKind::no_file: return HTTPResponse::HTTP_BAD_REQUEST;
    case OutcomeKind::too_large: return HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE;
    case OutcomeKind::not_an_xlsx: return HTTPResponse::HTTP_UNSUPPORTEDMEDIATYPE;
    case OutcomeKind::unreadable: return HTTPResponse::HTTP_UNPROCESSABLE_ENTITY;
    case OutcomeKind::wrong_form: return HTTPResponse::HTTP_UNPROCESSABLE_ENTITY;
    case OutcomeKind::filled_for_another_ente: return HTTPResponse::HTTP_UNPROCESSABLE_ENTITY;
    case OutcomeKind::filled_for_another_year: return HTTPResponse::HTTP_UNPROCESSABLE_ENTITY;
    case OutcomeKind::ente_required: return HTTPResponse::HTTP_BAD_REQUEST;
    case OutcomeKind::ente_not_allowed: return HTTPResponse::HTTP_FORBIDDEN;
    case OutcomeKind::not_open_yet: return HTTPResponse::HTTP_FORBIDDEN;
    case OutcomeKind::deadline_passed: return HTTPResponse::HTTP_FORBIDDEN;
    case OutcomeKind::duplicate: return HTTPResponse::HTTP_CONFLICT;
    case OutcomeKind::ente_locked: return HTTPResponse::HTTP_CONFLICT;
    case OutcomeKind::review_not_allowed: return HTTPResponse::HTTP_FORBIDDEN;
    case OutcomeKind::review_note_required: return HTTPResponse::HTTP_BAD_REQUEST;
    case OutcomeKind::review_stale: return HTTPResponse::HTTP_CONFLICT;
    case OutcomeKind::review_needs_valid: return HTTPResponse::HTTP_CONFLICT;
    case OutcomeKind::review_out_of_order: return HTTPResponse::HTTP_CONFLICT;
    case OutcomeKind::not_visible: return HTTPResponse::HTTP_FORBIDDEN;
    case OutcomeKind::consolidation_not_allowed: return HTTPResponse::HTTP_FORBIDDEN;
    case OutcomeKind::unknown_scope: return HTTPResponse::HTTP_NOT_FOUND;
    case OutcomeKind::form_not_consolidated: return HTTPResponse::HTTP_UNPROCESSABLE_ENTITY;
    case OutcomeKind::not_found: return HTTPResponse::HTTP_NOT_FOUND;
    case OutcomeKind::stored_report_unreadable: return HTTPResponse::HTTP_INTERNAL_SERVER_ERROR;
    case OutcomeKind::file_missing: return HTTPResponse::HTTP_GONE;
    case OutcomeKind::too_many_attempts: return HTTPResponse::HTTP_TOO_MANY_REQUESTS;
    case OutcomeKind::busy: return HTTPResponse::HTTP_SERVICE_UNAVAILABLE;
    case OutcomeKind::internal_error: return HTTPResponse::HTTP_INTERNAL_SERVER_ERROR;
  }
  return HTTPResponse::HTTP_INTERNAL_SERVER_ERROR;
}

const Outcome kNotFound{OutcomeKind::not_found, {"pagina non trovata", "page not found"}};
const Outcome kFormExpired{OutcomeKind::form_expired, {"modulo scaduto o non valido: ricaricare la pagina", "form expired or invalid: reload the page"}};
const Outcome kBusy{OutcomeKind::busy, {"server occupato: riprovare tra qualche secondo", "server busy: try again in a few seconds"}};
const Outcome kInternalError{OutcomeKind::internal_error, {"errore interno del server", "internal server error"}};
const Outcome kMalformedForm{OutcomeKind::malformed_request, {"richiesta non valida: il modulo inviato è incompleto o malformato",
                                                              "bad request: the form sent is incomplete or malformed"}};
const Outcome kIncompleteBody{OutcomeKind::malformed_request, {"richiesta incompleta: il file non è arrivato per intero e non è stato salvato",
                                                               "incomplete request: the file did not arrive whole and was not stored"}};
const Outcome kAmbiguousLength{OutcomeKind::malformed_request, {"richiesta non valida: lunghezza del corpo indicata in modi contrastanti",
                                                                "bad request: conflicting body length headers"}};
const Outcome kOtherSite{OutcomeKind::form_expired, {"accesso rifiutato: il modulo è stato inviato da un altro sito",
                                                     "login refused: the form was sent from another site"}};

// A record id from the path: digits only, no sign or spaces.
std::optional<std::int64_t> parse_id(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty() || text.front() == '-') return std::nullopt;
  return value;
}

struct TooLarge {};
// The connection ended (or the chunked framing broke) before the body did.
struct IncompleteBody {};

// The request body as its framing says, or IncompleteBody when it does not arrive whole: Poco's
// streams end quietly at a body shorter than its Content-Length, at a chunk shorter than its size
// and without the final 0-chunk, and a file cut short must not be stored as sent.
class WholeBodyBuf final : public Poco::BufferedStreamBuf {
 public:
  // At most `limit` bytes are read (TooLarge beyond): a chunked body says no length beforehand.
  WholeBodyBuf(HTTPServerRequest& request, std::uint64_t limit) : Poco::BufferedStreamBuf(1 << 16, std::ios::in), request_(request), limit_(limit) {
    chunked_ = request.getChunkedTransferEncoding();
    if (!chunked_ && request.hasContentLength()) expected_ = static_cast<std::uint64_t>(request.getContentLength64());
    if (chunked_) {
      // Poco's chunked stream cannot tell the last chunk from a closed connection: the raw bytes.
      raw_ = std::make_unique<Poco::Net::HTTPInputStream>(dynamic_cast<Poco::Net::HTTPServerRequestImpl&>(request).session());
    }
  }

 private:
  int readFromDevice(char* buffer, std::streamsize length) override {
    const int got = read_some(buffer, length);
    received_ += static_cast<std::uint64_t>(got);
    if (received_ > limit_) throw TooLarge{};
    return got;
  }

  int read_some(char* buffer, std::streamsize length) {
    if (!chunked_) {
      std::istream& in = request_.stream();
      in.read(buffer, length);
      const auto got = static_cast<std::uint64_t>(in.gcount());
      if (got == 0 && expected_ && received_ < *expected_) throw IncompleteBody{};
      return static_cast<int>(got);
    }
    if (done_) return 0;
    if (chunk_left_ == 0) {
      if (started_) expect_line_end();
      started_ = true;
      chunk_left_ = chunk_size();
      if (chunk_left_ == 0) {
        skip_trailer();
        done_ = true;
        return 0;
      }
    }
    raw_->read(buffer, static_cast<std::streamsize>(std::min<std::uint64_t>(static_cast<std::uint64_t>(length), chunk_left_)));
    const auto got = static_cast<std::uint64_t>(raw_->gcount());
    if (got == 0) throw IncompleteBody{};
    chunk_left_ -= got;
    return static_cast<int>(got);
  }

  // A line of the chunked framing, at most a few KB, without its CRLF.
  std::string line() {
    std::string text;
    for (int c = raw_->get(); c != '\n'; c = raw_->get()) {
      if (c == std::char_traits<char>::eof() || text.size() > 4096) throw IncompleteBody{};
      text += static_cast<char>(c);
    }
    if (!text.empty() && text.back() == '\r') text.pop_back();
    return text;
  }
  void expect_line_end() {
    if (!line().empty()) throw IncompleteBody{};
  }
  std::uint64_t chunk_size() {
    const std::string text = line();
    std::uint64_t size = 0;
    const char* end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, size, 16);
    // Chunk extensions (";name=value") are allowed and ignored.
    if (error != std::errc() || (stop != end && *stop != ';' && *stop != ' ')) throw IncompleteBody{};
    return size;
  }
  void skip_trailer() {
    for (int fields = 0; !line().empty(); ++fields) {
      if (fields > 100) throw IncompleteBody{};
    }
  }

  HTTPServerRequest& request_;
  std::uint64_t limit_;
  bool chunked_ = false;
  std::optional<std::uint64_t> expected_;
  std::uint64_t received_ = 0;
  std::unique_ptr<Poco::Net::HTTPInputStream> raw_;
  bool started_ = false, done_ = false;
  std::uint64_t chunk_left_ = 0;
};

class WholeBody final : public std::istream {
 public:
  WholeBody(HTTPServerRequest& request, std::uint64_t limit) : std::istream(nullptr), buffer_(request, limit) {
    rdbuf(&buffer_);
    // IncompleteBody from the buffer reaches the handler, not a quiet end of the stream.
    exceptions(std::ios::badbit);
  }
  // Reads what is left of the body, so that a body cut short shows even after a complete form.
  void drain() {
    char sink[1 << 16];
    while (read(sink, sizeof sink)) {}
  }
  // After a refusal, the rest of the body up to its limit: a connection closed with bytes unread
  // is reset, and the client loses the answer with it.
  void discard_rest() {
    try {
      clear();
      drain();
    } catch (...) {
      // Cut short or over the limit: nothing more to read.
    }
  }

 private:
  WholeBodyBuf buffer_;
};

constexpr std::uint64_t kLargeUpload = 1u << 20;  // validated under ServerOptions::concurrent_validations

// Streams the uploaded file part to a temporary file, stopping at the size limit.
class UploadPart final : public Poco::Net::PartHandler {
 public:
  UploadPart(std::string path, std::uint64_t limit) : path_(std::move(path)), limit_(limit) {}
  void handlePart(const Poco::Net::MessageHeader& header, std::istream& stream) override {
    std::string disposition;
    Poco::Net::NameValueCollection params;
    Poco::Net::MessageHeader::splitParameters(header.get("Content-Disposition", ""), disposition, params);
    if (params.get("name", "") != "file" || received_) return;
    received_ = true;
    file_name_ = clean_file_name(sent_file_name(header.get("Content-Disposition", ""), params.get("filename", "")));
    save(stream);
  }
  // The filename parameter as sent: old browsers send a Windows path with its backslashes
  // unescaped, which Poco's parser reads as escapes (C:\Users\x -> C:Usersx).
  static std::string sent_file_name(const std::string& disposition, const std::string& parsed) {
    const auto at = disposition.find("filename=\"");
    if (at == std::string::npos) return parsed;
    const auto end = disposition.find('"', at + 10);
    return end == std::string::npos ? parsed : disposition.substr(at + 10, end - at - 10);
  }
  void save(std::istream& stream) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    char buffer[1 << 16];
    while (stream) {
      stream.read(buffer, sizeof buffer);
      const auto got = static_cast<std::uint64_t>(stream.gcount());
      size_ += got;
      if (size_ > limit_) throw TooLarge{};
      out.write(buffer, static_cast<std::streamsize>(got));
    }
    out.flush();
    if (!out) throw Error(ErrorCode::io, "spazio su disco insufficiente per il file", "not enough disk space for the file");
    received_ = true;
  }
  bool received() const { return received_; }
  const std::string& file_name() const { return file_name_; }
  void set_file_name(std::string name) { file_name_ = std::move(name); }
  std::uint64_t size() const { return size_; }

 private:
  std::string path_;
  std::uint64_t limit_;
  bool received_ = false;
  std::string file_name_;
  std::uint64_t size_ = 0;
};

std::string json_text(const Poco::JSON::Object::Ptr& object) {
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(object, out);
  return out.str();
}

}  // namespace

struct Server::Impl {
  ServerOptions options;
  std::vector<forms::FormSpec> forms;
  const registry::Registry& registry;
  Store store;
  Intake intake;
  LoginThrottle logins;
  Gate password_checks;
  BackgroundLane password_lane;
  Gate validations;
  std::unique_ptr<Poco::ThreadPool> pool;
  std::unique_ptr<GuardedHttpServer> http;
  std::unique_ptr<MailService> mail;
  std::uint16_t port = 0;

  Impl(ServerOptions o, std::vector<forms::FormSpec> f, const registry::Registry& r)
      : options(std::move(o)),
        forms(std::move(f)),
        registry(r),
        store(options.data_dir, options.password_iterations),
        intake(store, forms, registry),
        logins(LoginThrottle::Policy{.first_delay = std::chrono::seconds(options.login_first_delay_seconds)}),
        password_checks(1),  // the lane runs them one at a time: a second would only wait there
        validations(options.concurrent_validations > 0 ? options.concurrent_validations
                                                       : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))) {
    store.clear_temp();
    intake.set_site_url(options.mail.site_url);
  }

  // "smtp.example.it:587, STARTTLS": where mail goes, for the Region; empty when it goes nowhere.
  std::string smtp_description() const {
    const MailOptions& m = options.mail;
    if (m.smtp_host.empty()) return "";
    return m.smtp_host + ":" + std::to_string(m.smtp_port) + (m.starttls ? ", STARTTLS" : "") + (m.user.empty() ? "" : ", utente " + m.user);
  }

  // The postman: delivers the outbox and, every reminder interval, enqueues the reminders due by
  // the scheduler's clock (real time, unless a test moved it).
  void start_mail() {
    const MailOptions& m = options.mail;
    if (m.smtp_host.empty()) return;
    auto remind = [this] {
      const std::int64_t now = unix_now(), clock = now + options.mail.scheduler_clock_offset_seconds;
      std::vector<OutboxMessage> reminders = due_reminders(intake, store, options.mail.reminder_days, clock);
      // Due by the scheduler's clock, sent by the real one: a test's clock ahead must not put them off.
      for (OutboxMessage& m : reminders) m.created = m.next_attempt = now;
      store.enqueue_mails(reminders);
    };
    mail = std::make_unique<MailService>(store, std::make_unique<SmtpTransport>(m), m.retry, remind, m.reminder_interval_seconds);
    mail->start();
  }

  std::string temp_dir() const { return store.data_dir() + "/tmp"; }
};

namespace {

// Who is asking: a session (with its CSRF token) or an API token.
struct Caller {
  User user;
  std::string csrf;  // empty for API tokens
};

// What every handler shares: who is asking, answers in HTML (pages) or JSON (API), and any
// failure turned into an answer.
class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  Handler(Server::Impl& server, bool api) : server_(server), api_(api) {}

  void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) final {
    // On every answer, redirects and refusals included: no type sniffing, no framing, and no
    // copy kept by a browser or proxy (the stylesheet alone says otherwise).
    response.set("X-Content-Type-Options", "nosniff");
    response.set("Content-Security-Policy", kContentSecurityPolicy);
    response.set("Cache-Control", "no-store");
    // Poco reads whatever a handler left of a body as the next request on the connection: behind a
    // proxy that shares its connections among clients, one client's body would become another's
    // request. A request with a body ends its connection unless its handler read the body whole
    // (keep_alive_after_body).
    connection_may_stay_ = response.getKeepAlive();  // false already when the connection has served its last request
    if (has_body(request)) response.setKeepAlive(false);
    try {
      answer(request, response);
    } catch (const Error& e) {
      // The message may name paths of the data directory: it goes to the log, not to the client.
      std::cerr << "consolida serve: " << request.getMethod() << " " << request.getURI() << ": " << e.describe(Lang::en) << std::endl;
      refuse(response, kInternalError);
    } catch (const std::exception& e) {
      std::cerr << "consolida serve: " << request.getMethod() << " " << request.getURI() << ": " << e.what() << std::endl;
      refuse(response, kInternalError);
    }
  }

 protected:
  virtual void answer(HTTPServerRequest& request, HTTPServerResponse& response) = 0;

  std::optional<Caller> caller(const HTTPServerRequest& request) const {
    if (request.hasCredentials()) {
      std::string scheme, token;
      request.getCredentials(scheme, token);
      if (scheme == "Bearer") {
        if (auto user = server_.store.token_user(token)) return Caller{*user, ""};
      }
      return std::nullopt;
    }
    Poco::Net::NameValueCollection cookies;
    request.getCookies(cookies);
    if (auto found = server_.store.session(cookies.get(kSessionCookie, ""))) return Caller{found->first, found->second};
    return std::nullopt;
  }

  void refuse(HTTPServerResponse& response, const Outcome& outcome) const {
    if (response.sent()) return;
    const HTTPResponse::HTTPStatus status = http_status(outcome.kind);
    response.setStatusAndReason(status);
    if (api_) {
      Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
      body->set("errore", outcome.message.it);
      body->set("error", outcome.message.en);
      body->set("stato", static_cast<int>(status));
      send_json(response, json_text(body));
    } else {
      send_html(response, pages::message_page(site(), outcome.message.it, outcome.message.en, static_cast<int>(status)));
    }
  }

  static bool has_body(const HTTPServerRequest& request) {
    return request.getChunkedTransferEncoding() || (request.hasContentLength() && request.getContentLength64() > 0);
  }
  // The body was read to its end: the connection may serve the client's next request, if it
  // could before.
  void keep_alive_after_body(const HTTPServerRequest& request, HTTPServerResponse& response) const {
    if (!request.getChunkedTransferEncoding()) response.setKeepAlive(connection_may_stay_);
  }

  static void send_html(HTTPServerResponse& response, const std::string& html) {
    response.setContentType("text/html; charset=utf-8");
    response.setContentLength(static_cast<std::streamsize>(html.size()));
    response.send() << html;
  }

  static void send_json(HTTPServerResponse& response, const std::string& json) {
    response.setContentType("application/json; charset=utf-8");
    response.setContentLength(static_cast<std::streamsize>(json.size()));
    response.send() << json;
  }

  static void send_text(HTTPServerResponse& response, const std::string& type, const std::string& text) {
    response.setContentType(type);
    response.setContentLength(static_cast<std::streamsize>(text.size()));
    response.send() << text;
  }

  static void send_workbook(HTTPServerResponse& response, const std::string& path, const std::string& name, const char* type = kXlsxType) {
    response.set("Content-Disposition", attachment_disposition(clean_file_name(name)));
    response.sendFile(path, type);
  }

  // A stored file as the ente sent it: .xlsx, .xls or .ods, typed by its bytes.
  static void send_stored(HTTPServerResponse& response, const std::string& path, const std::string& name) {
    const char* type = kXlsxType;
    switch (xlsx::sniff_file(path)) {
      case xlsx::FileKind::xls: type = "application/vnd.ms-excel"; break;
      case xlsx::FileKind::ods: type = kOdsType; break;
      case xlsx::FileKind::xlsm: type = "application/vnd.ms-excel.sheet.macroEnabled.12"; break;
      default: break;
    }
    response.set("Content-Disposition", attachment_disposition(clean_file_name(name)));
    response.sendFile(path, type);
  }

  static void redirect(HTTPServerResponse& response, const std::string& to) {
    response.setStatusAndReason(HTTPResponse::HTTP_SEE_OTHER);
    response.set("Location", to);
    response.setContentLength(0);
    response.send();
  }

  // The value of a variant, or nullptr after answering with its refusal.
  template <class T>
  const T* or_refuse(HTTPServerResponse& response, const std::variant<T, Outcome>& result) const {
    if (const Outcome* refusal = std::get_if<Outcome>(&result)) {
      refuse(response, *refusal);
      return nullptr;
    }
    return &std::get<T>(result);
  }
  // The pointer would outlive a temporary: keep the result in a variable first.
  template <class T>
  const T* or_refuse(HTTPServerResponse& response, std::variant<T, Outcome>&& result) const = delete;

  // A small form (login, logout) read whole; false after refusing one that cannot be read (too
  // many fields, a field too long, a broken encoding) with 400, audited.
  bool read_form(HTTPServerRequest& request, HTTPServerResponse& response, Poco::Net::HTMLForm& form, const std::string& action) {
    try {
      form.load(request, request.stream());
      keep_alive_after_body(request, response);
      return true;
    } catch (const Poco::Exception&) {
      audit_and_refuse(response, "", action, 0, "", kMalformedForm);
      return false;
    }
  }

  // The review part of a version's page.
  pages::ReviewView review_view(const Campaign& campaign, const Submission& version, const User& reader) {
    pages::ReviewView review;
    review.history = intake().review_history(campaign, version.ente);
    review.may_review = intake().reviews(campaign, reader, version.ente);
    review.counts = intake().counting_version(campaign, version.ente) == version.id;
    return review;
  }

  // A small body read whole (a JSON request): nullopt when it is longer than `limit`, cut short,
  // or the connection fails; the connection then ends with the answer.
  std::optional<std::string> read_small_body(HTTPServerRequest& request, HTTPServerResponse& response, std::size_t limit) {
    if (request.hasContentLength() && static_cast<std::uint64_t>(request.getContentLength64()) > limit) return std::nullopt;
    std::string out;
    try {
      WholeBody body(request, limit);
      char buffer[4096];
      while (body.read(buffer, sizeof buffer) || body.gcount() > 0) out.append(buffer, static_cast<std::size_t>(body.gcount()));
    } catch (const TooLarge&) {
      return std::nullopt;
    } catch (const IncompleteBody&) {
      return std::nullopt;
    } catch (const Poco::Exception&) {
      return std::nullopt;
    }
    keep_alive_after_body(request, response);
    return out;
  }

  // A refusal recorded in the audit before it is answered; `ente` as the client named it, cut short.
  void audit_and_refuse(HTTPServerResponse& response, const std::string& user, const std::string& action, std::int64_t campaign,
                        const std::string& ente, const Outcome& outcome) {
    server_.store.audit(utf8_prefix(user, kAuditedTextBytes), action, campaign, utf8_prefix(ente, kAuditedTextBytes), "", "rifiutato",
                        outcome.message.it);
    refuse(response, outcome);
  }

  Server::Impl& server_;
  Intake& intake() { return server_.intake; }
  const SiteInfo& site() const { return server_.options.site; }
  const bool api_;
  bool connection_may_stay_ = false;
};

// A handler for signed-in users only: others get 401 (API, forms) or the login page.
class SignedInHandler : public Handler {
 public:
  using Handler::Handler;

 protected:
  virtual void answer_for(HTTPServerRequest& request, HTTPServerResponse& response, const Caller& who) = 0;

 private:
  void answer(HTTPServerRequest& request, HTTPServerResponse& response) final {
    const std::optional<Caller> who = caller(request);
    // A browser session writing through the API shows its CSRF token as a page's form does (the
    // cookie alone rides along on any site's request); API tokens carry none.
    if (who && api_ && request.getMethod() != HTTPRequest::HTTP_GET && !who->csrf.empty() &&
        !constant_time_equal(request.get("X-CSRF-Token", ""), who->csrf)) {
      return audit_and_refuse(response, who->user.username, "api", 0, "", kFormExpired);
    }
    if (who) return answer_for(request, response, *who);
    if (api_ || request.getMethod() != HTTPRequest::HTTP_GET) return refuse(response, {OutcomeKind::login_required, {"accesso richiesto", "login required"}});
    redirect(response, "/");
  }
};

// ---- session: login page, login, logout, the stylesheet ----

// The stylesheet, the fonts and their licence, compiled in (server/assets.hpp).
class AssetHandler final : public Handler {
 public:
  AssetHandler(Server::Impl& server, std::string name) : Handler(server, false), name_(std::move(name)) {}

 private:
  void answer(HTTPServerRequest&, HTTPServerResponse& response) override {
    const assets::Asset* asset = assets::find(name_);
    if (!asset) return refuse(response, kNotFound);
    // The stylesheet is checked again on each visit (it changes with the server); a font never
    // changes under its name.
    response.set("Cache-Control", asset->content_type.starts_with("font/") ? "public, max-age=604800" : "no-cache");
    send_text(response, std::string(asset->content_type), std::string(asset->bytes));
  }

  std::string name_;
};

// The privacy notice and the accessibility statement: public, like the login page.
class LegalPageHandler final : public Handler {
 public:
  LegalPageHandler(Server::Impl& server, pages::LegalPage which) : Handler(server, false), which_(which) {}

 private:
  void answer(HTTPServerRequest&, HTTPServerResponse& response) override { send_html(response, pages::legal_page(site(), which_)); }

  pages::LegalPage which_;
};

class HomeHandler final : public Handler {
 public:
  using Handler::Handler;

 private:
  void answer(HTTPServerRequest& request, HTTPServerResponse& response) override {
    if (!caller(request)) return send_html(response, pages::login_page(site(), ""));
    redirect(response, "/campagne");
  }
};

class LoginHandler final : public Handler {
 public:
  using Handler::Handler;

 private:
  void answer(HTTPServerRequest& request, HTTPServerResponse& response) override {
    // Login CSRF: another site's page could sign the browser in to an account of its choosing.
    // Browsers name the page's origin on a POST; it must be this server as the browser reached it.
    if (request.has("Origin") && !same_site(request.get("Origin"), request.getHost())) {
      server_.store.audit("", "accesso", 0, "", "", "rifiutato", "origine " + utf8_prefix(request.get("Origin"), kAuditedTextBytes));
      response.setStatusAndReason(HTTPResponse::HTTP_FORBIDDEN);
      return send_html(response, pages::login_page(site(), kOtherSite.message.it));
    }
    Poco::Net::HTMLForm form;
    if (!read_form(request, response, form, "accesso")) return;
    Store& store = server_.store;
    const std::string name = form.get("utente", ""), address = client_address(request);
    const std::optional<User> user = throttled_check(name, form.get("password", ""), address, response);
    if (response.sent()) return;
    if (!user) {
      store.audit(recorded_name(name), "accesso", 0, "", "", "rifiutato", "credenziali errate");
      response.setStatusAndReason(HTTPResponse::HTTP_UNAUTHORIZED);
      return send_html(response, pages::login_page(site(), "Nome utente o password errati."));
    }
    const auto [token, csrf] = store.open_session(*user, server_.options.session_seconds);
    Poco::Net::HTTPCookie cookie(kSessionCookie, token);
    cookie.setHttpOnly(true);
    cookie.setSecure(server_.options.cookie_secure);
    cookie.setPath("/");
    cookie.setSameSite(Poco::Net::HTTPCookie::SAME_SITE_STRICT);
    cookie.setMaxAge(static_cast<int>(server_.options.session_seconds));
    response.addCookie(cookie);
    redirect(response, "/campagne");
  }

  // The client's address: the peer, or for a request a trusted proxy passes on, the last address
  // of X-Forwarded-For (the one the proxy itself added).
  std::string client_address(const HTTPServerRequest& request) const {
    const std::string peer = request.clientAddress().host().toString();
    const auto& proxies = server_.options.trusted_proxies;
    if (std::find(proxies.begin(), proxies.end(), peer) == proxies.end() || !request.has("X-Forwarded-For")) return peer;
    const std::string forwarded = request.get("X-Forwarded-For");
    const auto comma = forwarded.rfind(',');
    std::string last = Poco::trim(comma == std::string::npos ? forwarded : forwarded.substr(comma + 1));
    return last.empty() ? peer : utf8_prefix(last, 64);
  }

  // "scheme://host[:port]" against the Host header: the scheme is left out, since behind a TLS
  // proxy the browser says https and the server hears http.
  static bool same_site(const std::string& origin, const std::string& host) {
    const auto scheme_end = origin.find("://");
    if (scheme_end == std::string::npos || host.empty()) return false;
    return Poco::icompare(origin.substr(scheme_end + 3), host) == 0;
  }

  // The password check, unless the account or the address is closed after failures (429) or
  // the password checks are all taken (503): both answered at once, nothing slept.
  std::optional<User> throttled_check(const std::string& name, const std::string& password, const std::string& address,
                                      HTTPServerResponse& response) {
    LoginThrottle& throttle = server_.logins;
    if (const auto wait = throttle.admit(name, address, LoginThrottle::Clock::now())) {
      const long long seconds = wait->count();
      response.set("Retry-After", std::to_string(seconds));
      response.setStatusAndReason(HTTPResponse::HTTP_TOO_MANY_REQUESTS);
      send_html(response, pages::login_page(site(), "Troppi tentativi di accesso: riprovare tra " + std::to_string(seconds) +
                                            (seconds == 1 ? " secondo." : " secondi.")));
      return std::nullopt;
    }
    auto result = LoginThrottle::Result::abandoned;
    struct Finish {
      LoginThrottle& throttle;
      const std::string &name, &address;
      LoginThrottle::Result& result;
      ~Finish() { throttle.finish(name, address, LoginThrottle::Clock::now(), result); }
    } finish{throttle, name, address, result};
    const Gate::Pass hashing = server_.password_checks.enter_within(std::chrono::seconds(2));
    if (!hashing) {
      response.set("Retry-After", "2");
      refuse(response, kBusy);
      return std::nullopt;
    }
    std::optional<User> user = server_.password_lane.run([&] { return server_.store.check_password(name, password); });
    result = user ? LoginThrottle::Result::succeeded : LoginThrottle::Result::failed;
    return user;
  }
};

class LogoutHandler final : public SignedInHandler {
 public:
  using SignedInHandler::SignedInHandler;

 private:
  void answer_for(HTTPServerRequest& request, HTTPServerResponse& response, const Caller& who) override {
    Poco::Net::HTMLForm form;
    if (!read_form(request, response, form, "uscita")) return;
    if (!constant_time_equal(form.get("csrf", ""), who.csrf)) return audit_and_refuse(response, who.user.username, "uscita", 0, "", kFormExpired);
    Poco::Net::NameValueCollection cookies;
    request.getCookies(cookies);
    server_.store.close_session(cookies.get(kSessionCookie, ""));
    Poco::Net::HTTPCookie cookie(kSessionCookie, "");
    cookie.setSecure(server_.options.cookie_secure);
    cookie.setMaxAge(0);
    cookie.setPath("/");
    response.addCookie(cookie);
    redirect(response, "/");
  }
};

// ---- campaigns: the list, a campaign's page and status, its consolidation ----

class CampaignListHandler final : public SignedInHandler {
 public:
  using SignedInHandler::SignedInHandler;

 private:
  void answer_for(HTTPServerRequest&, HTTPServerResponse& response, const Caller& who) override {
    const std::vector<Campaign> list = intake().campaigns(who.user);
    if (!api_) return send_html(response, pages::campaigns_page(site(), who.user, who.csrf, list, unix_now()));
    Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
    Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
    for (const Campaign& c : list) items->add(pages::campaign_json(c));
    body->set("campagne", items);
    send_json(response, json_text(body));
  }
};

class CampaignHandler final : public SignedInHandler {
 public:
  enum class View { page, status_json, status_csv, status_xlsx, consolidated, blank_template };
  CampaignHandler(Server::Impl& server, bool api, std::int64_t id, View view) : SignedInHandler(server, api), id_(id), view_(view) {}

 private:

  void answer_for(HTTPServerRequest& request, HTTPServerResponse& response, const Caller& who) override {
    const auto campaign = intake().campaign(id_, who.user);
    const Campaign* c = or_refuse(response, campaign);
    if (!c) return;
    if (view_ == View::consolidated) return consolidated(request, response, who, *c);
    const std::optional<StatusFilter> filter = status_filter(request);
    if (!filter) {
      return refuse(response, {OutcomeKind::malformed_request,
                               {"filtro non valido: stato (mancante, con errori, valido, in ritardo, file mancante), revisione (da rivedere, "
                                "approvato, da correggere), ats, ambito, cerca, pagina, per_pagina (al massimo 500)",
                                "invalid filter: stato (mancante, con errori, valido, in ritardo, file mancante), revisione (da rivedere, "
                                "approvato, da correggere), ats, ambito, cerca, pagina, per_pagina (at most 500)"}});
    }
    const registry::Registry& registry = intake().registry(*c);
    switch (view_) {
      case View::page: return page(response, who, *c, registry, *filter);
      case View::status_json:
        return send_json(response, json_text(pages::status_json(*c, status_view(intake().status(*c, who.user), registry, *filter), unix_now())));
      case View::status_csv:
        response.set("Content-Disposition", attachment_disposition("stato-campagna-" + std::to_string(c->id) + ".csv"));
        return send_text(response, "text/csv; charset=utf-8", pages::status_csv(filter_status(intake().status(*c, who.user), registry, *filter)));
      case View::status_xlsx: {
        Poco::TemporaryFile out(server_.temp_dir());
        write::write_table(pages::status_table(filter_status(intake().status(*c, who.user), registry, *filter)), "Stato", out.path());
        return send_workbook(response, out.path(), "stato-campagna-" + std::to_string(c->id) + ".xlsx");
      }
      case View::blank_template: {
        Poco::TemporaryFile out(server_.temp_dir());
        const auto written = intake().write_template(*c, out.path());
        if (const std::string* name = or_refuse(response, written)) send_workbook(response, out.path(), *name);
        return;
      }
      case View::consolidated: return;
    }
  }

  // The dashboard: counts and progress, the filter form, a page of 50 enti.
  void page(HTTPServerResponse& response, const Caller& who, const Campaign& c, const registry::Registry& registry, StatusFilter filter) {
    if (filter.per_page == std::numeric_limits<std::size_t>::max()) filter.per_page = 50;
    std::vector<EnteStatus> all = intake().status(c, who.user);
    pages::ListView list;
    if (who.user.role == Role::regione) {
      for (const registry::Ats& ats : registry.ats()) list.ats_choices.emplace_back(ats.code, ats.name);
      for (const registry::Ambito& ambito : registry.ambiti()) {
        if (filter.ats.empty() || ambito.ats == filter.ats) list.ambito_choices.emplace_back(ambito.code, ambito.name);
      }
    }
    // Only an Ambito's upload form lists the enti; the Region types a code, a comune sends its own.
    const bool form_lists_enti = who.user.role != Role::regione;
    list.status = status_view(form_lists_enti ? all : std::move(all), registry, filter);
    list.filter = std::move(filter);
    send_html(response, pages::campaign_page(site(), who.user, who.csrf, c, intake().form_title(c), intake().template_name(c),
                                             form_lists_enti ? all : std::vector<EnteStatus>{}, list, unix_now()));
  }

  // The list's filter from the address; without `pagina` or `per_pagina` every ente is on one page.
  static std::optional<StatusFilter> status_filter(const HTTPServerRequest& request) {
    StatusFilter filter;
    filter.per_page = std::numeric_limits<std::size_t>::max();
    try {
      for (const auto& [key, sent] : Poco::URI(request.getURI()).getQueryParameters()) {
        // Echoed in the page and the exports: text, or the filter is refused.
        const std::optional<std::string> typed = typed_text(sent);
        if (!typed) return std::nullopt;
        const std::string& value = *typed;
        if (key == "stato" && !value.empty()) {
          filter.state = parse_ente_state(value);
          if (!filter.state) return std::nullopt;
        } else if (key == "revisione" && !value.empty()) {
          filter.review = parse_review_state(value);
          if (!filter.review) return std::nullopt;
        } else if (key == "ats") {
          filter.ats = value;
        } else if (key == "ambito") {
          filter.ambito = value;
        } else if (key == "cerca") {
          filter.search = utf8_prefix(value, 100);
        } else if (key == "pagina" || key == "per_pagina") {
          const std::optional<std::size_t> n = parse_integer<std::size_t>(value);
          if (!n || *n == 0 || (key == "per_pagina" && *n > 500)) return std::nullopt;
          (key == "pagina" ? filter.page : filter.per_page) = *n;
          if (key == "pagina" && filter.per_page == std::numeric_limits<std::size_t>::max()) filter.per_page = 50;
        }
      }
    } catch (const Poco::Exception&) {
      return std::nullopt;
    }
    return filter;
  }

  void consolidated(HTTPServerRequest& request, HTTPServerResponse& response, const Caller& who, const Campaign& c) {
    std::string level, scope;
    bool approved_only = false;
    try {
      for (const auto& [key, value] : Poco::URI(request.getURI()).getQueryParameters()) {
        if (key == "livello") level = value;
        if (key == "ambito" || key == "ats") scope = value;
        if (key == "solo_approvati") approved_only = value == "1";
      }
    } catch (const Poco::Exception&) {
      return refuse(response, {OutcomeKind::malformed_request, {"indirizzo non valido: parametri malformati", "bad address: malformed parameters"}});
    }
    Poco::TemporaryFile out(server_.temp_dir());
    const auto written = intake().consolidation(c, who.user, level, scope, out.path(), approved_only);
    if (!or_refuse(response, written)) return;
    send_workbook(response, out.path(), std::string(approved_only ? "consolidato-approvati-" : "consolidato-") + c.form_id + "-" + std::to_string(c.year) + ".xlsx");
  }

  std::int64_t id_;
  View view_;
};

// ---- one ente of a campaign: every version it sent, which counts and why ----

class EnteHandler final : public SignedInHandler {
 public:
  EnteHandler(Server::Impl& server, bool api, std::int64_t campaign, std::string ente)
      : SignedInHandler(server, api), campaign_(campaign), ente_(std::move(ente)) {}

 private:
  void answer_for(HTTPServerRequest&, HTTPServerResponse& response, const Caller& who) override {
    const auto campaign = intake().campaign(campaign_, who.user);
    const Campaign* c = or_refuse(response, campaign);
    if (!c) return;
    const auto history = intake().ente_history(*c, who.user, ente_);
    const EnteHistory* h = or_refuse(response, history);
    if (!h) return;
    if (api_) return send_json(response, json_text(pages::ente_json(*c, *h)));
    send_html(response, pages::ente_page(site(), who.user, who.csrf, *c, *h));
  }

  std::int64_t campaign_;
  std::string ente_;
};

// ---- an upload: multipart from the page or the API, or the whole body from the API ----

class UploadHandler final : public SignedInHandler {
 public:
  UploadHandler(Server::Impl& server, bool api, std::int64_t campaign) : SignedInHandler(server, api), campaign_(campaign) {}

 private:

  void answer_for(HTTPServerRequest& request, HTTPServerResponse& response, const Caller& who) override {
    const auto campaign = intake().campaign(campaign_);
    const Campaign* c = or_refuse(response, campaign);
    if (!c) return;
    Poco::TemporaryFile temp(server_.temp_dir());
    UploadPart part(temp.path(), server_.options.max_upload_bytes);
    Poco::Net::HTMLForm form;
    form.setFieldLimit(20);
    if (const std::optional<Outcome> refusal = read_body(request, response, part, form)) {
      return audit_and_refuse(response, who.user.username, "invio", c->id, form.get("ente", request.get("X-Ente", "")), *refusal);
    }
    if (!api_ && !constant_time_equal(form.get("csrf", ""), who.csrf)) {
      return audit_and_refuse(response, who.user.username, "invio", c->id, form.get("ente", ""), kFormExpired);
    }
    if (!part.received()) {
      return refuse(response, {OutcomeKind::no_file, {"nessun file nella richiesta (campo «file»)", "no file in the request (field «file»)"}});
    }
    Upload upload;
    // An ente code is a few bytes: one longer is refused anyway, and its refusal is audited.
    upload.requested_ente = utf8_prefix(form.get("ente", request.get("X-Ente", "")), kAuditedTextBytes);
    upload.temp_path = temp.path();
    upload.file_name = part.file_name().empty() ? "invio.xlsx" : part.file_name();
    upload.size = part.size();
    upload.now = unix_now();
    // A validation holds its workbook in memory, about as much as the file: large ones a few at a
    // time, the others wait their turn. Small ones go straight (queueing them costs more than it saves).
    std::optional<Gate::Pass> validating;
    if (upload.size > kLargeUpload) {
      validating.emplace(server_.validations.enter_within(std::chrono::seconds(30)));
      if (!*validating) {
        response.set("Retry-After", "10");
        return refuse(response, kBusy);
      }
    }
    const auto received = intake().receive(*c, who.user, upload);
    const Submission* stored = or_refuse(response, received);
    if (!stored) return;
    const auto read = intake().report(*stored);
    const forms::Report* report = or_refuse(response, read);
    if (!report) return;
    response.setStatusAndReason(http_status(OutcomeKind::stored));
    response.set("Location", "/invii/" + std::to_string(stored->id));
    if (api_) return send_json(response, json_text(pages::submission_json(*stored, *report)));
    send_html(response, pages::submission_page(site(), who.user, who.csrf, *c, intake().ente_name(*c, stored->ente), *stored, *report,
                                               review_view(*c, *stored, who.user)));
  }

  // The body into `part` (and `form`), whole; else why not. A body that cannot be read to its
  // end leaves the connection unusable: it is closed after the answer.
  std::optional<Outcome> read_body(HTTPServerRequest& request, HTTPServerResponse& response, UploadPart& part, Poco::Net::HTMLForm& form) {
    const std::uint64_t limit = server_.options.max_upload_bytes;
    const std::string limit_text = std::to_string(limit >> 20) + " MB";
    const Outcome too_large{OutcomeKind::too_large, {"file troppo grande (oltre " + limit_text + ")", "file too large (over " + limit_text + ")"}};
    // Some room over the limit for the multipart headers and the other fields.
    const std::uint64_t body_limit = limit + (64u << 10);
    // Chunks are read from the connection itself, past Poco's buffering: the next request's bytes
    // may be gone with them, so a chunked upload ends its connection.
    if (request.getChunkedTransferEncoding()) response.setKeepAlive(false);
    if (request.hasContentLength() && static_cast<std::uint64_t>(request.getContentLength64()) > body_limit) {
      response.setKeepAlive(false);
      return too_large;
    }
    WholeBody body(request, body_limit);
    Outcome refusal = kMalformedForm;
    try {
      if (request.getContentType().rfind("multipart/form-data", 0) == 0) {
        // Without its boundary Poco guesses one from the body: refused instead.
        if (!Poco::Net::MediaType(request.getContentType()).hasParameter("boundary")) throw Poco::Net::MessageException("no boundary");
        form.load(request, body, part);
      } else if (api_) {
        // The API also takes the workbook as the whole body; its name in X-Nome-File.
        part.set_file_name(clean_file_name(request.get("X-Nome-File", "")));
        part.save(body);
      }
      body.drain();
      keep_alive_after_body(request, response);
      return std::nullopt;
    } catch (const TooLarge&) {
      refusal = too_large;
    } catch (const IncompleteBody&) {
      refusal = kIncompleteBody;
    } catch (const Poco::Exception&) {
      refusal = kMalformedForm;
    }
    response.setKeepAlive(false);
    body.discard_rest();
    return refusal;
  }

  std::int64_t campaign_;
};

// ---- a stored version: its outcome, its file, the annotated copy, its report ----

class SubmissionHandler final : public SignedInHandler {
 public:
  enum class View { outcome, file, annotated, report, receipt, none };
  SubmissionHandler(Server::Impl& server, bool api, std::int64_t id, View view) : SignedInHandler(server, api), id_(id), view_(view) {}

 private:

  void answer_for(HTTPServerRequest&, HTTPServerResponse& response, const Caller& who) override {
    // Visibility first: a path below another ente's version is refused like the version itself.
    const auto visible = intake().submission(id_, who.user);
    const SubmissionView* found = or_refuse(response, visible);
    if (!found) return;
    const Submission& s = found->submission;
    switch (view_) {
      case View::file: {
        const auto path = intake().stored_file(s, who.user);
        if (const std::string* file = or_refuse(response, path)) send_stored(response, *file, s.file_name);
        return;
      }
      case View::annotated: {
        Poco::TemporaryFile out(server_.temp_dir());
        const auto written = intake().write_annotated(found->campaign, s, who.user, out.path());
        if (or_refuse(response, written)) send_workbook(response, out.path(), annotated_copy_name(s.file_name));
        return;
      }
      case View::receipt: {
        const auto receipt = intake().receipt(id_, who.user);
        const Receipt* r = or_refuse(response, receipt);
        if (!r) return;
        if (api_) return send_json(response, json_text(pages::receipt_json(*r)));
        return send_html(response, pages::receipt_page(site(), who.user, who.csrf, *r));
      }
      case View::outcome:
      case View::report: {
        const auto read = intake().report(s);
        const forms::Report* report = or_refuse(response, read);
        if (!report) return;
        if (view_ == View::report) return send_json(response, forms::report_document(*report));
        if (api_) return send_json(response, json_text(pages::submission_json(s, *report)));
        return send_html(response, pages::submission_page(site(), who.user, who.csrf, found->campaign, intake().ente_name(found->campaign, s.ente), s,
                                                          *report, review_view(found->campaign, s, who.user)));
      }
      case View::none: return refuse(response, kNotFound);
    }
  }

  std::int64_t id_;
  View view_;
};

// ---- the outbox, for the Region: what was sent, what keeps failing ----

class OutboxHandler final : public SignedInHandler {
 public:
  using SignedInHandler::SignedInHandler;

 private:
  void answer_for(HTTPServerRequest&, HTTPServerResponse& response, const Caller& who) override {
    // Addresses and subjects of every ente: the Region's alone; others are told there is no such page.
    if (who.user.role != Role::regione) return refuse(response, kNotFound);
    const OutboxCounts counts = server_.store.outbox_counts();
    const std::vector<OutboxMessage> failing = server_.store.failing_mail(500);
    if (api_) return send_json(response, json_text(pages::outbox_json(counts, failing, server_.smtp_description())));
    send_html(response, pages::outbox_page(site(), who.user, who.csrf, counts, failing, server_.smtp_description()));
  }
};

// The Region puts a message not sent back in line (POST /posta/{id}/riprova).
class MailRetryHandler final : public SignedInHandler {
 public:
  MailRetryHandler(Server::Impl& server, bool api, std::int64_t id) : SignedInHandler(server, api), id_(id) {}

 private:
  void answer_for(HTTPServerRequest& request, HTTPServerResponse& response, const Caller& who) override {
    if (who.user.role != Role::regione) return refuse(response, kNotFound);
    if (!api_) {
      Poco::Net::HTMLForm form;
      if (!read_form(request, response, form, "posta")) return;
      if (!constant_time_equal(form.get("csrf", ""), who.csrf)) return audit_and_refuse(response, who.user.username, "posta", 0, "", kFormExpired);
    }
    if (!server_.store.retry_mail(id_, unix_now())) {
      return refuse(response, {OutcomeKind::not_found, {"messaggio non trovato, o già inviato", "no such message, or already sent"}});
    }
    server_.store.audit(who.user.username, "posta", 0, "", "", "rimesso in coda", "messaggio " + std::to_string(id_));
    if (!api_) return redirect(response, "/posta");
    Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
    body->set("id", id_);
    body->set("stato", std::string(to_string(MailState::pending)));
    send_json(response, json_text(body));
  }

  std::int64_t id_;
};

class NotFoundHandler final : public SignedInHandler {
 public:
  using SignedInHandler::SignedInHandler;

 private:
  void answer_for(HTTPServerRequest&, HTTPServerResponse& response, const Caller&) override { refuse(response, kNotFound); }
};

// A request whose body length is stated twice, or in a way this server does not read: a proxy in
// front may have read it otherwise, so what follows on the connection is not to be trusted.
class AmbiguousFramingHandler final : public Handler {
 public:
  using Handler::Handler;

 private:
  void answer(HTTPServerRequest&, HTTPServerResponse& response) override {
    response.setKeepAlive(false);
    refuse(response, kAmbiguousLength);
  }
};

bool ambiguous_framing(const HTTPServerRequest& request) {
  int lengths = 0;
  for (const auto& [name, value] : request) lengths += Poco::icompare(name, "Content-Length") == 0;
  if (lengths > 1) return true;
  if (!request.has("Transfer-Encoding")) return false;
  return lengths > 0 || Poco::icompare(request.get("Transfer-Encoding"), "chunked") != 0;
}

// Picks the handler of a request from its method and path (/api/v1/... for the JSON API).
// A reviewer's decision on a version: a page's form (csrf, esito, nota) or, through the API, the
// JSON {"esito": "approvato"|"rinviato"|"riaperto", "nota": "..."}.
class ReviewHandler final : public SignedInHandler {
 public:
  ReviewHandler(Server::Impl& server, bool api, std::int64_t id) : SignedInHandler(server, api), id_(id) {}

 private:
  static constexpr std::size_t kMaxBody = 16 << 10;

  void answer_for(HTTPServerRequest& request, HTTPServerResponse& response, const Caller& who) override {
    std::string outcome, note;
    std::optional<std::int64_t> after_decision;  // the last decision the reviewer saw, when the request says it
    if (api_) {
      const std::optional<std::string> body = read_small_body(request, response, kMaxBody);
      if (!body) return audit_and_refuse(response, who.user.username, "revisione", 0, "", kMalformedForm);
      try {
        const auto object = Poco::JSON::Parser().parse(*body).extract<Poco::JSON::Object::Ptr>();
        outcome = object->optValue<std::string>("esito", "");
        note = object->optValue<std::string>("nota", "");
        if (object->has("dopo_decisione")) {
          // A decision's id: a whole number, not 1.5 read as 1 nor "1" read as text.
          const Poco::Dynamic::Var seen = object->get("dopo_decisione");
          if (!seen.isInteger() || seen.isBoolean()) return audit_and_refuse(response, who.user.username, "revisione", 0, "", kMalformedForm);
          after_decision = seen.convert<Poco::Int64>();
        }
      } catch (const Poco::Exception&) {
        return audit_and_refuse(response, who.user.username, "revisione", 0, "",
                                {OutcomeKind::malformed_request, {"corpo non valido: atteso JSON con «esito» e «nota»",
                                                                  "invalid body: expected JSON with «esito» and «nota»"}});
      }
    } else {
      Poco::Net::HTMLForm form;
      if (!read_form(request, response, form, "revisione")) return;
      if (!constant_time_equal(form.get("csrf", ""), who.csrf)) return audit_and_refuse(response, who.user.username, "revisione", 0, "", kFormExpired);
      outcome = form.get("esito", "");
      note = form.get("nota", "");
      if (form.has("dopo_decisione")) {
        after_decision = parse_integer<std::int64_t>(form.get("dopo_decisione"));
        if (!after_decision) return audit_and_refuse(response, who.user.username, "revisione", 0, "", kMalformedForm);
      }
    }
    const auto decided = intake().review(id_, who.user, outcome, note, unix_now(), after_decision);
    const Review* review = or_refuse(response, decided);
    if (!review) return;
    if (!api_) return redirect(response, "/invii/" + std::to_string(id_));
    send_json(response, json_text(pages::review_json(*review)));
  }

  std::int64_t id_;
};

class Router final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Router(Server::Impl& server) : server_(server) {}

  Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest& request) override {
    if (ambiguous_framing(request)) return new AmbiguousFramingHandler(server_, request.getURI().rfind("/api/", 0) == 0);
    std::vector<std::string> path;
    try {
      Poco::URI(request.getURI()).getPathSegments(path);
    } catch (const Poco::SyntaxException&) {
      return new NotFoundHandler(server_, false);
    }
    const bool get = request.getMethod() == HTTPRequest::HTTP_GET, post = request.getMethod() == HTTPRequest::HTTP_POST;
    const bool api = !path.empty() && path[0] == "api";
    if (api) {
      if (path.size() < 2 || path[1] != "v1") return new NotFoundHandler(server_, true);
      path.erase(path.begin(), path.begin() + 2);
    } else {
      if (path.empty() && get) return new HomeHandler(server_, false);
      if (is(path, "accesso") && post) return new LoginHandler(server_, false);
      if (is(path, "stile.css") && get) return new AssetHandler(server_, "stile.css");
      if (path.size() >= 2 && path[0] == "risorse" && get) {
        std::string name = path[1];
        for (std::size_t i = 2; i < path.size(); ++i) name += "/" + path[i];
        return new AssetHandler(server_, name);
      }
      if (is(path, "privacy") && get) return new LegalPageHandler(server_, pages::LegalPage::privacy);
      if (is(path, "accessibilita") && get) return new LegalPageHandler(server_, pages::LegalPage::accessibility);
      if (is(path, "uscita") && post) return new LogoutHandler(server_, false);
    }
    if (is(path, "campagne") && get) return new CampaignListHandler(server_, api);
    if (is(path, "posta") && get) return new OutboxHandler(server_, api);
    if (path.size() == 3 && path[0] == "posta" && path[2] == "riprova" && post) {
      return new MailRetryHandler(server_, api, parse_id(path[1]).value_or(0));
    }
    // Ids start at 1: one that is not a number is answered like a missing record.
    if (path.size() >= 2 && path[0] == "campagne") {
      const std::int64_t id = parse_id(path[1]).value_or(0);
      const std::string_view tail = path.size() == 3 ? std::string_view(path[2]) : std::string_view();
      if (path.size() == 2 && get) return new CampaignHandler(server_, api, id, api ? CampaignHandler::View::status_json : CampaignHandler::View::page);
      if (tail == "invii" && post) return new UploadHandler(server_, api, id);
      if (tail == "stato" && get) return new CampaignHandler(server_, api, id, CampaignHandler::View::status_json);
      if (tail == "stato.csv" && get) return new CampaignHandler(server_, api, id, CampaignHandler::View::status_csv);
      if (tail == "stato.xlsx" && get) return new CampaignHandler(server_, api, id, CampaignHandler::View::status_xlsx);
      if (tail == "consolidato" && get) return new CampaignHandler(server_, api, id, CampaignHandler::View::consolidated);
      if (tail == "modello" && get) return new CampaignHandler(server_, api, id, CampaignHandler::View::blank_template);
      if (path.size() == 4 && path[2] == "enti" && get) return new EnteHandler(server_, api, id, path[3]);
    }
    if (path.size() >= 2 && path[0] == "invii") {
      using View = SubmissionHandler::View;
      const std::int64_t id = parse_id(path[1]).value_or(0);
      const std::string_view tail = path.size() == 3 ? std::string_view(path[2]) : std::string_view();
      if (post && tail == "revisione") return new ReviewHandler(server_, api, id);
      View view = View::none;
      if (get && path.size() == 2) view = View::outcome;
      else if (get && tail == "file") view = View::file;
      else if (get && tail == "annotato") view = View::annotated;
      else if (get && tail == "rapporto") view = View::report;
      else if (get && tail == "ricevuta") view = View::receipt;
      return new SubmissionHandler(server_, api, id, view);
    }
    return new NotFoundHandler(server_, api);
  }

 private:
  static bool is(const std::vector<std::string>& path, std::string_view only) { return path.size() == 1 && path[0] == only; }

  Server::Impl& server_;
};

}  // namespace

Server::Server(ServerOptions options, std::vector<forms::FormSpec> forms, const registry::Registry& registry)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(forms), registry)) {}

Server::~Server() { stop(); }

void Server::start() {
  // Buffers of uploads (up to the 16 MB limit, read whole for validation) mapped and unmapped on
  // their own: glibc otherwise raises its mmap threshold after the first such free and keeps the
  // freed buffers in each thread's arena (48 parallel 15 MB uploads peaked at 498 MB, 57 MB so).
  ::mallopt(M_MMAP_THRESHOLD, 256 << 10);
  const ServerOptions& options = impl_->options;
  // A deep backlog: a burst of connections beyond it has its SYNs dropped and retried a second
  // later, for everyone; the filter answers (or refuses) them at once instead.
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress(options.host, options.port), 1024);
  impl_->port = socket.address().port();
  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(options.threads);
  // Poco's per-read timeout: the head has its own deadline (GuardedHttpServer), a body may stall longer.
  params->setTimeout(Poco::Timespan(3 * options.header_timeout_seconds, 0));
  params->setKeepAlive(true);
  // A kept-alive connection holds its thread: idle ones let go soon, busy ones now and then, so
  // that connections waiting in the queue get their turn.
  params->setKeepAliveTimeout(Poco::Timespan(5, 0));
  params->setMaxKeepAliveRequests(100);
  impl_->pool = std::make_unique<Poco::ThreadPool>(2, options.threads);
  const ConnectionLimits limits{options.max_queued, options.max_connections_per_address, std::chrono::seconds(options.header_timeout_seconds),
                                {options.trusted_proxies.begin(), options.trusted_proxies.end()}};
  impl_->http = std::make_unique<GuardedHttpServer>(new Router(*impl_), *impl_->pool, socket, params, limits);
  impl_->http->start();
  impl_->start_mail();
}

void Server::stop() {
  if (impl_ && impl_->mail) {
    impl_->mail->stop();
    impl_->mail.reset();
  }
  if (impl_ && impl_->http) {
    impl_->http->stop_all();
    impl_->http.reset();
    impl_->pool->joinAll();
  }
}

std::uint16_t Server::port() const { return impl_->port; }
Store& Server::store() { return impl_->store; }

}  // namespace consolida::server
