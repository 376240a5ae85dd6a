// The guarded listening side (server/connections.cpp), driven directly with a one-line handler.
#include <gtest/gtest.h>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <string>
#include <thread>

#include "server/connections.hpp"

using namespace consolida::server;

namespace {

class Hello final : public Poco::Net::HTTPRequestHandler {
 public:
  void handleRequest(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) override {
    response.setContentLength(2);
    response.send() << "ok";
  }
};

class Router final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override { return new Hello; }
};

class GuardedServer : public ::testing::Test {
 protected:
  void SetUp() override {
    auto params = Poco::Net::HTTPServerParams::Ptr(new Poco::Net::HTTPServerParams);
    params->setMaxThreads(4);
    server_ = std::make_unique<GuardedHttpServer>(new Router, pool_, socket_, params, ConnectionLimits{});
    server_->start();
  }
  void TearDown() override { server_->stop_all(); }

  // Waits (bounded) until the server has finished with every connection.
  void wait_until_idle() {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (server_->open_connections() > 0 && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
    ASSERT_EQ(server_->open_connections(), 0);
  }

  Poco::ThreadPool pool_{1, 8};
  Poco::Net::ServerSocket socket_{Poco::Net::SocketAddress("127.0.0.1", 0)};
  std::unique_ptr<GuardedHttpServer> server_;
};

}  // namespace

// A client that sends its request and closes its side (curl, an API script): the connection
// awaits a next head and meets the end of the stream. The watch on that head must end with the
// connection, or ten seconds later the watcher answers 408 on the descriptor's number and cuts
// whatever connection holds it by then.
TEST_F(GuardedServer, AConnectionClosedByItsClientLeavesNoHeadWatched) {
  Poco::Net::StreamSocket client(socket_.address());
  const std::string request = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
  client.sendBytes(request.data(), static_cast<int>(request.size()));
  client.shutdownSend();
  std::string answer;
  char buffer[512];
  for (int got; (got = client.receiveBytes(buffer, sizeof buffer)) > 0;) answer.append(buffer, static_cast<std::size_t>(got));
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
  client.close();
  wait_until_idle();
  EXPECT_EQ(server_->watched_heads(), 0u);
}
