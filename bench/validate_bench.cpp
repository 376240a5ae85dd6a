// Validation throughput: validates N premialità workbooks (copies of the bundled samples, clean
// and broken alike) on T threads and prints the wall time against the 2-second target.
//   validate_bench PLUGINS_DIR SAMPLES_DIR [N=1000] [THREADS=2]
#include <Poco/TemporaryFile.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <thread>
#include <vector>

#include "common/numbers.hpp"
#include "consolida/forms.hpp"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s PLUGINS_DIR SAMPLES_DIR [N] [THREADS]\n", argv[0]);
    return 64;
  }
  const std::optional<std::size_t> count_arg = argc > 3 ? consolida::parse_integer<std::size_t>(argv[3]) : 1000;
  const std::optional<unsigned> threads_arg = argc > 4 ? consolida::parse_integer<unsigned>(argv[4]) : 2u;
  if (!count_arg || !threads_arg || *count_arg == 0 || *threads_arg == 0) {
    std::fprintf(stderr, "N and THREADS are whole numbers above 0\n");
    return 64;
  }
  const std::size_t count = *count_arg;
  const unsigned threads = *threads_arg;
  const auto forms = consolida::forms::load_forms(argv[1], {CONSOLIDA_RULES_PATH});
  std::vector<fs::path> samples;
  for (const auto& entry : fs::directory_iterator(argv[2])) {
    if (entry.path().extension() == ".xlsx") samples.push_back(entry.path());
  }
  std::sort(samples.begin(), samples.end());
  // Distinct files, as an upload run would have them.
  Poco::TemporaryFile work_dir;  // removed with its copies when main returns
  work_dir.createDirectories();
  const fs::path work = work_dir.path();
  std::vector<std::string> files;
  std::uint64_t bytes = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const fs::path target = work / (std::to_string(i) + ".xlsx");
    fs::copy_file(samples[i % samples.size()], target);
    bytes += fs::file_size(target);
    files.push_back(target.string());
  }
  std::atomic<std::size_t> next{0}, invalid{0}, issues{0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (std::size_t i = next++; i < files.size(); i = next++) {
        const auto report = consolida::forms::validate_file(files[i], forms, consolida::registry::Registry::builtin());
        invalid += !report.valid();
        issues += report.issues.size();
      }
    });
  }
  for (auto& thread : pool) thread.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("validated %zu premialita workbooks (%.1f KB average, %zu samples mixed) on %u threads\n", count,
              static_cast<double>(bytes) / static_cast<double>(count) / 1024.0, samples.size(), threads);
  std::printf("wall %.3f s, %.0f workbooks/s, %.2f ms per workbook per thread; %zu invalid, %zu problems reported\n", seconds,
              static_cast<double>(count) / seconds, seconds * 1000.0 * threads / static_cast<double>(count), invalid.load(),
              issues.load());
  std::printf("target (issue #3): 1,000 workbooks under 2 s: %s\n", count >= 1000 && seconds < 2.0 ? "ok" : (count < 1000 ? "n/a" : "MISSED"));
  return 0;
}
