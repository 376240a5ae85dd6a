// consolida consolidate: validate many filled forms and write the consolidated workbook.
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <thread>

#include "cli/commands.hpp"
#include "cli/inputs.hpp"
#include "common/text.hpp"
#include "consolida/consolidate.hpp"
#include "consolida/server.hpp"
#include "consolida/write.hpp"
#include "server/intake.hpp"

namespace consolida::cli {
namespace {

// A progress bar on the terminal, redrawn at most ten times a second.
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled) {}
  void update(std::size_t done, std::size_t total) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (done < total && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const std::size_t width = 40;
    const std::size_t filled = total ? done * width / total : width;
    std::cerr << "\r[" << std::string(filled, '#') << std::string(width - filled, '.') << "] " << done << "/" << total << std::flush;
    if (done == total) std::cerr << "\n";
  }

 private:
  bool enabled_;
  std::chrono::steady_clock::time_point last_{};
};

// The peak resident memory of this program (VmHWM). Not getrusage: Linux carries its maximum
// over exec, so a child started by a large process would report the parent's size.
long peak_memory_mb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmHWM:")) {
      std::istringstream kilobytes(line.substr(6));
      long value = 0;
      return kilobytes >> value ? value / 1024 : -1;
    }
  }
  return -1;
}

// The campaign's consolidation from the server's data directory, as the Region downloads it:
// the version of each ente that counts, or of the approved enti alone.
int consolidate_campaign(const Context& ctx, const std::string& data_dir, const std::string& campaign_text, const std::string& level,
                         const std::string& scope, bool approved_only, const std::string& plugins, const std::string& output) {
  const bool it = ctx.lang == Lang::it;
  const std::optional<std::int64_t> id = integer_option<std::int64_t>(ctx, "--campagna", campaign_text);
  if (!id) return kExitUsage;
  try {
    server::Store::check_data_dir(data_dir);
    server::Store store(data_dir);
    const auto forms = forms::load_forms(plugins_dir(plugins), library_path());
    server::Intake intake(store, forms, registry::Registry::builtin());
    const auto campaign = intake.campaign(*id);
    if (std::holds_alternative<server::Outcome>(campaign)) {
      std::cerr << (it ? "campagna " : "campaign ") << *id << (it ? " sconosciuta in " : " unknown in ") << data_dir << "\n";
      return static_cast<int>(ErrorCode::not_found);
    }
    const server::User region{0, "admin (riga di comando)", server::Role::regione, "", false};
    const auto written = intake.consolidation(std::get<server::Campaign>(campaign), region, level, scope, output, approved_only);
    if (const server::Outcome* refused = std::get_if<server::Outcome>(&written)) {
      std::cerr << (it ? "errore: " : "error: ") << (it ? refused->message.it : refused->message.en) << "\n";
      if (refused->kind == server::OutcomeKind::malformed_request) return kExitUsage;
      if (refused->kind == server::OutcomeKind::unknown_scope) return static_cast<int>(ErrorCode::not_found);
      if (refused->kind == server::OutcomeKind::form_not_consolidated) return static_cast<int>(ErrorCode::form_unknown);
      return 1;
    }
    std::cout << (it ? "consolidato scritto: " : "consolidation written: ") << output
              << (approved_only ? (it ? " (solo enti approvati)" : " (approved enti only)") : "") << "\n";
    return kExitOk;
  } catch (const Error& error) {
    return report_error(ctx, error);
  }
}

}  // namespace

int run_consolidate(const Context& ctx, const std::vector<std::string>& args) {
  const bool it = ctx.lang == Lang::it;
  std::vector<std::string> files;
  std::string form_id, level_text = "regione", scope, output, plugins, data_dir, campaign;
  bool include_invalid = false, quiet = false, stats = false, approved_only = false;
  const auto started = std::chrono::steady_clock::now();
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool takes_value = a == "--form" || a == "--level" || a == "--livello" || a == "--scope" || a == "--ambito" || a == "--ats" ||
                             a == "-o" || a == "--output" || a == "--plugins" || a == "--threads" || a == "--data-dir" ||
                             a == "--campagna" || a == "--campaign";
    if (takes_value && i + 1 >= args.size()) {
      std::cerr << (it ? "manca il valore di " : "missing value for ") << a << "\n";
      return kExitUsage;
    }
    if (a == "--form") form_id = args[++i];
    else if (a == "--level" || a == "--livello") level_text = args[++i];
    else if (a == "--scope" || a == "--ambito" || a == "--ats") scope = args[++i];
    else if (a == "-o" || a == "--output") output = args[++i];
    else if (a == "--plugins") plugins = args[++i];
    else if (a == "--data-dir") data_dir = args[++i];
    else if (a == "--campagna" || a == "--campaign") campaign = args[++i];
    else if (a == "--solo-approvati" || a == "--approved-only") approved_only = true;
    else if (a == "--threads") {
      const std::optional<int> n = integer_option<int>(ctx, a, args[++i]);
      if (!n) return kExitUsage;
      threads = static_cast<unsigned>(std::max(1, *n));
    }
    else if (a == "--tutti" || a == "--include-invalid") include_invalid = true;
    else if (a == "--quiet" || a == "-q") quiet = true;
    else if (a == "--stats" || a == "--statistiche") stats = true;
    else if (!a.starts_with("-")) files.push_back(a);
    else {
      std::cerr << (it ? "opzione sconosciuta: " : "unknown option: ") << a << "\n";
      return kExitUsage;
    }
  }
  if (!data_dir.empty() || !campaign.empty()) {
    if (data_dir.empty() || campaign.empty() || output.empty() || !files.empty() || !form_id.empty() || include_invalid) {
      std::cerr << (it ? "uso: consolida consolidate --data-dir CARTELLA --campagna ID [--level ambito|ats|regione] [--scope AMBITO|ATS] "
                         "[--solo-approvati] -o USCITA.xlsx\n"
                       : "usage: consolida consolidate --data-dir DIR --campaign ID [--level ambito|ats|regione] [--scope AMBITO|ATS] "
                         "[--approved-only] -o OUT.xlsx\n");
      return kExitUsage;
    }
    return consolidate_campaign(ctx, data_dir, campaign, level_text, scope, approved_only, plugins, output);
  }
  if (approved_only) {
    std::cerr << (it ? "--solo-approvati vale con --data-dir e --campagna: i file sciolti non hanno revisione\n"
                     : "--approved-only goes with --data-dir and --campaign: loose files have no review\n");
    return kExitUsage;
  }
  files = expand_inputs(files, kWorkbookExtensions);
  const auto level = consolidate::parse_level(level_text);
  if (form_id.empty() || output.empty() || files.empty() || !level) {
    std::cerr << (it ? "uso: consolida consolidate --form ID [--level ambito|ats|regione] [--scope AMBITO|ATS] [--tutti] FILE|CARTELLA... -o USCITA.xlsx\n"
                     : "usage: consolida consolidate --form ID [--level ambito|ats|regione] [--scope AMBITO|ATS] [--include-invalid] FILE|FOLDER... -o OUT.xlsx\n");
    return kExitUsage;
  }
  try {
    const auto forms = forms::load_forms(plugins_dir(plugins), library_path());
    const bool show_progress = !quiet && isatty(STDERR_FILENO);
    ProgressBar bar(show_progress);
    consolidate::Options options;
    options.level = *level;
    options.scope = scope;
    options.include_invalid = include_invalid;
    options.threads = threads;
    // Without a bar nobody waits on progress: the workers then run without waking this thread.
    if (show_progress) options.progress = [&bar](std::size_t done, std::size_t total) { bar.update(done, total); };
    const consolidate::Result result = consolidate::consolidate(files, forms, form_id, options, registry::Registry::builtin());
    write::write_consolidated(result, output);
    std::size_t used = 0, invalid = 0, unreadable = 0;
    for (const auto& input : result.inputs) {
      used += input.used;
      unreadable += !input.readable;
      invalid += input.readable && !input.report.valid();
    }
    if (it) {
      std::cout << "consolidato scritto: " << output << "\n  " << result.scope_name << ", modulo " << result.form->id << ": "
                << files.size() << " file, " << counted(used, "utilizzato", "utilizzati") << ", " << counted(invalid, "non valido", "non validi")
                << ", " << counted(unreadable, "illeggibile", "illeggibili") << "; " << counted(result.missing.size(), "ente mancante", "enti mancanti")
                << "\n";
    } else {
      std::cout << "consolidation written: " << output << "\n  " << result.scope_name << ", form " << result.form->id << ": "
                << counted(files.size(), "file", "files") << ", " << used << " used, " << invalid << " not valid, " << unreadable
                << " unreadable; " << counted(result.missing.size(), "ente", "enti") << " missing\n";
    }
    if (stats) {
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::cerr << (it ? "statistiche: " : "stats: ") << std::fixed << std::setprecision(3) << seconds << " s, "
                << (it ? "memoria di picco " : "peak memory ") << peak_memory_mb() << " MB\n";
    }
    return used == files.size() ? kExitOk : 1;
  } catch (const Error& error) {
    return report_error(ctx, error);
  }
}

}  // namespace consolida::cli
