#include "server/mail.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/MailMessage.h>
#include <Poco/Net/MailRecipient.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SMTPClientSession.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureSMTPClientSession.h>

#include <algorithm>
#include <chrono>
#include <iostream>

#include "common/digest.hpp"
#include "common/rome_time.hpp"

namespace consolida::server {

// ---- the outbox's states and delays ----

MailState state_of(const OutboxMessage& message) {
  if (message.sent_at != 0) return MailState::sent;
  if (message.abandoned) return MailState::abandoned;
  return message.attempts > 0 ? MailState::failing : MailState::pending;
}

std::string_view to_string(MailState state) {
  switch (state) {
    case MailState::pending: return "in attesa";
    case MailState::failing: return "in errore";
    case MailState::sent: return "inviato";
    case MailState::abandoned: return "abbandonato";
  }
  return "in attesa";
}

std::int64_t RetryPolicy::delay_after(int failed_attempts) const {
  std::int64_t delay = std::max<std::int64_t>(1, first_delay_seconds);
  for (int n = 1; n < failed_attempts && delay < max_delay_seconds; ++n) delay *= 2;
  return std::min(delay, std::max<std::int64_t>(1, max_delay_seconds));
}

bool plausible_email_address(std::string_view address) {
  const auto at = address.find('@');
  if (at == std::string_view::npos || at == 0 || address.find('@', at + 1) != std::string_view::npos || address.size() > 254) return false;
  const std::string_view domain = address.substr(at + 1);
  const auto dot = domain.find('.');
  if (dot == std::string_view::npos || dot == 0 || domain.back() == '.') return false;
  for (char c : address) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= ' ' || u >= 127 || c == '<' || c == '>' || c == ',' || c == ';' || c == '"' || c == '(' || c == ')' || c == '\\') return false;
  }
  return true;
}

// ---- SMTP ----

namespace {

// A header's value on one line: CR and LF would start another header.
std::string one_line(std::string text) {
  std::replace_if(text.begin(), text.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  return text;
}

std::string sender_domain(const std::string& sender) {
  const auto at = sender.rfind('@');
  std::string domain = at == std::string::npos ? "consolida" : sender.substr(at + 1);
  domain.erase(std::remove_if(domain.begin(), domain.end(), [](char c) { return c == '>' || c == ' ' || c == '\r' || c == '\n'; }), domain.end());
  return domain.empty() ? "consolida" : domain;
}

// Invalid certificates are refused, never asked about on a console (Poco's default handler).
void initialise_tls_once() {
  static const bool done = [] {
    Poco::Net::initializeSSL();
    return true;
  }();
  (void)done;
}

}  // namespace

std::string message_id(const OutboxMessage& message, const std::string& sender) {
  return "<" + sha256_hex(message.key + "\n" + std::to_string(message.created)).substr(0, 40) + "@" + sender_domain(sender) + ">";
}

struct SmtpTransport::Session {
  std::unique_ptr<Poco::Net::SMTPClientSession> smtp;
};

SmtpTransport::SmtpTransport(MailOptions options) : options_(std::move(options)) {}
SmtpTransport::~SmtpTransport() { finish(); }

void SmtpTransport::finish() {
  if (!session_) return;
  try {
    session_->smtp->close();  // QUIT
  } catch (const Poco::Exception&) {
    // The connection is gone anyway.
  }
  session_.reset();
}

void SmtpTransport::send(const OutboxMessage& message) {
  using Poco::Net::SMTPClientSession;
  if (!session_) {
    auto session = std::make_unique<Session>();
    try {
      if (options_.starttls) {
        initialise_tls_once();
        auto secure = std::make_unique<Poco::Net::SecureSMTPClientSession>(options_.smtp_host, options_.smtp_port);
        secure->setTimeout(Poco::Timespan(20, 0));
        secure->login();
        Poco::Net::Context::Params params;
        params.caLocation = options_.ca_file;
        params.loadDefaultCAs = true;
        params.verificationMode = Poco::Net::Context::VERIFY_RELAXED;
        Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
        Poco::Net::SSLManager::instance().initializeClient(nullptr, new Poco::Net::RejectCertificateHandler(false), context);
        if (!secure->startTLS(context)) throw MailTransport::Unreachable("il server SMTP non offre STARTTLS / the SMTP server offers no STARTTLS");
        session->smtp = std::move(secure);
      } else {
        session->smtp = std::make_unique<SMTPClientSession>(options_.smtp_host, options_.smtp_port);
        session->smtp->setTimeout(Poco::Timespan(20, 0));
      }
      // EHLO (again, after STARTTLS), with AUTH LOGIN when an account is configured.
      if (options_.user.empty()) {
        session->smtp->login();
      } else {
        session->smtp->login(SMTPClientSession::AUTH_LOGIN, options_.user, options_.password);
      }
    } catch (const Poco::Exception& e) {
      throw MailTransport::Unreachable(e.displayText());
    }
    session_ = std::move(session);
  }
  Poco::Net::MailMessage mail;
  mail.setSender(one_line(options_.sender));
  mail.addRecipient(Poco::Net::MailRecipient(Poco::Net::MailRecipient::PRIMARY_RECIPIENT, one_line(message.recipient)));
  mail.setSubject(Poco::Net::MailMessage::encodeWord(one_line(message.subject), "UTF-8"));
  mail.setContentType("text/plain; charset=UTF-8");
  mail.setContent(message.body, Poco::Net::MailMessage::ENCODING_QUOTED_PRINTABLE);
  // The same Message-ID for every copy: a copy sent again after a crash is recognisable.
  mail.set("Message-ID", message_id(message, options_.sender));
  mail.set("X-Consolida-Chiave", one_line(message.key));
  mail.set("Auto-Submitted", "auto-generated");  // RFC 3834: no automatic replies
  try {
    session_->smtp->sendMessage(mail);
  } catch (const Poco::Net::SMTPException& e) {
    // Refused by the server (a recipient, the size): this message only; the session goes on.
    try {
      std::string reply;
      session_->smtp->sendCommand("RSET", reply);
    } catch (const Poco::Exception&) {
      session_.reset();
    }
    // Poco carries the server's reply code; 5yz is a permanent negative reply (RFC 5321, 4.2.1).
    if (e.code() / 100 == 5) throw MailTransport::Rejected(e.displayText());
    throw std::runtime_error(e.displayText());
  } catch (const Poco::Exception& e) {
    session_.reset();  // the connection broke: the next message opens another
    throw MailTransport::Unreachable(e.displayText());
  }
}

// ---- delivery ----

std::size_t MailSender::deliver_due(std::int64_t now, std::size_t batch) {
  std::size_t sent = 0;
  const std::vector<OutboxMessage> due = store_.due_mail(now, batch);
  for (auto message = due.begin(); message != due.end(); ++message) {
    try {
      transport_.send(*message);
    } catch (const MailTransport::Unreachable& e) {
      // No use trying the others now (each could wait out a timeout): their attempt of this round
      // failed the same way, and they are put off alike, so that none waits behind another.
      for (auto rest = message; rest != due.end(); ++rest) store_.mark_mail_failed(rest->id, e.what(), now, policy_, MailFailure::relay_down);
      break;
    } catch (const MailTransport::Rejected& e) {
      store_.mark_mail_failed(message->id, e.what(), now, policy_, MailFailure::permanent);
      continue;
    } catch (const std::exception& e) {
      store_.mark_mail_failed(message->id, e.what(), now, policy_, MailFailure::transient);
      continue;
    }
    // Accepted: marked at once, so that only a crash in this instant can send it again.
    store_.mark_mail_sent(message->id, unix_now());
    ++sent;
  }
  transport_.finish();
  return sent;
}

MailService::MailService(Store& store, std::unique_ptr<MailTransport> transport, RetryPolicy policy, std::function<void()> scheduled,
                         int interval_seconds)
    : store_(store),
      transport_(std::move(transport)),
      sender_(store, *transport_, policy),
      scheduled_(std::move(scheduled)),
      interval_seconds_(std::max(1, interval_seconds)) {}

MailService::~MailService() { stop(); }

void MailService::start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
}

void MailService::stop() {
  {
    std::lock_guard guard(lock_);
    stopping_ = true;
  }
  wakeup_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void MailService::run() {
  auto next_schedule = std::chrono::steady_clock::now();
  std::unique_lock guard(lock_);
  while (!stopping_) {
    guard.unlock();
    try {
      if (scheduled_ && std::chrono::steady_clock::now() >= next_schedule) {
        scheduled_();
        next_schedule = std::chrono::steady_clock::now() + std::chrono::seconds(interval_seconds_);
      }
      sender_.deliver_due(unix_now());
    } catch (const std::exception& e) {
      // A database fault: said, and tried again next round; the messages stay in the outbox.
      std::cerr << "consolida serve: posta: " << e.what() << std::endl;
    }
    guard.lock();
    wakeup_.wait_for(guard, std::chrono::seconds(1), [this] { return stopping_; });
  }
}

}  // namespace consolida::server
