#include "server/admission.hpp"

#include "common/file_name.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>

namespace consolida::server {
namespace {

// Keys of the throttle are bounded like what is recorded: a 256 KiB name must not become a
// 256 KiB map key. Distinct names sharing their first 128 bytes share their count.
std::string key_of(const std::string& text) { return text.substr(0, 128); }

std::chrono::seconds ceil_seconds(LoginThrottle::Clock::duration d) {
  return std::chrono::ceil<std::chrono::seconds>(d);
}

}  // namespace

std::optional<std::chrono::seconds> LoginThrottle::wait_for(const Entry& entry, int in_flight_limit, Clock::time_point now) const {
  if (entry.closed_until > now) return ceil_seconds(entry.closed_until - now);
  if (entry.in_flight >= in_flight_limit) return std::chrono::seconds(1);  // about one password check
  return std::nullopt;
}

std::optional<std::chrono::seconds> LoginThrottle::admit(const std::string& account, const std::string& address, Clock::time_point now) {
  std::lock_guard guard(lock_);
  if (accounts_.size() + addresses_.size() >= policy_.max_entries) forget_idle(now);
  const auto found_account = accounts_.find(key_of(account));
  const auto found_address = addresses_.find(key_of(address));
  std::optional<std::chrono::seconds> wait;
  if (found_account != accounts_.end()) wait = wait_for(found_account->second, 1, now);
  if (found_address != addresses_.end()) {
    const auto by_address = wait_for(found_address->second, policy_.attempts_in_flight_per_address, now);
    if (by_address && (!wait || *by_address > *wait)) wait = by_address;
  }
  if (wait) return wait;
  ++accounts_[key_of(account)].in_flight;
  ++addresses_[key_of(address)].in_flight;
  return std::nullopt;
}

bool LoginThrottle::record_failure(Entry& entry, Clock::time_point now) const {
  if (entry.failures > 0 && now - entry.last_failure > policy_.forget_after) entry.failures = 0;
  entry.last_failure = now;
  ++entry.failures;
  const int over = entry.failures - policy_.free_failures;
  if (over <= 0) return false;
  // first_delay << (over - 1), without overflowing on long attacks
  std::chrono::seconds delay = policy_.max_delay;
  if (over <= 30) delay = std::min(policy_.max_delay, policy_.first_delay * (std::int64_t{1} << (over - 1)));
  entry.closed_until = std::max(entry.closed_until, now + delay);
  return true;
}

bool LoginThrottle::finish(const std::string& account, const std::string& address, Clock::time_point now, Result result) {
  std::lock_guard guard(lock_);
  Entry& by_account = accounts_[key_of(account)];
  Entry& by_address = addresses_[key_of(address)];
  by_account.in_flight = std::max(0, by_account.in_flight - 1);
  by_address.in_flight = std::max(0, by_address.in_flight - 1);
  switch (result) {
    case Result::succeeded:
      // The account's owner is back; the address may still be shared with whoever failed there.
      by_account.failures = 0;
      by_account.closed_until = {};
      return false;
    case Result::failed: {
      const bool account_closed = record_failure(by_account, now);
      const bool address_closed = record_failure(by_address, now);
      return account_closed || address_closed;
    }
    case Result::abandoned: return false;
  }
  return false;
}

void LoginThrottle::forget_idle(Clock::time_point now) {
  // Entries neither closed nor under way carry only failures below the threshold (or a success):
  // forgetting them gives an attacker back a few free failures, never an open account.
  for (auto* map : {&accounts_, &addresses_}) {
    std::erase_if(*map, [&](const auto& item) { return item.second.in_flight == 0 && item.second.closed_until <= now; });
  }
  // Still full: forget the oldest closures first rather than grow without bound.
  for (auto* map : {&accounts_, &addresses_}) {
    while (accounts_.size() + addresses_.size() >= policy_.max_entries) {
      // Attempts under way keep their entries (finish() needs them): the oldest closure of the rest.
      auto oldest = map->end();
      for (auto it = map->begin(); it != map->end(); ++it) {
        if (it->second.in_flight == 0 && (oldest == map->end() || it->second.closed_until < oldest->second.closed_until)) oldest = it;
      }
      if (oldest == map->end()) break;
      map->erase(oldest);
    }
  }
}

Gate::Gate(int slots) : free_(std::max(1, slots)) {}

Gate::Pass Gate::enter_within(std::chrono::milliseconds wait) {
  std::unique_lock guard(lock_);
  const std::uint64_t ticket = next_ticket_++;
  waiting_.push_back(ticket);
  const bool entered = changed_.wait_for(guard, wait, [&] { return free_ > 0 && waiting_.front() == ticket; });
  waiting_.erase(std::find(waiting_.begin(), waiting_.end(), ticket));
  if (entered) --free_;
  // The next in line may go too (another slot free), or now heads the line after a give-up.
  changed_.notify_all();
  return Pass(entered ? this : nullptr);
}

void Gate::leave() {
  {
    std::lock_guard guard(lock_);
    ++free_;
  }
  changed_.notify_all();
}

BackgroundLane::BackgroundLane() : thread_([this] { loop(); }) {}

BackgroundLane::~BackgroundLane() {
  {
    std::lock_guard guard(lock_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void BackgroundLane::post(std::function<void()> job) {
  {
    std::lock_guard guard(lock_);
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
}

void BackgroundLane::loop() {
  // Only this thread: a process may lower its threads' priority, not raise it back.
  (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10);
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock guard(lock_);
      wake_.wait(guard, [&] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

std::string recorded_name(const std::string& name, std::size_t limit) {
  if (name.size() <= limit) return name;
  return utf8_prefix(name, limit) + "… (" + std::to_string(name.size()) + " byte)";
}

}  // namespace consolida::server
