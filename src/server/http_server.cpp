#include <Poco/File.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPCookie.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Net/PartHandler.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <array>
#include <map>
#include <variant>
#include <sstream>

#include "common/rome_time.hpp"
#include "consolida/consolidate.hpp"
#include "consolida/error.hpp"
#include "consolida/server.hpp"
#include "consolida/write.hpp"
#include "consolida/xlsx.hpp"
#include "server/crypto.hpp"
#include "server/pages.hpp"

namespace consolida::server {
namespace {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

constexpr const char* kSessionCookie = "consolida_sessione";
constexpr const char* kXlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A refusal: HTTP status and the message in both languages. Nothing has been stored.
struct Refusal {
  HTTPResponse::HTTPStatus status;
  std::string it, en;
};

struct TooLarge {};

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
    file_name_ = params.get("filename", "");
    save(stream);
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

// Removes a temporary file unless it was moved into the store.
struct TempFile {
  std::string path;
  ~TempFile() {
    if (!path.empty()) std::remove(path.c_str());
  }
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
  std::unique_ptr<Poco::ThreadPool> pool;
  std::unique_ptr<Poco::Net::HTTPServer> http;
  std::uint16_t port = 0;

  Impl(ServerOptions o, std::vector<forms::FormSpec> f, const registry::Registry& r)
      : options(std::move(o)), forms(std::move(f)), registry(r), store(options.data_dir, options.password_iterations) {}

  Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&);

  const forms::FormSpec* form(const std::string& id) const {
    for (const auto& f : forms) {
      if (f.id == id) return &f;
    }
    return nullptr;
  }
  bool comune_form(const Campaign& c) const {
    const forms::FormSpec* f = form(c.form_id);
    return f && f->consolidation.ente == forms::ConsolidationSpec::Ente::comune;
  }

  // ---- who may see and send what ----
  // The enti a campaign expects, with name and Ambito code, restricted to what the user sees.
  std::vector<std::array<std::string, 3>> visible_enti(const Campaign& c, const User& user) const {
    std::vector<std::array<std::string, 3>> out;
    const auto& ambiti = registry.ambiti();
    if (comune_form(c)) {
      for (const registry::Comune& comune : registry.comuni()) {
        const std::string& ambito = ambiti[comune.ambito].code;
        if (user.role == Role::regione || (user.role == Role::ambito && ambito == user.ente) ||
            (user.role == Role::comune && comune.istat == user.ente)) {
          out.push_back({comune.istat, comune.name, ambito});
        }
      }
    } else {
      for (const registry::Ambito& ambito : ambiti) {
        if (user.role == Role::regione || (user.role == Role::ambito && ambito.code == user.ente)) out.push_back({ambito.code, ambito.name, ambito.code});
      }
    }
    return out;
  }
  bool may_see(const Campaign& c, const User& user, const std::string& ente) const {
    for (const auto& e : visible_enti(c, user)) {
      if (e[0] == ente) return true;
    }
    return false;
  }
  // The ente the user sends for; `requested` is the form field, for the Region and Ambiti.
  std::variant<std::string, Refusal> sending_ente(const Campaign& c, const User& user, const std::string& requested) const {
    std::string ente = requested.empty() ? user.ente : requested;
    if (user.role == Role::comune && ente != user.ente) {
      return Refusal{HTTPResponse::HTTP_FORBIDDEN, "un Comune può inviare solo i propri file", "a comune can only send its own files"};
    }
    if (user.role == Role::regione && requested.empty()) {
      return Refusal{HTTPResponse::HTTP_BAD_REQUEST, "indicare l'ente per cui si invia (campo «ente»)", "name the ente you send for (field «ente»)"};
    }
    if (!may_see(c, user, ente)) {
      return Refusal{HTTPResponse::HTTP_FORBIDDEN, "l'ente «" + ente + "» non è tra quelli che questo utente può inviare per questa campagna",
                     "ente «" + ente + "» is not one this user may send for in this campaign"};
    }
    return ente;
  }

  // The ente a validated instance declares (ISTAT code or Ambito), if it names a known one.
  std::optional<std::string> declared_ente(const forms::FormSpec& f, const forms::FormInstance& instance) const {
    const auto it = instance.fields.find(f.consolidation.identity_field);
    if (it == instance.fields.end() || !it->second.found) return std::nullopt;
    const std::string identity = it->second.cell.written();
    if (f.consolidation.ente == forms::ConsolidationSpec::Ente::comune) {
      if (const registry::Comune* comune = registry.comune_by_istat(identity)) return comune->istat;
    } else if (const registry::Ambito* ambito = registry.find_ambito(identity)) {
      return ambito->code;
    }
    return std::nullopt;
  }

  // ---- the upload itself ----
  // Checks, validates and stores one upload; the temporary file is consumed either way.
  std::variant<Submission, Refusal> receive(const Campaign& c, const User& user, const std::string& ente, TempFile& temp,
                                            const std::string& file_name, std::uint64_t size) {
    const std::int64_t now = unix_now();
    if (now < c.opens_at) {
      return Refusal{HTTPResponse::HTTP_FORBIDDEN, "la campagna apre il " + format_rome_time(c.opens_at),
                     "the campaign opens on " + format_rome_time(c.opens_at)};
    }
    const bool late = now > c.deadline;
    if (late && c.late == LatePolicy::refuse) {
      return Refusal{HTTPResponse::HTTP_FORBIDDEN, "scadenza passata (" + format_rome_time(c.deadline) + "): invii chiusi",
                     "deadline passed (" + format_rome_time(c.deadline) + "): uploads closed"};
    }
    std::string bytes = xlsx::read_file_at_most(temp.path, size).value_or(std::string());
    const std::string sha = consolidate::sha256_bytes(bytes);
    // A resend of the last version is refused before validating it (and checked again when stored).
    if (const auto previous = store.latest(c.id, ente); previous && previous->sha256 == sha) return duplicate_refusal(previous->version);
    const forms::FormSpec* spec = form(c.form_id);
    forms::FormInstance instance;
    forms::Report report;
    try {
      report = forms::validate_bytes(std::move(bytes), file_name, forms, registry, c.form_id, &instance);
    } catch (const Error& e) {
      const bool format = e.code() == ErrorCode::unsupported_format;
      return Refusal{format ? HTTPResponse::HTTP_UNSUPPORTEDMEDIATYPE : HTTPResponse::HTTP_UNPROCESSABLE_ENTITY, e.message(Lang::it),
                     e.message(Lang::en)};
    }
    if (report.form_id != c.form_id) {
      return Refusal{HTTPResponse::HTTP_UNPROCESSABLE_ENTITY,
                     "il file è il modulo «" + report.form_id + "», questa campagna raccoglie «" + c.form_id + "»",
                     "the file is form «" + report.form_id + "», this campaign collects «" + c.form_id + "»"};
    }
    if (const auto declared = declared_ente(*spec, instance); declared && *declared != ente) {
      return Refusal{HTTPResponse::HTTP_UNPROCESSABLE_ENTITY, "il file è compilato per l'ente " + *declared + ", non per " + ente,
                     "the file is filled in for ente " + *declared + ", not " + ente};
    }
    Submission draft;
    draft.campaign = c.id;
    draft.ente = ente;
    draft.sha256 = sha;
    draft.size = size;
    draft.file_name = file_name;
    draft.uploaded_by = user.username;
    draft.uploaded_at = now;
    draft.valid = report.valid();
    draft.late = late;
    draft.errors = static_cast<int>(report.errors());
    draft.warnings = static_cast<int>(report.warnings());
    draft.report_json = report_json(report);
    std::optional<Submission> stored = store.add_submission(draft, temp.path);
    temp.path.clear();  // moved into the store, or already there
    if (!stored) return duplicate_refusal(store.latest(c.id, ente).value_or(draft).version);
    return *stored;
  }

  static Refusal duplicate_refusal(int version) {
    return Refusal{HTTPResponse::HTTP_CONFLICT, "file identico all'ultima versione inviata (versione " + std::to_string(version) + ")",
                   "same file as the last version sent (version " + std::to_string(version) + ")"};
  }

  static std::string report_json(const forms::Report& report) {
    Poco::JSON::Object::Ptr root = new Poco::JSON::Object;
    root->set("modulo", report.form_id);
    root->set("versione_modello", report.form_version);
    root->set("valido", report.valid());
    Poco::JSON::Array::Ptr issues = new Poco::JSON::Array;
    for (const forms::Issue& issue : report.issues) {
      Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
      item->set("codice", issue.code);
      item->set("gravita", std::string(forms::to_string(issue.severity, Lang::it)));
      item->set("foglio", issue.sheet);
      item->set("cella", issue.cell);
      item->set("etichetta", issue.label);
      item->set("valore", issue.found);
      item->set("messaggio", issue.message.it);
      item->set("message", issue.message.en);
      issues->add(item);
    }
    root->set("problemi", issues);
    return json_text(root);
  }

  std::vector<EnteStatus> status(const Campaign& c, const User& user) const {
    std::map<std::string, Submission> latest, latest_valid;
    for (Submission& s : store.latest_per_ente(c.id, false)) latest.emplace(s.ente, std::move(s));
    for (Submission& s : store.latest_per_ente(c.id, true)) latest_valid.emplace(s.ente, std::move(s));
    std::vector<EnteStatus> out;
    for (const auto& [code, name, ambito] : visible_enti(c, user)) {
      EnteStatus status;
      status.ente = code;
      status.name = name;
      status.ambito = ambito;
      if (auto it = latest.find(code); it != latest.end()) {
        status.latest = it->second;
        status.versions = it->second.version;
      }
      if (auto it = latest_valid.find(code); it != latest_valid.end()) status.latest_valid = it->second;
      status.state = status.latest_valid ? (status.latest_valid->late ? EnteState::in_ritardo : EnteState::valido)
                                         : status.latest ? EnteState::con_errori : EnteState::mancante;
      out.push_back(std::move(status));
    }
    return out;
  }

  // Builds the consolidated workbook of the latest valid versions the user sees into `out`.
  void consolidation(const Campaign& c, const User& user, const std::string& requested_level, const std::string& requested_scope,
                     const std::string& out) {
    consolidate::Options options;
    options.threads = 2;
    if (user.role == Role::ambito) {
      options.level = consolidate::Level::ambito;
      options.scope = user.ente;
    } else {
      options.level = consolidate::parse_level(requested_level.empty() ? "regione" : requested_level).value_or(consolidate::Level::regione);
      options.scope = requested_scope;
    }
    // Hard links under readable names: the Provenienza sheet then shows ente, version and file.
    const std::string folder = store.data_dir() + "/tmp/consolidato-" + random_hex(8);
    Poco::File(folder).createDirectories();
    std::vector<std::string> files;
    for (const EnteStatus& s : status(c, user)) {
      if (!s.latest_valid) continue;
      const Submission& v = *s.latest_valid;
      const std::string name = folder + "/" + v.ente + "-v" + std::to_string(v.version) + ".xlsx";
      if (::link(store.file_path(v.sha256).c_str(), name.c_str()) == 0) files.push_back(name);
    }
    try {
      const consolidate::Result result = consolidate::consolidate(files, forms, c.form_id, options, registry);
      write::write_consolidated(result, out);
    } catch (...) {
      Poco::File(folder).remove(true);
      throw;
    }
    Poco::File(folder).remove(true);
  }
};

namespace {

// One request: authentication, routing, answers in HTML or JSON.
class Handler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(Server::Impl& server) : s_(server) {}

  void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
    try {
      route(request, response);
    } catch (const TooLarge&) {
      response.setKeepAlive(false);
      refuse(request, response, {HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE, "file troppo grande (oltre " + mib(s_.options.max_upload_bytes) + ")",
                                 "file too large (over " + mib(s_.options.max_upload_bytes) + ")"});
    } catch (const Error& e) {
      refuse(request, response, {HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, e.message(Lang::it), e.message(Lang::en)});
    } catch (const std::exception& e) {
      refuse(request, response, {HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, std::string("errore interno: ") + e.what(),
                                 std::string("internal error: ") + e.what()});
    }
  }

 private:
  static std::string mib(std::uint64_t bytes) { return std::to_string(bytes >> 20) + " MB"; }

  static std::vector<std::string> segments(const std::string& path) {
    std::vector<std::string> out;
    std::string part;
    for (char c : path) {
      if (c == '/') {
        if (!part.empty()) out.push_back(std::move(part));
        part.clear();
      } else {
        part += c;
      }
    }
    if (!part.empty()) out.push_back(std::move(part));
    return out;
  }

  static std::optional<std::int64_t> number(const std::string& text) {
    std::int64_t value = 0;
    for (char c : text) {
      if (c < '0' || c > '9' || value > (INT64_MAX - 9) / 10) return std::nullopt;
      value = value * 10 + (c - '0');
    }
    return text.empty() ? std::nullopt : std::optional(value);
  }

  // ---- who is asking ----
  struct Caller {
    User user;
    std::string csrf;  // empty for API tokens
    bool api = false;
  };

  std::optional<Caller> caller(const HTTPServerRequest& request) const {
    if (request.hasCredentials()) {
      std::string scheme, token;
      request.getCredentials(scheme, token);
      if (scheme == "Bearer") {
        if (auto user = s_.store.token_user(token)) return Caller{*user, "", true};
      }
      return std::nullopt;
    }
    Poco::Net::NameValueCollection cookies;
    request.getCookies(cookies);
    if (auto found = s_.store.session(cookies.get(kSessionCookie, ""))) return Caller{found->first, found->second, false};
    return std::nullopt;
  }

  static bool api_path(const HTTPServerRequest& request) { return request.getURI().rfind("/api/", 0) == 0; }

  void refuse(const HTTPServerRequest& request, HTTPServerResponse& response, const Refusal& refusal) const {
    if (response.sent()) return;
    response.setStatusAndReason(refusal.status);
    if (api_path(request)) {
      Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
      body->set("errore", refusal.it);
      body->set("error", refusal.en);
      body->set("stato", static_cast<int>(refusal.status));
      send_json(response, body);
    } else {
      send_html(response, pages::message_page(refusal.it, refusal.en, static_cast<int>(refusal.status)));
    }
  }

  static void send_html(HTTPServerResponse& response, const std::string& html) {
    response.setContentType("text/html; charset=utf-8");
    response.set("X-Content-Type-Options", "nosniff");
    response.set("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'");
    response.setContentLength(static_cast<std::streamsize>(html.size()));
    response.send() << html;
  }

  static void send_json(HTTPServerResponse& response, const Poco::JSON::Object::Ptr& body) {
    const std::string text = json_text(body);
    response.setContentType("application/json; charset=utf-8");
    response.setContentLength(static_cast<std::streamsize>(text.size()));
    response.send() << text;
  }

  static void redirect(HTTPServerResponse& response, const std::string& to) {
    response.setStatusAndReason(HTTPResponse::HTTP_SEE_OTHER);
    response.set("Location", to);
    response.setContentLength(0);
    response.send();
  }

  // ---- routing ----
  void route(HTTPServerRequest& request, HTTPServerResponse& response) {
    const Poco::URI uri(request.getURI());
    const std::vector<std::string> path = segments(uri.getPath());
    const std::string& method = request.getMethod();
    const bool get = method == "GET", post = method == "POST";

    if (path.empty() && get) return home(request, response);
    if (path.size() == 1 && path[0] == "accesso" && post) return login(request, response);
    if (path.size() == 1 && path[0] == "stile.css" && get) {
      response.setContentType("text/css");
      const std::string css = pages::stylesheet();
      response.setContentLength(static_cast<std::streamsize>(css.size()));
      response.send() << css;
      return;
    }

    const std::optional<Caller> who = caller(request);
    if (!who) {
      if (api_path(request) || !get) {
        return refuse(request, response, {HTTPResponse::HTTP_UNAUTHORIZED, "accesso richiesto", "login required"});
      }
      return redirect(response, "/");
    }
    const bool api = !path.empty() && path[0] == "api";
    const std::size_t base = api ? 2 : 0;  // /api/v1/...
    if (api && (path.size() < 2 || path[1] != "v1")) return refuse(request, response, not_found());
    const std::vector<std::string> p(path.begin() + static_cast<std::ptrdiff_t>(std::min(base, path.size())), path.end());

    if (!api && p.size() == 1 && p[0] == "uscita" && post) return logout(request, response, *who);
    if (p.size() == 1 && p[0] == "campagne" && get) return campaigns(request, response, *who, api);
    if (p.size() >= 2 && p[0] == "campagne") {
      const auto id = number(p[1]);
      const auto campaign = id ? s_.store.campaign(*id) : std::nullopt;
      if (!campaign) return refuse(request, response, not_found());
      if (p.size() == 2 && get) return campaign_page(request, response, *who, *campaign, api);
      if (p.size() == 3 && p[2] == "invii" && post) return upload(request, response, *who, *campaign, api);
      if (p.size() == 3 && p[2] == "stato" && get) return campaign_page(request, response, *who, *campaign, true);
      if (p.size() == 3 && p[2] == "stato.csv" && get) return status_csv(response, *who, *campaign);
      if (p.size() == 3 && p[2] == "consolidato" && get) return consolidated(request, response, *who, *campaign);
    }
    if (p.size() >= 2 && p[0] == "invii") {
      const auto id = number(p[1]);
      const auto submission = id ? s_.store.submission(*id) : std::nullopt;
      const auto campaign = submission ? s_.store.campaign(submission->campaign) : std::nullopt;
      // Another ente's version is answered exactly like a missing one.
      if (!submission || !campaign || !s_.may_see(*campaign, who->user, submission->ente)) {
        if (submission) {
          s_.store.audit(who->user.username, "lettura", submission->campaign, submission->ente, "", "rifiutato", "versione di un altro ente");
        }
        return refuse(request, response, {HTTPResponse::HTTP_FORBIDDEN, "versione non accessibile a questo utente",
                                          "version not accessible to this user"});
      }
      if (p.size() == 2 && get) return submission_page(response, *who, *campaign, *submission, api);
      if (p.size() == 3 && p[2] == "file" && get) return send_xlsx(response, s_.store.file_path(submission->sha256), submission->file_name);
      if (p.size() == 3 && p[2] == "annotato" && get) return annotated(response, *campaign, *submission);
    }
    refuse(request, response, not_found());
  }

  static Refusal not_found() { return {HTTPResponse::HTTP_NOT_FOUND, "pagina non trovata", "page not found"}; }

  // ---- pages ----
  void home(HTTPServerRequest& request, HTTPServerResponse& response) {
    const std::optional<Caller> who = caller(request);
    if (!who) return send_html(response, pages::login_page(""));
    redirect(response, "/campagne");
  }

  void login(HTTPServerRequest& request, HTTPServerResponse& response) {
    Poco::Net::HTMLForm form(request, request.stream());
    const auto user = s_.store.check_password(form.get("utente", ""), form.get("password", ""));
    if (!user) {
      s_.store.audit(form.get("utente", ""), "accesso", 0, "", "", "rifiutato", "credenziali errate");
      response.setStatusAndReason(HTTPResponse::HTTP_UNAUTHORIZED);
      return send_html(response, pages::login_page("Nome utente o password errati."));
    }
    const auto [token, csrf] = s_.store.open_session(*user, s_.options.session_seconds);
    Poco::Net::HTTPCookie cookie(kSessionCookie, token);
    cookie.setHttpOnly(true);
    cookie.setPath("/");
    cookie.setSameSite(Poco::Net::HTTPCookie::SAME_SITE_STRICT);
    cookie.setMaxAge(static_cast<int>(s_.options.session_seconds));
    response.addCookie(cookie);
    redirect(response, "/campagne");
  }

  void logout(HTTPServerRequest& request, HTTPServerResponse& response, const Caller& who) {
    Poco::Net::HTMLForm form(request, request.stream());
    if (!constant_time_equal(form.get("csrf", ""), who.csrf)) return refuse(request, response, csrf_refusal());
    Poco::Net::NameValueCollection cookies;
    request.getCookies(cookies);
    s_.store.close_session(cookies.get(kSessionCookie, ""));
    Poco::Net::HTTPCookie cookie(kSessionCookie, "");
    cookie.setMaxAge(0);
    cookie.setPath("/");
    response.addCookie(cookie);
    redirect(response, "/");
  }

  static Refusal csrf_refusal() {
    return {HTTPResponse::HTTP_FORBIDDEN, "modulo scaduto o non valido: ricaricare la pagina", "form expired or invalid: reload the page"};
  }

  void campaigns(HTTPServerRequest&, HTTPServerResponse& response, const Caller& who, bool api) {
    const std::vector<Campaign> list = s_.store.campaigns();
    if (api) {
      Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
      Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
      for (const Campaign& c : list) items->add(pages::campaign_json(c));
      body->set("campagne", items);
      return send_json(response, body);
    }
    send_html(response, pages::campaigns_page(who.user, who.csrf, list, unix_now()));
  }

  void campaign_page(HTTPServerRequest&, HTTPServerResponse& response, const Caller& who, const Campaign& c, bool api) {
    const std::vector<EnteStatus> rows = s_.status(c, who.user);
    if (api) return send_json(response, pages::status_json(c, rows, unix_now()));
    const forms::FormSpec* f = s_.form(c.form_id);
    send_html(response, pages::campaign_page(who.user, who.csrf, c, f ? f->title.it : c.form_id, rows, unix_now()));
  }

  void status_csv(HTTPServerResponse& response, const Caller& who, const Campaign& c) {
    const std::string csv = pages::status_csv(s_.status(c, who.user));
    response.setContentType("text/csv; charset=utf-8");
    response.set("Content-Disposition", "attachment; filename=\"stato-campagna-" + std::to_string(c.id) + ".csv\"");
    response.setContentLength(static_cast<std::streamsize>(csv.size()));
    response.send() << csv;
  }

  void upload(HTTPServerRequest& request, HTTPServerResponse& response, const Caller& who, const Campaign& c, bool api) {
    if (request.hasContentLength() && static_cast<std::uint64_t>(request.getContentLength64()) > s_.options.max_upload_bytes + (64u << 10)) {
      throw TooLarge{};
    }
    TempFile temp{s_.store.data_dir() + "/tmp/invio-" + random_hex(12)};
    UploadPart part(temp.path, s_.options.max_upload_bytes);
    Poco::Net::HTMLForm form;
    form.setFieldLimit(20);
    const bool multipart = request.getContentType().rfind("multipart/form-data", 0) == 0;
    if (multipart) {
      form.load(request, request.stream(), part);
    } else if (api) {
      // The API also takes the workbook as the whole body; its name in X-Nome-File.
      part.set_file_name(request.get("X-Nome-File", "invio.xlsx"));
      part.save(request.stream());
    }
    if (!api && !constant_time_equal(form.get("csrf", ""), who.csrf)) return refuse(request, response, csrf_refusal());
    if (!part.received()) {
      return refuse(request, response, {HTTPResponse::HTTP_BAD_REQUEST, "nessun file nella richiesta (campo «file»)",
                                        "no file in the request (field «file»)"});
    }
    const std::string requested = form.get("ente", request.get("X-Ente", ""));
    auto ente = s_.sending_ente(c, who.user, requested);
    if (auto* refusal = std::get_if<Refusal>(&ente)) {
      s_.store.audit(who.user.username, "invio", c.id, requested, "", "rifiutato", refusal->it);
      return refuse(request, response, *refusal);
    }
    const std::string file_name = part.file_name().empty() ? "invio.xlsx" : part.file_name();
    auto outcome = s_.receive(c, who.user, std::get<std::string>(ente), temp, file_name, part.size());
    if (auto* refusal = std::get_if<Refusal>(&outcome)) {
      s_.store.audit(who.user.username, "invio", c.id, std::get<std::string>(ente), "", "rifiutato", refusal->it);
      return refuse(request, response, *refusal);
    }
    const Submission& stored = std::get<Submission>(outcome);
    response.setStatusAndReason(HTTPResponse::HTTP_CREATED);
    response.set("Location", "/invii/" + std::to_string(stored.id));
    if (api) return send_json(response, pages::submission_json(stored));
    send_html(response, pages::submission_page(who.user, who.csrf, c, stored));
  }

  void submission_page(HTTPServerResponse& response, const Caller& who, const Campaign& c, const Submission& s, bool api) {
    if (api) return send_json(response, pages::submission_json(s));
    send_html(response, pages::submission_page(who.user, who.csrf, c, s));
  }

  static void send_xlsx(HTTPServerResponse& response, const std::string& path, const std::string& name) {
    std::string safe;
    for (char c : name) safe += (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) ? '_' : c;
    response.set("Content-Disposition", "attachment; filename=\"" + safe + "\"");
    response.sendFile(path, kXlsxType);
  }

  void annotated(HTTPServerResponse& response, const Campaign& c, const Submission& s) {
    forms::FormInstance instance;
    const forms::Report report = forms::validate_file(s_.store.file_path(s.sha256), s_.forms, s_.registry, c.form_id, &instance);
    TempFile out{s_.store.data_dir() + "/tmp/annotato-" + random_hex(12) + ".xlsx"};
    const forms::FormSpec* f = s_.form(report.form_id);
    if (!f) throw Error(ErrorCode::form_unknown, "modulo sconosciuto", "unknown form");
    write::write_annotated(*f, instance, report, out.path, Lang::it);
    send_xlsx(response, out.path, "annotato-" + s.file_name);
  }

  void consolidated(HTTPServerRequest& request, HTTPServerResponse& response, const Caller& who, const Campaign& c) {
    if (who.user.role == Role::comune) {
      return refuse(request, response, {HTTPResponse::HTTP_FORBIDDEN, "il consolidato è per gli Ambiti e la Regione",
                                        "the consolidation is for Ambiti and the Region"});
    }
    const Poco::URI uri(request.getURI());
    std::string level, scope;
    for (const auto& [key, value] : uri.getQueryParameters()) {
      if (key == "livello") level = value;
      if (key == "ambito" || key == "ats") scope = value;
    }
    TempFile out{s_.store.data_dir() + "/tmp/consolidato-" + random_hex(12) + ".xlsx"};
    s_.consolidation(c, who.user, level, scope, out.path);
    send_xlsx(response, out.path, "consolidato-" + c.form_id + "-" + std::to_string(c.year) + ".xlsx");
  }

  Server::Impl& s_;
};

}  // namespace

Poco::Net::HTTPRequestHandler* Server::Impl::createRequestHandler(const HTTPServerRequest&) { return new Handler(*this); }

Server::Server(ServerOptions options, std::vector<forms::FormSpec> forms, const registry::Registry& registry)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(forms), registry)) {}

Server::~Server() { stop(); }

void Server::start() {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress(impl_->options.host, impl_->options.port), 128);
  impl_->port = socket.address().port();
  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(impl_->options.threads);
  params->setMaxQueued(256);
  params->setKeepAlive(true);
  // A kept-alive connection holds its thread: idle ones let go soon, busy ones now and then, so
  // that connections waiting in the queue get their turn.
  params->setKeepAliveTimeout(Poco::Timespan(5, 0));
  params->setMaxKeepAliveRequests(100);
  impl_->pool = std::make_unique<Poco::ThreadPool>(2, impl_->options.threads);
  // The factory is owned by the HTTPServer: hand it a non-owning forwarder to Impl.
  struct Forward final : Poco::Net::HTTPRequestHandlerFactory {
    explicit Forward(Impl& impl) : impl_(impl) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest& r) override { return impl_.createRequestHandler(r); }
    Impl& impl_;
  };
  impl_->http = std::make_unique<Poco::Net::HTTPServer>(new Forward(*impl_), *impl_->pool, socket, params);
  impl_->http->start();
}

void Server::stop() {
  if (impl_ && impl_->http) {
    impl_->http->stopAll(true);
    impl_->http.reset();
    impl_->pool->joinAll();
  }
}

std::uint16_t Server::port() const { return impl_->port; }
Store& Server::store() { return impl_->store; }

}  // namespace consolida::server
