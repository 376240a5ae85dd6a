// The upload server under hostile load on loopback (issue #13, availability): connections that
// send nothing or drip their head, a full pool, bursts of wrong logins, huge user names. Each
// test starts its own in-process server with few threads, so that the limits show quickly; the
// clients connect from other loopback addresses (127.0.0.0/8) to be told apart.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/rome_time.hpp"
#include "consolida/server.hpp"
#include "server/admission.hpp"

namespace {

namespace fs = std::filesystem;
using namespace consolida;
using namespace consolida::server;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// One TCP connection to the server from a chosen loopback address, driven byte by byte.
class RawConnection {
 public:
  RawConnection(const std::string& from, std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, from.c_str(), &local.sin_addr);
    sockaddr_in server{};
    server.sin_family = AF_INET;
    server.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &server.sin_addr);
    connected_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0 &&
                 ::connect(fd_, reinterpret_cast<sockaddr*>(&server), sizeof server) == 0;
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }
  bool send(std::string_view bytes) { return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size()); }
  // Whether the server sent something or closed within `within`.
  bool answered_within(std::chrono::milliseconds within) {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(within.count())) > 0;
  }
  // One whole answer with a Content-Length, leaving the connection open; nullopt if it did not come by `deadline`.
  std::optional<std::string> read_one_answer(Clock::time_point deadline) {
    std::string got;
    char buffer[4096];
    for (;;) {
      const auto head_end = got.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        std::string lower = got.substr(0, head_end);
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        const auto at = lower.find("\r\ncontent-length:");
        if (at == std::string::npos) return std::nullopt;
        if (got.size() >= head_end + 4 + std::stoul(lower.substr(at + 17))) return got;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left <= 0ms || !answered_within(left)) return std::nullopt;
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) return std::nullopt;
      got.append(buffer, static_cast<std::size_t>(n));
    }
  }
  // What the server sent until it closed the connection; nullopt if it had not closed by `deadline`.
  std::optional<std::string> read_to_close(Clock::time_point deadline) {
    std::string got;
    char buffer[4096];
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left <= 0ms || !answered_within(left)) return std::nullopt;
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) return got;  // closed, or reset after the answer
      got.append(buffer, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

int status_of(const std::string& answer) { return answer.size() >= 12 && answer.starts_with("HTTP/1.") ? std::stoi(answer.substr(9, 3)) : 0; }

// A header's value in a raw answer ("" when absent); names compared without case.
std::string header_of(const std::string& answer, std::string name) {
  std::string lower = answer.substr(0, answer.find("\r\n\r\n"));
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto at = lower.find("\r\n" + name + ":");
  if (at == std::string::npos) return "";
  const auto start = at + name.size() + 3, end = answer.find("\r\n", start);
  std::string value = answer.substr(start, end - start);
  while (!value.empty() && value.front() == ' ') value.erase(value.begin());
  return value;
}

std::string body_of(const std::string& answer) {
  const auto at = answer.find("\r\n\r\n");
  return at == std::string::npos ? "" : answer.substr(at + 4);
}

// A whole request on a new connection from `from`, answered and closed within `within`.
std::optional<std::string> exchange(const std::string& from, std::uint16_t port, const std::string& request,
                                    std::chrono::milliseconds within = 5000ms) {
  RawConnection c(from, port);
  if (!c.connected() || !c.send(request)) return std::nullopt;
  return c.read_to_close(Clock::now() + within);
}

std::string get(const std::string& path) { return "GET " + path + " HTTP/1.1\r\nHost: consolida\r\nConnection: close\r\n\r\n"; }

std::string url_encoded(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') out += static_cast<char>(c);
    else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

std::string login(const std::string& user, const std::string& password) {
  const std::string body = "utente=" + url_encoded(user) + "&password=" + url_encoded(password);
  return "POST /accesso HTTP/1.1\r\nHost: consolida\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\n"
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

class ServerAvailability : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    data_dir_ = fs::temp_directory_path() / ("consolida-availability-" + std::to_string(::getpid()) + "-" + test->name());
    fs::remove_all(data_dir_);
    options_.data_dir = data_dir_.string();
    options_.port = 0;
    options_.threads = 4;
    options_.max_queued = 2;
    options_.max_connections_per_address = 2;
    options_.header_timeout_seconds = 1;
    options_.password_iterations = 1000;  // the production cost is 600,000; slow under ASan
    options_.login_first_delay_seconds = 120;  // closed for the whole test, however slow the machine
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(data_dir_);
  }
  void start() {
    server_ = std::make_unique<Server>(options_, forms::load_forms(CONSOLIDA_SOURCE_DIR "/plugins", {CONSOLIDA_RULES_PATH}),
                                       registry::Registry::builtin());
    server_->store().add_user("melzo", Role::comune, "015142", "pw-melzo-1");
    server_->store().add_user("cassano", Role::comune, "015059", "pw-cassano-1");
    server_->start();
  }
  std::uint16_t port() const { return server_->port(); }

  fs::path data_dir_;
  ServerOptions options_;
  std::unique_ptr<Server> server_;
};

TEST_F(ServerAvailability, ConnectionsThatSendNothingFromOneAddressLeaveTheServerToOthers) {
  start();
  // Twice the threads, idle, from one address.
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 8; ++i) {
    idle.push_back(std::make_unique<RawConnection>("127.0.0.3", port()));
    ASSERT_TRUE(idle.back()->connected());
  }
  // Beyond its share the address is refused at once, with a time to come back.
  const auto refused = exchange("127.0.0.3", port(), get("/stile.css"), 3000ms);
  ASSERT_TRUE(refused) << "an address over its connection limit must be answered, not left waiting";
  EXPECT_EQ(status_of(*refused), 429) << *refused;
  EXPECT_NE(header_of(*refused, "Retry-After"), "");
  // Another address is served at once, well before the idle connections time out.
  const auto served = exchange("127.0.0.2", port(), get("/stile.css"), 3000ms);
  ASSERT_TRUE(served) << "a normal client must not wait for idle connections";
  EXPECT_EQ(status_of(*served), 200) << *served;
}

// Drips one byte every 200 ms for up to 6 s; true if the server answered 408 and closed within 4 s.
bool cut_off_while_dripping(RawConnection& slow) {
  const auto start = Clock::now();
  while (Clock::now() - start < 6s) {
    if (!slow.send("a") || slow.answered_within(200ms)) {
      const auto answer = slow.read_to_close(Clock::now() + 1000ms);
      return Clock::now() - start < 4s && answer && status_of(*answer) == 408;
    }
  }
  return false;
}

TEST_F(ServerAvailability, ARequestHeadDrippedByteByByteIsCutOffAtTheHeaderTimeout) {
  start();
  RawConnection slow("127.0.0.4", port());
  ASSERT_TRUE(slow.connected());
  ASSERT_TRUE(slow.send("GET /stile.css HTTP/1.1\r\nHost: consolida\r\nX-Lento: "));
  // One byte every 200 ms: each read gets something, only a deadline on the whole head ends it.
  EXPECT_TRUE(cut_off_while_dripping(slow)) << "a head dripped for 6 s must be cut off by the 1 s header timeout";
}

// The deadline holds for every request of a kept-alive connection, not only its first: else a
// client sends one quick request and then holds the thread with a dripped second head.
TEST_F(ServerAvailability, TheHeadOfALaterRequestOnAKeptAliveConnectionHasTheSameDeadline) {
  start();
  RawConnection slow("127.0.0.4", port());
  ASSERT_TRUE(slow.connected());
  ASSERT_TRUE(slow.send("GET /stile.css HTTP/1.1\r\nHost: consolida\r\n\r\n"));
  ASSERT_TRUE(slow.read_one_answer(Clock::now() + 3000ms));
  ASSERT_TRUE(slow.send("GET /stile.css HTTP/1.1\r\nHost: consolida\r\nX-Lento: "));
  EXPECT_TRUE(cut_off_while_dripping(slow)) << "a second head dripped for 6 s must be cut off by the 1 s header timeout";
}

// A head that begins in the same packet as the request before it (pipelining) waits in the
// server's buffer, not in the socket: its deadline must hold all the same.
TEST_F(ServerAvailability, APipelinedHeadDrippedAfterItsFirstBytesIsCutOff) {
  start();
  RawConnection slow("127.0.0.4", port());
  ASSERT_TRUE(slow.connected());
  ASSERT_TRUE(slow.send("GET /stile.css HTTP/1.1\r\nHost: consolida\r\n\r\nGET /stile.css HTTP/1.1\r\nHost: consolida\r\nX-Lento: "));
  ASSERT_TRUE(slow.read_one_answer(Clock::now() + 3000ms));
  EXPECT_TRUE(cut_off_while_dripping(slow)) << "a pipelined head dripped for 6 s must be cut off by the 1 s header timeout";
}

TEST_F(ServerAvailability, AServerWithEveryThreadAndQueuePlaceTakenAnswers503AtOnce) {
  options_.header_timeout_seconds = 20;  // the idle connections hold their threads for the whole test
  start();
  // One idle connection from each of 6 addresses: 4 threads and 2 places in the queue.
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 6; ++i) {
    idle.push_back(std::make_unique<RawConnection>("127.0.0." + std::to_string(10 + i), port()));
    ASSERT_TRUE(idle.back()->connected());
  }
  // The threads take their connections in their own time: until they have, one more connection
  // still finds a place in the queue (and waits there); the next ones must be refused at once.
  std::optional<std::string> answer;
  std::vector<std::unique_ptr<RawConnection>> queued;
  for (int i = 0; i < 4 && !answer; ++i) {
    queued.push_back(std::make_unique<RawConnection>("127.0.0." + std::to_string(20 + i), port()));
    ASSERT_TRUE(queued.back()->connected() && queued.back()->send(get("/stile.css")));
    answer = queued.back()->read_to_close(Clock::now() + 1500ms);
  }
  ASSERT_TRUE(answer) << "a full server must answer 503 at once, not leave the client waiting";
  EXPECT_EQ(status_of(*answer), 503) << *answer;
  EXPECT_NE(header_of(*answer, "Retry-After"), "");
  EXPECT_NE(body_of(*answer).find("occupato"), std::string::npos) << *answer;
}

TEST_F(ServerAvailability, RepeatedWrongLoginsAreRefusedWith429ByAccountAndByAddress) {
  start();
  int refused = 0, throttled = 0;
  std::string last;
  for (int i = 0; i < 12; ++i) {
    const auto answer = exchange("127.0.0.5", port(), login("melzo", "sbagliata-" + std::to_string(i)));
    ASSERT_TRUE(answer);
    const int status = status_of(*answer);
    if (status == 401) ++refused;
    if (status == 429) {
      ++throttled;
      last = *answer;
    }
  }
  EXPECT_EQ(refused, LoginThrottle::Policy{}.free_failures + 1) << "the free failures and the one that closes are answered normally";
  EXPECT_EQ(throttled, 12 - refused);
  EXPECT_GE(std::stoi(header_of(last, "Retry-After")), 1) << last;
  EXPECT_NE(body_of(last).find("Troppi tentativi di accesso"), std::string::npos) << last;
  // The account is closed for a while, even with its password and from another address ...
  const auto account = exchange("127.0.0.6", port(), login("melzo", "pw-melzo-1"));
  ASSERT_TRUE(account);
  EXPECT_EQ(status_of(*account), 429);
  // ... and so is the address, even for another account ...
  const auto address = exchange("127.0.0.5", port(), login("cassano", "pw-cassano-1"));
  ASSERT_TRUE(address);
  EXPECT_EQ(status_of(*address), 429);
  // ... while other accounts from other addresses sign in as usual.
  const auto other = exchange("127.0.0.6", port(), login("cassano", "pw-cassano-1"));
  ASSERT_TRUE(other);
  EXPECT_EQ(status_of(*other), 303) << *other;
}

TEST_F(ServerAvailability, AParallelBurstOfWrongLoginsFromOneAddressHashesOnlyAFewPasswords) {
  options_.threads = 16;
  options_.max_queued = 64;
  options_.max_connections_per_address = 64;
  start();
  const std::int64_t audited_before = server_->store().audit_count();
  std::atomic<int> answered{0}, throttled{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 40; ++i) {
    clients.emplace_back([&, i] {
      const auto answer = exchange("127.0.0.7", port(), login("utente-" + std::to_string(i), "sbagliata"), 20000ms);
      if (answer) ++answered;
      if (answer && status_of(*answer) == 429) ++throttled;
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(answered.load(), 40);
  // Every hashed failure is audited: only the free failures and the attempts already under way
  // when the address was closed may have run the slow hash.
  const std::int64_t hashed = server_->store().audit_count() - audited_before;
  EXPECT_LE(hashed, LoginThrottle::Policy{}.free_failures + LoginThrottle::Policy{}.attempts_in_flight_per_address + 1);
  EXPECT_GE(throttled.load(), 40 - 6);
}

TEST_F(ServerAvailability, FailedLoginsWithHugeUserNamesDoNotGrowTheDatabase) {
  start();
  const auto size = [&] {
    std::uintmax_t total = 0;
    for (const char* name : {"consolida.sqlite", "consolida.sqlite-wal"}) {
      std::error_code error;
      const auto s = fs::file_size(data_dir_ / name, error);
      if (!error) total += s;
    }
    return total;
  };
  const std::uintmax_t before = size();
  // From 10 addresses, once each: no throttling, every attempt is checked and audited.
  for (int i = 0; i < 10; ++i) {
    const std::string name = std::string(200000, static_cast<char>('a' + i));
    const auto answer = exchange("127.0.0." + std::to_string(30 + i), port(), login(name, "sbagliata"));
    ASSERT_TRUE(answer);
    EXPECT_EQ(status_of(*answer), 401);
  }
  EXPECT_LT(size() - before, 200000u) << "10 names of 200,000 bytes must not be stored whole";
}

// A body the server does not read must not become the next request on the connection: behind a
// proxy that shares its upstream connections, it would be answered to another client.
TEST_F(ServerAvailability, AnUnreadBodyIsNeverReadAsTheNextRequest) {
  start();
  const std::string smuggled = "GET /stile.css HTTP/1.1\r\nHost: consolida\r\n\r\n";
  for (const std::string path : {"/api/v1/campagne/1/invii", "/nessuna-pagina", "/campagne/999/invii"}) {
    const std::string request = "POST " + path + " HTTP/1.1\r\nHost: consolida\r\nContent-Type: application/octet-stream\r\nContent-Length: " +
                                std::to_string(smuggled.size()) + "\r\n\r\n" + smuggled;
    const auto answer = exchange("127.0.0.12", port(), request, 3000ms);
    ASSERT_TRUE(answer) << path << ": the connection must be answered and closed";
    std::size_t answers = 0;
    for (std::size_t at = answer->find("HTTP/1.1 "); at != std::string::npos; at = answer->find("HTTP/1.1 ", at + 1)) ++answers;
    EXPECT_EQ(answers, 1u) << path << ": " << *answer;
    EXPECT_EQ(answer->find("text/css"), std::string::npos) << path << ": the body was served as a request";
  }
}

// A connection ends after a number of requests (so that queued ones get a thread): the last
// answer must say so, also for a request with a body, else the client sends its next request
// into a closed connection and loses it.
TEST_F(ServerAvailability, TheLastRequestAKeptAliveConnectionServesIsAnsweredConnectionClose) {
  start();
  RawConnection client("127.0.0.13", port());
  ASSERT_TRUE(client.connected());
  std::string request = login("melzo", "pw-melzo-1");
  request.replace(request.find("Connection: close"), 17, "Connection: keep-alive");
  for (int i = 1; i <= 1000; ++i) {
    ASSERT_TRUE(client.send(request));
    const auto answer = client.read_one_answer(Clock::now() + 5000ms);
    ASSERT_TRUE(answer) << "request " << i << " on the connection was not answered";
    ASSERT_EQ(status_of(*answer), 303) << *answer;
    if (header_of(*answer, "Connection") == "close" || header_of(*answer, "Connection") == "Close") {
      EXPECT_GT(i, 1);
      return;
    }
  }
  ADD_FAILURE() << "a connection that never ends its keep-alive holds its thread for good";
}

// Behind nginx every client arrives from the proxy's address: its connections are not capped per
// address (nginx caps its own clients), and the login throttle counts the address nginx names in
// X-Forwarded-For. A client that is not a trusted proxy cannot choose its address that way.
std::string login_through_proxy(const std::string& user, const std::string& password, const std::string& client) {
  std::string request = login(user, password);
  return request.insert(request.find("\r\n") + 2, "X-Forwarded-For: " + client + "\r\n");
}

TEST_F(ServerAvailability, BehindATrustedProxyTheClientIsTheAddressTheProxyNames) {
  options_.trusted_proxies = {"127.0.0.8"};
  start();
  // The proxy's kept-alive connections are more than one client's share.
  std::vector<std::unique_ptr<RawConnection>> upstream;
  for (int i = 0; i < 4; ++i) {
    upstream.push_back(std::make_unique<RawConnection>("127.0.0.8", port()));
    ASSERT_TRUE(upstream.back()->connected());
  }
  const auto served = exchange("127.0.0.8", port(), get("/stile.css"), 3000ms);
  ASSERT_TRUE(served);
  EXPECT_EQ(status_of(*served), 200) << *served;
  upstream.clear();
  // One client's wrong logins close that client, not every client of the proxy.
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(exchange("127.0.0.8", port(), login_through_proxy("utente-" + std::to_string(i), "no", "203.0.113.7")));
  const auto attacker = exchange("127.0.0.8", port(), login_through_proxy("cassano", "pw-cassano-1", "203.0.113.7"));
  ASSERT_TRUE(attacker);
  EXPECT_EQ(status_of(*attacker), 429) << *attacker;
  const auto neighbour = exchange("127.0.0.8", port(), login_through_proxy("cassano", "pw-cassano-1", "198.51.100.2"));
  ASSERT_TRUE(neighbour);
  EXPECT_EQ(status_of(*neighbour), 303) << *neighbour;
}

TEST_F(ServerAvailability, AClientThatIsNoTrustedProxyCannotChooseItsAddress) {
  options_.trusted_proxies = {"127.0.0.8"};
  start();
  for (int i = 0; i < 8; ++i) {
    const std::string other = "198.51.100." + std::to_string(i + 10);
    ASSERT_TRUE(exchange("127.0.0.9", port(), login_through_proxy("utente-" + std::to_string(i), "no", other)));
  }
  const auto again = exchange("127.0.0.9", port(), login_through_proxy("cassano", "pw-cassano-1", "198.51.100.99"));
  ASSERT_TRUE(again);
  EXPECT_EQ(status_of(*again), 429) << "X-Forwarded-For from a client that is no proxy must be ignored";
}

// ---- the throttle itself, on a clock of its own ----

using Result = LoginThrottle::Result;

TEST(LoginThrottle, DelaysGrowWithEachFailureAndASuccessClearsTheAccountNotTheAddress) {
  LoginThrottle throttle;
  const int free = LoginThrottle::Policy{}.free_failures;
  const Clock::time_point t0{};
  for (int i = 0; i < free; ++i) {
    ASSERT_EQ(throttle.admit("melzo", "127.0.0.9", t0), std::nullopt) << i;
    EXPECT_FALSE(throttle.finish("melzo", "127.0.0.9", t0, Result::failed));
  }
  // The free failures used up, the next one closes the account and the address for 1 s.
  ASSERT_EQ(throttle.admit("melzo", "127.0.0.9", t0), std::nullopt);
  EXPECT_TRUE(throttle.finish("melzo", "127.0.0.9", t0, Result::failed));
  EXPECT_EQ(throttle.admit("melzo", "127.0.0.8", t0), std::optional(1s)) << "the account, from anywhere";
  EXPECT_EQ(throttle.admit("cassano", "127.0.0.9", t0), std::optional(1s)) << "the address, for any account";
  ASSERT_EQ(throttle.admit("cassano", "127.0.0.8", t0), std::nullopt) << "others are not concerned";
  throttle.finish("cassano", "127.0.0.8", t0, Result::succeeded);
  // Each further failure doubles the delay.
  ASSERT_EQ(throttle.admit("melzo", "127.0.0.9", t0 + 1s), std::nullopt);
  throttle.finish("melzo", "127.0.0.9", t0 + 1s, Result::failed);
  EXPECT_EQ(throttle.admit("melzo", "127.0.0.9", t0 + 1s), std::optional(2s));
  // A success clears the account; the address keeps its count (4 s after one more failure).
  ASSERT_EQ(throttle.admit("melzo", "127.0.0.9", t0 + 3s), std::nullopt);
  throttle.finish("melzo", "127.0.0.9", t0 + 3s, Result::succeeded);
  ASSERT_EQ(throttle.admit("melzo", "127.0.0.8", t0 + 3s), std::nullopt);
  throttle.finish("melzo", "127.0.0.8", t0 + 3s, Result::failed);
  ASSERT_EQ(throttle.admit("cassano", "127.0.0.9", t0 + 3s), std::nullopt);
  throttle.finish("cassano", "127.0.0.9", t0 + 3s, Result::failed);
  EXPECT_EQ(throttle.admit("altro", "127.0.0.9", t0 + 3s), std::optional(4s));
  EXPECT_EQ(throttle.admit("melzo", "127.0.0.7", t0 + 3s), std::nullopt) << "one failure after a success is free again";
}

TEST(LoginThrottle, AttemptsUnderWayHoldTheirAccountAndAddressAndDelaysStopAtTheCap) {
  const LoginThrottle::Policy policy;
  LoginThrottle throttle(policy);
  const Clock::time_point t0{};
  ASSERT_EQ(throttle.admit("melzo", "127.0.0.1", t0), std::nullopt);
  EXPECT_EQ(throttle.admit("melzo", "127.0.0.2", t0), std::optional(1s)) << "one attempt at a time per account";
  for (int i = 1; i < policy.attempts_in_flight_per_address; ++i) ASSERT_EQ(throttle.admit("u" + std::to_string(i), "127.0.0.1", t0), std::nullopt);
  EXPECT_EQ(throttle.admit("altro", "127.0.0.1", t0), std::optional(1s)) << "a few at a time per address";
  throttle.finish("melzo", "127.0.0.1", t0, Result::abandoned);
  EXPECT_EQ(throttle.admit("altro", "127.0.0.1", t0), std::nullopt) << "an abandoned attempt counts for nothing";
  Clock::time_point now = t0;
  for (int i = 0; i < 40; ++i) {
    while (const auto wait = throttle.admit("melzo", "127.0.0.3", now)) now += *wait;
    throttle.finish("melzo", "127.0.0.3", now, Result::failed);
  }
  EXPECT_EQ(throttle.admit("melzo", "127.0.0.3", now), std::optional(policy.max_delay));
}

// An office's typos of last week do not close it today: failures older than forget_after are
// forgotten, and the free failures count again from zero.
TEST(LoginThrottle, OldFailuresAreForgotten) {
  const LoginThrottle::Policy policy;
  LoginThrottle throttle(policy);
  const Clock::time_point t0{};
  for (int i = 0; i < policy.free_failures; ++i) {
    ASSERT_EQ(throttle.admit("melzo", "127.0.0.9", t0), std::nullopt);
    throttle.finish("melzo", "127.0.0.9", t0, Result::failed);
  }
  const Clock::time_point later = t0 + policy.forget_after + 1s;
  ASSERT_EQ(throttle.admit("melzo", "127.0.0.9", later), std::nullopt);
  EXPECT_FALSE(throttle.finish("melzo", "127.0.0.9", later, Result::failed)) << "a first failure again, not the one that closes";
  EXPECT_EQ(throttle.admit("melzo", "127.0.0.9", later), std::nullopt);
}

// A full table forgets the oldest closures but never an attempt under way.
TEST(LoginThrottle, AFullTableForgetsClosuresNotAttemptsUnderWay) {
  LoginThrottle::Policy policy;
  policy.max_entries = 4;
  policy.free_failures = 0;
  LoginThrottle throttle(policy);
  const Clock::time_point t0{};
  ASSERT_EQ(throttle.admit("in-corso", "10.0.0.1", t0), std::nullopt);  // under way to the end
  for (int i = 0; i < 6; ++i) {
    const std::string n = std::to_string(i);
    const Clock::time_point at = t0 + std::chrono::milliseconds(100 * i);  // each closed for 1 s from here
    ASSERT_EQ(throttle.admit("u" + n, "10.0.1." + n, at), std::nullopt) << i;
    throttle.finish("u" + n, "10.0.1." + n, at, Result::failed);
  }
  const Clock::time_point now = t0 + 600ms;  // every closure still running
  EXPECT_EQ(throttle.admit("u0", "10.0.2.1", now), std::nullopt) << "the oldest closure is forgotten to make room";
  EXPECT_EQ(throttle.admit("in-corso", "10.0.2.2", now), std::optional(1s)) << "the attempt under way is kept";
}

TEST(LoginThrottle, RecordedNamesAreCutOnACharacterBoundaryAndSayTheirLength) {
  EXPECT_EQ(recorded_name("melzo"), "melzo");
  const std::string accented = std::string(63, 'a') + "\xC3\xA0" + std::string(1000, 'b');
  const std::string recorded = recorded_name(accented);
  EXPECT_EQ(recorded, std::string(63, 'a') + "\xE2\x80\xA6 (1065 byte)");
}

}  // namespace

// ---- the gate in front of large validations (bounded memory: at most N workbooks in memory) ----

TEST(ValidationGate, NoMoreThanItsSlotsPassAndAWaitIsBounded) {
  Gate gate(2);
  Gate::Pass first = gate.enter_within(0ms), second = gate.enter_within(0ms);
  ASSERT_TRUE(first);
  ASSERT_TRUE(second);
  // A third is refused when no slot frees within its wait: it never holds a workbook in memory.
  EXPECT_FALSE(gate.enter_within(20ms));
  {
    Gate::Pass done = std::move(first);  // one validation ends
  }
  Gate::Pass third = gate.enter_within(0ms);
  EXPECT_TRUE(third);
  EXPECT_FALSE(gate.enter_within(0ms)) << "still two at most";
}

TEST(ValidationGate, AWaitingValidationGetsTheSlotAnotherOneLeaves) {
  Gate gate(1);
  std::optional<Gate::Pass> held(gate.enter_within(0ms));
  ASSERT_TRUE(*held);
  std::atomic<bool> passed{false};
  std::thread waiting([&] {
    const Gate::Pass pass = gate.enter_within(30000ms);
    passed = static_cast<bool>(pass);
  });
  held.reset();  // the slot frees while the other waits (or before it asks: either way it passes)
  waiting.join();
  EXPECT_TRUE(passed.load());
}
