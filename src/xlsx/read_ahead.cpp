#include "xlsx/read_ahead.hpp"

#include <cstring>

namespace consolida::xlsx {

namespace {
constexpr std::uint64_t kReadAheadThreshold = 4u << 20;
}  // namespace

std::unique_ptr<ByteSource> read_ahead_if_large(std::unique_ptr<ByteSource> source, std::uint64_t size) {
  if (size < kReadAheadThreshold) return source;
  return std::make_unique<ReadAheadSource>(std::move(source));
}

ReadAheadSource::ReadAheadSource(std::unique_ptr<ByteSource> inner, std::size_t block_size, std::size_t block_count)
    : inner_(std::move(inner)), hint_(inner_->size_hint()), blocks_(block_count) {
  for (Block& block : blocks_) block.data.resize(block_size);
  thread_ = std::thread([this] { produce(); });
}

ReadAheadSource::~ReadAheadSource() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  freed_.notify_all();
  thread_.join();
}

void ReadAheadSource::produce() {
  try {
    for (;;) {
      Block* block;
      {
        std::unique_lock lock(mutex_);
        freed_.wait(lock, [this] { return stopping_ || ready_ < blocks_.size(); });
        if (stopping_) return;
        block = &blocks_[next_fill_];
      }
      // Fill the whole block outside the lock; the consumer never touches a block being filled.
      std::size_t filled = 0;
      while (filled < block->data.size()) {
        const std::size_t got = inner_->read(block->data.data() + filled, block->data.size() - filled);
        if (got == 0) break;
        filled += got;
      }
      if (invalid_utf8_at_.load(std::memory_order_relaxed) == kAllValid) {
        const auto* bytes = reinterpret_cast<const unsigned char*>(block->data.data());
        const std::size_t bad = utf8_.feed(bytes, filled);
        if (bad < filled) invalid_utf8_at_.store(produced_ + bad, std::memory_order_relaxed);
        else if (filled < block->data.size() && !utf8_.complete()) invalid_utf8_at_.store(produced_ + filled, std::memory_order_relaxed);
      }
      produced_ += filled;
      {
        std::lock_guard lock(mutex_);  // publishes the block and what was found in it
        block->size = filled;
        if (filled > 0) {
          next_fill_ = (next_fill_ + 1) % blocks_.size();
          ++ready_;
        }
        if (filled < block->data.size()) finished_ = true;
      }
      filled_.notify_one();
      if (filled < block->data.size()) return;
    }
  } catch (...) {
    {
      std::lock_guard lock(mutex_);
      failure_ = std::current_exception();
      finished_ = true;
    }
    filled_.notify_one();
  }
}

std::optional<std::uint64_t> ReadAheadSource::invalid_utf8_at() const {
  const std::uint64_t at = invalid_utf8_at_.load(std::memory_order_relaxed);
  if (at == kAllValid) return std::nullopt;
  return at;
}

std::size_t ReadAheadSource::read(char* buffer, std::size_t n) {
  std::unique_lock lock(mutex_);
  filled_.wait(lock, [this] { return ready_ > 0 || finished_; });
  if (ready_ == 0) {
    if (failure_) std::rethrow_exception(failure_);
    return 0;
  }
  Block& block = blocks_[next_consume_];
  lock.unlock();
  const std::size_t take = std::min(n, block.size - consumed_in_block_);
  std::memcpy(buffer, block.data.data() + consumed_in_block_, take);
  consumed_in_block_ += take;
  if (consumed_in_block_ == block.size) {
    consumed_in_block_ = 0;
    lock.lock();
    next_consume_ = (next_consume_ + 1) % blocks_.size();
    --ready_;
    lock.unlock();
    freed_.notify_one();
  }
  return take;
}

}  // namespace consolida::xlsx
