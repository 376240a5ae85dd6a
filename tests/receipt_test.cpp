// Receipts: every stored version gets a protocol number in the transaction that stores it, and a
// receipt (a page that prints on A4, and JSON) that only those who see the version can read.
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "common/digest.hpp"
#include "common/rome_time.hpp"
#include "consolida/server.hpp"
#include "support/files.hpp"
#include "support/http_call.hpp"

namespace {

namespace fs = std::filesystem;
using namespace consolida;
using namespace consolida::server;
using consolida::testing::HttpReply;
using consolida::testing::slurp;

fs::path fresh_dir(const std::string& name) { return consolida::testing::fresh_temp_dir("receipt", name); }

// A version as the intake would record it, its bytes in a temporary file of the data directory.
Submission stored_version(Store& store, const fs::path& dir, std::int64_t campaign, const std::string& ente, const std::string& bytes) {
  Submission draft;
  draft.campaign = campaign;
  draft.ente = ente;
  draft.sha256 = sha256_hex(bytes);
  draft.size = bytes.size();
  draft.file_name = ente + ".xlsx";
  draft.uploaded_by = "u" + ente;
  draft.uploaded_at = unix_now();
  draft.report_json = "{}";
  const fs::path temp = dir / "tmp" / ("upload-" + draft.sha256);
  std::ofstream(temp, std::ios::binary) << bytes;
  const std::variant<Submission, NotStored> stored = store.add_submission(draft, temp.string());
  EXPECT_TRUE(std::holds_alternative<Submission>(stored));
  return std::holds_alternative<Submission>(stored) ? std::get<Submission>(stored) : draft;
}

TEST(Receipts, EveryStoredVersionGetsTheNextProtocolNumberOfItsCampaign) {
  const fs::path dir = fresh_dir("numbers");
  Store store(dir.string(), 1000);
  const std::int64_t spesa = store.add_campaign({0, "Spesa 2024", "spesa-sociale-comune", 2024, 0, 4000000000, LatePolicy::refuse});
  const std::int64_t rendiconto = store.add_campaign({0, "Rendiconto 2025", "rendiconto-ambito", 2025, 0, 4000000000, LatePolicy::refuse});
  const std::string c = std::to_string(spesa), r = std::to_string(rendiconto);
  EXPECT_EQ(stored_version(store, dir, spesa, "015142", "a").protocol, "C" + c + "-2024-000001");
  EXPECT_EQ(stored_version(store, dir, rendiconto, "MELZO", "b").protocol, "C" + r + "-2025-000001");
  EXPECT_EQ(stored_version(store, dir, spesa, "015059", "c").protocol, "C" + c + "-2024-000002");
  // The same bytes again are no version, and take no number.
  Submission again;
  again.campaign = spesa;
  again.ente = "015059";
  again.sha256 = sha256_hex("c");
  std::ofstream(dir / "tmp" / "again", std::ios::binary) << "c";
  EXPECT_TRUE(std::holds_alternative<NotStored>(store.add_submission(again, (dir / "tmp" / "again").string())));
  const Submission third = stored_version(store, dir, spesa, "015142", "d");
  EXPECT_EQ(third.protocol, "C" + c + "-2024-000003");
  // Read back as stored.
  EXPECT_EQ(store.submission(third.id)->protocol, third.protocol);
  EXPECT_EQ(store.latest(spesa, "015059")->protocol, "C" + c + "-2024-000002");
}

TEST(Receipts, VersionsStoredBeforeProtocolNumbersGetThemInIdOrderWhenTheDatabaseIsOpened) {
  const fs::path dir = fresh_dir("migration");
  std::int64_t spesa = 0, rendiconto = 0;
  std::vector<Submission> versions;
  {
    Store store(dir.string(), 1000);
    spesa = store.add_campaign({0, "Spesa 2024", "spesa-sociale-comune", 2024, 0, 4000000000, LatePolicy::refuse});
    rendiconto = store.add_campaign({0, "Rendiconto 2025", "rendiconto-ambito", 2025, 0, 4000000000, LatePolicy::refuse});
    // Interleaved: campaigns and enti out of id order.
    versions.push_back(stored_version(store, dir, rendiconto, "MELZO", "1"));
    versions.push_back(stored_version(store, dir, spesa, "015142", "2"));
    versions.push_back(stored_version(store, dir, spesa, "015059", "3"));
    versions.push_back(stored_version(store, dir, rendiconto, "LODI", "4"));
    versions.push_back(stored_version(store, dir, spesa, "015142", "5"));
  }
  {
    // Back to the schema before protocol numbers, outbox and addresses.
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session db("SQLite", (dir / "consolida.sqlite").string());
    using Poco::Data::Keywords::now;
    db << "DROP INDEX submissions_protocol", now;
    db << "ALTER TABLE submissions DROP COLUMN protocol", now;
    db << "ALTER TABLE submissions DROP COLUMN protocol_seq", now;
    db << "ALTER TABLE users DROP COLUMN email", now;
    db << "DROP TABLE outbox", now;
  }
  Store store(dir.string(), 1000);
  const std::string c = std::to_string(spesa), r = std::to_string(rendiconto);
  const std::vector<std::string> expected{"C" + r + "-2025-000001", "C" + c + "-2024-000001", "C" + c + "-2024-000002",
                                          "C" + r + "-2025-000002", "C" + c + "-2024-000003"};
  for (std::size_t i = 0; i < versions.size(); ++i) EXPECT_EQ(store.submission(versions[i].id)->protocol, expected[i]) << i;
  // New versions continue each campaign's sequence.
  EXPECT_EQ(stored_version(store, dir, spesa, "015059", "6").protocol, "C" + c + "-2024-000004");
}

// ---- the receipt through the server ----

Poco::JSON::Object::Ptr json(const std::string& text) { return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>(); }

// "31.234": the size as an Italian reader writes it.
std::string thousands(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += '.';
    out += digits[i];
  }
  return out;
}

class ReceiptTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    work_ = fresh_dir("server");
    const std::string command = std::string(CONSOLIDA_MAKE_REGION) + " " + (work_ / "melzo").string() +
                                " --scope ambito:MELZO --missing 0 --errors 100 --year 2024 > /dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
    ServerOptions options;
    options.data_dir = (work_ / "data").string();
    options.port = 0;
    options.threads = 4;
    options.password_iterations = 1000;
    server_ = new Server(options, forms::load_forms(CONSOLIDA_SOURCE_DIR "/plugins", {CONSOLIDA_RULES_PATH}), registry::Registry::builtin());
    Store& store = server_->store();
    campaign_ = store.add_campaign({0, "Spesa sociale 2024", "spesa-sociale-comune", 2024, unix_now() - 86400, unix_now() + 30 * 86400,
                                    LatePolicy::refuse});
    store.add_user("melzo", Role::comune, "015142", "pw-melzo-1");
    store.add_user("cassano", Role::comune, "015059", "pw-cassano-1");
    tokens_["melzo"] = store.issue_token("melzo").secret;
    tokens_["cassano"] = store.issue_token("cassano").secret;
    server_->start();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static HttpReply get(const std::string& path, const std::map<std::string, std::string>& headers) {
    return consolida::testing::http_call(server_->port(), "GET", path, "", "", headers);
  }
  static std::map<std::string, std::string> bearer(const std::string& user) { return {{"Authorization", "Bearer " + tokens_[user]}}; }
  static std::string cookie_of(const std::string& user, const std::string& password) {
    const HttpReply reply = consolida::testing::http_call(server_->port(), "POST", "/accesso", "utente=" + user + "&password=" + password,
                                                          "application/x-www-form-urlencoded");
    return reply.set_cookie.substr(0, reply.set_cookie.find(';'));
  }
  // Melzo's file with its deliberate mistake (make_region --errors 100), sent through the API.
  static HttpReply upload_melzo() {
    std::map<std::string, std::string> headers = bearer("melzo");
    headers["X-Nome-File"] = "spesa-melzo.xlsx";
    return consolida::testing::http_call(server_->port(), "POST", "/api/v1/campagne/" + std::to_string(campaign_) + "/invii",
                                         slurp(work_ / "melzo" / "comuni" / "015142-melzo.xlsx"), "application/octet-stream", headers);
  }

  static inline fs::path work_;
  static inline Server* server_ = nullptr;
  static inline std::int64_t campaign_ = 0;
  static inline std::map<std::string, std::string> tokens_;
};

TEST_F(ReceiptTest, TheReceiptNamesEnteSenderTimeFileSizeDigestOutcomeAndProtocolNumber) {
  const HttpReply sent = upload_melzo();
  ASSERT_EQ(sent.status, 201) << sent.body;
  const auto answer = json(sent.body);
  const std::int64_t id = answer->getValue<std::int64_t>("id");
  const std::string protocol = answer->getValue<std::string>("protocollo");
  EXPECT_EQ(protocol.rfind("C" + std::to_string(campaign_) + "-2024-", 0), 0u) << protocol;
  EXPECT_EQ(answer->getValue<std::string>("ricevuta"), "/invii/" + std::to_string(id) + "/ricevuta");
  const Submission stored = *server_->store().submission(id);
  ASSERT_GT(stored.errors, 0);

  const HttpReply receipt = get("/api/v1/invii/" + std::to_string(id) + "/ricevuta", bearer("melzo"));
  ASSERT_EQ(receipt.status, 200) << receipt.body;
  const auto r = json(receipt.body);
  EXPECT_EQ(r->getValue<std::string>("protocollo"), protocol);
  EXPECT_EQ(r->getValue<std::string>("ente"), "015142");
  EXPECT_EQ(r->getValue<std::string>("ente_nome"), "Melzo");
  EXPECT_EQ(r->getValue<std::string>("inviato_da"), "melzo");
  EXPECT_EQ(r->getValue<std::string>("inviato_il"), format_rome_time(stored.uploaded_at));
  EXPECT_EQ(r->getValue<std::string>("nome_file"), "spesa-melzo.xlsx");
  EXPECT_EQ(r->getValue<std::uint64_t>("dimensione"), fs::file_size(work_ / "melzo" / "comuni" / "015142-melzo.xlsx"));
  EXPECT_EQ(r->getValue<std::string>("sha256"), sha256_hex(slurp(work_ / "melzo" / "comuni" / "015142-melzo.xlsx")));
  EXPECT_EQ(r->getValue<std::string>("esito"), "con errori");
  EXPECT_EQ(r->getValue<int>("errori"), stored.errors);
  EXPECT_EQ(r->getValue<int>("avvisi"), stored.warnings);
  EXPECT_EQ(r->getValue<std::string>("campagna_nome"), "Spesa sociale 2024");

  const std::string cookie = cookie_of("melzo", "pw-melzo-1");
  const HttpReply page = get("/invii/" + std::to_string(id) + "/ricevuta", {{"Cookie", cookie}});
  ASSERT_EQ(page.status, 200);
  for (const std::string& expected :
       {protocol, std::string("Ricevuta di invio"), std::string("Melzo"), std::string("015142"), std::string("spesa-melzo.xlsx"),
        format_rome_time(stored.uploaded_at), thousands(stored.size) + " byte", stored.sha256, std::string("con errori bloccanti"),
        std::string("Spesa sociale 2024"), std::string("Europe/Rome")}) {
    EXPECT_NE(page.body.find(expected), std::string::npos) << expected;
  }
  EXPECT_NE(page.body.find("<td>" + std::to_string(stored.errors) + "</td>"), std::string::npos);

  // The version's page links to it.
  const HttpReply version = get("/invii/" + std::to_string(id), {{"Cookie", cookie}});
  EXPECT_NE(version.body.find("href=\"/invii/" + std::to_string(id) + "/ricevuta\""), std::string::npos);
}

TEST_F(ReceiptTest, AnotherEntesReceiptIsAnsweredExactlyLikeAMissingOne) {
  const HttpReply sent = upload_melzo();
  ASSERT_TRUE(sent.status == 201 || sent.status == 409) << sent.body;
  const std::int64_t id = server_->store().latest(campaign_, "015142")->id;
  // Melzo reads its own.
  EXPECT_EQ(get("/api/v1/invii/" + std::to_string(id) + "/ricevuta", bearer("melzo")).status, 200);
  for (const std::string prefix : {"/api/v1", ""}) {
    std::map<std::string, std::string> cassano = bearer("cassano");
    if (prefix.empty()) cassano = {{"Cookie", cookie_of("cassano", "pw-cassano-1")}};
    const HttpReply other = get(prefix + "/invii/" + std::to_string(id) + "/ricevuta", cassano);
    const HttpReply missing = get(prefix + "/invii/999999/ricevuta", cassano);
    EXPECT_EQ(other.status, 403) << prefix;
    EXPECT_EQ(other.status, missing.status) << prefix;
    EXPECT_EQ(other.body, missing.body) << prefix;
    EXPECT_EQ(other.body.find("Melzo"), std::string::npos);
  }
}

TEST_F(ReceiptTest, TheUploadPageAnswerLinksToTheReceipt) {
  const std::string cookie = cookie_of("cassano", "pw-cassano-1");
  const HttpReply page = get("/campagne/" + std::to_string(campaign_), {{"Cookie", cookie}});
  const auto at = page.body.find("name=\"csrf\" value=\"");
  ASSERT_NE(at, std::string::npos);
  const std::string csrf = page.body.substr(at + 19, 32), boundary = "----receipt-boundary";
  const std::string body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + csrf + "\r\n--" + boundary +
                           "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cassano.xlsx\"\r\n\r\n" +
                           slurp(work_ / "melzo" / "comuni" / "015059-cassano-d-adda.xlsx") + "\r\n--" + boundary + "--\r\n";
  const HttpReply sent = consolida::testing::http_call(server_->port(), "POST", "/campagne/" + std::to_string(campaign_) + "/invii", body,
                                                       "multipart/form-data; boundary=" + boundary, {{"Cookie", cookie}});
  ASSERT_EQ(sent.status, 201) << sent.body;
  EXPECT_NE(sent.body.find("href=\"" + sent.location + "/ricevuta\""), std::string::npos);
  EXPECT_NE(sent.body.find(server_->store().latest(campaign_, "015059")->protocol), std::string::npos);
}

}  // namespace
