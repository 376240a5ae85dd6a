// A real SMTP server for the mail tests: tests/support/smtp_sink.py (Debian's python3-aiosmtpd)
// on a port of loopback, each message it accepts written to a file of a folder.
#pragma once

#include <Poco/Net/MailMessage.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/files.hpp"

namespace consolida::testing {

// A port of loopback nobody listens on now (bound, read, released): the SMTP server "down".
inline std::uint16_t free_port() {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  const std::uint16_t port = socket.address().port();
  socket.close();
  return port;
}

// One message as the SMTP server received it.
struct ReceivedMail {
  std::string raw;                 // as received, with the sink's X-Sink-Rcpt-To line first
  std::shared_ptr<Poco::Net::MailMessage> message;  // parsed: headers, and the body decoded
  std::string body;
};

class SmtpSink {
 public:
  SmtpSink(std::uint16_t port, std::filesystem::path folder, const std::vector<std::string>& extra = {}) : folder_(std::move(folder)) {
    std::vector<std::string> args{CONSOLIDA_SOURCE_DIR "/tests/support/smtp_sink.py", std::to_string(port), folder_.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    handle_.emplace(Poco::Process::launch("/usr/bin/python3", args, &in_, &out_, nullptr));
    Poco::PipeInputStream stream(out_);
    std::string line;
    std::getline(stream, line);
    ready_ = line == "pronto";
  }
  ~SmtpSink() { stop(); }
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  bool ready() const { return ready_; }
  void stop() {
    if (!handle_) return;
    ::kill(handle_->id(), SIGKILL);
    handle_->wait();
    handle_.reset();
  }

  // Every message received so far, in the order of arrival.
  std::vector<ReceivedMail> messages() const { return read_folder(folder_); }

  static std::vector<ReceivedMail> read_folder(const std::filesystem::path& folder) {
    std::vector<std::filesystem::path> files;
    if (std::filesystem::exists(folder)) {
      for (const auto& entry : std::filesystem::directory_iterator(folder)) {
        if (entry.path().extension() == ".eml") files.push_back(entry.path());
      }
    }
    std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) {
      return std::filesystem::last_write_time(a) < std::filesystem::last_write_time(b) ||
             (std::filesystem::last_write_time(a) == std::filesystem::last_write_time(b) && a < b);
    });
    std::vector<ReceivedMail> out;
    for (const auto& file : files) {
      ReceivedMail mail;
      mail.raw = slurp(file);
      std::istringstream in(mail.raw.substr(mail.raw.find("\r\n") + 2));
      mail.message = std::make_shared<Poco::Net::MailMessage>();
      mail.message->read(in);
      mail.body = mail.message->getContent();
      out.push_back(std::move(mail));
    }
    return out;
  }

  // Waits (up to `limit`) until `count` messages are there; the messages then.
  std::vector<ReceivedMail> wait_for(std::size_t count, std::chrono::seconds limit = std::chrono::seconds(60)) const {
    const auto until = std::chrono::steady_clock::now() + limit;
    std::vector<ReceivedMail> got = messages();
    while (got.size() < count && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling a folder another process writes
      got = messages();
    }
    return got;
  }

 private:
  std::filesystem::path folder_;
  Poco::Pipe in_, out_;  // kept open: the sink runs until its stdin closes or it is killed
  std::optional<Poco::ProcessHandle> handle_;
  bool ready_ = false;
};

}  // namespace consolida::testing
