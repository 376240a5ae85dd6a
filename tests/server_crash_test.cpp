// kill -9 of `consolida serve` in the middle of a burst of uploads: after a restart every upload
// that was answered 2xx is there, byte for byte, and no partial file is visible in the store.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/NetException.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "common/digest.hpp"
#include "common/rome_time.hpp"
#include "consolida/consolidate.hpp"
#include "consolida/server.hpp"
#include "support/files.hpp"
#include "support/http_call.hpp"
#include "support/server_process.hpp"

namespace {

namespace fs = std::filesystem;
using namespace consolida;
using consolida::testing::api_request;
using consolida::testing::ServerProcess;
using consolida::testing::with_comment;
using consolida::testing::slurp;

Poco::JSON::Object::Ptr json(const std::string& text) {
  return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

struct Acknowledged {
  std::int64_t id = 0;
  std::string ente, sha256;
  int version = 0;
};

TEST(ServerCrash, KillNineDuringABurstLosesNoAcknowledgedUploadAndLeavesNoPartialFile) {
  const std::string tag = std::to_string(::getpid());
  const fs::path work = fs::temp_directory_path() / ("consolida-crash-" + tag);
  fs::remove_all(work);
  // The 8 comuni of Melzo in turn; each upload made distinct by with_comment.
  std::vector<std::pair<std::string, std::string>> bodies;  // ente, bytes
  const std::string command = std::string(CONSOLIDA_MAKE_REGION) + " " + (work / "melzo").string() +
                              " --scope ambito:MELZO --missing 0 --errors 0 --year 2024 > /dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  for (const auto& entry : fs::directory_iterator(work / "melzo" / "comuni")) {
    bodies.emplace_back(entry.path().filename().string().substr(0, 6), slurp(entry.path()));
    ASSERT_FALSE(with_comment(bodies.back().second, "x").empty()) << entry.path();
  }
  ASSERT_EQ(bodies.size(), 8u);

  const fs::path data = work / "data";
  const auto [campaign, token] = consolida::testing::open_region_campaign(data);
  const std::string upload_path = "/api/v1/campagne/" + std::to_string(campaign) + "/invii";

  std::mutex lock;
  std::vector<Acknowledged> acknowledged;
  std::size_t cut_short = 0;  // requests the kill left without an answer (not refused connections)
  std::atomic<std::size_t> next{0};
  std::map<int, int> statuses;
  constexpr int kClients = 8;
  for (int cycle = 0; cycle < 10; ++cycle) {
    ServerProcess server(data);
    ASSERT_NE(server.port(), 0) << "consolida serve did not start";
    std::atomic<std::size_t> acknowledged_this_cycle{0};
    std::atomic<bool> stop{false};
    std::atomic<int> running{kClients};
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&] {
        struct Leaving {
          std::atomic<int>& running;
          ~Leaving() { --running; }
        } leaving{running};
        while (!stop) {
          const std::size_t i = next++;
          const std::string& ente = bodies[i % bodies.size()].first;
          const std::string bytes = with_comment(bodies[i % bodies.size()].second, "invio " + std::to_string(i));
          try {
            const auto a = api_request(server.port(), "POST", upload_path, token, bytes, ente);
            {
              std::lock_guard guard(lock);
              ++statuses[a.status];
            }
            if (a.status / 100 == 2) {
              const auto body = json(a.body);
              std::lock_guard guard(lock);
              acknowledged.push_back({body->getValue<std::int64_t>("id"), ente, body->getValue<std::string>("sha256"),
                                      body->getValue<int>("versione")});
              EXPECT_EQ(acknowledged.back().sha256, sha256_hex(bytes));
              ++acknowledged_this_cycle;
            }
          } catch (const Poco::Net::ConnectionRefusedException&) {
            return;  // the server is gone
          } catch (const Poco::Exception&) {
            std::lock_guard guard(lock);
            ++cut_short;
            return;
          }
        }
      });
    }
    // Kill once the burst is well under way: the clients keep sending until their connection drops.
    // A different point in each cycle, so that the kill finds the uploads at different steps.
    const std::size_t kill_after = 10 + 3 * static_cast<std::size_t>(cycle);
    while (acknowledged_this_cycle < kill_after && running > 0) std::this_thread::yield();
    server.kill();
    stop = true;
    for (auto& t : clients) t.join();
    ASSERT_GE(acknowledged_this_cycle.load(), kill_after) << "the clients stopped before the kill";

    // Before any restart: whatever is under files/ is complete (its name is its SHA-256).
    for (const auto& entry : fs::recursive_directory_iterator(data / "files")) {
      if (!entry.is_regular_file()) continue;
      EXPECT_EQ(entry.path().stem().string(), sha256_hex(slurp(entry.path()))) << entry.path();
    }
  }
  EXPECT_GT(cut_short, 0u) << "the kills should have cut requests short";
  ASSERT_GE(acknowledged.size(), 200u);
  EXPECT_EQ(statuses[201], static_cast<int>(acknowledged.size())) << "every answer is a 201: each upload is a new file";
  EXPECT_EQ(statuses.size(), 1u);

  // Restart: every acknowledged upload is there, with its version and its exact bytes.
  ServerProcess server(data);
  ASSERT_NE(server.port(), 0);
  EXPECT_TRUE(fs::is_empty(data / "tmp")) << "temporary files of cut uploads are cleared at start";
  for (const Acknowledged& a : acknowledged) {
    const auto meta = api_request(server.port(), "GET", "/api/v1/invii/" + std::to_string(a.id), token);
    ASSERT_EQ(meta.status, 200) << "submission " << a.id;
    const auto body = json(meta.body);
    EXPECT_EQ(body->getValue<std::string>("ente"), a.ente);
    EXPECT_EQ(body->getValue<std::string>("sha256"), a.sha256);
    EXPECT_EQ(body->getValue<int>("versione"), a.version);
    const auto file = api_request(server.port(), "GET", "/api/v1/invii/" + std::to_string(a.id) + "/file", token);
    ASSERT_EQ(file.status, 200);
    EXPECT_EQ(sha256_hex(file.body), a.sha256) << "submission " << a.id;
  }
  // Versions of each ente run 1..n with no gap and no repeat, and each names a stored file.
  server.kill();
  server::Store store(data.string(), 1000);
  for (const auto& [ente, unused] : bodies) {
    const auto versions = store.submissions(campaign, ente);
    for (std::size_t i = 0; i < versions.size(); ++i) {
      EXPECT_EQ(versions[i].version, static_cast<int>(i + 1)) << ente;
      EXPECT_TRUE(fs::exists(store.file_path(versions[i].sha256))) << ente << " v" << versions[i].version;
    }
  }
  fs::remove_all(work);
}

}  // namespace
