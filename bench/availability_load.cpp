// Load of hostile clients against the upload server (issue #13), measured from a normal client.
//
//   availability_load --port PORT --token TOKEN --campaign ID --workbooks DIR --scenario connections|logins
//
// connections: 200 connections that send nothing and 80 that drip a request head one byte a
//   second, all from 127.0.0.3 (reopened whenever the server answers or closes them), while a
//   normal client on 127.0.0.2 asks for the campaign list for 30 s, one connection each.
// logins: 4 clients on 127.0.0.2 upload workbooks (distinct bytes each time) while 200 wrong
//   logins are sent at once from 127.0.0.3; the uploads' latency covers the whole burst.
// Every request is a raw HTTP/1.1 exchange with `Connection: close`, so that each pays its connect.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

struct Options {
  int port = 0;
  std::string token, workbooks, scenario;
  long campaign = 1;
};

[[noreturn]] void usage() {
  std::fprintf(stderr, "usage: availability_load --port PORT --token TOKEN --campaign ID --workbooks DIR --scenario connections|logins\n");
  std::exit(64);
}

int open_from(const std::string& from, int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  ::inet_pton(AF_INET, from.c_str(), &local.sin_addr);
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &server.sin_addr);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&server), sizeof server) != 0) {
    if (fd >= 0) ::close(fd);
    return -1;
  }
  return fd;
}

// One request on a new connection; the status (0: no answer within 30 s or a broken connection).
int exchange(const std::string& from, int port, const std::string& request) {
  const int fd = open_from(from, port);
  if (fd < 0) return 0;
  std::size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  std::string answer;
  char buffer[8192];
  const auto deadline = Clock::now() + 30s;
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) break;
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    answer.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return answer.size() >= 12 && answer.starts_with("HTTP/1.") ? std::atoi(answer.substr(9, 3).c_str()) : 0;
}

struct Latencies {
  std::mutex lock;
  std::vector<double> ms;
  std::map<int, int> statuses;
  void add(double value, int status) {
    std::lock_guard guard(lock);
    ms.push_back(value);
    ++statuses[status];
  }
  void print(const char* what) {
    std::sort(ms.begin(), ms.end());
    auto at = [&](double q) { return ms.empty() ? 0.0 : ms[std::min(ms.size() - 1, static_cast<std::size_t>(q * static_cast<double>(ms.size())))]; };
    std::printf("%s: %zu requests, latency p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms; statuses", what, ms.size(), at(0.5), at(0.9),
                at(0.99), ms.empty() ? 0.0 : ms.back());
    for (const auto& [status, count] : statuses) std::printf(" %d x%d", status, count);
    std::printf("\n");
  }
};

template <class F>
int timed(Latencies& into, F&& request) {
  const auto start = Clock::now();
  const int status = request();
  into.add(std::chrono::duration<double, std::milli>(Clock::now() - start).count(), status);
  return status;
}

std::string get(const std::string& path, const std::string& token) {
  return "GET " + path + " HTTP/1.1\r\nHost: consolida\r\nAuthorization: Bearer " + token + "\r\nConnection: close\r\n\r\n";
}

// Whether the server has answered (a refusal or a timeout) or closed: the attacker then reconnects.
bool closed_by_server(int fd) {
  char buffer[4096];
  const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
  return n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
}

void connections(const Options& o) {
  constexpr int kIdle = 200, kSlow = 80;
  std::atomic<bool> stop{false};
  std::atomic<long> reopened{0};
  // The attacker: opens its connections, drips a byte a second into the slow ones, reopens any the server closed.
  std::thread attacker([&] {
    std::vector<int> idle(kIdle, -1), slow(kSlow, -1);
    const std::string head = "GET /campagne HTTP/1.1\r\nHost: consolida\r\nX-Lento: ";
    while (!stop) {
      for (int& fd : idle) {
        if (fd >= 0 && closed_by_server(fd)) {
          ::close(fd);
          fd = -1;
        }
        if (fd < 0 && (fd = open_from("127.0.0.3", o.port)) >= 0) ++reopened;
      }
      for (int& fd : slow) {
        if (fd >= 0 && (closed_by_server(fd) || ::send(fd, "a", 1, MSG_NOSIGNAL | MSG_DONTWAIT) != 1)) {
          ::close(fd);
          fd = -1;
        }
        if (fd < 0 && (fd = open_from("127.0.0.3", o.port)) >= 0) {
          ++reopened;
          (void)::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
        }
      }
      for (int i = 0; i < 10 && !stop; ++i) std::this_thread::sleep_for(100ms);  // a byte a second
    }
    for (int fd : idle) if (fd >= 0) ::close(fd);
    for (int fd : slow) if (fd >= 0) ::close(fd);
  });
  std::this_thread::sleep_for(2s);  // the attack in place
  Latencies normal;
  const std::string request = get("/api/v1/campagne", o.token);
  // 30 s: three header timeouts, so that the attacker's cut connections come back.
  for (const auto end = Clock::now() + 30s; Clock::now() < end;) timed(normal, [&] { return exchange("127.0.0.2", o.port, request); });
  stop = true;
  attacker.join();
  std::printf("attacker on 127.0.0.3: %d idle and %d slow connections, %ld opened in all\n", kIdle, kSlow, reopened.load());
  normal.print("normal client on 127.0.0.2 (GET /api/v1/campagne)");
}

std::string with_comment(std::string zip, const std::string& comment) {
  zip[zip.size() - 2] = static_cast<char>(comment.size() & 0xFF);
  zip[zip.size() - 1] = static_cast<char>(comment.size() >> 8);
  return zip + comment;
}

void logins(const Options& o) {
  std::vector<std::pair<std::string, std::string>> bases;  // ente, bytes
  for (const auto& entry : fs::directory_iterator(o.workbooks)) {
    if (entry.path().extension() != ".xlsx" || bases.size() >= 64) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    bases.emplace_back(entry.path().filename().string().substr(0, 6), bytes.str());
  }
  if (bases.empty()) usage();
  const std::string path = "/api/v1/campagne/" + std::to_string(o.campaign) + "/invii";
  std::atomic<bool> stop{false};
  std::atomic<long> next{0};
  Latencies uploads, burst;
  std::vector<std::thread> uploaders;
  for (int c = 0; c < 4; ++c) {
    uploaders.emplace_back([&] {
      while (!stop) {
        const long i = next++;
        const auto& [ente, bytes] = bases[static_cast<std::size_t>(i) % bases.size()];
        const std::string body = with_comment(bytes, "carico " + std::to_string(i) + " " + std::to_string(::getpid()));
        const std::string request = "POST " + path + " HTTP/1.1\r\nHost: consolida\r\nAuthorization: Bearer " + o.token + "\r\nX-Ente: " + ente +
                                    "\r\nX-Nome-File: " + ente + ".xlsx\r\nContent-Type: application/octet-stream\r\nContent-Length: " +
                                    std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
        timed(uploads, [&] { return exchange("127.0.0.2", o.port, request); });
      }
    });
  }
  std::this_thread::sleep_for(1s);
  const auto burst_start = Clock::now();
  std::vector<std::thread> attackers;
  for (int i = 0; i < 200; ++i) {
    attackers.emplace_back([&, i] {
      const std::string body = "utente=regione&password=sbagliata-" + std::to_string(i);
      const std::string request = "POST /accesso HTTP/1.1\r\nHost: consolida\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                                  std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
      timed(burst, [&] { return exchange("127.0.0.3", o.port, request); });
    });
  }
  for (auto& t : attackers) t.join();
  const double burst_seconds = std::chrono::duration<double>(Clock::now() - burst_start).count();
  std::this_thread::sleep_for(1s);
  stop = true;
  for (auto& t : uploaders) t.join();
  std::printf("burst of 200 wrong logins from 127.0.0.3 answered in %.2f s\n", burst_seconds);
  burst.print("wrong logins");
  uploads.print("uploads on 127.0.0.2 during the burst (from 1 s before to 1 s after)");
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--port") o.port = std::atoi(v.c_str());
    else if (a == "--token") o.token = v;
    else if (a == "--campaign") o.campaign = std::atol(v.c_str());
    else if (a == "--workbooks") o.workbooks = v;
    else if (a == "--scenario") o.scenario = v;
    else usage();
  }
  if (o.port <= 0 || o.token.empty()) usage();
  if (o.scenario == "connections") connections(o);
  else if (o.scenario == "logins" && !o.workbooks.empty()) logins(o);
  else usage();
}
