// E-mail: the outbox's states and retry delays, the sender that marks each message sent as soon
// as the SMTP server accepted it, the reminders' schedule, and delivery to a real SMTP server
// (Debian's python3-aiosmtpd): the receipt, a retry once the server comes up, kill -9.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "common/digest.hpp"
#include "common/rome_time.hpp"
#include "consolida/server.hpp"
#include "server/intake.hpp"
#include "server/mail.hpp"
#include "server/reminders.hpp"
#include "support/cli_run.hpp"
#include "support/files.hpp"
#include "support/http_call.hpp"
#include "support/server_process.hpp"
#include "support/smtp_sink.hpp"

namespace {

namespace fs = std::filesystem;
using namespace consolida;
using namespace consolida::server;
using consolida::testing::free_port;
using consolida::testing::SmtpSink;
using consolida::testing::slurp;

fs::path fresh_dir(const std::string& name) { return consolida::testing::fresh_temp_dir("mail", name); }

OutboxMessage mail(const std::string& key, std::int64_t at, const std::string& body = "testo") {
  OutboxMessage m;
  m.key = key;
  m.recipient = "ufficio@comune.melzo.mi.it";
  m.subject = "Oggetto";
  m.body = body;
  m.created = at;
  return m;
}

OutboxMessage only(Store& store) {
  const std::vector<OutboxMessage> all = store.outbox();
  EXPECT_EQ(all.size(), 1u);
  return all.empty() ? OutboxMessage{} : all.front();
}

TEST(RetryPolicy, DelaysDoubleFromTheFirstUpToTheLongest) {
  const RetryPolicy policy{60, 3600, 20};
  EXPECT_EQ(policy.delay_after(1), 60);
  EXPECT_EQ(policy.delay_after(2), 120);
  EXPECT_EQ(policy.delay_after(3), 240);
  EXPECT_EQ(policy.delay_after(6), 1920);
  EXPECT_EQ(policy.delay_after(7), 3600);  // 3840, held at the longest
  EXPECT_EQ(policy.delay_after(40), 3600);
}

TEST(Outbox, AMessageIsPendingThenFailingThenSentAndNeverDueAgain) {
  const fs::path dir = fresh_dir("states");
  Store store(dir.string(), 1000);
  const RetryPolicy policy{60, 3600, 20};
  EXPECT_EQ(store.enqueue_mails({mail("ricevuta/C1-2024-000001/a@b.it", 1000, "primo")}), 1u);
  // The same key again is the same message: not added, the first text kept.
  EXPECT_EQ(store.enqueue_mails({mail("ricevuta/C1-2024-000001/a@b.it", 2000, "secondo")}), 0u);
  OutboxMessage m = only(store);
  EXPECT_EQ(m.body, "primo");
  EXPECT_EQ(state_of(m), MailState::pending);
  EXPECT_TRUE(store.due_mail(999, 10).empty());
  ASSERT_EQ(store.due_mail(1000, 10).size(), 1u);

  store.mark_mail_failed(m.id, "Connection refused", 1000, policy, MailFailure::relay_down);
  m = only(store);
  EXPECT_EQ(state_of(m), MailState::failing);
  EXPECT_EQ(m.attempts, 1);
  EXPECT_EQ(m.next_attempt, 1060);
  EXPECT_EQ(m.last_error, "Connection refused");
  EXPECT_TRUE(store.due_mail(1059, 10).empty());
  EXPECT_EQ(store.due_mail(1060, 10).size(), 1u);
  store.mark_mail_failed(m.id, "Connection refused", 1060, policy, MailFailure::relay_down);
  EXPECT_EQ(only(store).next_attempt, 1060 + 120);
  EXPECT_EQ(store.outbox_counts().failing, 1);
  EXPECT_EQ(store.failing_mail(10).size(), 1u);

  store.mark_mail_sent(m.id, 1200);
  m = only(store);
  EXPECT_EQ(state_of(m), MailState::sent);
  EXPECT_EQ(m.sent_at, 1200);
  EXPECT_TRUE(store.due_mail(4000000000, 10).empty());
  // A late failure report for a message already sent changes nothing.
  store.mark_mail_failed(m.id, "timeout", 1300, policy, MailFailure::transient);
  EXPECT_EQ(state_of(only(store)), MailState::sent);
  EXPECT_TRUE(store.failing_mail(10).empty());
  const OutboxCounts counts = store.outbox_counts();
  EXPECT_EQ(counts.sent, 1);
  EXPECT_EQ(counts.pending + counts.failing + counts.abandoned, 0);
}

TEST(Outbox, AMessageThatKeepsFailingIsAbandonedAndStaysVisible) {
  const fs::path dir = fresh_dir("abandoned");
  Store store(dir.string(), 1000);
  const RetryPolicy policy{1, 10, 3};
  store.enqueue_mails({mail("k", 0)});
  const std::int64_t id = only(store).id;
  for (int attempt = 0; attempt < 3; ++attempt) store.mark_mail_failed(id, "451 try again later", 100 + attempt, policy, MailFailure::transient);
  const OutboxMessage m = only(store);
  EXPECT_EQ(state_of(m), MailState::abandoned);
  EXPECT_EQ(m.attempts, 3);
  EXPECT_TRUE(store.due_mail(4000000000, 10).empty());
  ASSERT_EQ(store.failing_mail(10).size(), 1u);
  EXPECT_EQ(store.failing_mail(10)[0].last_error, "451 try again later");
  EXPECT_EQ(store.outbox_counts().abandoned, 1);
}

// Three ways an attempt fails: the server refuses the message for good (5xx: abandoned at once,
// retrying cannot help), refuses it for now (4xx: counted, abandoned after max_attempts), or cannot
// be reached (counted and shown, never abandoned for it: an outage of the relay is no fault of
// the message). The Region may put any undelivered message back in line.
TEST(Outbox, APermanentRefusalAbandonsAtOnceAnOutageNeverAndTheRegionMayRetry) {
  const fs::path dir = fresh_dir("failures");
  Store store(dir.string(), 1000);
  const RetryPolicy policy{1, 10, 3};
  store.enqueue_mails({mail("rifiutato", 0), mail("irraggiungibile", 0), mail("occupato", 0)});
  std::map<std::string, std::int64_t> id;
  for (const OutboxMessage& m : store.outbox()) id[m.key] = m.id;
  const auto get = [&](const std::string& key) {
    for (const OutboxMessage& m : store.outbox()) {
      if (m.key == key) return m;
    }
    return OutboxMessage{};
  };
  store.mark_mail_failed(id["rifiutato"], "550 5.1.1 utente sconosciuto", 100, policy, MailFailure::permanent);
  EXPECT_EQ(state_of(get("rifiutato")), MailState::abandoned);
  EXPECT_EQ(get("rifiutato").attempts, 1);
  for (int round = 0; round < 10; ++round) store.mark_mail_failed(id["irraggiungibile"], "Connection refused", 100 + round, policy, MailFailure::relay_down);
  EXPECT_EQ(state_of(get("irraggiungibile")), MailState::failing);
  EXPECT_EQ(get("irraggiungibile").attempts, 10);
  for (int round = 0; round < 3; ++round) store.mark_mail_failed(id["occupato"], "452 casella piena", 100 + round, policy, MailFailure::transient);
  EXPECT_EQ(state_of(get("occupato")), MailState::abandoned);

  // Put back in line: due now, counted from zero, the last error kept for the record.
  EXPECT_TRUE(store.retry_mail(id["rifiutato"], 500));
  const OutboxMessage again = get("rifiutato");
  EXPECT_EQ(state_of(again), MailState::pending);
  EXPECT_EQ(again.attempts, 0);
  EXPECT_EQ(again.next_attempt, 500);
  EXPECT_EQ(store.due_mail(500, 10).size(), 2u) << "the retried one and the one waiting out the outage";
  store.mark_mail_sent(id["irraggiungibile"], 510);
  EXPECT_FALSE(store.retry_mail(id["irraggiungibile"], 520)) << "a message sent is never sent again";
  EXPECT_FALSE(store.retry_mail(999999, 520));
}

// A transport that records what it was given, and checks that every message handed over before
// was already marked sent by then.
class RecordingTransport final : public MailTransport {
 public:
  explicit RecordingTransport(Store& store) : store_(store) {}
  void send(const OutboxMessage& m) override {
    for (const OutboxMessage& stored : store_.outbox()) {
      if (accepted_.count(stored.key)) {
        EXPECT_NE(stored.sent_at, 0) << stored.key << " accepted but not marked sent before the next message";
      }
    }
    if (m.key == refused_) throw std::runtime_error("550 destinatario sconosciuto");
    if (m.key == unreachable_) throw Unreachable("Connection refused");
    accepted_.insert(m.key);
  }
  void finish() override { ++batches_; }

  Store& store_;
  std::set<std::string> accepted_;
  std::string refused_, unreachable_;
  int batches_ = 0;
};

TEST(MailSender, MarksEachMessageSentAsSoonAsTheServerAcceptedItAndRetriesTheOthers) {
  const fs::path dir = fresh_dir("sender");
  Store store(dir.string(), 1000);
  store.enqueue_mails({mail("a", 10), mail("b", 10), mail("c", 10), mail("d", 10), mail("e", 10)});
  RecordingTransport transport(store);
  transport.refused_ = "b";      // this message only
  transport.unreachable_ = "d";  // the server gone: d and what follows are not tried, and wait alike
  MailSender sender(store, transport, RetryPolicy{30, 3600, 20});
  EXPECT_EQ(sender.deliver_due(100), 2u);
  EXPECT_EQ(transport.batches_, 1);
  std::map<std::string, OutboxMessage> by_key;
  for (const OutboxMessage& m : store.outbox()) by_key[m.key] = m;
  EXPECT_EQ(state_of(by_key["a"]), MailState::sent);
  EXPECT_EQ(state_of(by_key["b"]), MailState::failing);
  EXPECT_EQ(by_key["b"].last_error, "550 destinatario sconosciuto");
  EXPECT_EQ(state_of(by_key["c"]), MailState::sent);
  EXPECT_EQ(state_of(by_key["d"]), MailState::failing);
  EXPECT_EQ(by_key["d"].next_attempt, 130);
  EXPECT_EQ(state_of(by_key["e"]), MailState::failing);
  EXPECT_EQ(by_key["e"].next_attempt, 130);
  EXPECT_EQ(transport.accepted_.count("e"), 0u);
  // The next round, once their delay is over: b, d and e; nothing sent twice.
  transport.refused_.clear();
  transport.unreachable_.clear();
  EXPECT_EQ(sender.deliver_due(129), 0u);
  EXPECT_EQ(sender.deliver_due(130), 3u);
  EXPECT_EQ(sender.deliver_due(10000), 0u);
  EXPECT_EQ(store.outbox_counts().sent, 5);
}

TEST(Reminders, TheStageIsTheFewestDaysWhoseMomentHasCome) {
  const std::int64_t deadline = 10'000'000, day = 86400;
  const Campaign c{1, "Spesa", "spesa-sociale-comune", 2024, deadline - 30 * day, deadline, LatePolicy::refuse};
  const std::vector<int> days{7, 2, 1};
  EXPECT_EQ(reminder_stage(c, days, deadline - 8 * day), std::nullopt);
  EXPECT_EQ(reminder_stage(c, days, deadline - 7 * day), 7);
  EXPECT_EQ(reminder_stage(c, days, deadline - 3 * day), 7);
  EXPECT_EQ(reminder_stage(c, days, deadline - 2 * day + 1), 2);
  EXPECT_EQ(reminder_stage(c, days, deadline - day / 2), 1);
  EXPECT_EQ(reminder_stage(c, days, deadline), std::nullopt);  // over: nothing to remind
  const Campaign not_open{1, "Spesa", "spesa-sociale-comune", 2024, deadline - day, deadline, LatePolicy::refuse};
  EXPECT_EQ(reminder_stage(not_open, days, deadline - 3 * day / 2), std::nullopt);
}

// "7 days before" is the deadline's Rome clock time 7 calendar days earlier, across the change to
// summer time too (that week is 167 hours, not 168).
TEST(Reminders, TheirMomentIsTheDeadlinesRomeTimeOnAnEarlierDay) {
  const std::int64_t deadline = *parse_rome_time("2026-04-01 12:00");  // summer time since 29 March
  const Campaign c{1, "Spesa", "spesa-sociale-comune", 2026, deadline - 60 * 86400, deadline, LatePolicy::refuse};
  const std::int64_t seven_days_before = *parse_rome_time("2026-03-25 12:00");
  EXPECT_EQ(reminder_stage(c, {7, 2, 1}, seven_days_before), 7);
  EXPECT_EQ(reminder_stage(c, {7, 2, 1}, seven_days_before - 1), std::nullopt);
  EXPECT_EQ(rome_days_before(*parse_rome_time("2026-10-26 09:30"), 2), *parse_rome_time("2026-10-24 09:30")) << "and back to winter time";
}

TEST(Reminders, EveryEnteMissingOrWithErrorsGetsOneReminderPerDayAtEachAddress) {
  const fs::path dir = fresh_dir("reminders");
  Store store(dir.string(), 1000);
  const std::vector<forms::FormSpec> forms = forms::load_forms(CONSOLIDA_SOURCE_DIR "/plugins", {CONSOLIDA_RULES_PATH});
  Intake intake(store, forms, registry::Registry::builtin());
  const std::int64_t deadline = unix_now() + 30 * 86400, day = 86400;
  const std::int64_t campaign = store.add_campaign({0, "Spesa 2024", "spesa-sociale-comune", 2024, deadline - 60 * day, deadline, LatePolicy::refuse});
  for (const auto& [user, ente, address] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"melzo", "015142", "servizi.sociali@comune.melzo.mi.it"},
           {"melzo-2", "015142", "ragioneria@comune.melzo.mi.it"},
           {"cassano", "015059", "sociale@comune.cassano.mi.it"},   // valid: no reminder
           {"inzago", "015113", "sociale@comune.inzago.mi.it"},     // with errors
           {"liscate", "015122", ""}}) {                            // no address
    store.add_user(user, Role::comune, ente, "pw-" + user + "-lunga");
    if (!address.empty()) store.set_email(user, address);
  }
  store.disable_user("melzo-2");  // a disabled account gets nothing
  auto add = [&](const std::string& ente, bool valid, const std::string& bytes) {
    Submission draft;
    draft.campaign = campaign;
    draft.ente = ente;
    draft.sha256 = sha256_hex(bytes);
    draft.size = bytes.size();
    draft.file_name = ente + ".xlsx";
    draft.uploaded_by = "x";
    draft.valid = valid;
    draft.report_json = "{}";
    std::ofstream(dir / "tmp" / ente, std::ios::binary) << bytes;
    ASSERT_TRUE(std::holds_alternative<Submission>(store.add_submission(draft, (dir / "tmp" / ente).string())));
  };
  add("015059", true, "cassano");
  add("015113", false, "inzago");

  const std::vector<int> days{7, 2, 1};
  EXPECT_TRUE(due_reminders(intake, store, days, deadline - 8 * day).empty());
  const std::vector<OutboxMessage> two_days = due_reminders(intake, store, days, deadline - 2 * day + 3600);
  std::map<std::string, OutboxMessage> by_recipient;
  for (const OutboxMessage& m : two_days) by_recipient[m.recipient] = m;
  ASSERT_EQ(by_recipient.size(), 2u);
  ASSERT_EQ(two_days.size(), 2u);
  const OutboxMessage& melzo = by_recipient.at("servizi.sociali@comune.melzo.mi.it");
  EXPECT_EQ(melzo.key, "promemoria/" + std::to_string(campaign) + "/015142/2/servizi.sociali@comune.melzo.mi.it");
  EXPECT_NE(melzo.body.find("mancano 2 giorni"), std::string::npos) << melzo.body;
  EXPECT_NE(melzo.body.find("nessun file ricevuto"), std::string::npos);
  EXPECT_NE(melzo.body.find("2 days left"), std::string::npos);
  EXPECT_NE(melzo.subject.find("Spesa 2024"), std::string::npos);
  EXPECT_NE(by_recipient.at("sociale@comune.inzago.mi.it").body.find("errori bloccanti"), std::string::npos);
  // The scheduler runs again and again: each reminder enqueued once.
  EXPECT_EQ(store.enqueue_mails(two_days), 2u);
  EXPECT_EQ(store.enqueue_mails(due_reminders(intake, store, days, deadline - 2 * day + 7200)), 0u);
  // The last day is another reminder, also for Cassano, valid but sent back for corrections
  // since; after the deadline none.
  Review sent_back;
  sent_back.campaign = campaign;
  sent_back.ente = "015059";
  sent_back.submission = store.latest(campaign, "015059")->id;
  sent_back.outcome = ReviewOutcome::rinviato;
  sent_back.note = "Manca la firma";
  sent_back.reviewer = "ufficio-melzo";
  ASSERT_TRUE(std::holds_alternative<Review>(store.add_review(sent_back, std::nullopt, {})));
  const std::vector<OutboxMessage> last_day = due_reminders(intake, store, days, deadline - day / 2);
  EXPECT_EQ(store.enqueue_mails(last_day), 3u);
  EXPECT_TRUE(std::any_of(last_day.begin(), last_day.end(), [](const OutboxMessage& m) {
    return m.recipient == "sociale@comune.cassano.mi.it" && m.body.find("è stata rinviata da ufficio-melzo con questa nota: «Manca la firma»") != std::string::npos;
  }));
  EXPECT_TRUE(due_reminders(intake, store, days, deadline + 1).empty());
  EXPECT_EQ(store.outbox().size(), 5u);
}

// ---- addresses ----

TEST(AdminMail, AUsersAddressIsGivenWhenAddedChangedRemovedAndAWrongOneRefused) {
  const fs::path dir = fresh_dir("admin");
  fs::create_directories(dir);
  const fs::path input = dir.string() + ".stdin";
  std::ofstream(input) << "una-password-lunga\n";
  auto admin = [&](const std::string& args) {
    return consolida::testing::run_cli("admin --data-dir " + (dir / "data").string() + " " + args + " < " + input.string());
  };
  ASSERT_EQ(admin("utente aggiungi melzo --ruolo comune --ente 015142 --email servizi.sociali@comune.melzo.mi.it").status, 0);
  ASSERT_EQ(admin("utente aggiungi cassano --ruolo comune --ente 015059").status, 0);
  for (const std::string wrong : {"senza-chiocciola", "due@@comune.it", "a@b", "x@comune.it,y@comune.it", "\"a b\"@comune.it"}) {
    const auto refused = admin("utente aggiungi inzago --ruolo comune --ente 015113 --email '" + wrong + "'");
    EXPECT_EQ(refused.status, 64) << wrong;
    EXPECT_NE(refused.out.find("indirizzo di posta non valido"), std::string::npos) << refused.out;
  }
  EXPECT_EQ(admin("utente email cassano sociale@comune.cassano.mi.it").status, 0);
  EXPECT_EQ(admin("utente email nessuno sociale@comune.cassano.mi.it").status, 17);
  const auto listed = admin("utenti");
  EXPECT_NE(listed.out.find("cassano\tcomune\t015059\tsociale@comune.cassano.mi.it"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("melzo\tcomune\t015142\tservizi.sociali@comune.melzo.mi.it"), std::string::npos) << listed.out;
  EXPECT_EQ(admin("utente email melzo -").status, 0);
  Store store((dir / "data").string(), 1000);
  EXPECT_EQ(store.email("melzo"), "");
  EXPECT_EQ(store.email("cassano"), "sociale@comune.cassano.mi.it");
  EXPECT_FALSE(store.emails().count("inzago"));
}

// ---- delivery to a real SMTP server ----

Poco::JSON::Object::Ptr json(const std::string& text) { return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>(); }

// The 8 comuni of the Ambito of Melzo, valid files: ISTAT code -> bytes.
const std::map<std::string, std::string>& melzo_files() {
  static const std::map<std::string, std::string> files = [] {
    const fs::path dir = fresh_dir("melzo");
    const std::string command = std::string(CONSOLIDA_MAKE_REGION) + " " + dir.string() +
                                " --scope ambito:MELZO --missing 0 --errors 0 --year 2024 > /dev/null";
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    std::map<std::string, std::string> out;
    for (const auto& entry : fs::directory_iterator(dir / "comuni")) out[entry.path().filename().string().substr(0, 6)] = slurp(entry.path());
    return out;
  }();
  return files;
}

ServerOptions mail_server_options(const fs::path& data, std::uint16_t smtp_port) {
  ServerOptions options;
  options.data_dir = data.string();
  options.port = 0;
  options.threads = 4;
  options.password_iterations = 1000;
  options.mail.smtp_host = "127.0.0.1";
  options.mail.smtp_port = smtp_port;
  options.mail.sender = "consolida@regione.lombardia.it";
  options.mail.site_url = "https://pianidizona.regione.lombardia.it";
  options.mail.retry = RetryPolicy{1, 2, 50};
  return options;
}

consolida::testing::HttpReply upload(std::uint16_t port, const std::string& token, const std::string& ente) {
  return consolida::testing::http_call(port, "POST", "/api/v1/campagne/1/invii", melzo_files().at(ente), "application/octet-stream",
                                       {{"Authorization", "Bearer " + token}, {"X-Nome-File", ente + ".xlsx"}});
}

// Waits (up to a minute) until `done` holds for the store's outbox.
template <class Done>
bool wait_for_outbox(const Store& store, Done done) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!done(store.outbox_counts())) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the server's postman works on its own thread
  }
  return true;
}

TEST(MailDelivery, TheReceiptReachesTheSenderInItalianAndEnglishWithItsIdempotencyKey) {
  const fs::path work = fresh_dir("receipt");
  const std::uint16_t smtp = free_port();
  SmtpSink sink(smtp, work / "posta");
  ASSERT_TRUE(sink.ready()) << "python3-aiosmtpd missing? (scripts/install-deps.sh test installs it)";
  Server server(mail_server_options(work / "data", smtp), forms::load_forms(CONSOLIDA_SOURCE_DIR "/plugins", {CONSOLIDA_RULES_PATH}),
                registry::Registry::builtin());
  Store& store = server.store();
  store.add_campaign({0, "Attività sociali 2024", "spesa-sociale-comune", 2024, unix_now() - 86400, unix_now() + 30 * 86400, LatePolicy::refuse});
  store.add_user("melzo", Role::comune, "015142", "pw-melzo-1");
  store.set_email("melzo", "servizi.sociali@comune.melzo.mi.it");
  store.add_user("cassano", Role::comune, "015059", "pw-cassano-1");  // no address: no mail
  server.start();
  const consolida::testing::HttpReply sent = upload(server.port(), store.issue_token("melzo").secret, "015142");
  ASSERT_EQ(sent.status, 201) << sent.body;
  ASSERT_EQ(upload(server.port(), store.issue_token("cassano").secret, "015059").status, 201);
  const auto answer = json(sent.body);
  const std::string protocol = answer->getValue<std::string>("protocollo");

  const auto received = sink.wait_for(1);
  ASSERT_EQ(received.size(), 1u);
  const auto& m = received[0];
  EXPECT_EQ(m.raw.rfind("X-Sink-Rcpt-To: servizi.sociali@comune.melzo.mi.it\r\n", 0), 0u);
  EXPECT_EQ(m.message->getSender(), "consolida@regione.lombardia.it");
  const std::string key = "ricevuta/" + protocol + "/servizi.sociali@comune.melzo.mi.it";
  EXPECT_EQ(m.message->get("X-Consolida-Chiave", ""), key);
  ASSERT_EQ(store.outbox().size(), 1u);
  EXPECT_EQ(store.outbox()[0].key, key);
  EXPECT_EQ(m.message->get("Message-ID", ""), message_id(store.outbox()[0], "consolida@regione.lombardia.it"));
  EXPECT_NE(m.message->get("Message-ID", "").find("@regione.lombardia.it>"), std::string::npos);
  // «Attività» in the campaign's name: the subject encoded (RFC 2047), no raw UTF-8 in a header.
  const std::string head = m.raw.substr(0, m.raw.find("\r\n\r\n"));
  EXPECT_NE(head.find("Subject: =?UTF-8?"), std::string::npos) << head;
  EXPECT_TRUE(std::all_of(head.begin(), head.end(), [](char c) { return static_cast<unsigned char>(c) < 128; })) << head;
  EXPECT_NE(m.message->getContentType().find("charset=UTF-8"), std::string::npos);
  for (const std::string& expected :
       {"Ricevuta di invio n. " + protocol, std::string("Ente: 015142 Melzo"), std::string("Esito: valido"), std::string("ora italiana"),
        std::string("non rispondere"), "Upload receipt no. " + protocol, sha256_hex(melzo_files().at("015142")),
        "https://pianidizona.regione.lombardia.it/invii/" + std::to_string(answer->getValue<std::int64_t>("id")) + "/ricevuta"}) {
    EXPECT_NE(m.body.find(expected), std::string::npos) << expected << "\n" << m.body;
  }
  ASSERT_TRUE(wait_for_outbox(store, [](const OutboxCounts& c) { return c.sent == 1; }));
  EXPECT_EQ(store.outbox().size(), 1u);
}

TEST(MailDelivery, AMessageWaitsWhileTheSmtpServerIsDownIsShownToTheRegionAndGoesOnceItIsUp) {
  const fs::path work = fresh_dir("retry");
  const std::uint16_t smtp = free_port();  // nobody listens there yet
  Server server(mail_server_options(work / "data", smtp), forms::load_forms(CONSOLIDA_SOURCE_DIR "/plugins", {CONSOLIDA_RULES_PATH}),
                registry::Registry::builtin());
  Store& store = server.store();
  store.add_campaign({0, "Spesa sociale 2024", "spesa-sociale-comune", 2024, unix_now() - 86400, unix_now() + 30 * 86400, LatePolicy::refuse});
  store.add_user("melzo", Role::comune, "015142", "pw-melzo-1");
  store.set_email("melzo", "servizi.sociali@comune.melzo.mi.it");
  store.add_user("regione", Role::regione, "", "pw-regione-1");
  server.start();
  ASSERT_EQ(upload(server.port(), store.issue_token("melzo").secret, "015142").status, 201);
  ASSERT_TRUE(wait_for_outbox(store, [](const OutboxCounts& c) { return c.failing == 1; }));
  const std::vector<OutboxMessage> failing = store.failing_mail(10);
  ASSERT_EQ(failing.size(), 1u);
  EXPECT_FALSE(failing[0].last_error.empty());

  // The Region sees it, in the API and on its page; a comune does not.
  const std::string region = store.issue_token("regione").secret;
  const auto api = consolida::testing::http_call(server.port(), "GET", "/api/v1/posta", "", "", {{"Authorization", "Bearer " + region}});
  ASSERT_EQ(api.status, 200) << api.body;
  const auto outbox = json(api.body);
  EXPECT_EQ(outbox->getObject("conteggi")->getValue<int>("in_errore"), 1);
  const auto item = outbox->getArray("non_consegnati")->getObject(0);
  EXPECT_EQ(item->getValue<std::string>("destinatario"), "servizi.sociali@comune.melzo.mi.it");
  EXPECT_EQ(item->getValue<std::string>("stato"), "in errore");
  EXPECT_GE(item->getValue<int>("tentativi"), 1);
  EXPECT_FALSE(item->getValue<std::string>("ultimo_errore").empty());
  const auto page = consolida::testing::http_call(server.port(), "GET", "/posta", "", "", {{"Authorization", "Bearer " + region}});
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("servizi.sociali@comune.melzo.mi.it"), std::string::npos);
  EXPECT_NE(page.body.find("in errore"), std::string::npos);
  const auto comune = consolida::testing::http_call(server.port(), "GET", "/api/v1/posta", "", "",
                                                    {{"Authorization", "Bearer " + store.issue_token("melzo").secret}});
  EXPECT_EQ(comune.status, 404);

  SmtpSink sink(smtp, work / "posta");
  ASSERT_TRUE(sink.ready());
  ASSERT_TRUE(wait_for_outbox(store, [](const OutboxCounts& c) { return c.sent == 1; }));
  EXPECT_EQ(sink.messages().size(), 1u);
  EXPECT_TRUE(store.failing_mail(10).empty());
}

// The relay's own answer decides: a mailbox refused for good (550) is abandoned after one attempt,
// one refused for now (452) waits for the next, and the others go.
TEST(MailDelivery, AMailboxRefusedForGoodIsAbandonedAtOnceOneRefusedForNowIsTriedAgain) {
  const fs::path work = fresh_dir("refusals");
  const std::uint16_t smtp = free_port();
  SmtpSink sink(smtp, work / "posta");
  ASSERT_TRUE(sink.ready()) << "python3-aiosmtpd missing? (scripts/install-deps.sh test installs it)";
  Store store((work / "data").string(), 1000);
  std::vector<OutboxMessage> messages;
  for (const char* to : {"ufficio@comune.melzo.mi.it", "sconosciuto@comune.melzo.mi.it", "pieno@comune.melzo.mi.it"}) {
    OutboxMessage m = mail(std::string("prova/") + to, 0);
    m.recipient = to;
    messages.push_back(m);
  }
  store.enqueue_mails(messages);
  MailOptions options;
  options.smtp_host = "127.0.0.1";
  options.smtp_port = smtp;
  options.sender = "consolida@regione.lombardia.it";
  SmtpTransport transport(options);
  MailSender sender(store, transport, RetryPolicy{1, 10, 20});
  EXPECT_EQ(sender.deliver_due(unix_now()), 1u);
  std::map<std::string, OutboxMessage> by_recipient;
  for (const OutboxMessage& m : store.outbox()) by_recipient[m.recipient] = m;
  EXPECT_EQ(state_of(by_recipient["ufficio@comune.melzo.mi.it"]), MailState::sent);
  const OutboxMessage& unknown = by_recipient["sconosciuto@comune.melzo.mi.it"];
  EXPECT_EQ(state_of(unknown), MailState::abandoned);
  EXPECT_NE(unknown.last_error.find("550"), std::string::npos) << unknown.last_error;
  const OutboxMessage& full = by_recipient["pieno@comune.melzo.mi.it"];
  EXPECT_EQ(state_of(full), MailState::failing);
  EXPECT_NE(full.last_error.find("452"), std::string::npos) << full.last_error;
  EXPECT_EQ(sink.messages().size(), 1u);
}

// The acceptance test of the outbox: `consolida serve` killed with SIGKILL while its messages wait
// for an SMTP server that is down; restarted once the server is up, each arrives exactly once.
TEST(MailDelivery, KillNineWithMessagesInTheOutboxThenEachArrivesExactlyOnce) {
  const fs::path work = fresh_dir("kill");
  const fs::path data = work / "data";
  const std::uint16_t smtp = free_port();
  std::string token;
  {
    Store store(data.string(), 1000);
    store.add_campaign({0, "Spesa sociale 2024", "spesa-sociale-comune", 2024, unix_now() - 86400, unix_now() + 30 * 86400, LatePolicy::refuse});
    store.add_user("regione", Role::regione, "", "pw-regione-1");
    store.set_email("regione", "protocollo@regione.lombardia.it");
    token = store.issue_token("regione").secret;
  }
  const fs::path config = work / "consolida.conf";
  std::ofstream(config) << "smtp_host = 127.0.0.1\nsmtp_port = " << smtp
                        << "\nmail_from = consolida@regione.lombardia.it\nmail_retry_seconds = 1\nmail_retry_max_seconds = 1\n";
  const std::vector<std::string> options{"--threads", "8", "--config", config.string()};
  auto send = [&](std::uint16_t port, const std::string& ente) {
    return consolida::testing::api_request(port, "POST", "/api/v1/campagne/1/invii", token, melzo_files().at(ente), ente).status;
  };
  std::vector<std::string> enti;
  for (const auto& [ente, bytes] : melzo_files()) enti.push_back(ente);
  ASSERT_EQ(enti.size(), 8u);
  const std::string last = enti.back();
  enti.pop_back();
  {
    consolida::testing::ServerProcess server(data, options);
    ASSERT_NE(server.port(), 0);
    for (const std::string& ente : enti) ASSERT_EQ(send(server.port(), ente), 201) << ente;
    Store watch(data.string(), 1000);
    ASSERT_TRUE(wait_for_outbox(watch, [&](const OutboxCounts& c) { return c.failing == static_cast<std::int64_t>(enti.size()); }));
    server.kill();
  }
  SmtpSink sink(smtp, work / "posta");
  ASSERT_TRUE(sink.ready());
  {
    consolida::testing::ServerProcess server(data, options);
    ASSERT_NE(server.port(), 0);
    ASSERT_EQ(sink.wait_for(enti.size()).size(), enti.size());
    Store watch(data.string(), 1000);
    ASSERT_TRUE(wait_for_outbox(watch, [&](const OutboxCounts& c) { return c.sent == static_cast<std::int64_t>(enti.size()); }));
    server.kill();
  }
  {
    // Once more, then one message more: the postman takes the outbox in order, so by the time the
    // new one arrives any copy of the earlier ones would have come before it.
    consolida::testing::ServerProcess server(data, options);
    ASSERT_NE(server.port(), 0);
    ASSERT_EQ(send(server.port(), last), 201);
    ASSERT_EQ(sink.wait_for(enti.size() + 1).size(), enti.size() + 1);
  }
  std::map<std::string, int> copies;
  for (const auto& m : sink.messages()) ++copies[m.message->get("Message-ID", "")];
  EXPECT_EQ(copies.size(), enti.size() + 1);
  for (const auto& [id, n] : copies) EXPECT_EQ(n, 1) << id;
}

// The scheduler of `consolida serve` itself, its clock set by CONSOLIDA_TEST_CLOCK to a day and a
// half before the deadline: the 2-day reminder goes to the missing ente once, also after a restart.
TEST(MailDelivery, TheServersSchedulerRemindsAMissingEnteOnceAcrossRestarts) {
  const fs::path work = fresh_dir("scheduler");
  const fs::path data = work / "data";
  const std::uint16_t smtp = free_port();
  const std::int64_t deadline = unix_now() + 30 * 86400;
  std::string melzo_token;
  {
    Store store(data.string(), 1000);
    store.add_campaign({0, "Spesa sociale 2024", "spesa-sociale-comune", 2024, unix_now() - 86400, deadline, LatePolicy::refuse});
    store.add_user("melzo", Role::comune, "015142", "pw-melzo-1");
    store.set_email("melzo", "servizi.sociali@comune.melzo.mi.it");
    melzo_token = store.issue_token("melzo").secret;
  }
  const fs::path config = work / "consolida.conf";
  std::ofstream(config) << "smtp_host = 127.0.0.1\nsmtp_port = " << smtp << "\nmail_from = consolida@regione.lombardia.it\n";
  const std::vector<std::string> options{"--threads", "8", "--config", config.string()};
  SmtpSink sink(smtp, work / "posta");
  ASSERT_TRUE(sink.ready());
  const std::string clock = format_rome_time(deadline - 36 * 3600);  // "dd/mm/yyyy hh:mm"
  const std::string iso = clock.substr(6, 4) + "-" + clock.substr(3, 2) + "-" + clock.substr(0, 2) + clock.substr(10);
  ASSERT_EQ(::setenv("CONSOLIDA_TEST_CLOCK", iso.c_str(), 1), 0);
  {
    consolida::testing::ServerProcess server(data, options);
    ASSERT_NE(server.port(), 0);
    const auto first = sink.wait_for(1);
    ASSERT_EQ(first.size(), 1u);
    EXPECT_EQ(first[0].message->get("X-Consolida-Chiave", ""), "promemoria/1/015142/2/servizi.sociali@comune.melzo.mi.it");
    EXPECT_NE(first[0].body.find("mancano 2 giorni"), std::string::npos) << first[0].body;
    server.kill();
  }
  {
    // Restarted, the scheduler runs again at start; then Melzo sends its file, and its receipt is
    // the next message: no second reminder came before it.
    consolida::testing::ServerProcess server(data, options);
    ASSERT_NE(server.port(), 0);
    const auto sent = consolida::testing::http_call(server.port(), "POST", "/api/v1/campagne/1/invii", melzo_files().at("015142"),
                                                   "application/octet-stream", {{"Authorization", "Bearer " + melzo_token}});
    ASSERT_EQ(sent.status, 201) << sent.body;
    const auto all = sink.wait_for(2);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[1].message->get("X-Consolida-Chiave", "").rfind("ricevuta/", 0), 0u);
  }
  ::unsetenv("CONSOLIDA_TEST_CLOCK");
}

// STARTTLS through Poco NetSSL: the relay's certificate (self-signed, given as smtp_ca_file) is
// verified, and the relay refuses mail before STARTTLS; with another CA the message is not sent.
TEST(MailDelivery, StarttlsDeliversToARelayWhoseCertificateIsTrustedAndToNoOther) {
  const fs::path work = fresh_dir("starttls");
  fs::create_directories(work);
  const std::string cert = (work / "relay.pem").string(), key = (work / "relay.key").string(), other = (work / "other.pem").string();
  const std::string openssl = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 ";
  ASSERT_EQ(std::system((openssl + "-keyout " + key + " -out " + cert + " 2>/dev/null").c_str()), 0);
  ASSERT_EQ(std::system((openssl + "-keyout " + (work / "other.key").string() + " -out " + other + " 2>/dev/null").c_str()), 0);
  const std::uint16_t smtp = free_port();
  SmtpSink sink(smtp, work / "posta", {"--starttls", cert, key});
  ASSERT_TRUE(sink.ready());
  for (const std::string& ca : {other, cert}) {
    ServerOptions options = mail_server_options(work / ("data-" + fs::path(ca).stem().string()), smtp);
    options.mail.starttls = true;
    options.mail.ca_file = ca;
    Server server(options, forms::load_forms(CONSOLIDA_SOURCE_DIR "/plugins", {CONSOLIDA_RULES_PATH}), registry::Registry::builtin());
    Store& store = server.store();
    store.add_campaign({0, "Spesa sociale 2024", "spesa-sociale-comune", 2024, unix_now() - 86400, unix_now() + 30 * 86400, LatePolicy::refuse});
    store.add_user("melzo", Role::comune, "015142", "pw-melzo-1");
    store.set_email("melzo", "servizi.sociali@comune.melzo.mi.it");
    server.start();
    ASSERT_EQ(upload(server.port(), store.issue_token("melzo").secret, "015142").status, 201);
    if (ca == other) {
      ASSERT_TRUE(wait_for_outbox(store, [](const OutboxCounts& c) { return c.failing == 1; }));
      EXPECT_TRUE(sink.messages().empty());
    } else {
      ASSERT_TRUE(wait_for_outbox(store, [](const OutboxCounts& c) { return c.sent == 1; })) << store.outbox()[0].last_error;
      EXPECT_EQ(sink.messages().size(), 1u);
    }
  }
}

}  // namespace
