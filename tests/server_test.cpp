// The upload server in process, driven by Poco's HTTP client: every flow and every refusal.
#include <Poco/Data/Session.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/String.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "common/digest.hpp"
#include "common/rome_time.hpp"
#include "consolida/consolidate.hpp"
#include "consolida/server.hpp"
#include "consolida/xlsx.hpp"
#include "support/cli_run.hpp"
#include "support/files.hpp"
#include "support/http_call.hpp"
#include "support/ods_copy.hpp"
#include "support/server_process.hpp"

namespace {

namespace fs = std::filesystem;
using namespace consolida;
using consolida::testing::slurp;
using consolida::testing::with_comment;
const auto now = consolida::unix_now;
using namespace consolida::server;

using Reply = consolida::testing::HttpReply;

struct Part {
  std::string name, value, file_name;
};

// One exchange on a raw connection, for what an HTTP client library would not send.
struct RawExchange {
  int status = 0;  // 0: no answer
  std::string head, body;
  bool closed_after = false;  // the server answered no further request on the connection
};

// Sends `bytes` on a new connection (half-closing it after them when `then_close`: the peer went
// away mid-request), reads one answer; then, on a connection still open, sends a second request
// to tell whether the server kept the connection.
RawExchange raw_exchange(std::uint16_t port, const std::string& bytes, bool then_close) {
  Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", port));
  socket.setReceiveTimeout(Poco::Timespan(30, 0));
  RawExchange out;
  auto send_all = [&](const std::string& data) {
    try {
      for (std::size_t sent = 0; sent < data.size();) {
        const int n = socket.sendBytes(data.data() + sent, static_cast<int>(std::min<std::size_t>(data.size() - sent, 1 << 16)), MSG_NOSIGNAL);
        if (n <= 0) return false;
        sent += static_cast<std::size_t>(n);
      }
      return true;
    } catch (const Poco::Exception&) {
      return false;  // the server closed the connection
    }
  };
  // Reads until `done` says the text is complete, the peer closes or 30 s pass.
  auto receive_into = [&](std::string& text, auto done) {
    char buffer[1 << 16];
    try {
      while (!done(text)) {
        const int n = socket.receiveBytes(buffer, sizeof buffer);
        if (n <= 0) return false;
        text.append(buffer, static_cast<std::size_t>(n));
      }
      return true;
    } catch (const Poco::Exception&) {
      return false;
    }
  };
  send_all(bytes);
  if (then_close) socket.shutdownSend();
  std::string text;
  receive_into(text, [](const std::string& t) { return t.find("\r\n\r\n") != std::string::npos; });
  const auto head_end = text.find("\r\n\r\n");
  if (text.rfind("HTTP/1.", 0) != 0 || head_end == std::string::npos) return out;
  out.status = std::stoi(text.substr(9, 3));
  out.head = text.substr(0, head_end + 2);
  std::size_t length = 0;
  Poco::Net::NameValueCollection fields;
  for (std::size_t at = out.head.find("\r\n") + 2; at < out.head.size();) {
    const auto end = out.head.find("\r\n", at);
    const std::string line = out.head.substr(at, end - at);
    if (const auto colon = line.find(':'); colon != std::string::npos && line.substr(0, colon) == "Content-Length") {
      length = std::stoul(line.substr(colon + 1));
    }
    at = end + 2;
  }
  receive_into(text, [&](const std::string& t) { return t.size() >= head_end + 4 + length; });
  out.body = text.substr(head_end + 4, length);
  if (then_close) {
    out.closed_after = true;
    return out;
  }
  std::string more = text.substr(std::min(text.size(), head_end + 4 + length));
  const bool sent = send_all("GET /stile.css HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  out.closed_after = !sent || !receive_into(more, [](const std::string& t) { return t.find("\r\n\r\n") != std::string::npos; });
  return out;
}

std::string multipart(const std::vector<Part>& parts, const std::string& boundary) {
  std::string body;
  for (const Part& p : parts) {
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + p.name + "\"";
    if (!p.file_name.empty()) body += "; filename=\"" + p.file_name + "\"\r\nContent-Type: application/octet-stream";
    body += "\r\n\r\n" + p.value + "\r\n";
  }
  return body + "--" + boundary + "--\r\n";
}

// Files of the Ambito of Melzo (8 comuni): all valid, and all with a deliberate mistake.
struct Samples {
  fs::path valid_dir, broken_dir;
  std::map<std::string, std::string> valid, broken_kind, broken;  // ISTAT -> file / mistake
};

const Samples& samples() {
  static const Samples s = [] {
    Samples out;
    const std::string tag = std::to_string(::getpid());
    out.valid_dir = fs::temp_directory_path() / ("consolida-server-valid-" + tag);
    out.broken_dir = fs::temp_directory_path() / ("consolida-server-broken-" + tag);
    for (const auto& [dir, errors] : {std::pair{out.valid_dir, 0}, std::pair{out.broken_dir, 100}}) {
      const std::string command = std::string(CONSOLIDA_MAKE_REGION) + " " + dir.string() + " --scope ambito:MELZO --missing 0 --year 2024 --errors " +
                                  std::to_string(errors) + " > /dev/null";
      EXPECT_EQ(std::system(command.c_str()), 0) << command;
      for (const auto& f : consolida::testing::csv_rows(dir / "manifest.csv")) {
        if (f.size() < 5 || f[1] != "spesa-sociale-comune") continue;
        if (errors == 0) {
          out.valid[f[2]] = (dir / f[0]).string();
        } else {
          out.broken[f[2]] = (dir / f[0]).string();
          out.broken_kind[f[2]] = f[4];
        }
      }
    }
    return out;
  }();
  return s;
}

class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_dir_ = fs::temp_directory_path() / ("consolida-server-data-" + std::to_string(::getpid()));
    fs::remove_all(data_dir_);
    ServerOptions options;
    options.data_dir = data_dir_.string();
    options.port = 0;
    options.max_upload_bytes = 1u << 20;
    options.threads = 4;
    options.password_iterations = 1000;  // the production cost is 600,000; slow under ASan
    server_ = new Server(options, forms::load_forms(CONSOLIDA_SOURCE_DIR "/plugins", {CONSOLIDA_RULES_PATH}), registry::Registry::builtin());
    Store& store = server_->store();
    Campaign open{0, "Spesa sociale 2024", "spesa-sociale-comune", 2024, now() - 86400, now() + 30 * 86400, LatePolicy::refuse};
    open_ = store.add_campaign(open);
    Campaign closed{0, "Spesa sociale 2023 (chiusa)", "spesa-sociale-comune", 2023, now() - 90 * 86400, now() - 86400, LatePolicy::refuse};
    closed_ = store.add_campaign(closed);
    Campaign late{0, "Spesa sociale 2024 (ritardi accettati)", "spesa-sociale-comune", 2024, now() - 90 * 86400, now() - 86400,
                  LatePolicy::accept};
    late_ = store.add_campaign(late);
    // Two comuni of Melzo, their Ambito, the Region.
    store.add_user("melzo", Role::comune, "015142", "pw-melzo-1");
    store.add_user("cassano", Role::comune, "015059", "pw-cassano-1");
    store.add_user("ufficio-melzo", Role::ambito, "MELZO", "pw-ambito-1");
    store.add_user("regione", Role::regione, "", "pw-regione-1");
    tokens_["melzo"] = store.issue_token("melzo").secret;
    tokens_["cassano"] = store.issue_token("cassano").secret;
    tokens_["regione"] = store.issue_token("regione").secret;
    server_->start();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static Reply call(const std::string& method, const std::string& path, const std::string& body = "",
                    const std::string& content_type = "", const std::map<std::string, std::string>& headers = {}) {
    return consolida::testing::http_call(server_->port(), method, path, body, content_type, headers);
  }

  static Reply api_upload(const std::string& user, std::int64_t campaign, const std::string& bytes, const std::string& name,
                          const std::string& ente = "") {
    std::map<std::string, std::string> headers{{"Authorization", "Bearer " + tokens_[user]}, {"X-Nome-File", name}};
    if (!ente.empty()) headers["X-Ente"] = ente;
    return call("POST", "/api/v1/campagne/" + std::to_string(campaign) + "/invii", bytes, "application/octet-stream", headers);
  }

  // A browser session: cookie and the CSRF token read from the page.
  struct Browser {
    std::string cookie, csrf;
  };
  static Browser login(const std::string& user, const std::string& password) {
    const Reply reply = call("POST", "/accesso", "utente=" + user + "&password=" + password, "application/x-www-form-urlencoded");
    EXPECT_EQ(reply.status, 303);
    Browser b;
    b.cookie = reply.set_cookie.substr(0, reply.set_cookie.find(';'));
    const Reply page = call("GET", "/campagne/" + std::to_string(open_), "", "", {{"Cookie", b.cookie}});
    const auto at = page.body.find("name=\"csrf\" value=\"");
    EXPECT_NE(at, std::string::npos);
    if (at != std::string::npos) b.csrf = page.body.substr(at + 19, 32);
    return b;
  }

  static Reply browser_upload(const Browser& b, std::int64_t campaign, const std::string& bytes, const std::string& name,
                              const std::string& csrf_override = "\x01") {
    const std::string boundary = "----consolida-test-boundary";
    const std::string csrf = csrf_override == "\x01" ? b.csrf : csrf_override;
    const std::string body = multipart({{"csrf", csrf, ""}, {"file", bytes, name}}, boundary);
    return call("POST", "/campagne/" + std::to_string(campaign) + "/invii", body, "multipart/form-data; boundary=" + boundary,
                {{"Cookie", b.cookie}});
  }

  // A version of Melzo written straight into the store, as the server would record it.
  static Submission melzo_draft(std::int64_t campaign, const std::string& bytes, const std::string& file_name) {
    Submission draft;
    draft.campaign = campaign;
    draft.ente = "015142";
    draft.sha256 = sha256_hex(bytes);
    draft.size = bytes.size();
    draft.file_name = file_name;
    draft.uploaded_by = "melzo";
    draft.uploaded_at = now();
    return draft;
  }
  static std::string temp_copy(const std::string& name, const std::string& content) {
    const std::string path = (data_dir_ / "tmp" / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  static std::size_t stored_files() {
    std::size_t n = 0;
    for (const auto& entry : fs::recursive_directory_iterator(data_dir_ / "files")) n += entry.is_regular_file();
    return n;
  }
  static std::size_t temp_files() { return static_cast<std::size_t>(std::distance(fs::directory_iterator(data_dir_ / "tmp"), {})); }

  static inline fs::path data_dir_;
  static inline Server* server_ = nullptr;
  static inline std::int64_t open_ = 0, closed_ = 0, late_ = 0;
  static inline std::map<std::string, std::string> tokens_;
};

TEST_F(ServerTest, LoginSetsAHardenedSessionCookieAndWrongPasswordsAreRefused) {
  const Reply wrong = call("POST", "/accesso", "utente=melzo&password=sbagliata", "application/x-www-form-urlencoded");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_TRUE(wrong.set_cookie.empty());
  EXPECT_NE(wrong.body.find("errati"), std::string::npos);
  const Reply right = call("POST", "/accesso", "utente=melzo&password=pw-melzo-1", "application/x-www-form-urlencoded");
  EXPECT_EQ(right.status, 303);
  EXPECT_NE(right.set_cookie.find("consolida_sessione="), std::string::npos);
  EXPECT_NE(right.set_cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(right.set_cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_EQ(call("GET", "/api/v1/campagne").status, 401);
  EXPECT_EQ(call("GET", "/api/v1/campagne", "", "", {{"Authorization", "Bearer 00ff"}}).status, 401);
}

TEST_F(ServerTest, BrokenUploadShowsErrorsByCellThenTheFixedOneTurnsTheStatusValid) {
  const std::string ente = "015142";  // Melzo
  const Browser b = login("melzo", "pw-melzo-1");
  const Reply broken = browser_upload(b, open_, slurp(samples().broken.at(ente)), "melzo.xlsx");
  ASSERT_EQ(broken.status, 201) << broken.body;
  EXPECT_NE(broken.body.find("con errori bloccanti"), std::string::npos);
  EXPECT_NE(broken.body.find("<td data-etichetta=\"Foglio\">Spesa sociale</td>"), std::string::npos) << "errors are located by sheet and cell";
  EXPECT_NE(broken.body.find("/annotato"), std::string::npos);

  const std::string status_path = "/api/v1/campagne/" + std::to_string(open_) + "/stato";
  const std::map<std::string, std::string> auth{{"Authorization", "Bearer " + tokens_["melzo"]}};
  EXPECT_NE(call("GET", status_path, "", "", auth).body.find("\"stato\":\"con errori\""), std::string::npos);

  const Reply annotated = call("GET", broken.location + "/annotato", "", "", {{"Cookie", b.cookie}});
  ASSERT_EQ(annotated.status, 200);
  EXPECT_NO_THROW(xlsx::Workbook::open_bytes(annotated.body, "annotato.xlsx"));

  const std::string fixed_bytes = slurp(samples().valid.at(ente));
  const Reply fixed = browser_upload(b, open_, fixed_bytes, "melzo-corretto.xlsx");
  ASSERT_EQ(fixed.status, 201) << fixed.body;
  EXPECT_NE(fixed.body.find("Versione 2"), std::string::npos);
  EXPECT_NE(fixed.body.find(": valida"), std::string::npos);
  const Reply status = call("GET", status_path, "", "", auth);
  EXPECT_NE(status.body.find("\"stato\":\"valido\""), std::string::npos) << status.body;

  // The same file again is a duplicate of the last version: refused, nothing stored.
  const std::size_t files = stored_files();
  const Reply again = browser_upload(b, open_, fixed_bytes, "melzo-corretto.xlsx");
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(stored_files(), files);
  EXPECT_EQ(server_->store().count_versions(open_, ente), 2);

  // The version downloaded is the file sent, byte for byte.
  const Reply download = call("GET", fixed.location + "/file", "", "", {{"Cookie", b.cookie}});
  EXPECT_EQ(download.status, 200);
  EXPECT_EQ(download.body, fixed_bytes);
}

TEST_F(ServerTest, FormsWithoutTheSessionsCsrfTokenAreRefused) {
  const Browser b = login("cassano", "pw-cassano-1");
  const std::size_t files = stored_files();
  const int versions = server_->store().count_versions(open_, "015059");
  for (const std::string csrf : {"", "0123456789abcdef0123456789abcdef"}) {
    const Reply reply = browser_upload(b, open_, slurp(samples().valid.at("015059")), "cassano.xlsx", csrf);
    EXPECT_EQ(reply.status, 403) << csrf;
  }
  EXPECT_EQ(stored_files(), files);
  EXPECT_EQ(server_->store().count_versions(open_, "015059"), versions);
}

TEST_F(ServerTest, BadUploadsGetClearAnswersAndNothingIsStored) {
  const std::string ente = "015142";
  const int versions = server_->store().count_versions(open_, ente);
  const std::size_t files = stored_files();
  struct Case {
    std::string what, bytes;
    int status;
    std::string mention;
  };
  const std::string ole("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
  std::string encrypted_name;
  for (char c : std::string("EncryptedPackage")) encrypted_name += std::string{c, '\0'};
  // Another comune's file (Cassano d'Adda) sent by Melzo.
  const std::vector<Case> cases = {
      {"pdf", "%PDF-1.7\n1 0 obj", 415, "PDF"},
      {"csv", "comune;importo\nMelzo;1.234,56\n", 415, "CSV"},
      {"protected", ole + std::string(600, '\0') + encrypted_name, 422, "password"},
      {"wrong form", slurp(CONSOLIDA_SOURCE_DIR "/sample-workbooks/premialita/" + std::string("valido-riga-inserita.xlsx")), 422, "premialita"},
      {"other ente", slurp(samples().valid.at("015059")), 422, "015059"},
      {"too large", std::string((1u << 20) + 1, 'x'), 413, "troppo grande"},
  };
  for (const Case& c : cases) {
    const Reply reply = api_upload("melzo", open_, c.bytes, c.what + ".xlsx");
    EXPECT_EQ(reply.status, c.status) << c.what << ": " << reply.body;
    EXPECT_NE(reply.body.find(c.mention), std::string::npos) << c.what << ": " << reply.body;
    EXPECT_NE(reply.body.find("\"errore\""), std::string::npos) << c.what;
  }
  // After the deadline with the refuse policy.
  const Reply closed = api_upload("melzo", closed_, slurp(samples().valid.at(ente)), "melzo.xlsx");
  EXPECT_EQ(closed.status, 403);
  EXPECT_NE(closed.body.find("scadenza passata"), std::string::npos);
  EXPECT_EQ(server_->store().count_versions(open_, ente), versions);
  EXPECT_EQ(server_->store().count_versions(closed_, ente), 0);
  EXPECT_EQ(stored_files(), files);
  EXPECT_EQ(temp_files(), 0u) << "no partial upload left behind";
}

// A file of another year than the campaign's is refused, as one of another ente is: nothing stored.
TEST_F(ServerTest, AFileOfAnotherYearThanTheCampaignsIsRefused) {
  const std::int64_t next_year =
      server_->store().add_campaign({0, "Spesa sociale 2025", "spesa-sociale-comune", 2025, now() - 60, now() + 3600, LatePolicy::refuse});
  const std::size_t files = stored_files();
  const Reply reply = api_upload("melzo", next_year, slurp(samples().valid.at("015142")), "melzo-2024.xlsx");
  EXPECT_EQ(reply.status, 422) << reply.body;
  EXPECT_NE(reply.body.find("cella B7: «Anno di riferimento»: il file dichiara l'anno 2024, ma sono attesi i dati del 2025"), std::string::npos)
      << reply.body;
  EXPECT_EQ(server_->store().count_versions(next_year, "015142"), 0);
  EXPECT_EQ(stored_files(), files);
}

TEST_F(ServerTest, LateUploadsAreKeptAndMarkedWhenThePolicyAcceptsThem) {
  const Reply reply = api_upload("cassano", late_, slurp(samples().valid.at("015059")), "cassano.xlsx");
  ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_NE(reply.body.find("\"in_ritardo\":true"), std::string::npos);
  const Reply status = call("GET", "/api/v1/campagne/" + std::to_string(late_) + "/stato", "", "",
                            {{"Authorization", "Bearer " + tokens_["cassano"]}});
  EXPECT_NE(status.body.find("\"stato\":\"in ritardo\""), std::string::npos) << status.body;
}

TEST_F(ServerTest, OneEnteCanNeitherReadNorOverwriteAnothersSubmission) {
  const Reply mine = api_upload("melzo", late_, slurp(samples().valid.at("015142")), "melzo.xlsx");
  ASSERT_EQ(mine.status, 201) << mine.body;
  const std::size_t files = stored_files();
  const int versions = server_->store().count_versions(late_, "015142");
  const std::map<std::string, std::string> cassano{{"Authorization", "Bearer " + tokens_["cassano"]}};
  for (const std::string suffix : {"", "/file", "/annotato"}) {
    const Reply read = call("GET", "/api/v1" + mine.location + suffix, "", "", cassano);
    EXPECT_EQ(read.status, 403) << suffix;
    EXPECT_EQ(read.body.find("PK"), std::string::npos);
  }
  const Reply overwrite = api_upload("cassano", late_, slurp(samples().valid.at("015142")), "melzo.xlsx", "015142");
  EXPECT_EQ(overwrite.status, 403);
  EXPECT_EQ(server_->store().count_versions(late_, "015142"), versions);
  EXPECT_EQ(stored_files(), files);
  // Nor through a browser session.
  const Browser b = login("cassano", "pw-cassano-1");
  EXPECT_EQ(call("GET", mine.location + "/file", "", "", {{"Cookie", b.cookie}}).status, 403);
}

TEST_F(ServerTest, TheAmbitoSeesItsComuniAndTheRegionDownloadsTheConsolidation) {
  for (const auto& [ente, file] : samples().valid) {
    if (ente == "015142") continue;  // Melzo sends through its own account in other tests
    const Reply sent = api_upload("regione", open_, slurp(file), ente + ".xlsx", ente);
    EXPECT_TRUE(sent.status == 201 || sent.status == 409) << ente << ": " << sent.body;
  }
  const Browser ambito = login("ufficio-melzo", "pw-ambito-1");
  const Reply page = call("GET", "/campagne/" + std::to_string(open_), "", "", {{"Cookie", ambito.cookie}});
  EXPECT_NE(page.body.find("Enti: 8."), std::string::npos) << "the 8 comuni of Melzo";
  const Reply csv = call("GET", "/campagne/" + std::to_string(open_) + "/stato.csv", "", "", {{"Cookie", ambito.cookie}});
  EXPECT_EQ(std::count(csv.body.begin(), csv.body.end(), '\n'), 9);

  const Reply comune = call("GET", "/api/v1/campagne/" + std::to_string(open_) + "/consolidato", "", "",
                            {{"Authorization", "Bearer " + tokens_["cassano"]}});
  EXPECT_EQ(comune.status, 403);
  const Reply consolidated = call("GET", "/api/v1/campagne/" + std::to_string(open_) + "/consolidato?livello=ambito&ambito=MELZO", "", "",
                                  {{"Authorization", "Bearer " + tokens_["regione"]}});
  ASSERT_EQ(consolidated.status, 200) << consolidated.body.substr(0, 300);
  xlsx::Workbook workbook = xlsx::Workbook::open_bytes(consolidated.body, "consolidato.xlsx");
  const xlsx::Sheet detail = workbook.load_sheet(*workbook.find_sheet("Dettaglio"));
  std::size_t rows_with_code = 0;
  for (const xlsx::Cell& cell : detail.cells()) rows_with_code += cell.col == 0 && cell.row > 0 && cell.text.starts_with("015");
  EXPECT_GE(rows_with_code, 7u) << "every comune with a valid version";

  // Provenienza names each file as its ente sent it, with who sent it and when (Rome time):
  // no sheet shows a path of the server.
  for (const xlsx::SheetInfo& info : workbook.sheets()) {
    const xlsx::Sheet sheet = workbook.load_sheet(info);
    for (const xlsx::Cell& cell : sheet.cells()) {
      EXPECT_EQ(cell.text.find(data_dir_.string()), std::string::npos) << info.name << ": " << cell.text;
      EXPECT_EQ(cell.text.find("/tmp"), std::string::npos) << info.name << ": " << cell.text;
    }
  }
  const xlsx::Sheet provenance = workbook.load_sheet(*workbook.find_sheet("Provenienza"));
  std::map<std::string, std::uint32_t> column;
  for (const xlsx::Cell& cell : provenance.cells()) {
    if (cell.row == 0) column[cell.text] = cell.col;
  }
  ASSERT_TRUE(column.count("File") && column.count("Inviato da") && column.count("Ricevuto il (ora italiana)") && column.count("Ente"));
  const std::string today = format_rome_time(now()).substr(0, 10), yesterday = format_rome_time(now() - 600).substr(0, 10);
  std::size_t rows = 0;
  for (std::uint32_t row = 1; provenance.cell(xlsx::CellRef{row, 0}); ++row, ++rows) {
    const std::string file = provenance.cell(xlsx::CellRef{row, column["File"]})->text;
    const std::string ente = provenance.cell(xlsx::CellRef{row, column["Ente"]})->text;
    const xlsx::Cell* sender = provenance.cell(xlsx::CellRef{row, column["Inviato da"]});
    const xlsx::Cell* received = provenance.cell(xlsx::CellRef{row, column["Ricevuto il (ora italiana)"]});
    EXPECT_TRUE(file.ends_with(".xlsx") && file.find('/') == std::string::npos) << file;
    if (ente != "015142") {
      EXPECT_TRUE(file == ente + ".xlsx" || file == "cassano.xlsx") << ente << ": " << file;
    }
    ASSERT_NE(sender, nullptr) << file;
    EXPECT_FALSE(sender->text.empty()) << file;
    ASSERT_NE(received, nullptr) << file;
    const std::string day = received->text.substr(0, 10);
    EXPECT_TRUE(day == today || day == yesterday) << received->text;
    EXPECT_EQ(received->text.size(), 16u) << received->text;  // 26/11/2026 12:40
  }
  EXPECT_GE(rows, 7u);
}

TEST_F(ServerTest, TheSameFileTwiceInARowIsOneVersionEvenWhenBothPassedTheFirstCheck) {
  // A double click sends the file twice at once: both uploads may pass the check made before
  // validation; the store checks again inside its transaction.
  Store& store = server_->store();
  const std::int64_t campaign = store.add_campaign({0, "Doppio invio", "spesa-sociale-comune", 2024, now() - 60, now() + 3600, LatePolicy::refuse});
  const std::string bytes = slurp(samples().valid.at("015142"));
  Submission draft = melzo_draft(campaign, bytes, "melzo.xlsx");
  draft.valid = true;
  draft.report_json = "{}";
  const auto first = store.add_submission(draft, temp_copy("primo", bytes));
  const auto second = store.add_submission(draft, temp_copy("secondo", bytes));
  ASSERT_TRUE(std::holds_alternative<Submission>(first));
  EXPECT_EQ(std::get<Submission>(first).version, 1);
  ASSERT_TRUE(std::holds_alternative<NotStored>(second));
  EXPECT_EQ(std::get<NotStored>(second), NotStored::duplicate);
  EXPECT_EQ(store.count_versions(campaign, "015142"), 1);
  EXPECT_FALSE(fs::exists(data_dir_ / "tmp" / "secondo"));
  EXPECT_EQ(sha256_hex(slurp(store.file_path(draft.sha256))), draft.sha256);
  // Another file after it is version 2.
  const std::string other = slurp(samples().broken.at("015142"));
  draft.sha256 = sha256_hex(other);
  const auto third = store.add_submission(draft, temp_copy("terzo", other));
  ASSERT_TRUE(std::holds_alternative<Submission>(third));
  EXPECT_EQ(std::get<Submission>(third).version, 2);
}

TEST_F(ServerTest, MalformedRequestsGetPlainAnswers) {
  const std::map<std::string, std::string> auth{{"Authorization", "Bearer " + tokens_["melzo"]}};
  // Ids that are not numbers, negative or too large for 64 bits name no record.
  for (const std::string id : {"abc", "-1", "+1", "%201", "99999999999999999999", "1x"}) {
    EXPECT_EQ(call("GET", "/api/v1/campagne/" + id, "", "", auth).status, 404) << id;
    EXPECT_EQ(call("GET", "/api/v1/invii/" + id, "", "", auth).status, 403) << id;
  }
  EXPECT_EQ(call("GET", "/api/v2/campagne", "", "", auth).status, 404);
  EXPECT_EQ(call("GET", "/api/v1/campagne/" + std::to_string(open_) + "/altro", "", "", auth).status, 404);
  // A multipart body that is not one: refused as a bad request, with nothing of the parser's text.
  const Reply garbled = call("POST", "/api/v1/campagne/" + std::to_string(open_) + "/invii", "not a multipart body",
                             "multipart/form-data; boundary=----nessuno", auth);
  EXPECT_EQ(garbled.status, 400) << garbled.body;
  EXPECT_NE(garbled.body.find("\"errore\""), std::string::npos) << garbled.body;
  EXPECT_EQ(garbled.body.find("boundary"), std::string::npos) << garbled.body;
  EXPECT_EQ(temp_files(), 0u);
  // A scope that does not exist is named as such.
  const Reply scope = call("GET", "/api/v1/campagne/" + std::to_string(open_) + "/consolidato?livello=ambito&ambito=NESSUNO", "", "",
                           {{"Authorization", "Bearer " + tokens_["regione"]}});
  EXPECT_EQ(scope.status, 404) << scope.body;
  EXPECT_NE(scope.body.find("NESSUNO"), std::string::npos) << scope.body;
  EXPECT_EQ(temp_files(), 0u);
}

// GET /api/v1/invii/{id}/rapporto is what `consolida validate --format json` prints for the same
// file, byte for byte, but for the file's name: the path given to the CLI, the name uploaded.
TEST_F(ServerTest, TheReportOfAVersionIsWhatTheCliPrintsForTheSameFile) {
  Store& store = server_->store();
  const std::int64_t spesa = store.add_campaign({0, "Rapporti (spesa)", "spesa-sociale-comune", 2024, now() - 60, now() + 3600, LatePolicy::refuse});
  const std::int64_t premialita = store.add_campaign({0, "Rapporti (premialità)", "premialita", 2024, now() - 60, now() + 3600, LatePolicy::refuse});
  const std::string premialita_dir = CONSOLIDA_SOURCE_DIR "/sample-workbooks/premialita/";
  struct Case {
    std::string what, path;
    std::int64_t campaign;
    std::string ente;
  };
  const std::vector<Case> cases = {
      {"valid", samples().valid.at("015059"), spesa, "015059"},
      {"broken", samples().broken.at("015142"), spesa, "015142"},
      {"premialita", premialita_dir + "errore-bilancio-non-quadra.xlsx", premialita, "LODI"},
      {"premialita-warning", premialita_dir + "avviso-asst-di-altra-ats.xlsx", premialita, "LODI"},
  };
  const std::map<std::string, std::string> region{{"Authorization", "Bearer " + tokens_["regione"]}};
  for (const Case& c : cases) {
    const std::string uploaded_name = "caricato-" + c.what + ".xlsx";
    const Reply sent = api_upload("regione", c.campaign, slurp(c.path), uploaded_name, c.ente);
    ASSERT_EQ(sent.status, 201) << c.what << ": " << sent.body;
    const Reply report = call("GET", "/api/v1" + sent.location + "/rapporto", "", "", region);
    ASSERT_EQ(report.status, 200) << c.what << ": " << report.body;

    const consolida::testing::CliRun cli =
        consolida::testing::run_cli("validate --format json --plugins " CONSOLIDA_SOURCE_DIR "/plugins " + c.path, /*with_stderr=*/false);
    EXPECT_EQ(cli.status, c.what == "valid" || c.what == "premialita-warning" ? 0 : 1) << c.what << ": " << cli.out;
    std::string expected = cli.out;
    const std::string path_entry = "{\"file\":\"" + c.path + "\"";
    ASSERT_NE(expected.find(path_entry), std::string::npos) << c.what << ": " << expected;
    expected.replace(expected.find(path_entry), path_entry.size(), "{\"file\":\"" + uploaded_name + "\"");
    EXPECT_EQ(report.body, expected) << c.what;
    EXPECT_NE(report.body.find("\"issues\":["), std::string::npos) << c.what;
  }
}

// Versions stored before the report had its schema (Italian keys, "errore bloccante") still show.
TEST_F(ServerTest, ReportsStoredBeforeTheSchemaStillShowOnThePageAndInTheApi) {
  Store& store = server_->store();
  const std::int64_t campaign = store.add_campaign({0, "Invii di prima", "spesa-sociale-comune", 2024, now() - 60, now() + 3600, LatePolicy::refuse});
  const std::string bytes = slurp(samples().broken.at("015142"));
  Submission draft = melzo_draft(campaign, bytes, "melzo-2024.xlsx");
  draft.errors = 1;
  draft.warnings = 1;
  draft.report_json =
      R"({"modulo":"spesa-sociale-comune","versione_modello":"2024.1","valido":false,"problemi":[)"
      R"({"codice":"SSC-ISTAT","gravita":"errore bloccante","foglio":"Spesa sociale","cella":"C4","etichetta":"Codice ISTAT",)"
      R"("valore":"099142","messaggio":"codice ISTAT sconosciuto","message":"unknown ISTAT code"},)"
      R"({"codice":"SSC-NOTE","gravita":"avviso","foglio":"Note","cella":"","etichetta":"Note","valore":"",)"
      R"("messaggio":"nota mancante","message":""}]})";
  const auto added = store.add_submission(draft, temp_copy("prima", bytes));
  ASSERT_TRUE(std::holds_alternative<Submission>(added));
  const Submission* stored = &std::get<Submission>(added);

  const Browser b = login("melzo", "pw-melzo-1");
  const Reply page = call("GET", "/invii/" + std::to_string(stored->id), "", "", {{"Cookie", b.cookie}});
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("errore bloccante</span></td><td data-etichetta=\"Foglio\">Spesa sociale</td><td data-etichetta=\"Cella\">C4</td>"
                           "<td data-etichetta=\"Valore\">099142</td><td data-etichetta=\"Problema\">codice ISTAT sconosciuto</td>"),
            std::string::npos) << page.body;
  EXPECT_NE(page.body.find("avviso</span></td><td data-etichetta=\"Foglio\">Note</td>"), std::string::npos) << page.body;

  const Reply report = call("GET", "/api/v1/invii/" + std::to_string(stored->id) + "/rapporto", "", "",
                            {{"Authorization", "Bearer " + tokens_["melzo"]}});
  ASSERT_EQ(report.status, 200) << report.body;
  EXPECT_EQ(report.body,
            "{\"schema\":\"consolida.validazione/1\",\"files\":[\n"
            "{\"file\":\"melzo-2024.xlsx\",\"form\":\"spesa-sociale-comune\",\"version\":\"2024.1\",\"valid\":false,\"errors\":1,\"warnings\":1,\"issues\":[\n"
            "  {\"code\":\"SSC-ISTAT\",\"severity\":\"errore\",\"sheet\":\"Spesa sociale\",\"cell\":\"C4\",\"label\":\"Codice ISTAT\",\"found\":\"099142\","
            "\"message\":{\"it\":\"codice ISTAT sconosciuto\",\"en\":\"unknown ISTAT code\"}},\n"
            "  {\"code\":\"SSC-NOTE\",\"severity\":\"avviso\",\"sheet\":\"Note\",\"cell\":\"\",\"label\":\"Note\",\"found\":\"\","
            "\"message\":{\"it\":\"nota mancante\",\"en\":\"nota mancante\"}}]}\n"
            "]}\n");
  const Reply api = call("GET", "/api/v1/invii/" + std::to_string(stored->id), "", "", {{"Authorization", "Bearer " + tokens_["melzo"]}});
  EXPECT_NE(api.body.find("\"rapporto\":{\"file\":\"melzo-2024.xlsx\",\"form\":\"spesa-sociale-comune\""), std::string::npos) << api.body;
}

// ---- headers, file names, the protocol at the socket, CSRF ----

std::int64_t new_campaign(Store& store, const std::string& name) {
  return store.add_campaign({0, name, "spesa-sociale-comune", 2024, now() - 60, now() + 3600, LatePolicy::refuse});
}

// The audit rows from `after` on: action, outcome, ente, detail.
std::vector<std::array<std::string, 4>> audit_rows(const fs::path& data_dir, std::int64_t after) {
  using Poco::Data::Keywords::bind;
  using Poco::Data::Keywords::into;
  Poco::Data::Session db("SQLite", (data_dir / "consolida.sqlite").string());
  std::vector<std::string> action, outcome, ente, detail;
  const Poco::Int64 from = after;
  db << "SELECT action, outcome, ente, detail FROM audit WHERE id > ? ORDER BY id", bind(from), into(action), into(outcome), into(ente),
      into(detail), Poco::Data::Keywords::now;
  std::vector<std::array<std::string, 4>> rows;
  for (std::size_t i = 0; i < action.size(); ++i) rows.push_back({action[i], outcome[i], ente[i], detail[i]});
  return rows;
}

TEST_F(ServerTest, EveryAnswerSaysNosniffNoFramingAndSignedInAnswersAreNotCached) {
  const std::int64_t campaign = new_campaign(server_->store(), "Intestazioni");
  const Reply sent = api_upload("melzo", campaign, slurp(samples().valid.at("015142")), "melzo.xlsx");
  ASSERT_EQ(sent.status, 201) << sent.body;
  const Browser b = login("melzo", "pw-melzo-1");
  const std::map<std::string, std::string> cookie{{"Cookie", b.cookie}}, token{{"Authorization", "Bearer " + tokens_["melzo"]}};
  const std::string c = std::to_string(campaign);
  struct Case {
    std::string what;
    Reply reply;
    int status;
    bool signed_in;
  };
  const std::vector<Case> cases = {
      {"login page", call("GET", "/"), 200, false},
      {"stylesheet", call("GET", "/stile.css"), 200, false},
      {"login redirect", call("POST", "/accesso", "utente=melzo&password=pw-melzo-1", "application/x-www-form-urlencoded"), 303, true},
      {"missing page", call("GET", "/nessuna"), 302, false},
      {"campaign page", call("GET", "/campagne/" + c, "", "", cookie), 200, true},
      {"api json", call("GET", "/api/v1/campagne/" + c, "", "", token), 200, true},
      {"api refusal", call("GET", "/api/v1/campagne/0", "", "", token), 404, true},
      {"csv", call("GET", "/campagne/" + c + "/stato.csv", "", "", cookie), 200, true},
      {"xlsx download", call("GET", sent.location + "/file", "", "", cookie), 200, true},
      {"annotated copy", call("GET", sent.location + "/annotato", "", "", cookie), 200, true},
      {"version page", call("GET", sent.location, "", "", cookie), 200, true},
  };
  for (const Case& k : cases) {
    if (k.what != "missing page") {
      EXPECT_EQ(k.reply.status, k.status) << k.what;
    }
    EXPECT_EQ(k.reply.headers.get("X-Content-Type-Options", ""), "nosniff") << k.what;
    const std::string policy = k.reply.headers.get("Content-Security-Policy", "");
    EXPECT_NE(policy.find("frame-ancestors 'none'"), std::string::npos) << k.what << ": " << policy;
    EXPECT_NE(policy.find("style-src 'self'"), std::string::npos) << k.what << ": " << policy;
    EXPECT_EQ(policy.find("unsafe-inline"), std::string::npos) << k.what << ": " << policy;
    if (k.signed_in) {
      EXPECT_EQ(k.reply.headers.get("Cache-Control", ""), "no-store") << k.what;
    }
  }
}

TEST_F(ServerTest, TheSessionCookieIsSecureOnlyWhenTheServerIsToldItIsServedOverHttps) {
  EXPECT_EQ(Poco::toLower(call("POST", "/accesso", "utente=melzo&password=pw-melzo-1", "application/x-www-form-urlencoded").set_cookie).find("secure"),
            std::string::npos);
  ServerOptions options;
  options.data_dir = (data_dir_.string() + "-https");
  fs::remove_all(options.data_dir);
  options.port = 0;
  options.threads = 2;
  options.password_iterations = 1000;
  options.cookie_secure = true;
  Server behind_tls(options, {}, registry::Registry::builtin());
  behind_tls.store().add_user("melzo", Role::comune, "015142", "pw-melzo-1");
  behind_tls.start();
  const Reply reply = consolida::testing::http_call(behind_tls.port(), "POST", "/accesso", "utente=melzo&password=pw-melzo-1",
                                                    "application/x-www-form-urlencoded");
  EXPECT_EQ(reply.status, 303);
  EXPECT_NE(Poco::toLower(reply.set_cookie).find("; secure"), std::string::npos) << reply.set_cookie;
  const Browser b{reply.set_cookie.substr(0, reply.set_cookie.find(';')), ""};
  const Reply page = consolida::testing::http_call(behind_tls.port(), "GET", "/campagne", "", "", {{"Cookie", b.cookie}});
  EXPECT_EQ(page.status, 200);
  behind_tls.stop();
  fs::remove_all(options.data_dir);
}

TEST_F(ServerTest, AFileIsStoredAndSentBackUnderItsCleanBaseName) {
  const std::int64_t campaign = new_campaign(server_->store(), "Nomi di file");
  const std::map<std::string, std::string> token{{"Authorization", "Bearer " + tokens_["melzo"]}};
  // As an old browser sends it: the whole Windows path, backslashes unescaped, and a U+202E.
  const std::string boundary = "----nomi";
  const std::string body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"C:\\Users\\x\\Citt\xC3\xA0 di Melzo\xE2\x80\xAE.xlsx\"\r\n"
                           "Content-Type: application/octet-stream\r\n\r\n" + slurp(samples().broken.at("015142")) + "\r\n--" + boundary + "--\r\n";
  const Reply sent = call("POST", "/api/v1/campagne/" + std::to_string(campaign) + "/invii", body, "multipart/form-data; boundary=" + boundary, token);
  ASSERT_EQ(sent.status, 201) << sent.body;
  EXPECT_NE(sent.body.find("\"nome_file\":\"Citt\xC3\xA0 di Melzo.xlsx\""), std::string::npos) << sent.body;
  const Reply file = call("GET", "/api/v1" + sent.location + "/file", "", "", token);
  EXPECT_EQ(file.headers.get("Content-Disposition", ""),
            "attachment; filename=\"Citt_ di Melzo.xlsx\"; filename*=UTF-8''Citt%C3%A0%20di%20Melzo.xlsx");
  const Reply annotated = call("GET", "/api/v1" + sent.location + "/annotato", "", "", token);
  EXPECT_EQ(annotated.headers.get("Content-Disposition", ""),
            "attachment; filename=\"annotato-Citt_ di Melzo.xlsx\"; filename*=UTF-8''annotato-Citt%C3%A0%20di%20Melzo.xlsx");

  // The name in X-Nome-File: no folder, no control character, at most 255 bytes.
  const Reply named = api_upload("melzo", campaign, slurp(samples().valid.at("015142")), "../../etc/" + std::string(400, 'a') + "\x01\x1b.xlsx");
  ASSERT_EQ(named.status, 201) << named.body;
  const std::string expected = "\"nome_file\":\"" + std::string(250, 'a') + ".xlsx\"";
  EXPECT_NE(named.body.find(expected), std::string::npos) << named.body.substr(0, 600);
}

// A comune that saves in LibreOffice's own format: the .ods is stored as sent, validated like the
// .xlsx of the same values, and its annotated copy is an .xlsx, which the page says.
TEST_F(ServerTest, AnOdsUploadIsStoredAndValidatedAndItsAnnotatedCopyIsAnXlsx) {
  const std::string ente = "015142";  // Melzo
  // A campaign of its own: the other tests' campaigns keep only .xlsx versions.
  const std::int64_t campaign = new_campaign(server_->store(), "Invii in .ods");
  const Browser b = login("melzo", "pw-melzo-1");
  const std::string broken = consolida::testing::ods_copy_of(samples().broken.at(ente));
  const Reply sent = browser_upload(b, campaign, broken, "melzo.ods");
  ASSERT_EQ(sent.status, 201) << sent.body;
  EXPECT_NE(sent.body.find("con errori bloccanti"), std::string::npos);
  EXPECT_NE(sent.body.find("<td data-etichetta=\"Foglio\">Spesa sociale</td>"), std::string::npos) << "errors are located by sheet and cell";
  EXPECT_NE(sent.body.find("Scarica la copia annotata (errori evidenziati; in formato .xlsx)"), std::string::npos);

  const Reply file = call("GET", sent.location + "/file", "", "", {{"Cookie", b.cookie}});
  ASSERT_EQ(file.status, 200);
  EXPECT_EQ(file.body, broken) << "the version downloaded is the .ods sent, byte for byte";
  EXPECT_EQ(file.headers.get("Content-Type", ""), "application/vnd.oasis.opendocument.spreadsheet");
  const Reply annotated = call("GET", sent.location + "/annotato", "", "", {{"Cookie", b.cookie}});
  ASSERT_EQ(annotated.status, 200);
  EXPECT_NE(annotated.headers.get("Content-Disposition", "").find("filename=\"annotato-melzo.xlsx\""), std::string::npos);
  EXPECT_EQ(xlsx::sniff_bytes(annotated.body), xlsx::FileKind::xlsx);

  const Reply fixed = browser_upload(b, campaign, consolida::testing::ods_copy_of(samples().valid.at(ente)), "melzo-corretto.ods");
  ASSERT_EQ(fixed.status, 201) << fixed.body;
  EXPECT_NE(fixed.body.find(": valida"), std::string::npos) << fixed.body.substr(0, 2000);
  EXPECT_EQ(server_->store().count_versions(campaign, ente), 2);
}

TEST_F(ServerTest, ContentLengthTogetherWithChunkedIsRefusedAndTheConnectionClosed) {
  const std::int64_t campaign = new_campaign(server_->store(), "Contrabbando");
  const std::string head = "POST /api/v1/campagne/" + std::to_string(campaign) + "/invii HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                           tokens_["melzo"] + "\r\nContent-Type: application/octet-stream\r\n";
  for (const std::string framing : {"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
                                    "Content-Length: 5\r\nContent-Length: 6\r\n", "Transfer-Encoding: gzip\r\n"}) {
    const RawExchange answer = raw_exchange(server_->port(), head + framing + "\r\n0\r\n\r\n", false);
    EXPECT_EQ(answer.status, 400) << framing << answer.head;
    EXPECT_TRUE(answer.closed_after) << framing;
    EXPECT_NE(Poco::toLower(answer.head).find("connection: close"), std::string::npos) << framing << answer.head;
  }
  EXPECT_EQ(server_->store().count_versions(campaign, "015142"), 0);
}

TEST_F(ServerTest, ABodyCutShortStoresNothing) {
  const std::int64_t campaign = new_campaign(server_->store(), "Invii interrotti");
  const std::string bytes = slurp(samples().valid.at("015142"));
  const std::string path = "/api/v1/campagne/" + std::to_string(campaign) + "/invii";
  const std::string auth = "Authorization: Bearer " + tokens_["melzo"] + "\r\n";
  auto hex = [](std::size_t n) {
    std::ostringstream out;
    out << std::hex << n;
    return out.str();
  };
  const std::string boundary = "----interrotto";
  const std::string form = multipart({{"file", bytes, "melzo.xlsx"}}, boundary);
  struct Case {
    std::string what, request;
  };
  const std::vector<Case> cases = {
      {"shorter than its Content-Length", "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth +
                                              "Content-Type: application/octet-stream\r\nContent-Length: " + std::to_string(bytes.size() + 100) + "\r\n\r\n" + bytes},
      {"multipart shorter than its Content-Length", "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth +
                                                        "Content-Type: multipart/form-data; boundary=" + boundary + "\r\nContent-Length: " +
                                                        std::to_string(form.size() + 7) + "\r\n\r\n" + form},
      {"a chunk shorter than its size", "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth +
                                            "Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n" + hex(bytes.size()) + "\r\n" +
                                            bytes.substr(0, bytes.size() / 2)},
      {"no final chunk", "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth +
                             "Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n" + hex(bytes.size()) + "\r\n" + bytes + "\r\n"},
      {"multipart without final chunk", "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + "Content-Type: multipart/form-data; boundary=" +
                                            boundary + "\r\nTransfer-Encoding: chunked\r\n\r\n" + hex(form.size()) + "\r\n" + form + "\r\n"},
  };
  const std::size_t files = stored_files();
  for (const Case& c : cases) {
    const RawExchange answer = raw_exchange(server_->port(), c.request, true);
    // The client has sent all it will (its side is shut): the server answers what went wrong.
    EXPECT_EQ(answer.status, 400) << c.what << ": " << answer.head << answer.body;
    EXPECT_EQ(server_->store().count_versions(campaign, "015142"), 0) << c.what;
    EXPECT_EQ(stored_files(), files) << c.what;
  }
  // The same file whole, chunked, is stored: the refusals above are about the cut.
  const RawExchange whole = raw_exchange(server_->port(), "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth +
                                                              "Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n" +
                                                              hex(bytes.size()) + "\r\n" + bytes + "\r\n0\r\n\r\n", false);
  EXPECT_EQ(whole.status, 201) << whole.body;
  EXPECT_EQ(server_->store().count_versions(campaign, "015142"), 1);
}

TEST_F(ServerTest, MalformedFormsAndUnknownScopesGetPlainAnswersAndAreAudited) {
  // The production limit of 16 MB, so that 100,000 fields fit in a body the server reads.
  ServerOptions options;
  options.data_dir = data_dir_.string() + "-malformati";
  fs::remove_all(options.data_dir);
  options.port = 0;
  options.threads = 2;
  options.password_iterations = 1000;
  Server wide(options, {}, registry::Registry::builtin());
  wide.store().add_user("melzo", Role::comune, "015142", "pw-melzo-1");
  const std::int64_t campaign = new_campaign(wide.store(), "Moduli malformati");
  const std::string path = "/api/v1/campagne/" + std::to_string(campaign) + "/invii";
  const std::map<std::string, std::string> token{{"Authorization", "Bearer " + wide.store().issue_token("melzo").secret}};
  wide.start();
  const std::string file = slurp(samples().valid.at("015142"));
  const std::string b = "----malformato";
  std::string many_fields;
  for (int i = 0; i < 100000; ++i) many_fields += "--" + b + "\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nx\r\n";
  struct Case {
    std::string what, content_type, body;
  };
  const std::vector<Case> cases = {
      {"huge filename", "multipart/form-data; boundary=" + b,
       "--" + b + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + std::string(200000, 'n') + ".xlsx\"\r\n\r\n" + file + "\r\n--" + b + "--\r\n"},
      {"1 MiB part header", "multipart/form-data; boundary=" + b,
       "--" + b + "\r\nX-Riempitivo: " + std::string(1 << 20, 'h') + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.xlsx\"\r\n\r\n" +
           file + "\r\n--" + b + "--\r\n"},
      {"100,000 fields", "multipart/form-data; boundary=" + b, many_fields + multipart({{"file", file, "a.xlsx"}}, b)},
      {"missing boundary", "multipart/form-data", multipart({{"file", file, "a.xlsx"}}, b)},
      {"boundary never found", "multipart/form-data; boundary=altro", multipart({{"file", file, "a.xlsx"}}, b)},
  };
  for (const Case& c : cases) {
    const Reply reply = consolida::testing::http_call(wide.port(), "POST", path, c.body, c.content_type, token);
    EXPECT_TRUE(reply.status == 400 || reply.status == 413) << c.what << ": " << reply.status << " " << reply.body.substr(0, 300);
    EXPECT_NE(reply.body.find("\"errore\""), std::string::npos) << c.what << ": " << reply.body.substr(0, 300);
    for (const char* internal : {"xception", "Poco", "boundary", "Multipart", "Field", "ield value"}) {
      EXPECT_EQ(reply.body.find(internal), std::string::npos) << c.what << ": " << reply.body.substr(0, 300);
    }
  }
  EXPECT_EQ(wide.store().count_versions(campaign, "015142"), 0);
  EXPECT_TRUE(fs::is_empty(fs::path(options.data_dir) / "tmp"));
  const auto rows = audit_rows(options.data_dir, 0);
  std::size_t refused = 0;
  for (const auto& row : rows) refused += row[0] == "invio" && row[1] == "rifiutato" && row[3].find("malformat") != std::string::npos;
  EXPECT_EQ(refused, cases.size()) << "every malformed form audited as such";
  wide.stop();
  fs::remove_all(options.data_dir);

  // Scopes that do not exist are named and answered 404; a level that does not exist 400.
  const std::map<std::string, std::string> region{{"Authorization", "Bearer " + tokens_["regione"]}};
  const std::string consolidated = "/api/v1/campagne/" + std::to_string(open_) + "/consolidato";
  for (const std::string query : {"?livello=ambito&ambito=NESSUNO", "?livello=ats&ats=NESSUNO"}) {
    const Reply reply = call("GET", consolidated + query, "", "", region);
    EXPECT_EQ(reply.status, 404) << query << ": " << reply.body;
    EXPECT_NE(reply.body.find("«NESSUNO»"), std::string::npos) << query << ": " << reply.body;
    EXPECT_NE(reply.body.find("\"errore\""), std::string::npos) << query << ": " << reply.body;
  }
  const Reply level = call("GET", consolidated + "?livello=provincia", "", "", region);
  EXPECT_EQ(level.status, 400) << level.body;
  EXPECT_NE(level.body.find("provincia"), std::string::npos) << level.body;
  // A query that is no query, and a login form of 200 fields: 400 in plain words, not 500.
  const Reply query = call("GET", consolidated + "?livello=%zz", "", "", region);
  EXPECT_EQ(query.status, 400) << query.body;
  EXPECT_NE(query.body.find("parametri malformati"), std::string::npos) << query.body;
  std::string fields = "utente=melzo&password=x";
  for (int i = 0; i < 200; ++i) fields += "&campo" + std::to_string(i) + "=x";
  const Reply login_form = call("POST", "/accesso", fields, "application/x-www-form-urlencoded");
  EXPECT_EQ(login_form.status, 400) << login_form.body.substr(0, 300);
  EXPECT_NE(login_form.body.find("malformato"), std::string::npos) << login_form.body.substr(0, 300);
}

TEST_F(ServerTest, TooLargeAndFormExpiredRefusalsAreAuditedWithBoundedText) {
  const std::int64_t campaign = new_campaign(server_->store(), "Rifiuti registrati");
  const Browser b = login("melzo", "pw-melzo-1");
  const std::int64_t before = server_->store().audit_count();
  EXPECT_EQ(browser_upload(b, campaign, std::string((1u << 20) + 10, 'x'), "grande.xlsx").status, 413);
  EXPECT_EQ(browser_upload(b, campaign, slurp(samples().valid.at("015142")), "melzo.xlsx", "").status, 403);
  // An ente of 8 KB (Poco's limit for a header): refused, and the audit keeps at most 200 bytes of it.
  const Reply odd = api_upload("regione", campaign, slurp(samples().valid.at("015142")), "melzo.xlsx", std::string(8000, 'E'));
  EXPECT_EQ(odd.status, 403) << odd.body.substr(0, 200);
  EXPECT_LT(odd.body.size(), 2000u);
  EXPECT_EQ(server_->store().audit_count() - before, 3);
  const auto rows = audit_rows(data_dir_, before);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_NE(rows[0][3].find("troppo grande"), std::string::npos) << rows[0][3];
  EXPECT_NE(rows[1][3].find("modulo scaduto"), std::string::npos) << rows[1][3];
  for (const auto& row : rows) {
    EXPECT_EQ(row[1], "rifiutato");
    EXPECT_LE(row[2].size(), 200u);
    EXPECT_LE(row[3].size(), 1000u);
  }
}

TEST_F(ServerTest, ApiWritesWithASessionCookieNeedTheCsrfHeader) {
  const std::int64_t campaign = new_campaign(server_->store(), "API e sessioni");
  const Browser b = login("melzo", "pw-melzo-1");
  const std::string path = "/api/v1/campagne/" + std::to_string(campaign) + "/invii";
  const std::string bytes = slurp(samples().valid.at("015142"));
  const Reply without = call("POST", path, bytes, "application/octet-stream", {{"Cookie", b.cookie}});
  EXPECT_EQ(without.status, 403) << without.body;
  const Reply wrong = call("POST", path, bytes, "application/octet-stream", {{"Cookie", b.cookie}, {"X-CSRF-Token", std::string(32, '0')}});
  EXPECT_EQ(wrong.status, 403) << wrong.body;
  EXPECT_EQ(server_->store().count_versions(campaign, "015142"), 0);
  EXPECT_EQ(call("GET", "/api/v1/campagne/" + std::to_string(campaign), "", "", {{"Cookie", b.cookie}}).status, 200) << "reads need no token";
  const Reply with = call("POST", path, bytes, "application/octet-stream", {{"Cookie", b.cookie}, {"X-CSRF-Token", b.csrf}});
  EXPECT_EQ(with.status, 201) << with.body;
}

TEST_F(ServerTest, ALoginPostedFromAnotherSiteIsRefused) {
  const std::string form = "utente=melzo&password=pw-melzo-1";
  const std::string here = "http://127.0.0.1:" + std::to_string(server_->port());
  for (const std::string& origin : std::vector<std::string>{"http://attacker.example", "null", here + ".attacker.example", "http://127.0.0.1:1"}) {
    const Reply refused = call("POST", "/accesso", form, "application/x-www-form-urlencoded", {{"Origin", origin}});
    EXPECT_EQ(refused.status, 403) << origin;
    EXPECT_TRUE(refused.set_cookie.empty()) << origin;
    EXPECT_NE(refused.body.find("altro sito"), std::string::npos) << origin << ": " << refused.body;
  }
  EXPECT_EQ(call("POST", "/accesso", form, "application/x-www-form-urlencoded", {{"Origin", here}}).status, 303);
  EXPECT_EQ(call("POST", "/accesso", form, "application/x-www-form-urlencoded").status, 303) << "clients that send no Origin";
}

// An Ambito may send on behalf of one of its comuni (the help desk does): its upload form offers
// its comuni, the version records who sent it and the comune sees that. Another Ambito's comune
// is refused.
TEST_F(ServerTest, AnAmbitoSendsForOneOfItsComuniAndTheComuneSeesWhoSentIt) {
  Store& store = server_->store();
  const std::int64_t campaign =
      store.add_campaign({0, "Invii dell'Ambito", "spesa-sociale-comune", 2024, now() - 60, now() + 3600, LatePolicy::refuse});
  std::string ente;
  for (const auto& [code, file] : samples().valid) {
    if (code != "015142" && code != "015059") ente = code;
  }
  const Browser ambito = login("ufficio-melzo", "pw-ambito-1");
  const Reply page = call("GET", "/campagne/" + std::to_string(campaign), "", "", {{"Cookie", ambito.cookie}});
  EXPECT_NE(page.body.find("<select id=\"ente\" name=\"ente\""), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("<option value=\"" + ente + "\">"), std::string::npos) << page.body;
  EXPECT_EQ(page.body.find("value=\"MELZO\""), std::string::npos) << "the Ambito's own code is no comune";
  EXPECT_NE(page.body.find("required><option value=\"\" selected>"), std::string::npos) << "no comune chosen beforehand: " << page.body;

  const std::string boundary = "----consolida-test-boundary";
  auto send = [&](const std::string& for_ente) {
    const std::string body = multipart({{"csrf", ambito.csrf, ""}, {"ente", for_ente, ""}, {"file", slurp(samples().valid.at(ente)), "comune.xlsx"}}, boundary);
    return call("POST", "/campagne/" + std::to_string(campaign) + "/invii", body, "multipart/form-data; boundary=" + boundary,
                {{"Cookie", ambito.cookie}});
  };
  const Reply sent = send(ente);
  ASSERT_EQ(sent.status, 201) << sent.body;
  EXPECT_NE(sent.body.find("Inviata da ufficio-melzo (Ambito MELZO)"), std::string::npos) << sent.body;
  // Lodi belongs to another Ambito: refused, nothing stored.
  const Reply other = send("098031");
  EXPECT_EQ(other.status, 403) << other.body;
  EXPECT_EQ(store.count_versions(campaign, "098031"), 0);
  // Without a comune named the Ambito is asked for one, not refused for its own code.
  const Reply unnamed = send("");
  EXPECT_EQ(unnamed.status, 400) << unnamed.body;
  EXPECT_NE(unnamed.body.find("Comune"), std::string::npos) << unnamed.body;

  // The comune sees who sent its version, on its page and in its status.
  store.add_user("comune-" + ente, Role::comune, ente, "pw-comune-lungo");
  const std::string token = store.issue_token("comune-" + ente).secret;
  const Browser comune = login("comune-" + ente, "pw-comune-lungo");
  const Reply comune_page = call("GET", "/campagne/" + std::to_string(campaign), "", "", {{"Cookie", comune.cookie}});
  EXPECT_NE(comune_page.body.find("ufficio-melzo (Ambito MELZO)"), std::string::npos) << comune_page.body;
  const Reply status = call("GET", "/api/v1/campagne/" + std::to_string(campaign) + "/stato", "", "", {{"Authorization", "Bearer " + token}});
  EXPECT_NE(status.body.find("\"inviato_da\":\"ufficio-melzo (Ambito MELZO)\""), std::string::npos) << status.body;
  const Reply version = call("GET", "/api/v1" + sent.location, "", "", {{"Authorization", "Bearer " + token}});
  EXPECT_NE(version.body.find("\"inviato_da\":\"ufficio-melzo (Ambito MELZO)\""), std::string::npos) << version.body;
}

}  // namespace

// The Ambito reviews the versions of its comuni (issue #14): a note with every decision, the
// comune sees *da correggere* with it, an approved comune is locked until it is reopened, and
// the consolidation can take the approved enti alone.
TEST_F(ServerTest, TheAmbitoRinviaOneComuneApprovesAnotherAndTheApprovedOneIsLocked) {
  Store& store = server_->store();
  const std::int64_t campaign =
      store.add_campaign({0, "Revisione dell'Ambito", "spesa-sociale-comune", 2024, now() - 60, now() + 3600, LatePolicy::refuse});
  const Reply melzo = api_upload("melzo", campaign, slurp(samples().valid.at("015142")), "melzo.xlsx");
  const Reply cassano = api_upload("cassano", campaign, slurp(samples().valid.at("015059")), "cassano.xlsx");
  ASSERT_EQ(melzo.status, 201) << melzo.body;
  ASSERT_EQ(cassano.status, 201) << cassano.body;
  const std::string melzo_version = melzo.location, cassano_version = cassano.location;  // "/invii/ID"

  const Browser ambito = login("ufficio-melzo", "pw-ambito-1");
  const Reply page = call("GET", melzo_version, "", "", {{"Cookie", ambito.cookie}});
  EXPECT_NE(page.body.find("action=\"" + melzo_version + "/revisione\""), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("value=\"approvato\">Approva</button>"), std::string::npos) << page.body;
  auto decide = [&](const Browser& who, const std::string& version, const std::string& outcome, const std::string& note) {
    return call("POST", version + "/revisione", "csrf=" + who.csrf + "&esito=" + outcome + "&nota=" + note,
                "application/x-www-form-urlencoded", {{"Cookie", who.cookie}});
  };
  // A decision without a note, or by the comune itself, is refused and changes nothing.
  EXPECT_EQ(decide(ambito, melzo_version, "rinviato", "+++").status, 400);
  const Browser comune = login("melzo", "pw-melzo-1");
  EXPECT_EQ(decide(comune, melzo_version, "approvato", "va+bene").status, 403);
  EXPECT_EQ(decide(ambito, melzo_version, "bocciato", "no").status, 400);
  EXPECT_FALSE(store.last_review(campaign, "015142"));

  const std::int64_t audited = store.audit_count();
  store.set_email("melzo", "servizi.sociali@comune.melzo.mi.it");
  const std::size_t mails_before = store.outbox().size();
  const Reply sent_back = decide(ambito, melzo_version, "rinviato", "Manca+la+quota+FNA+nella+riga+12");
  EXPECT_EQ(sent_back.status, 303) << sent_back.body;
  EXPECT_EQ(sent_back.location, melzo_version);
  EXPECT_EQ(store.audit_count(), audited + 1) << "every decision is audited";
  // The comune hears it by mail too, with the note.
  const std::vector<OutboxMessage> outbox = store.outbox();
  ASSERT_EQ(outbox.size(), mails_before + 1);
  EXPECT_EQ(outbox.back().recipient, "servizi.sociali@comune.melzo.mi.it");
  EXPECT_NE(outbox.back().body.find("Manca la quota FNA nella riga 12"), std::string::npos) << outbox.back().body;
  store.set_email("melzo", "");
  // The comune sees what to correct, on its page and in its status.
  const Reply comune_page = call("GET", "/campagne/" + std::to_string(campaign), "", "", {{"Cookie", comune.cookie}});
  EXPECT_NE(comune_page.body.find("Da correggere"), std::string::npos) << comune_page.body;
  EXPECT_NE(comune_page.body.find("Manca la quota FNA nella riga 12"), std::string::npos) << comune_page.body;
  const Reply status = call("GET", "/api/v1/campagne/" + std::to_string(campaign) + "/stato", "", "",
                            {{"Authorization", "Bearer " + tokens_["melzo"]}});
  EXPECT_NE(status.body.find("\"revisione\":\"da correggere\""), std::string::npos) << status.body;

  // The API: approve Cassano with the Region's token.
  const std::map<std::string, std::string> region{{"Authorization", "Bearer " + tokens_["regione"]}};
  const Reply approved = call("POST", "/api/v1" + cassano_version + "/revisione", R"({"esito": "approvato", "nota": "Tutto in ordine"})",
                              "application/json", region);
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_NE(approved.body.find("\"esito\":\"approvato\""), std::string::npos) << approved.body;
  EXPECT_NE(approved.body.find("\"revisore\":\"regione\""), std::string::npos) << approved.body;
  EXPECT_EQ(call("POST", "/api/v1" + cassano_version + "/revisione", R"({"esito": "approvato", "nota": "di nuovo"})", "application/json", region).status,
            409);
  EXPECT_EQ(call("POST", "/api/v1" + cassano_version + "/revisione", "{non json", "application/json", region).status, 400);
  // Locked: another file of Cassano is refused and nothing is stored.
  const Reply locked = api_upload("cassano", campaign, slurp(samples().broken.at("015059")), "cassano-2.xlsx");
  EXPECT_EQ(locked.status, 409) << locked.body;
  EXPECT_NE(locked.body.find("riaprire"), std::string::npos) << locked.body;
  EXPECT_EQ(store.count_versions(campaign, "015059"), 1);
  // The same file again is told the same: the ente is approved (not "the same file as the last one").
  const Reply same_again = api_upload("cassano", campaign, slurp(samples().valid.at("015059")), "cassano.xlsx");
  EXPECT_EQ(same_again.status, 409) << same_again.body;
  EXPECT_NE(same_again.body.find("riaprire"), std::string::npos) << same_again.body;
  const Browser cassano_browser = login("cassano", "pw-cassano-1");
  const Reply cassano_page = call("GET", "/campagne/" + std::to_string(campaign), "", "", {{"Cookie", cassano_browser.cookie}});
  EXPECT_NE(cassano_page.body.find("<strong>Approvato</strong>"), std::string::npos) << cassano_page.body;
  EXPECT_EQ(cassano_page.body.find("/invii\" enctype="), std::string::npos) << "no upload form for an approved comune";
  const Reply csv = call("GET", "/campagne/" + std::to_string(campaign) + "/stato.csv", "", "", {{"Cookie", ambito.cookie}});
  EXPECT_NE(csv.body.find(";approvato;Tutto in ordine\r\n"), std::string::npos) << csv.body;

  // The consolidation of the approved enti alone: Cassano in, Melzo listed as sent back.
  const Reply only_approved = call("GET", "/api/v1/campagne/" + std::to_string(campaign) + "/consolidato?livello=ambito&ambito=MELZO&solo_approvati=1",
                                   "", "", region);
  ASSERT_EQ(only_approved.status, 200) << only_approved.body.substr(0, 300);
  xlsx::Workbook workbook = xlsx::Workbook::open_bytes(only_approved.body, "consolidato.xlsx");
  std::set<std::string> detailed, not_approved;
  const xlsx::Sheet detail = workbook.load_sheet(*workbook.find_sheet("Dettaglio"));
  for (const xlsx::Cell& cell : detail.cells()) {
    if (cell.col == 0 && cell.row > 0 && cell.text.starts_with("015")) detailed.insert(cell.text);
  }
  for (const xlsx::SheetInfo& info : workbook.sheets()) {
    const xlsx::Sheet sheet = workbook.load_sheet(info);
    for (const xlsx::Cell& cell : sheet.cells()) {
      if (cell.text.find("rinviata all'ente per correzioni") != std::string::npos) {
        not_approved.insert(sheet.cell(xlsx::CellRef{cell.row, 0}) ? sheet.cell(xlsx::CellRef{cell.row, 0})->text : "");
      }
    }
  }
  EXPECT_EQ(detailed, std::set<std::string>{"015059"});
  EXPECT_TRUE(not_approved.count("015142")) << "Melzo is listed as sent back for corrections";

  // Reopened with a note, Cassano may send again; Melzo's new version is to be reviewed again,
  // and a decision on its old version is refused as stale.
  EXPECT_EQ(decide(ambito, cassano_version, "riaperto", "Riaperto+su+richiesta").status, 303);
  EXPECT_EQ(api_upload("cassano", campaign, slurp(samples().broken.at("015059")), "cassano-2.xlsx").status, 201);
  EXPECT_EQ(api_upload("melzo", campaign, slurp(samples().broken.at("015142")), "melzo-2.xlsx").status, 201);
  const Reply answered = call("GET", "/api/v1/campagne/" + std::to_string(campaign) + "/stato", "", "",
                              {{"Authorization", "Bearer " + tokens_["melzo"]}});
  EXPECT_NE(answered.body.find("\"revisione\":\"da rivedere\""), std::string::npos) << answered.body;
  const Reply fixed = api_upload("melzo", campaign, with_comment(slurp(samples().valid.at("015142")), "corretto"), "melzo-3.xlsx");
  ASSERT_EQ(fixed.status, 201) << fixed.body;
  EXPECT_EQ(decide(ambito, melzo_version, "rinviato", "ancora").status, 409) << "a newer valid version counts now";
  EXPECT_EQ(decide(ambito, fixed.location, "approvato", "Corretto").status, 303);

  // The same from the command line on the data directory, beside the running server: now Melzo
  // alone is approved (Cassano was reopened).
  const fs::path out = data_dir_ / "tmp" / "consolidato-approvati.xlsx";
  const auto cli = consolida::testing::run_cli("consolidate --data-dir " + data_dir_.string() + " --campagna " + std::to_string(campaign) +
                                               " --level ambito --scope MELZO --solo-approvati -o " + out.string());
  ASSERT_EQ(cli.status, 0) << cli.out;
  EXPECT_NE(cli.out.find("solo enti approvati"), std::string::npos) << cli.out;
  xlsx::Workbook from_cli = xlsx::Workbook::open(out.string());
  const xlsx::Sheet cli_detail = from_cli.load_sheet(*from_cli.find_sheet("Dettaglio"));
  std::set<std::string> cli_detailed;
  for (const xlsx::Cell& cell : cli_detail.cells()) {
    if (cell.col == 0 && cell.row > 0 && cell.text.starts_with("015")) cli_detailed.insert(cell.text);
  }
  EXPECT_EQ(cli_detailed, std::set<std::string>{"015142"});
  fs::remove(out);
  EXPECT_EQ(consolida::testing::run_cli("consolidate --data-dir " + data_dir_.string() + " --campagna 9999 -o " + out.string()).status, 17);
}

TEST_F(ServerTest, OnlyTheAmbitoOfAComuneAndTheRegionReviewItAndOnlyAValidVersionIsApproved) {
  Store& store = server_->store();
  const std::int64_t campaign =
      store.add_campaign({0, "Revisione: chi decide", "spesa-sociale-comune", 2024, now() - 60, now() + 3600, LatePolicy::refuse});
  // A version of Lodi, of another Ambito, recorded as the server would.
  const std::string bytes = with_comment(slurp(samples().valid.at("015142")), "lodi");
  Submission draft = melzo_draft(campaign, bytes, "lodi.xlsx");
  draft.ente = "098031";
  draft.valid = true;
  draft.report_json = "{}";
  const auto added = store.add_submission(draft, temp_copy("lodi", bytes));
  ASSERT_TRUE(std::holds_alternative<Submission>(added));
  const std::string lodi_version = "/invii/" + std::to_string(std::get<Submission>(added).id);
  const Reply broken = api_upload("melzo", campaign, slurp(samples().broken.at("015142")), "melzo.xlsx");
  ASSERT_EQ(broken.status, 201) << broken.body;
  const Browser ambito = login("ufficio-melzo", "pw-ambito-1");
  auto decide = [&](const std::string& version, const std::string& outcome) {
    return call("POST", version + "/revisione", "csrf=" + ambito.csrf + "&esito=" + outcome + "&nota=nota", "application/x-www-form-urlencoded",
                {{"Cookie", ambito.cookie}});
  };
  // Lodi belongs to another Ambito: its version is not even visible to Melzo's.
  EXPECT_EQ(decide(lodi_version, "approvato").status, 403);
  EXPECT_EQ(decide(broken.location, "approvato").status, 409) << "a version with errors is sent back, not approved";
  EXPECT_EQ(decide(broken.location, "rinviato").status, 303);
  EXPECT_EQ(decide(broken.location, "riaperto").status, 409) << "only an approved ente is reopened";
  // A valid version whose stored file is gone cannot be approved: the consolidation could not take it.
  const Reply valid = api_upload("cassano", campaign, slurp(samples().valid.at("015059")), "cassano.xlsx");
  ASSERT_EQ(valid.status, 201) << valid.body;
  const std::int64_t valid_id = std::stoll(valid.location.substr(valid.location.rfind('/') + 1));
  fs::remove(store.file_path(store.submission(valid_id)->sha256));
  const Reply without_file = decide(valid.location, "approvato");
  EXPECT_EQ(without_file.status, 409) << without_file.body;
  EXPECT_NE(without_file.body.find("non è più sul server"), std::string::npos) << without_file.body;
  EXPECT_FALSE(store.last_review(campaign, "015059"));
  // A note a spreadsheet would take for a formula stays text in the CSV export.
  EXPECT_EQ(call("POST", broken.location + "/revisione", "csrf=" + ambito.csrf + "&esito=rinviato&nota=%3DHYPERLINK(%22x%22)",
                 "application/x-www-form-urlencoded", {{"Cookie", ambito.cookie}}).status, 303);
  const Reply csv = call("GET", "/campagne/" + std::to_string(campaign) + "/stato.csv?cerca=015142", "", "", {{"Cookie", ambito.cookie}});
  EXPECT_NE(csv.body.find(";\"'=HYPERLINK(\"\"x\"\")\"\r\n"), std::string::npos) << csv.body;
  EXPECT_EQ(store.reviews(campaign, "015142").size(), 2u);
  // Two reviewers on one ente: a form drawn before the other's decision is refused, not recorded.
  const std::int64_t last = store.last_review(campaign, "015142")->id;
  const Reply page = call("GET", broken.location, "", "", {{"Cookie", ambito.cookie}});
  EXPECT_NE(page.body.find("name=\"dopo_decisione\" value=\"" + std::to_string(last) + "\""), std::string::npos) << page.body;
  auto after = [&](std::int64_t seen) {
    return call("POST", broken.location + "/revisione", "csrf=" + ambito.csrf + "&esito=rinviato&nota=ancora&dopo_decisione=" + std::to_string(seen),
                "application/x-www-form-urlencoded", {{"Cookie", ambito.cookie}});
  };
  const Reply overtaken = after(last - 1);
  EXPECT_EQ(overtaken.status, 409) << overtaken.body;
  EXPECT_NE(overtaken.body.find("nel frattempo"), std::string::npos) << overtaken.body;
  EXPECT_EQ(store.reviews(campaign, "015142").size(), 2u);
  EXPECT_EQ(after(last).status, 303);
  const std::map<std::string, std::string> region{{"Authorization", "Bearer " + tokens_["regione"]}};
  EXPECT_EQ(call("POST", "/api/v1" + broken.location + "/revisione", R"({"esito": "rinviato", "nota": "x", "dopo_decisione": 0})",
                 "application/json", region).status, 409);
  // A decision's id is a whole number: 1.5 or "1" is a malformed request, not decision 1.
  for (const std::string seen : {"1.5", "\"1\"", "true"}) {
    EXPECT_EQ(call("POST", "/api/v1" + broken.location + "/revisione", R"({"esito": "rinviato", "nota": "x", "dopo_decisione": )" + seen + "}",
                   "application/json", region).status,
              400)
        << seen;
  }
}

// The Region puts an abandoned message back in line, from its outbox page or the API; nobody else can.
TEST_F(ServerTest, TheRegionPutsAnAbandonedMessageBackInLine) {
  Store& store = server_->store();
  OutboxMessage draft;
  draft.key = "prova/riprova";
  draft.recipient = "sconosciuto@comune.melzo.mi.it";
  draft.subject = "Ricevuta";
  draft.body = "testo";
  draft.created = now();
  store.enqueue_mails({draft});
  const std::int64_t id = store.outbox().back().id;
  store.mark_mail_failed(id, "550 5.1.1 utente sconosciuto", now(), RetryPolicy{}, MailFailure::permanent);
  ASSERT_EQ(state_of(store.outbox().back()), MailState::abandoned);

  const Browser region = login("regione", "pw-regione-1");
  const Reply page = call("GET", "/posta", "", "", {{"Cookie", region.cookie}});
  EXPECT_NE(page.body.find("action=\"/posta/" + std::to_string(id) + "/riprova\""), std::string::npos) << page.body;
  const std::string path = "/posta/" + std::to_string(id) + "/riprova";
  EXPECT_EQ(call("POST", path, "csrf=sbagliato", "application/x-www-form-urlencoded", {{"Cookie", region.cookie}}).status, 403);
  EXPECT_EQ(call("POST", "/api/v1" + path, "", "", {{"Authorization", "Bearer " + tokens_["melzo"]}}).status, 404);
  EXPECT_EQ(state_of(store.outbox().back()), MailState::abandoned);
  const Reply retried = call("POST", path, "csrf=" + region.csrf, "application/x-www-form-urlencoded", {{"Cookie", region.cookie}});
  EXPECT_EQ(retried.status, 303) << retried.body;
  EXPECT_EQ(retried.location, "/posta");
  EXPECT_EQ(state_of(store.outbox().back()), MailState::pending);
  EXPECT_EQ(call("POST", "/api/v1" + path, "", "", {{"Authorization", "Bearer " + tokens_["regione"]}}).status, 200);
  store.mark_mail_sent(id, now());
  EXPECT_EQ(call("POST", "/api/v1" + path, "", "", {{"Authorization", "Bearer " + tokens_["regione"]}}).status, 404) << "sent: nothing to retry";
}

// Reviews come after the deadline: an ente sent back must be able to answer, even when the campaign
// refuses late files; its answer is not late (the reviewer asked for it). Others stay closed.
TEST_F(ServerTest, AnEnteSentBackAfterTheDeadlineMayStillAnswer) {
  Store& store = server_->store();
  const std::int64_t campaign =
      store.add_campaign({0, "Revisione dopo la scadenza", "spesa-sociale-comune", 2024, now() - 7200, now() - 60, LatePolicy::refuse});
  const std::string bytes = slurp(samples().valid.at("015142"));
  Submission draft = melzo_draft(campaign, bytes, "melzo.xlsx");
  draft.uploaded_at = now() - 3600;
  draft.valid = true;
  draft.report_json = "{}";
  const auto added = store.add_submission(draft, temp_copy("melzo-in-tempo", bytes));
  ASSERT_TRUE(std::holds_alternative<Submission>(added));
  store.set_email("melzo", "servizi.sociali@comune.melzo.mi.it");
  const Browser ambito = login("ufficio-melzo", "pw-ambito-1");
  const std::string version = "/invii/" + std::to_string(std::get<Submission>(added).id);
  ASSERT_EQ(call("POST", version + "/revisione", "csrf=" + ambito.csrf + "&esito=rinviato&nota=Manca+la+firma", "application/x-www-form-urlencoded",
                 {{"Cookie", ambito.cookie}}).status,
            303);
  store.set_email("melzo", "");
  // The mail does not ask for the file "before the deadline", which has passed.
  const std::string mail = store.outbox().back().body;
  EXPECT_EQ(mail.find("entro la scadenza"), std::string::npos) << mail;
  EXPECT_NE(mail.find("restano aperti"), std::string::npos) << mail;

  const Browser comune = login("melzo", "pw-melzo-1");
  const Reply page = call("GET", "/campagne/" + std::to_string(campaign), "", "", {{"Cookie", comune.cookie}});
  EXPECT_NE(page.body.find("per questo ente gli invii restano aperti"), std::string::npos) << page.body;
  const Reply answer = api_upload("melzo", campaign, with_comment(bytes, "corretto"), "melzo-corretto.xlsx");
  ASSERT_EQ(answer.status, 201) << answer.body;
  const std::int64_t answer_id = std::stoll(answer.location.substr(answer.location.rfind('/') + 1));
  EXPECT_FALSE(store.submission(answer_id)->late) << "asked for by the reviewer, not late";
  // Cassano was not sent back: the campaign is closed to it.
  EXPECT_EQ(api_upload("cassano", campaign, slurp(samples().valid.at("015059")), "cassano.xlsx").status, 403);
}

// A comune takes no part in a campaign of an Ambito form: it is not listed to it, and its page
// is not open to it (it could only send files that would be refused).
TEST_F(ServerTest, AComuneDoesNotSeeTheCampaignsOfAmbitoForms) {
  Store& store = server_->store();
  store.add_campaign({0, "Rendiconto degli Ambiti", "rendiconto-ambito", 2025, now() - 60, now() + 3600, LatePolicy::refuse});
  const std::int64_t ambito_form = store.campaigns().back().id;
  const Browser comune = login("melzo", "pw-melzo-1");
  const Reply list = call("GET", "/campagne", "", "", {{"Cookie", comune.cookie}});
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body.find("Rendiconto degli Ambiti"), std::string::npos) << list.body;
  EXPECT_EQ(call("GET", "/campagne/" + std::to_string(ambito_form), "", "", {{"Cookie", comune.cookie}}).status, 403);
  const Reply api = call("GET", "/api/v1/campagne", "", "", {{"Authorization", "Bearer " + tokens_["melzo"]}});
  EXPECT_EQ(api.body.find("Rendiconto degli Ambiti"), std::string::npos) << api.body;
  // The Ambito and the Region see it.
  const Browser ambito = login("ufficio-melzo", "pw-ambito-1");
  EXPECT_NE(call("GET", "/campagne", "", "", {{"Cookie", ambito.cookie}}).body.find("Rendiconto degli Ambiti"), std::string::npos);
  EXPECT_EQ(call("GET", "/campagne/" + std::to_string(ambito_form), "", "", {{"Cookie", ambito.cookie}}).status, 200);
}

// What a reviewer types is text: bytes that are not UTF-8 (or control characters) would break
// the JSON, the xlsx export and the comune's page, so they are refused; a line break counts once,
// as the page's field counts it, whether the browser sends it as CRLF or LF.
TEST_F(ServerTest, AReviewNoteMustBeTextAndItsLineBreaksCountOnce) {
  Store& store = server_->store();
  const std::int64_t campaign =
      store.add_campaign({0, "Revisione: la nota", "spesa-sociale-comune", 2024, now() - 60, now() + 3600, LatePolicy::refuse});
  const Reply broken = api_upload("melzo", campaign, slurp(samples().broken.at("015142")), "melzo.xlsx");
  ASSERT_EQ(broken.status, 201) << broken.body;
  const Browser ambito = login("ufficio-melzo", "pw-ambito-1");
  auto send_back = [&](const std::string& note) {
    return call("POST", broken.location + "/revisione", "csrf=" + ambito.csrf + "&esito=rinviato&nota=" + note,
                "application/x-www-form-urlencoded", {{"Cookie", ambito.cookie}});
  };
  EXPECT_EQ(send_back("%FF%FEmanca%C3%28").status, 400);
  EXPECT_EQ(send_back("manca%07la+riga").status, 400);
  const std::map<std::string, std::string> region{{"Authorization", "Bearer " + tokens_["regione"]}};
  EXPECT_EQ(call("POST", "/api/v1" + broken.location + "/revisione", "{\"esito\": \"rinviato\", \"nota\": \"\xff\xfe\"}", "application/json",
                 region).status,
            400);
  EXPECT_FALSE(store.last_review(campaign, "015142"));
  // 3,999 letters and one line break sent as CRLF: 4,000 characters for the page's field.
  const Reply long_note = send_back(std::string(2000, 'a') + "%0D%0A" + std::string(1999, 'b'));
  EXPECT_EQ(long_note.status, 303) << long_note.body;
  ASSERT_TRUE(store.last_review(campaign, "015142"));
  EXPECT_EQ(store.last_review(campaign, "015142")->note, std::string(2000, 'a') + "\n" + std::string(1999, 'b'));
  const Reply status = call("GET", "/api/v1/campagne/" + std::to_string(campaign) + "/stato", "", "", region);
  EXPECT_EQ(status.status, 200);
  EXPECT_NO_THROW(Poco::JSON::Parser().parse(status.body));
  // The search field likewise.
  EXPECT_EQ(call("GET", "/campagne/" + std::to_string(campaign) + "?cerca=%FFmelzo", "", "", {{"Cookie", ambito.cookie}}).status, 400);
  EXPECT_EQ(call("GET", "/campagne/" + std::to_string(campaign) + "?cerca=melzo%00", "", "", {{"Cookie", ambito.cookie}}).status, 400);
}

// The Region's list of a campaign filtered and paged, and exported as CSV and xlsx (issue #14).
TEST_F(ServerTest, TheStatusIsFilteredPagedAndExportedWithTheSameFilter) {
  Store& store = server_->store();
  const std::int64_t campaign =
      store.add_campaign({0, "Cruscotto della Regione", "spesa-sociale-comune", 2024, now() - 60, now() + 3600, LatePolicy::refuse});
  ASSERT_EQ(api_upload("melzo", campaign, slurp(samples().valid.at("015142")), "melzo.xlsx").status, 201);
  ASSERT_EQ(api_upload("cassano", campaign, slurp(samples().valid.at("015059")), "cassano.xlsx").status, 201);
  const std::map<std::string, std::string> region{{"Authorization", "Bearer " + tokens_["regione"]}};
  const std::string base = "/api/v1/campagne/" + std::to_string(campaign);

  const Reply page = call("GET", base + "/stato?ambito=MELZO&stato=mancante&pagina=1&per_pagina=5", "", "", region);
  ASSERT_EQ(page.status, 200) << page.body;
  const auto body = Poco::JSON::Parser().parse(page.body).extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(body->getValue<int>("corrispondenti"), 6);
  EXPECT_EQ(body->getValue<int>("pagine"), 2);
  const auto enti = body->getArray("enti");
  ASSERT_EQ(enti->size(), 5u);
  for (std::size_t i = 0; i < enti->size(); ++i) EXPECT_EQ(enti->getObject(static_cast<unsigned>(i))->getValue<std::string>("stato"), "mancante");
  const auto total = body->getObject("avanzamento")->getObject("totale");
  EXPECT_EQ(total->getValue<int>("attesi"), 8) << "the 8 comuni of Melzo, whatever the state filter";
  EXPECT_EQ(total->getValue<int>("valido"), 2);
  EXPECT_EQ(body->getObject("avanzamento")->getArray("ambiti")->size(), 1u);

  const Reply search = call("GET", base + "/stato?cerca=CASSANO", "", "", region);
  EXPECT_NE(search.body.find("\"ente\":\"015059\""), std::string::npos) << search.body;
  EXPECT_EQ(search.body.find("\"ente\":\"015142\""), std::string::npos) << search.body;
  for (const std::string bad : {"stato=bocciato", "per_pagina=501", "pagina=0", "pagina=due"}) {
    EXPECT_EQ(call("GET", base + "/stato?" + bad, "", "", region).status, 400) << bad;
  }

  const Reply csv = call("GET", base + "/stato.csv?ambito=MELZO&stato=valido", "", "", region);
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(std::count(csv.body.begin(), csv.body.end(), '\n'), 3) << csv.body;
  const Reply xlsx_export = call("GET", base + "/stato.xlsx?ambito=MELZO&stato=valido", "", "", region);
  ASSERT_EQ(xlsx_export.status, 200) << xlsx_export.body.substr(0, 200);
  xlsx::Workbook workbook = xlsx::Workbook::open_bytes(xlsx_export.body, "stato.xlsx");
  const xlsx::Sheet sheet = workbook.load_sheet(*workbook.find_sheet("Stato"));
  std::set<std::string> codes;
  for (const xlsx::Cell& cell : sheet.cells()) {
    if (cell.col == 0 && cell.row > 0) codes.insert(cell.text);
  }
  EXPECT_EQ(codes, (std::set<std::string>{"015059", "015142"})) << "codes as text, leading zero kept";
  ASSERT_NE(sheet.cell(xlsx::CellRef{0, 3}), nullptr);
  EXPECT_EQ(sheet.cell(xlsx::CellRef{0, 3})->text, "stato");
}
