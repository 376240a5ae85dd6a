// Load client for the upload server (issue #5): N clients on loopback send workbooks to the JSON
// API, one request at a time each over a kept-alive connection, and the figures are printed next
// to the rate at which this process validates the same bodies in memory.
//
//   upload_load --url http://127.0.0.1:PORT --token TOKEN --campaign ID --workbooks DIR
//               [--uploads 10000] [--clients 32] [--size-kb 30] [--pid SERVER_PID] [--plugins DIR]
//
// DIR holds spesa-sociale-comune files named ISTAT-name.xlsx (make_region's comuni/). Each upload
// is a distinct file: the comune's workbook with an Istruzioni sheet of instruction text that
// brings it to --size-kb (what a regional template weighs), saved at a different time (a new
// docProps/core.xml), as a clerk re-saving the file would send it. Bodies are built before the
// clock starts so that the client's own work is not measured. --pid samples the server's resident
// memory every 1,000 answers.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <Poco/NullStream.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/numbers.hpp"
#include "consolida/forms.hpp"
#include "support/zip_builder.hpp"
#include "xlsx/zip_archive.hpp"

namespace fs = std::filesystem;
using consolida::testing::ZipBuilder;
using consolida::testing::ZipItem;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string url, token, workbooks, plugins = "plugins";
  long campaign = 1;
  std::size_t uploads = 10000;
  unsigned clients = 32;
  std::size_t size_kb = 30;
  long pid = 0;
};

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: upload_load --url URL --token TOKEN --campaign ID --workbooks DIR [--uploads N] [--clients N] "
               "[--size-kb K] [--pid PID] [--plugins DIR]\n");
  std::exit(64);
}

template <typename T>
T number(const std::string& option, const std::string& text) {
  if (const auto value = consolida::parse_integer<T>(text)) return *value;
  std::fprintf(stderr, "invalid value for %s: \"%s\" (a whole number is needed)\n", option.c_str(), text.c_str());
  usage();
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) usage();
    const std::string v = argv[++i];
    if (a == "--url") o.url = v;
    else if (a == "--token") o.token = v;
    else if (a == "--campaign") o.campaign = number<long>(a, v);
    else if (a == "--workbooks") o.workbooks = v;
    else if (a == "--uploads") o.uploads = number<std::size_t>(a, v);
    else if (a == "--clients") o.clients = number<unsigned>(a, v);
    else if (a == "--size-kb") o.size_kb = number<std::size_t>(a, v);
    else if (a == "--pid") o.pid = number<long>(a, v);
    else if (a == "--plugins") o.plugins = v;
    else usage();
  }
  if (o.url.empty() || o.token.empty() || o.workbooks.empty() || o.clients == 0) usage();
  return o;
}

// Instruction text in the Istruzioni sheet: words drawn at random compress like prose does.
std::string instructions_sheet(std::size_t target_compressed) {
  static const char* const words[] = {
      "compilare", "la", "colonna", "importi", "in", "euro", "senza", "separatore", "delle", "migliaia", "il", "totale",
      "deve", "corrispondere", "alla", "somma", "righe", "area", "minori", "famiglia", "disabili", "anziani", "povertà",
      "esclusione", "sociale", "immigrazione", "salute", "mentale", "dipendenze", "servizio", "fondo", "nazionale",
      "politiche", "sociali", "regionale", "non", "autosufficienze", "quota", "comune", "utenza", "entrate", "spese",
      "correnti", "rendicontazione", "indicare", "codice", "ISTAT", "ente", "capofila", "ambito", "territoriale",
      "piano", "di", "zona", "entro", "scadenza", "inviare", "file", "ufficio", "verificare", "celle", "gialle",
      "obbligatorie", "annualità", "riferimento", "impegnato", "liquidato", "residui", "trasferimenti", "ATS"};
  std::mt19937 rng(20261123);
  std::uniform_int_distribution<std::size_t> pick(0, std::size(words) - 1);
  std::uniform_int_distribution<int> length(8, 30);
  std::string rows;
  for (int r = 1;; ++r) {
    std::string sentence;
    for (int w = length(rng); w > 0; --w) sentence += std::string(words[pick(rng)]) + (w > 1 ? " " : ".");
    rows += "<row r=\"" + std::to_string(r) + "\"><c r=\"A" + std::to_string(r) + "\" t=\"inlineStr\"><is><t>" + sentence +
            "</t></is></c></row>";
    if (r % 50 == 0 && consolida::testing::raw_deflate(rows).size() >= target_compressed) break;
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
         "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>" +
         rows + "</sheetData></worksheet>";
}

// A zip item holding already-deflated bytes, so that bodies are assembled without compressing.
ZipItem deflated_item(const std::string& name, const std::string& data) {
  ZipItem item;
  item.name = name;
  item.data = consolida::testing::raw_deflate(data);
  item.deflate = false;
  item.method_override = 8;
  item.declared_size = static_cast<std::uint32_t>(data.size());
  item.declared_crc = static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
  return item;
}

struct Base {
  std::string ente;
  std::vector<ZipItem> items;  // every part but docProps/core.xml
};

std::string core_xml(std::size_t variant) {
  const unsigned minutes = static_cast<unsigned>(variant);
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "2024-%02u-%02uT%02u:%02u:00Z", 1 + minutes / 40320 % 12, 1 + minutes / 1440 % 28, minutes / 60 % 24,
                minutes % 60);
  return std::string("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
                     "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" "
                     "xmlns:dcterms=\"http://purl.org/dc/terms/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
                     "<dcterms:modified xsi:type=\"dcterms:W3CDTF\">") +
         stamp + "</dcterms:modified></cp:coreProperties>";
}

std::vector<Base> load_bases(const Options& o) {
  std::vector<fs::path> paths;
  for (const auto& entry : fs::directory_iterator(o.workbooks)) {
    if (entry.path().extension() == ".xlsx") paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<Base> bases;
  const std::size_t plain = paths.empty() ? 0 : fs::file_size(paths.front());
  const std::size_t target = o.size_kb * 1024 > plain ? o.size_kb * 1024 - plain : 0;
  const ZipItem padding = deflated_item("xl/worksheets/sheet1.xml", target ? instructions_sheet(target) : std::string());
  for (const fs::path& path : paths) {
    consolida::xlsx::ZipArchive zip(path.string(), consolida::xlsx::Limits{});
    Base base;
    base.ente = path.filename().string().substr(0, 6);
    for (const auto& entry : zip.entries()) {
      if (entry.name == "docProps/core.xml") continue;
      // The Istruzioni sheet is the first one in the template.
      if (entry.name == "xl/worksheets/sheet1.xml" && target) base.items.push_back(padding);
      else base.items.push_back(deflated_item(entry.name, zip.read_all(entry)));
    }
    bases.push_back(std::move(base));
  }
  return bases;
}

long resident_kb(long pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

double percentile(std::vector<double> sorted, double p) {
  if (sorted.empty()) return 0;
  const auto index = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(index, sorted.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  const std::vector<Base> bases = load_bases(o);
  if (bases.empty()) {
    std::fprintf(stderr, "no .xlsx in %s\n", o.workbooks.c_str());
    return 66;
  }
  // Upload i is comune i % C in its (i / C)-th saving: consecutive versions of one ente differ.
  std::vector<std::string> bodies(o.uploads);
  std::vector<const std::string*> entes(o.uploads);
  std::uint64_t body_bytes = 0;
  for (std::size_t i = 0; i < o.uploads; ++i) {
    const Base& base = bases[i % bases.size()];
    ZipBuilder builder;
    for (const ZipItem& item : base.items) builder.add(item);
    builder.add(deflated_item("docProps/core.xml", core_xml(i / bases.size())));
    bodies[i] = builder.build();
    entes[i] = &base.ente;
    body_bytes += bodies[i].size();
  }
  const double average_kb = static_cast<double>(body_bytes) / static_cast<double>(o.uploads) / 1024.0;

  // In-process validation of the same bodies, on as many threads as the machine has cores.
  const auto forms = consolida::forms::load_forms(o.plugins, {CONSOLIDA_RULES_PATH});
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t sample = std::min<std::size_t>(o.uploads, 3000);
  std::atomic<std::size_t> next{0}, invalid_local{0};
  auto start = Clock::now();
  {
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < cores; ++t) {
      pool.emplace_back([&] {
        for (std::size_t i = next++; i < sample; i = next++) {
          invalid_local += !consolida::forms::validate_bytes(bodies[i], "invio.xlsx", forms, consolida::registry::Registry::builtin(), "spesa-sociale-comune").valid();
        }
      });
    }
    for (auto& t : pool) t.join();
  }
  const double local_rate = static_cast<double>(sample) / std::chrono::duration<double>(Clock::now() - start).count();

  // The load.
  const Poco::URI uri(o.url);
  const std::string path = "/api/v1/campagne/" + std::to_string(o.campaign) + "/invii";
  std::vector<double> latency_ms(o.uploads, 0.0);
  std::vector<int> status(o.uploads, 0);
  std::mutex memory_lock;
  std::vector<std::pair<std::size_t, long>> memory;  // answers so far, server VmRSS kB
  if (o.pid) memory.emplace_back(0, resident_kb(o.pid));
  std::atomic<std::size_t> done{0}, failures{0};
  next = 0;
  start = Clock::now();
  {
    std::vector<std::thread> pool;
    for (unsigned c = 0; c < o.clients; ++c) {
      pool.emplace_back([&] {
        Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
        session.setKeepAlive(true);
        session.setTimeout(Poco::Timespan(60, 0));
        for (std::size_t i = next++; i < o.uploads; i = next++) {
          const auto sent = Clock::now();
          try {
            Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, path, Poco::Net::HTTPMessage::HTTP_1_1);
            request.setKeepAlive(true);
            request.set("Authorization", "Bearer " + o.token);
            request.set("X-Ente", *entes[i]);
            request.set("X-Nome-File", *entes[i] + ".xlsx");
            request.setContentType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
            request.setContentLength64(static_cast<Poco::Int64>(bodies[i].size()));
            session.sendRequest(request).write(bodies[i].data(), static_cast<std::streamsize>(bodies[i].size()));
            Poco::Net::HTTPResponse response;
            std::istream& in = session.receiveResponse(response);
            Poco::NullOutputStream sink;
            Poco::StreamCopier::copyStream(in, sink);
            status[i] = response.getStatus();
          } catch (const Poco::Exception& e) {
            if (failures++ < 5) std::fprintf(stderr, "upload %zu: %s\n", i, e.displayText().c_str());
            session.reset();
            status[i] = -1;
          }
          latency_ms[i] = std::chrono::duration<double, std::milli>(Clock::now() - sent).count();
          const std::size_t answered = ++done;
          if (o.pid && answered % 1000 == 0) {
            const long kb = resident_kb(o.pid);
            std::lock_guard guard(memory_lock);
            memory.emplace_back(answered, kb);
          }
        }
      });
    }
    for (auto& t : pool) t.join();
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  std::map<int, std::size_t> by_status;
  for (int s : status) ++by_status[s];
  const std::size_t created = by_status[201];
  std::vector<double> sorted = latency_ms;
  std::sort(sorted.begin(), sorted.end());
  const double rate = static_cast<double>(created) / seconds;
  std::printf("uploads: %zu distinct workbooks of %.1f KB on average, %u clients, %zu comuni\n", o.uploads, average_kb, o.clients, bases.size());
  std::printf("answers:");
  for (const auto& [code, n] : by_status) std::printf(" %d x %zu", code, n);
  std::printf("\n");
  std::printf("HTTP: %.1f s, %.0f validated uploads/s; latency p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms\n", seconds, rate,
              percentile(sorted, 0.50), percentile(sorted, 0.90), percentile(sorted, 0.99), sorted.back());
  std::printf("in-process validate_bytes of the same bodies (%u threads, %zu bodies): %.0f workbooks/s (%zu invalid)\n", cores, sample,
              local_rate, invalid_local.load());
  std::printf("HTTP rate / in-process rate: %.2f\n", rate / local_rate);
  if (!memory.empty()) {
    std::printf("server VmRSS (MB) after answers:");
    for (const auto& [n, kb] : memory) std::printf(" %zu:%.1f", n, static_cast<double>(kb) / 1024.0);
    std::printf("\n");
    long after_warmup = memory.size() > 1 ? memory[1].second : memory[0].second, peak = 0;
    for (const auto& m : memory) peak = std::max(peak, m.second);
    std::printf("server VmRSS growth from 1,000 answers to the end: %+.1f MB (peak %.1f MB)\n",
                static_cast<double>(memory.back().second - after_warmup) / 1024.0, static_cast<double>(peak) / 1024.0);
  }
  const bool ok = rate >= 150 && percentile(sorted, 0.99) < 250 && created == o.uploads;
  std::printf("target (issue #5): >= 150 uploads/s, p99 < 250 ms, every upload stored: %s\n", ok ? "ok" : "MISSED");
  return 0;
}
