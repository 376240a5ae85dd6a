// E-mail out of the outbox: a transport that hands one message to an SMTP server, the sender
// that takes due messages from the store and marks each sent the moment the SMTP server accepted
// it, and the background thread of `consolida serve` that runs it and the reminders' scheduler.
//
// "Exactly once", honestly: a message is marked sent in SQLite right after the SMTP server
// accepted it (250 after DATA). A crash between the two (a window of one SQLite commit) sends it
// again after the restart; that copy carries the same Message-ID, made from the idempotency key,
// so the receiving side can recognise and drop it. Nothing else sends a message twice, and no
// message enqueued in a committed transaction is lost.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "consolida/server.hpp"

namespace consolida::server {

class MailTransport {
 public:
  // The mail server cannot be reached or refuses the session: the other messages would fare no
  // better now, and wait for the next round.
  struct Unreachable : std::runtime_error {
    using std::runtime_error::runtime_error;
  };
  // The mail server refused this message for good (a 5xx reply): trying again cannot help.
  struct Rejected : std::runtime_error {
    using std::runtime_error::runtime_error;
  };
  virtual ~MailTransport() = default;
  // Returns once the mail server has accepted the message; throws (with a message) otherwise:
  // Unreachable, Rejected, or any std::exception for a refusal for now.
  virtual void send(const OutboxMessage& message) = 0;
  // The end of a batch: a session kept open between messages is closed.
  virtual void finish() {}
};

// "<3f2a...@example.it>": the same for every copy of a message, made from its idempotency key and
// the moment it was enqueued (so that two installations' keys do not meet), at the domain of the
// sender's address.
std::string message_id(const OutboxMessage& message, const std::string& sender);

// SMTP through Poco::Net, with STARTTLS (Poco NetSSL) when the options ask for it.
class SmtpTransport final : public MailTransport {
 public:
  explicit SmtpTransport(MailOptions options);
  ~SmtpTransport() override;
  void send(const OutboxMessage& message) override;
  void finish() override;

 private:
  struct Session;
  MailOptions options_;
  std::unique_ptr<Session> session_;
};

// Delivers due messages one at a time: sent -> marked sent at once; refused -> counted and put off
// by the retry policy. When the mail server cannot be reached, every message of the round is.
class MailSender {
 public:
  MailSender(Store& store, MailTransport& transport, RetryPolicy policy) : store_(store), transport_(transport), policy_(policy) {}
  // Returns how many messages the mail server accepted.
  std::size_t deliver_due(std::int64_t now, std::size_t batch = 100);

 private:
  Store& store_;
  MailTransport& transport_;
  RetryPolicy policy_;
};

// The server's postman: a thread that delivers due messages every second and runs `scheduled` (the reminders) every `interval` seconds, the first time at start.
class MailService {
 public:
  MailService(Store& store, std::unique_ptr<MailTransport> transport, RetryPolicy policy, std::function<void()> scheduled,
              int interval_seconds);
  ~MailService();
  void start();
  void stop();

 private:
  void run();
  Store& store_;
  std::unique_ptr<MailTransport> transport_;
  MailSender sender_;
  std::function<void()> scheduled_;
  int interval_seconds_;
  std::mutex lock_;
  std::condition_variable wakeup_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace consolida::server
