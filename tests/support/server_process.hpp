// `consolida serve` as a child process on a free port, for the tests that kill it or read its
// memory from outside.
#pragma once

#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <signal.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/rome_time.hpp"
#include "consolida/server.hpp"
#include "support/http_call.hpp"

namespace consolida::testing {

class ServerProcess {
 public:
  explicit ServerProcess(const std::filesystem::path& data_dir, const std::vector<std::string>& options = {"--threads", "16"}) {
    std::vector<std::string> args{"serve", "--data-dir", data_dir.string(), "--port", "0", "--plugins", CONSOLIDA_SOURCE_DIR "/plugins"};
    args.insert(args.end(), options.begin(), options.end());
    handle_.emplace(Poco::Process::launch(CONSOLIDA_CLI, args, nullptr, &out_, nullptr));
    Poco::PipeInputStream stream(out_);
    std::string line;
    std::getline(stream, line);  // "... in ascolto su http://127.0.0.1:PORT/ ..."
    const auto at = line.find("127.0.0.1:");
    if (at != std::string::npos) port_ = static_cast<std::uint16_t>(std::stoi(line.substr(at + 10)));
  }
  ~ServerProcess() { kill(); }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  void kill() {
    if (!handle_) return;
    ::kill(handle_->id(), SIGKILL);
    handle_->wait();
    handle_.reset();
  }
  std::uint16_t port() const { return port_; }
  Poco::ProcessHandle::PID pid() const { return handle_ ? handle_->id() : 0; }

 private:
  Poco::Pipe out_;  // kept open: the server must never write into a closed pipe
  std::optional<Poco::ProcessHandle> handle_;
  std::uint16_t port_ = 0;
};

// A data directory with one open campaign for spesa-sociale-comune 2024 and the Region's
// account, for a server process started on it; the campaign's id and the Region's API token.
struct RegionCampaign {
  std::int64_t campaign = 0;
  std::string token;
};
inline RegionCampaign open_region_campaign(const std::filesystem::path& data) {
  server::Store store(data.string(), 1000);
  RegionCampaign out;
  out.campaign = store.add_campaign({0, "Spesa sociale 2024", "spesa-sociale-comune", 2024, unix_now() - 86400, unix_now() + 86400,
                                     server::LatePolicy::refuse});
  store.add_user("regione", server::Role::regione, "", "pw-regione-1");
  out.token = store.issue_token("regione").secret;
  return out;
}

// A request of the API with the Region's token; `ente` says whom an upload is for.
inline HttpReply api_request(std::uint16_t port, const std::string& method, const std::string& path, const std::string& token,
                                      const std::string& body = "", const std::string& ente = "") {
  std::map<std::string, std::string> headers{{"Authorization", "Bearer " + token}};
  if (!ente.empty()) headers["X-Ente"] = ente;
  return http_call(port, method, path, body, method == "POST" ? "application/octet-stream" : "", headers);
}

// The workbook with a zip comment naming the upload: the same form, but every upload is a new
// file for the content store, so that a version recorded without its file would show.
inline std::string with_comment(std::string zip, const std::string& comment) {
  // make_region's packages end with the 22-byte end-of-central-directory record, no comment.
  if (zip.size() < 22 || zip.compare(zip.size() - 22, 4, "PK\x05\x06") != 0) return {};
  zip[zip.size() - 2] = static_cast<char>(comment.size() & 0xFF);
  zip[zip.size() - 1] = static_cast<char>(comment.size() >> 8);
  return zip + comment;
}

}  // namespace consolida::testing
