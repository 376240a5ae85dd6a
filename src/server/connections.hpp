// The listening side of the upload server: Poco's TCP server running HTTP connections, guarded
// against clients that hold connections without using them. Poco alone gives each connection a
// thread from the first byte, waits 60 s for a head however slowly it comes, and drops (without
// an answer) connections beyond its queue; here:
// - every request head must arrive whole within a deadline from its first byte (a connection's
//   first request: from the connection's start), else 408 and close;
// - one client address holds at most N connections (queued ones included), more get 429;
// - when every thread is busy and the queue is full, a new connection gets 503 at once.
#pragma once

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/ThreadPool.h>

#include <chrono>
#include <memory>
#include <set>
#include <string>

namespace consolida::server {

struct ConnectionLimits {
  int max_queued = 64;
  int per_address = 16;
  std::chrono::seconds head_timeout{10};
  std::set<std::string> uncapped;  // addresses exempt from per_address: trusted proxies
};

class GuardedHttpServer {
 public:
  GuardedHttpServer(Poco::Net::HTTPRequestHandlerFactory::Ptr router, Poco::ThreadPool& pool, const Poco::Net::ServerSocket& socket,
                    Poco::Net::HTTPServerParams::Ptr params, ConnectionLimits limits);
  ~GuardedHttpServer();
  void start();
  // Stops accepting and cuts the connections under way (their requests end with the socket).
  void stop_all();
  // For tests: connections being served, and request heads watched (awaited, or answered 408 and
  // not yet told to their connection); both 0 once every connection has ended.
  int open_connections() const;
  std::size_t watched_heads() const;

  struct Shared;  // the connections of each address, the refused ones lingering

 private:
  std::shared_ptr<Shared> shared_;
  std::unique_ptr<Poco::Net::TCPServer> tcp_;
};

}  // namespace consolida::server
