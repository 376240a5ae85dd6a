// Parallel large uploads against `consolida serve` as a process (issue #13): each upload is read
// whole for its validation, so the server validates only `--validations` large uploads at once
// and gives their buffers back to the system; its peak memory must not grow with the number of
// clients sending at once.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/rome_time.hpp"
#include "consolida/server.hpp"
#include "support/files.hpp"
#include "support/server_process.hpp"
#include "support/zip_builder.hpp"
#include "xlsx/zip_archive.hpp"

namespace {

namespace fs = std::filesystem;
using namespace consolida;
using consolida::testing::api_request;
using consolida::testing::ServerProcess;
using consolida::testing::slurp;
using consolida::testing::with_comment;

// The workbook with its first sheet (the instructions) replaced by rows of random words worth
// `deflated_bytes` compressed: a comune that pasted a long guide into its file.
std::string with_long_instructions(const fs::path& workbook, std::size_t deflated_bytes) {
  static const std::vector<std::string> words{"compilare", "la", "colonna", "importi", "in", "euro", "senza", "separatore",
                                              "delle", "migliaia", "il", "totale", "deve", "corrispondere", "alla", "somma",
                                              "righe", "area", "minori", "famiglia", "disabili", "anziani", "servizio", "fondo",
                                              "nazionale", "politiche", "sociali", "quota", "comune"};
  std::minstd_rand random(13);
  std::string rows;
  std::size_t row = 0;
  // Rows of random words from a small vocabulary deflate to about a seventh of their size.
  while (rows.size() < 8 * deflated_bytes) {
    ++row;
    rows += "<row r=\"" + std::to_string(row) + "\"><c r=\"A" + std::to_string(row) + "\" t=\"inlineStr\"><is><t>";
    for (int w = 8 + static_cast<int>(random() % 23); w > 0; --w) rows += words[random() % words.size()] + ' ';
    rows += "</t></is></c></row>";
  }
  const std::string sheet =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet "
      "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>" + rows + "</sheetData></worksheet>";
  xlsx::ZipArchive source(workbook.string(), xlsx::Limits{});
  consolida::testing::ZipBuilder out;
  for (const xlsx::ZipEntry& entry : source.entries()) {
    out.add(entry.name, entry.name == "xl/worksheets/sheet1.xml" ? sheet : source.read_all(entry));
  }
  return out.build();
}

long peak_resident_kb(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmHWM:")) return std::stol(line.substr(6));
  }
  return -1;
}

TEST(ServerMemory, ParallelLargeUploadsAreValidatedOneAtATimeAndThePeakStaysBounded) {
#ifdef CONSOLIDA_SANITIZED_BUILD
  GTEST_SKIP() << "peak memory says nothing under ASan: its quarantine keeps freed memory on purpose";
#endif
  const fs::path work = fs::temp_directory_path() / ("consolida-memory-" + std::to_string(::getpid()));
  fs::remove_all(work);
  const std::string command = std::string(CONSOLIDA_MAKE_REGION) + " " + (work / "melzo").string() +
                              " --scope ambito:MELZO --missing 0 --errors 0 --year 2024 > /dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  const fs::path comune = *fs::directory_iterator(work / "melzo" / "comuni");
  const std::string ente = comune.filename().string().substr(0, 6);
  const std::string large = with_long_instructions(comune, 6u << 20);
  ASSERT_GE(large.size(), 6u << 20);

  const fs::path data = work / "data";
  const auto [campaign, token] = consolida::testing::open_region_campaign(data);
  ServerProcess server(data, {"--threads", "40", "--validations", "1", "--connections-per-address", "0"});
  ASSERT_NE(server.port(), 0) << "consolida serve did not start";
  const long at_start = peak_resident_kb(server.pid());

  constexpr int kClients = 32;
  std::vector<int> statuses(kClients);
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      const std::string path = "/api/v1/campagne/" + std::to_string(campaign) + "/invii";
      statuses[c] = api_request(server.port(), "POST", path, token, with_comment(large, "invio " + std::to_string(c)), ente).status;
    });
  }
  for (auto& t : clients) t.join();
  const long peak = peak_resident_kb(server.pid());
  for (int c = 0; c < kClients; ++c) EXPECT_EQ(statuses[c], 201) << "upload " << c;
  // 32 bodies of 6 MB at once: without the gate each holds its body and its parse (about 200 MB
  // in all); with one validation at a time a few bodies are alive, whatever the clients.
  EXPECT_LT(peak - at_start, 64 * 1024) << "peak " << peak / 1024 << " MB, " << at_start / 1024 << " MB at start";
  server.kill();
  fs::remove_all(work);
}

}  // namespace
