// Runs a ByteSource (inflate + CRC) on a second thread, a few blocks ahead of the consumer, so
// that inflating and XML parsing of a large sheet overlap on two cores. Memory stays bounded:
// block_size * block_count bytes. Small blocks are copied out while still in a cache the two
// cores share: with 64 KB blocks, opening the 200k-row .ods took 0.13-0.17 s, with 512 KB 0.22-0.27 s.
// The producer also checks UTF-8 (checks_utf8()), which the parsing thread then need not.
#pragma once

#include <atomic>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "xlsx/byte_source.hpp"
#include "xlsx/utf8_validator.hpp"

namespace consolida::xlsx {

class ReadAheadSource final : public ByteSource {
 public:
  explicit ReadAheadSource(std::unique_ptr<ByteSource> inner, std::size_t block_size = 64 * 1024,
                           std::size_t block_count = 8);
  ~ReadAheadSource() override;
  ReadAheadSource(const ReadAheadSource&) = delete;
  ReadAheadSource& operator=(const ReadAheadSource&) = delete;

  // Errors raised by the inner source are rethrown here, in stream order.
  std::size_t read(char* buffer, std::size_t n) override;
  std::optional<std::uint64_t> size_hint() const override { return hint_; }
  bool checks_utf8() const override { return true; }
  std::optional<std::uint64_t> invalid_utf8_at() const override;

 private:
  struct Block {
    std::vector<char> data;
    std::size_t size = 0;
  };
  void produce();

  std::unique_ptr<ByteSource> inner_;
  std::optional<std::uint64_t> hint_;  // taken before the producer thread owns inner_
  std::vector<Block> blocks_;
  std::mutex mutex_;
  std::condition_variable filled_;
  std::condition_variable freed_;
  std::size_t next_fill_ = 0;     // block the producer fills next
  std::size_t next_consume_ = 0;  // block the consumer reads
  std::size_t ready_ = 0;         // blocks filled and not yet consumed
  std::size_t consumed_in_block_ = 0;
  bool finished_ = false;  // producer reached the end or failed
  bool stopping_ = false;  // consumer is gone
  std::exception_ptr failure_;
  // Checked by the producer before a block is handed over; read by the consumer after.
  Utf8Validator utf8_;
  std::uint64_t produced_ = 0;
  std::atomic<std::uint64_t> invalid_utf8_at_{kAllValid};
  static constexpr std::uint64_t kAllValid = UINT64_MAX;
  std::thread thread_;
};

// The source itself when it is small, else a read-ahead over it: a part of some MB (a large
// sheet, an .ods content.xml) is inflated on a second thread while this one parses; a small one is
// not worth a thread.
std::unique_ptr<ByteSource> read_ahead_if_large(std::unique_ptr<ByteSource> source, std::uint64_t size);

}  // namespace consolida::xlsx
