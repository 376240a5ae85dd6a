// Admission of costly work: a throttle on failed logins and gates that bound how many slow
// computations (password hashes, workbook validations) run at once. A throttled login is refused
// at once; a gate lets a request wait its turn for a bounded time (2 s for a hash, 30 s for a
// validation), then refuses it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace consolida::server {

// Failed logins counted per account and per client address. After the free failures, each new
// failure closes the account and the address for a delay that doubles up to a cap; while closed,
// attempts are refused without checking the password. At most one attempt per account and a
// few per address run at once, so that a parallel burst cannot pass before the first failure.
struct LoginPolicy {
  int free_failures = 3;
  int attempts_in_flight_per_address = 2;
  std::chrono::seconds first_delay{1};
  std::chrono::seconds max_delay{300};
  // Failures this long ago are forgotten: three typos last week do not close an office today.
  std::chrono::seconds forget_after{900};
  std::size_t max_entries = 10000;  // accounts and addresses remembered at once
};

class LoginThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  using Policy = LoginPolicy;
  enum class Result { succeeded, failed, abandoned };

  explicit LoginThrottle(Policy policy = {}) : policy_(policy) {}

  // nullopt: the attempt may go ahead, and counts as under way until finish(); otherwise how long
  // to wait before trying again.
  std::optional<std::chrono::seconds> admit(const std::string& account, const std::string& address, Clock::time_point now);
  // The end of an admitted attempt. True if this failure closed the account or the address.
  bool finish(const std::string& account, const std::string& address, Clock::time_point now, Result result);

 private:
  struct Entry {
    int failures = 0;
    int in_flight = 0;
    Clock::time_point closed_until{};
    Clock::time_point last_failure{};
  };
  std::optional<std::chrono::seconds> wait_for(const Entry& entry, int in_flight_limit, Clock::time_point now) const;
  bool record_failure(Entry& entry, Clock::time_point now) const;
  void forget_idle(Clock::time_point now);

  Policy policy_;
  std::mutex lock_;
  std::map<std::string, Entry> accounts_, addresses_;
};

// At most N holders at once; callers wait their turn in order of arrival (a semaphore lets some
// wait far longer than others) for a bounded time, then give up.
class Gate {
 public:
  explicit Gate(int slots);
  class Pass {
   public:
    explicit Pass(Gate* gate) : gate_(gate) {}
    Pass(Pass&& other) noexcept : gate_(other.gate_) { other.gate_ = nullptr; }
    Pass(const Pass&) = delete;
    Pass& operator=(const Pass&) = delete;
    Pass& operator=(Pass&&) = delete;
    ~Pass() {
      if (gate_) gate_->leave();
    }
    explicit operator bool() const { return gate_ != nullptr; }

   private:
    Gate* gate_;
  };
  // A pass if a slot frees within `wait`, else an empty one.
  Pass enter_within(std::chrono::milliseconds wait);

 private:
  void leave();

  std::mutex lock_;
  std::condition_variable changed_;
  int free_;
  std::uint64_t next_ticket_ = 0;
  std::deque<std::uint64_t> waiting_;
};

// A thread of its own at a lower CPU priority (nice 10) for slow work that must not take the
// cores from the requests: under a burst of logins the password hashes get what the uploads
// leave. Jobs run one after the other, in order.
class BackgroundLane {
 public:
  BackgroundLane();
  ~BackgroundLane();
  BackgroundLane(const BackgroundLane&) = delete;
  BackgroundLane& operator=(const BackgroundLane&) = delete;

  // Runs the job on the lane and waits for it; its exception, if any, is rethrown here.
  template <class F>
  auto run(F&& job) -> decltype(job()) {
    std::packaged_task<decltype(job())()> task(std::forward<F>(job));
    auto result = task.get_future();
    post([&task] { task(); });
    return result.get();
  }

 private:
  void post(std::function<void()> job);
  void loop();

  std::mutex lock_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

// The text of a user name as recorded: at most `limit` bytes, cut on a UTF-8 character boundary,
// with the original length named when cut.
std::string recorded_name(const std::string& name, std::size_t limit = 64);

}  // namespace consolida::server
