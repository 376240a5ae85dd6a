// Server time of a campaign's dashboard (issue #14): the status of every ente the Region sees,
// filtered, counted by ATS and Ambito and paged, then written as the JSON status and as the
// campaign page; for the 1,506 comuni of the built-in registry or for a synthetic registry of N
// comuni (all of Italy is about 7,900).
//
//   dashboard_bench [--enti N] [--runs R] [--work DIR]
//
// A data directory with one campaign; 70% of the enti have a version (one in ten with errors,
// one in five approved), written straight into SQLite in one transaction (the bench measures
// reading them, not storing them), all naming one stored file.
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/JSON/Stringifier.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/digest.hpp"
#include "common/rome_time.hpp"
#include "consolida/forms.hpp"
#include "consolida/server.hpp"
#include "server/dashboard.hpp"
#include "server/intake.hpp"
#include "server/pages.hpp"

namespace fs = std::filesystem;
using namespace consolida;
using namespace consolida::server;
using Clock = std::chrono::steady_clock;

namespace {

// N comuni in Ambiti of about 80 and 8 ATS; codes 100001.., names "Comune 1"...
registry::RegistryFiles synthetic_registry(int enti) {
  registry::RegistryFiles files;
  std::ostringstream comuni, ats, ambiti, assignment;
  comuni << "codice_istat,nome,provincia,sigla,codice_catastale,popolazione_censimento_2011\n";
  ats << "codice_ats,nome\n";
  ambiti << "codice_ambito,nome,ats,asst,capofila_istat,sintetico,alias\n";
  assignment << "codice_istat,codice_ambito\n";
  const int per_ambito = 80, count_ambiti = (enti + per_ambito - 1) / per_ambito;
  for (int a = 0; a < 8; ++a) ats << "A" << a << ",ATS sintetica " << a << "\n";
  for (int a = 0; a < count_ambiti; ++a) {
    ambiti << "SINT-" << a << ",Ambito sintetico " << a << ",A" << a % 8 << ",ASST sintetica," << 100001 + a * per_ambito << ",1,\n";
  }
  for (int i = 0; i < enti; ++i) {
    comuni << 100001 + i << ",Comune " << i + 1 << ",Provincia,PR,Z" << 100 + i % 900 << "," << 1000 + i << "\n";
    assignment << 100001 + i << ",SINT-" << i / per_ambito << "\n";
  }
  files.comuni = comuni.str();
  files.ats = ats.str();
  files.ambiti = ambiti.str();
  files.assignment = assignment.str();
  return files;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int enti = 1506, runs = 20;
  std::string work = "bench/out/dashboard";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--enti") enti = std::stoi(argv[i + 1]);
    else if (a == "--runs") runs = std::stoi(argv[i + 1]);
    else if (a == "--work") work = argv[i + 1];
  }
  const fs::path data = fs::path(work) / ("data-" + std::to_string(enti) + "-" + std::to_string(::getpid()));
  fs::create_directories(data);
  const std::vector<forms::FormSpec> forms = forms::load_forms(CONSOLIDA_SOURCE_DIR "/plugins", {CONSOLIDA_RULES_PATH});
  std::int64_t campaign_id = 0;
  std::vector<std::string> codes;
  {
    Store store(data.string(), 1000);
    if (enti != 1506) store.add_registry_version(synthetic_registry(enti), {});
    campaign_id = store.add_campaign({0, "Spesa sociale (bench)", "spesa-sociale-comune", 2024, unix_now() - 86400, unix_now() + 86400,
                                      LatePolicy::refuse});
    const Campaign campaign = *store.campaign(campaign_id);
    Intake intake(store, forms, registry::Registry::builtin());
    for (const registry::Comune& c : intake.registry(campaign).comuni()) codes.push_back(c.istat);
    // One stored file that every version names.
    const std::string bytes = "bench";
    const fs::path temp = data / "tmp" / "bench";
    std::ofstream(temp, std::ios::binary) << bytes;
    Submission first;
    first.campaign = campaign_id;
    first.ente = codes.front();
    first.sha256 = sha256_hex(bytes);
    first.size = bytes.size();
    first.file_name = "bench.xlsx";
    first.uploaded_by = "bench";
    first.uploaded_at = unix_now();
    first.valid = true;
    first.report_json = "{}";
    store.add_submission(first, temp.string());
  }
  {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session db("SQLite", (data / "consolida.sqlite").string());
    using Poco::Data::Keywords::now;
    db.begin();
    const std::string sha = sha256_hex("bench");
    for (std::size_t i = 1; i < codes.size(); ++i) {
      if (i % 10 >= 7) continue;  // 30% missing
      const int valid = i % 10 != 3;
      // Protocol numbers after the one real version's (sequence 1).
      db << "INSERT INTO submissions(campaign, ente, version, sha256, size, file_name, uploaded_by, uploaded_at, valid, late, errors, "
            "warnings, report, on_behalf, protocol_seq, protocol) VALUES(" + std::to_string(campaign_id) + ", '" + codes[i] + "', 1, '" + sha +
                "', 5, 'bench.xlsx', 'bench', " + std::to_string(unix_now()) + ", " + std::to_string(valid) + ", 0, " +
                std::to_string(1 - valid) + ", 0, '{}', '', " + std::to_string(i + 1) + ", 'bench-" + std::to_string(i + 1) + "')",
          now;
      if (valid && i % 5 == 0) {
        db << "INSERT INTO reviews(campaign, ente, submission, newest_seen, outcome, note, reviewer, at) VALUES(" + std::to_string(campaign_id) +
                  ", '" + codes[i] + "', last_insert_rowid(), last_insert_rowid(), 'approvato', 'ok', 'bench', " + std::to_string(unix_now()) + ")",
            now;
      }
    }
    db.commit();
  }
  Store store(data.string(), 1000);
  Intake intake(store, forms, registry::Registry::builtin());
  const Campaign campaign = *store.campaign(campaign_id);
  const User region{0, "regione", Role::regione, "", false};
  StatusFilter first_page;  // the Region's first look: everything, missing first, 50 a page
  first_page.per_page = 50;
  StatusFilter searched;
  const std::string search_text = enti == 1506 ? "san" : "comune 12";  // a part of many names
  searched.search = search_text;
  searched.state = EnteState::mancante;
  std::vector<double> status_ms, view_ms, json_ms, page_ms, search_ms;
  std::size_t bytes = 0;
  for (int r = 0; r < runs; ++r) {
    const auto t0 = Clock::now();
    std::vector<EnteStatus> all = intake.status(campaign, region);
    const auto t1 = Clock::now();
    const StatusView view = status_view(std::move(all), intake.registry(campaign), first_page);
    const auto t2 = Clock::now();
    std::ostringstream json;
    Poco::JSON::Stringifier::stringify(pages::status_json(campaign, view, unix_now()), json);
    const auto t3 = Clock::now();
    const auto t3b = Clock::now();
    pages::ListView list;
    list.filter = first_page;
    list.status = status_view(intake.status(campaign, region), intake.registry(campaign), first_page);
    const std::string page = pages::campaign_page(SiteInfo{}, region, "csrf", campaign, "Spesa sociale", "modello.xlsx", {}, list, unix_now());
    const auto t4 = Clock::now();
    const StatusView found = status_view(intake.status(campaign, region), intake.registry(campaign), searched);
    const auto t5 = Clock::now();
    bytes = page.size();
    auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
    status_ms.push_back(ms(t0, t1));
    view_ms.push_back(ms(t1, t2));
    json_ms.push_back(ms(t2, t3));
    page_ms.push_back(ms(t3b, t4));
    search_ms.push_back(ms(t4, t5));
    if (found.matching == 0 && r == 0) std::printf("the search found nothing\n");
  }
  std::printf("enti: %zu (%s registry), %d runs, medians:\n", codes.size(), enti == 1506 ? "built-in" : "synthetic", runs);
  std::printf("  status of every ente (SQLite, files checked): %.1f ms\n", median(status_ms));
  std::printf("  progress by ATS and Ambito, filter, first page of 50: %.1f ms\n", median(view_ms));
  std::printf("  status JSON of that page: %.1f ms\n", median(json_ms));
  std::printf("  dashboard (status + view + JSON): %.1f ms\n", median(status_ms) + median(view_ms) + median(json_ms));
  std::printf("  search \"%s\" among the missing (status + view): %.1f ms\n", search_text.c_str(), median(search_ms));
  std::printf("  the Region's campaign page (status, progress, first page of 50 as HTML): %.1f ms, %.0f KB of HTML\n", median(page_ms), bytes / 1e3);
  fs::remove_all(data);
  return 0;
}
