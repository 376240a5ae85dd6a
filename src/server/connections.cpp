#include "server/connections.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <sys/socket.h>

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace consolida::server {

using Clock = std::chrono::steady_clock;

namespace {

// A plain answer written by the server itself, outside Poco's request handling.
std::string plain_answer(int status, const char* reason, const std::string& retry_after, const std::string& text) {
  std::string answer = "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nConnection: close\r\n";
  if (!retry_after.empty()) answer += "Retry-After: " + retry_after + "\r\n";
  answer += "Content-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nContent-Length: " + std::to_string(text.size()) +
            "\r\n\r\n" + text;
  return answer;
}

const std::string kBusy = plain_answer(503, "Service Unavailable", "5",
                                       "Server occupato: riprovare tra qualche secondo.\nServer busy: try again in a few seconds.\n");
const std::string kTooManyConnections =
    plain_answer(429, "Too Many Requests", "5",
                 "Troppe connessioni aperte da questo indirizzo: riprovare tra qualche secondo.\n"
                 "Too many connections open from this address: try again in a few seconds.\n");
const std::string kHeadTimeout =
    plain_answer(408, "Request Timeout", "", "Richiesta incompleta: tempo scaduto.\nIncomplete request: time is up.\n");

void drain(int fd) {
  char buffer[4096];
  for (int i = 0; i < 16 && ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT) > 0; ++i) {
  }
}

// Best effort and never blocking: the kernel's send buffer of a fresh socket takes these few bytes.
void send_now(int fd, const std::string& bytes) { (void)::send(fd, bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL); }

}  // namespace

struct GuardedHttpServer::Shared {
  ConnectionLimits limits;
  Poco::Net::TCPServer* server = nullptr;

  std::mutex lock;
  std::map<std::string, int> per_address;
  // The address each admitted socket was counted under, until its connection takes it: asked
  // again later, the peer's address may be gone (a client that reset while queued), and the slot
  // it holds would never be given back.
  std::map<const Poco::Net::SocketImpl*, std::string> admitted;
  std::set<Poco::Net::StreamSocket*> live;

  // Refused sockets stay open a moment after their answer: closed at once with the request
  // unread, the kernel would reset the connection and the client might lose the answer.
  struct Lingering {
    Poco::Net::StreamSocket socket;
    Clock::time_point until;
  };
  std::vector<Lingering> lingering;  // used by the accepting thread only
  static constexpr std::size_t kMaxLingering = 256;

  bool take(const std::string& address) {
    if (limits.uncapped.count(address)) return true;  // never counted, so give_back finds nothing
    std::lock_guard guard(lock);
    int& open = per_address[address];
    if (limits.per_address > 0 && open >= limits.per_address) return false;
    ++open;
    return true;
  }
  void give_back(const std::string& address) {
    std::lock_guard guard(lock);
    const auto found = per_address.find(address);
    if (found != per_address.end() && --found->second <= 0) per_address.erase(found);
  }

  // Request heads awaited, by socket, with their deadline. One watcher thread ends those that
  // pass it: a 408, then the socket's reading side shut, which wakes the connection's blocked
  // read with an end of stream. Their connection learns it from head_came().
  enum class Head { in_time, too_late };
  std::map<int, Clock::time_point> awaited_heads;  // under lock: the deadline of each awaited head
  std::set<int> too_late;                          // under lock: answered 408, not yet told to their connection
  std::condition_variable heads_changed;
  bool stopping = false;  // under lock
  std::thread watcher;

  void await_head(int fd) {
    std::lock_guard guard(lock);
    const bool watcher_idle = awaited_heads.empty();
    awaited_heads[fd] = Clock::now() + limits.head_timeout;
    // Deadlines only grow (one timeout for all), so the watcher needs waking only when it had none.
    if (watcher_idle) heads_changed.notify_one();
  }
  Head head_came(int fd) {
    std::lock_guard guard(lock);
    awaited_heads.erase(fd);
    return too_late.erase(fd) ? Head::too_late : Head::in_time;
  }
  void forget(int fd) {
    awaited_heads.erase(fd);
    too_late.erase(fd);
  }
  void watch_heads() {
    std::unique_lock guard(lock);
    while (!stopping) {
      const auto now = Clock::now();
      auto next = Clock::time_point::max();
      // A head past its deadline leaves the awaited ones at once: the map holds only deadlines
      // still to come, so an empty map means nothing to watch.
      for (auto it = awaited_heads.begin(); it != awaited_heads.end();) {
        if (it->second > now) {
          next = std::min(next, it->second);
          ++it;
          continue;
        }
        send_now(it->first, kHeadTimeout);
        ::shutdown(it->first, SHUT_RD);
        too_late.insert(it->first);
        it = awaited_heads.erase(it);
      }
      if (next == Clock::time_point::max()) heads_changed.wait(guard);
      else heads_changed.wait_until(guard, next);
    }
  }

  void refuse(const Poco::Net::StreamSocket& socket, const std::string& answer) {
    const int fd = socket.impl()->sockfd();
    drain(fd);
    send_now(fd, answer);
    ::shutdown(fd, SHUT_WR);
    if (lingering.size() < kMaxLingering) lingering.push_back({socket, Clock::now() + std::chrono::seconds(2)});
  }
  void sweep_lingering() {
    const auto now = Clock::now();
    std::erase_if(lingering, [&](Lingering& l) {
      const int fd = l.socket.impl()->sockfd();
      char buffer[4096];
      ssize_t got = 0;
      for (int i = 0; i < 16 && (got = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT)) > 0; ++i) {
      }
      return got == 0 || now >= l.until;  // the client closed, or its time is up
    });
  }
};

namespace {

class Filter final : public Poco::Net::TCPServerConnectionFilter {
 public:
  explicit Filter(std::shared_ptr<GuardedHttpServer::Shared> shared) : shared_(std::move(shared)) {}
  bool accept(const Poco::Net::StreamSocket& socket) override {
    shared_->sweep_lingering();
    const std::string address = socket.peerAddress().host().toString();
    if (!shared_->take(address)) {
      shared_->refuse(socket, kTooManyConnections);
      return false;
    }
    // Full: as many connections queued beyond the threads still free as the queue may hold. Only
    // this thread adds to the queue, so a place free now is still free at enqueue().
    const Poco::Net::TCPServer& server = *shared_->server;
    const int free_threads = std::max(0, server.maxThreads() - server.currentConnections());
    if (server.queuedConnections() - free_threads >= shared_->limits.max_queued) {
      shared_->give_back(address);
      shared_->refuse(socket, kBusy);
      return false;
    }
    std::lock_guard guard(shared_->lock);
    shared_->admitted[socket.impl()] = address;
    return true;
  }

 private:
  std::shared_ptr<GuardedHttpServer::Shared> shared_;
};

// Poco's HTTPServerConnection::run, but every request head is watched by the deadline from the
// moment its first byte is awaited (the first request) or has come (later ones), wherever it
// waits: in the socket or already in the session's buffer behind an earlier request.
class GuardedConnection final : public Poco::Net::TCPServerConnection {
 public:
  GuardedConnection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
                    Poco::Net::HTTPRequestHandlerFactory::Ptr router, std::shared_ptr<GuardedHttpServer::Shared> shared)
      : TCPServerConnection(socket),
        params_(std::move(params)),
        router_(std::move(router)),
        shared_(std::move(shared)),
        fd_(socket.impl()->sockfd()) {
    std::lock_guard guard(shared_->lock);
    shared_->live.insert(&this->socket());
    if (const auto found = shared_->admitted.find(socket.impl()); found != shared_->admitted.end()) {
      address_ = std::move(found->second);
      shared_->admitted.erase(found);
    }
  }
  ~GuardedConnection() override {
    {
      std::lock_guard guard(shared_->lock);
      shared_->live.erase(&socket());
    }
    shared_->give_back(address_);
  }

  void run() override {
    using namespace Poco::Net;
    const std::string software = params_->getSoftwareVersion();
    HTTPServerSession session(socket(), params_);
    // The session closes the socket when it ends: the watch on the descriptor goes first (this is
    // destroyed before the session), or the next connection given the same number inherits it.
    const ForgetHeads forget_heads{*shared_, fd_};
    shared_->await_head(fd_);
    for (bool first = true; session.hasMoreRequests(); first = false) {
      if (!first) shared_->await_head(fd_);
      try {
        HTTPServerResponseImpl response(session);
        HTTPServerRequestImpl request(response, session, params_);
        if (shared_->head_came(fd_) == GuardedHttpServer::Shared::Head::too_late) break;  // 408 already sent
        response.setDate(Poco::Timestamp());
        response.setVersion(request.getVersion());
        response.setKeepAlive(params_->getKeepAlive() && request.getKeepAlive() && session.canKeepAlive());
        if (!software.empty()) response.set("Server", software);
        try {
          std::unique_ptr<HTTPRequestHandler> handler(router_->createRequestHandler(request));
          if (!handler) {
            answer_error(session, HTTPResponse::HTTP_NOT_IMPLEMENTED);
            continue;
          }
          if (request.getExpectContinue() && response.getStatus() == HTTPResponse::HTTP_OK) response.sendContinue();
          handler->handleRequest(request, response);
          session.setKeepAlive(params_->getKeepAlive() && response.getKeepAlive() && session.canKeepAlive());
        } catch (const Poco::Exception&) {
          if (!response.sent()) {
            try {
              answer_error(session, HTTPResponse::HTTP_INTERNAL_SERVER_ERROR);
            } catch (...) {
              // the client is gone
            }
          }
          throw;
        }
      } catch (const NoMessageException&) {
        break;
      } catch (const MessageException&) {
        if (shared_->head_came(fd_) == GuardedHttpServer::Shared::Head::too_late) break;
        answer_error(session, HTTPResponse::HTTP_BAD_REQUEST);
      } catch (const Poco::Exception&) {
        if (session.networkException()) session.networkException()->rethrow();
        throw;
      }
    }
  }

 private:
  struct ForgetHeads {
    GuardedHttpServer::Shared& shared;
    int fd;
    ~ForgetHeads() {
      std::lock_guard guard(shared.lock);
      shared.forget(fd);
    }
  };

  static void answer_error(Poco::Net::HTTPServerSession& session, Poco::Net::HTTPResponse::HTTPStatus status) {
    Poco::Net::HTTPServerResponseImpl response(session);
    response.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
    response.setStatusAndReason(status);
    response.setKeepAlive(false);
    response.send();
    session.setKeepAlive(false);
  }

  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::Net::HTTPRequestHandlerFactory::Ptr router_;
  std::shared_ptr<GuardedHttpServer::Shared> shared_;
  std::string address_;
  const int fd_;  // taken at the start: once the session has closed the socket, it reads -1
};

class GuardedConnectionFactory final : public Poco::Net::TCPServerConnectionFactory {
 public:
  GuardedConnectionFactory(Poco::Net::HTTPServerParams::Ptr params, Poco::Net::HTTPRequestHandlerFactory::Ptr router,
                           std::shared_ptr<GuardedHttpServer::Shared> shared)
      : params_(std::move(params)), router_(std::move(router)), shared_(std::move(shared)) {}
  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
    return new GuardedConnection(socket, params_, router_, shared_);
  }

 private:
  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::Net::HTTPRequestHandlerFactory::Ptr router_;
  std::shared_ptr<GuardedHttpServer::Shared> shared_;
};

}  // namespace

GuardedHttpServer::GuardedHttpServer(Poco::Net::HTTPRequestHandlerFactory::Ptr router, Poco::ThreadPool& pool,
                                     const Poco::Net::ServerSocket& socket, Poco::Net::HTTPServerParams::Ptr params, ConnectionLimits limits)
    : shared_(std::make_shared<Shared>()) {
  shared_->limits = limits;
  // Poco's own refusal (a silent close) must never come first: the filter answers 503 before,
  // counting the queued connections that free threads are about to take.
  params->setMaxQueued(limits.max_queued + params->getMaxThreads() + 1);
  tcp_ = std::make_unique<Poco::Net::TCPServer>(new GuardedConnectionFactory(params, router, shared_), pool, socket, params);
  shared_->server = tcp_.get();
  tcp_->setConnectionFilter(new Filter(shared_));
  shared_->watcher = std::thread([shared = shared_.get()] { shared->watch_heads(); });
}

GuardedHttpServer::~GuardedHttpServer() { stop_all(); }

void GuardedHttpServer::start() { tcp_->start(); }

int GuardedHttpServer::open_connections() const { return tcp_->currentConnections(); }

std::size_t GuardedHttpServer::watched_heads() const {
  std::lock_guard guard(shared_->lock);
  return shared_->awaited_heads.size() + shared_->too_late.size();
}

void GuardedHttpServer::stop_all() {
  if (!tcp_) return;
  tcp_->stop();
  {
    std::lock_guard guard(shared_->lock);
    shared_->stopping = true;
    shared_->heads_changed.notify_one();
  }
  if (shared_->watcher.joinable()) shared_->watcher.join();
  std::lock_guard guard(shared_->lock);
  for (Poco::Net::StreamSocket* socket : shared_->live) {
    try {
      socket->shutdown();
    } catch (const Poco::Exception&) {
      // already closed by its client
    }
  }
  shared_->lingering.clear();
}

}  // namespace consolida::server
