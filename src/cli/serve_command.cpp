// consolida serve: the upload front end; consolida admin: its campaigns, users and tokens.
#include <Poco/AutoPtr.h>
#include <Poco/Util/PropertyFileConfiguration.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/String.h>
#include <Poco/Util/ServerApplication.h>

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>

#include "cli/commands.hpp"
#include "common/rome_time.hpp"
#include "consolida/server.hpp"

namespace consolida::cli {
namespace {

class ServeApplication final : public Poco::Util::ServerApplication {
 public:
  ServeApplication(server::ServerOptions options, std::string plugins) : options_(std::move(options)), plugins_(std::move(plugins)) {}

 protected:
  int main(const std::vector<std::string>&) override {
    server::Server server(options_, forms::load_forms(plugins_, library_path()), registry::Registry::builtin());
    server.start();
    std::cout << "consolida serve: in ascolto su http://" << options_.host << ":" << server.port() << "/ (dati in " << options_.data_dir
              << "); Ctrl+C per fermare" << std::endl;
    waitForTerminationRequest();
    server.stop();
    return EXIT_OK;
  }

 private:
  server::ServerOptions options_;
  std::string plugins_;
};

std::string option_value(const std::vector<std::string>& args, std::size_t& i) { return i + 1 < args.size() ? args[++i] : std::string(); }

// An address of a reverse proxy, kept in the form the server sees its peers in; false (with a
// message) when it is no IP address.
bool add_trusted_proxy(const Context& ctx, const std::string& text, server::ServerOptions& options) {
  Poco::Net::IPAddress address;
  if (!Poco::Net::IPAddress::tryParse(text, address)) {
    std::cerr << (ctx.lang == Lang::it ? "indirizzo del proxy non valido: «" : "invalid proxy address: «") << text << "»\n";
    return false;
  }
  options.trusted_proxies.push_back(address.toString());
  return true;
}

// The mail keys of the configuration file: smtp_host, smtp_port, smtp_starttls, smtp_ca_file,
// smtp_user, smtp_password, mail_from, site_url, mail_retry_seconds, mail_retry_max_seconds,
// mail_max_attempts, reminder_days (comma-separated), reminder_interval_seconds.
bool read_mail_options(const Context& ctx, const Poco::Util::AbstractConfiguration& file, server::MailOptions& mail) {
  mail.smtp_host = file.getString("smtp_host", mail.smtp_host);
  mail.smtp_port = static_cast<std::uint16_t>(file.getInt("smtp_port", mail.smtp_port));
  mail.starttls = file.getBool("smtp_starttls", mail.starttls);
  mail.ca_file = file.getString("smtp_ca_file", mail.ca_file);
  mail.user = file.getString("smtp_user", mail.user);
  mail.password = file.getString("smtp_password", mail.password);
  mail.sender = file.getString("mail_from", mail.sender);
  mail.site_url = file.getString("site_url", mail.site_url);
  while (!mail.site_url.empty() && mail.site_url.back() == '/') mail.site_url.pop_back();
  mail.retry.first_delay_seconds = std::max(1, file.getInt("mail_retry_seconds", static_cast<int>(mail.retry.first_delay_seconds)));
  mail.retry.max_delay_seconds = std::max(1, file.getInt("mail_retry_max_seconds", static_cast<int>(mail.retry.max_delay_seconds)));
  mail.retry.max_attempts = std::max(1, file.getInt("mail_max_attempts", mail.retry.max_attempts));
  mail.reminder_interval_seconds = std::max(1, file.getInt("reminder_interval_seconds", mail.reminder_interval_seconds));
  if (file.has("reminder_days")) {
    mail.reminder_days.clear();
    const std::string days = file.getString("reminder_days");
    for (std::size_t start = 0; start < days.size();) {
      const auto comma = std::min(days.find(',', start), days.size());
      const std::string day = Poco::trim(days.substr(start, comma - start));
      const std::optional<int> parsed = parse_integer<int>(day);
      if (!day.empty() && (!parsed || *parsed < 1)) {
        std::cerr << (ctx.lang == Lang::it ? "reminder_days: giorni non validi «" : "reminder_days: invalid days «") << day << "»\n";
        return false;
      }
      if (parsed) mail.reminder_days.push_back(*parsed);
      start = comma + 1;
    }
  }
  if (!mail.smtp_host.empty() && !server::plausible_email_address(mail.sender)) {
    std::cerr << (ctx.lang == Lang::it ? "mail_from: indirizzo del mittente non valido «" : "mail_from: invalid sender address «") << mail.sender << "»\n";
    return false;
  }
  return true;
}

// FOR TESTS ONLY: CONSOLIDA_TEST_CLOCK="2026-12-24 09:00" (Europe/Rome) starts the reminders'
// scheduler at that moment, and its clock runs on from there. Nothing else reads it.
bool read_test_clock(const Context& ctx, server::MailOptions& mail) {
  const char* clock = std::getenv("CONSOLIDA_TEST_CLOCK");
  if (!clock || !*clock) return true;
  const std::optional<std::int64_t> at = parse_rome_time(clock);
  if (!at) {
    std::cerr << (ctx.lang == Lang::it ? "CONSOLIDA_TEST_CLOCK non valido: " : "invalid CONSOLIDA_TEST_CLOCK: ") << clock << "\n";
    return false;
  }
  mail.scheduler_clock_offset_seconds = *at - unix_now();
  std::cerr << "consolida serve: CONSOLIDA_TEST_CLOCK " << clock << ": orologio dei promemoria spostato (solo per i test)\n";
  return true;
}

// The server's limits against overload, each an integer with a floor.
struct LimitOption {
  int server::ServerOptions::*field;
  int minimum;
};
const std::map<std::string, LimitOption, std::less<>> kLimitOptions{
    {"--queue", {&server::ServerOptions::max_queued, 1}},
    {"--connections-per-address", {&server::ServerOptions::max_connections_per_address, 0}},
    {"--header-timeout", {&server::ServerOptions::header_timeout_seconds, 1}},
    {"--validations", {&server::ServerOptions::concurrent_validations, 0}},
};

}  // namespace

int run_serve(const Context& ctx, const std::vector<std::string>& args) {
  const bool it = ctx.lang == Lang::it;
  server::ServerOptions options;
  std::string plugins, config;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config") config = option_value(args, i);
  }
  if (!config.empty()) {
    // key=value lines: data_dir, host, port, max_upload_mb, threads, queue, connections_per_address,
    // header_timeout, validations, plugins, cookie_secure, trusted_proxies (addresses, comma-separated),
    // administration, help_text, help_email, help_phone, privacy_file, accessibility_file.
    try {
      Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> file(new Poco::Util::PropertyFileConfiguration(config));
      options.data_dir = file->getString("data_dir", options.data_dir);
      options.host = file->getString("host", options.host);
      options.port = static_cast<std::uint16_t>(file->getInt("port", options.port));
      options.max_upload_bytes = static_cast<std::uint64_t>(file->getInt("max_upload_mb", 16)) << 20;
      options.threads = file->getInt("threads", options.threads);
      options.cookie_secure = file->getBool("cookie_secure", options.cookie_secure);
      options.max_queued = std::max(1, file->getInt("queue", options.max_queued));
      options.max_connections_per_address = std::max(0, file->getInt("connections_per_address", options.max_connections_per_address));
      options.header_timeout_seconds = std::max(1, file->getInt("header_timeout", options.header_timeout_seconds));
      options.concurrent_validations = std::max(0, file->getInt("validations", options.concurrent_validations));
      plugins = file->getString("plugins", plugins);
      // What the pages say about who runs the site.
      server::SiteInfo& site = options.site;
      site.administration = file->getString("administration", site.administration);
      site.help_text = file->getString("help_text", site.help_text);
      site.help_email = file->getString("help_email", site.help_email);
      site.help_phone = file->getString("help_phone", site.help_phone);
      for (const auto& [key, text] : {std::pair{"privacy_file", &site.privacy_text}, std::pair{"accessibility_file", &site.accessibility_text}}) {
        const std::string path = file->getString(key, "");
        if (path.empty()) continue;
        std::ifstream in(path, std::ios::binary);
        std::ostringstream read;
        read << in.rdbuf();
        if (!in) {
          std::cerr << (it ? "file non leggibile per " : "cannot read the file for ") << key << ": " << path << "\n";
          return kExitUsage;
        }
        *text = read.str();
      }
      if (!read_mail_options(ctx, *file, options.mail)) return kExitUsage;
      std::string proxies = file->getString("trusted_proxies", "");
      for (std::size_t start = 0; start < proxies.size();) {
        const auto comma = std::min(proxies.find(',', start), proxies.size());
        const std::string proxy = Poco::trim(proxies.substr(start, comma - start));
        if (!proxy.empty() && !add_trusted_proxy(ctx, proxy, options)) return kExitUsage;
        start = comma + 1;
      }
    } catch (const Poco::Exception& e) {
      std::cerr << (it ? "configurazione non leggibile: " : "cannot read the configuration: ") << config << " (" << e.displayText() << ")\n";
      return kExitUsage;
    }
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--config") ++i;
    else if (a == "--data-dir") options.data_dir = option_value(args, i);
    else if (a == "--host") options.host = option_value(args, i);
    else if (a == "--port") {
      const std::optional<std::uint16_t> port = integer_option<std::uint16_t>(ctx, a, option_value(args, i));
      if (!port) return kExitUsage;
      options.port = *port;
    }
    else if (a == "--plugins") plugins = option_value(args, i);
    else if (a == "--cookie-secure") options.cookie_secure = true;
    else if (a == "--trusted-proxy") {
      if (!add_trusted_proxy(ctx, option_value(args, i), options)) return kExitUsage;
    }
    else if (a == "--threads") {
      const std::optional<int> threads = integer_option<int>(ctx, a, option_value(args, i));
      if (!threads) return kExitUsage;
      options.threads = std::max(2, *threads);
    }
    else if (const auto limit = kLimitOptions.find(a); limit != kLimitOptions.end()) {
      const std::optional<int> value = integer_option<int>(ctx, a, option_value(args, i));
      if (!value) return kExitUsage;
      options.*(limit->second.field) = std::max(limit->second.minimum, *value);
    }
    else {
      std::cerr << (it ? "uso: consolida serve [--config FILE] [--data-dir CARTELLA] [--host IP] [--port N] [--threads N] [--queue N]\n"
                         "       [--connections-per-address N] [--header-timeout SECONDI] [--validations N] [--plugins CARTELLA]\n"
                         "       [--cookie-secure] [--trusted-proxy IP]...\n"
                       : "usage: consolida serve [--config FILE] [--data-dir FOLDER] [--host IP] [--port N] [--threads N] [--queue N]\n"
                         "       [--connections-per-address N] [--header-timeout SECONDS] [--validations N] [--plugins FOLDER]\n"
                         "       [--cookie-secure] [--trusted-proxy IP]...\n");
      return kExitUsage;
    }
  }
  if (!read_test_clock(ctx, options.mail)) return kExitUsage;
  try {
    // Before the application takes over: it would only log a failure of its own main().
    server::Store::check_data_dir(options.data_dir);
    ServeApplication app(options, plugins_dir(plugins));
    return app.run(std::vector<std::string>{"consolida"});
  } catch (const Error& error) {
    return report_error(ctx, error);
  } catch (const Poco::Exception& e) {
    std::cerr << (it ? "avvio del server non riuscito: " : "server start failed: ") << e.displayText() << "\n";
    return 1;
  }
}

namespace {

int admin_usage(bool it) {
  std::cerr << (it ? "uso: consolida admin [--data-dir CARTELLA] COMANDO\n"
                     "  campagne\n"
                     "  campagna aggiungi --nome N --modulo ID --anno A --apertura \"AAAA-MM-GG HH:MM\" --scadenza \"AAAA-MM-GG HH:MM\" "
                     "[--ritardo rifiuta|accetta]\n"
                     "  utenti\n"
                     "  utente aggiungi NOME --ruolo comune|ambito|regione [--ente CODICE] [--email INDIRIZZO]   (password letta da stdin)\n"
                     "  utente email NOME INDIRIZZO | utente email NOME -   (imposta o toglie l'indirizzo di posta)\n"
                     "  utente password NOME   (password letta da stdin; revoca token e sessioni)\n"
                     "  utente disabilita NOME | utente elimina NOME\n"
                     "  token NOME | tokens [NOME] | token revoca ID\n"
                     "  verifica | backup CARTELLA\n"
                     "  anagrafica importa CARTELLA | anagrafica esporta CARTELLA [--versione N] | anagrafica versioni\n"
                   : "usage: consolida admin [--data-dir FOLDER] COMMAND\n"
                     "  campaigns | campaign add --name N --form ID --year Y --opens \"YYYY-MM-DD HH:MM\" --deadline \"YYYY-MM-DD HH:MM\" "
                     "[--late refuse|accept]\n"
                     "  users | user add NAME --role comune|ambito|regione [--ente CODE] [--email ADDRESS] (password on stdin) | user password NAME\n"
                     "  user email NAME ADDRESS | user email NAME -   (sets or removes the e-mail address)\n"
                     "  user disable NAME | user delete NAME | token NAME | tokens [NAME] | token revoke ID\n"
                     "  verify | backup FOLDER\n"
                     "  registry import FOLDER | registry export FOLDER [--version N] | registry versions\n");
  return kExitUsage;
}

// "1 problema", "2 problemi" / "1 problem", "2 problems"
std::string count_of(std::size_t n, bool it, const char* one_it, const char* many_it, const char* one_en, const char* many_en) {
  return std::to_string(n) + " " + (it ? (n == 1 ? one_it : many_it) : (n == 1 ? one_en : many_en));
}

std::string read_password(bool it) {
  std::cerr << (it ? "password (una riga su stdin): " : "password (one line on stdin): ");
  std::string password;
  std::getline(std::cin, password);
  if (!password.empty() && password.back() == '\r') password.pop_back();
  return password;
}

}  // namespace

namespace {

// One run of `consolida admin`: the store, the words after the command's own, the named options
// and what the audit line will say.
struct AdminRun {
  const Context& ctx;
  server::Store& store;
  std::vector<std::string> operands;     // after the command's words
  std::map<std::string, std::string> named;
  std::string detail;                    // for the audit line: whom or what the action touched
  bool it() const { return ctx.lang == Lang::it; }
  std::string get(const char* italian, const char* english) const {
    const auto found = named.find(italian);
    if (found != named.end()) return found->second;
    const auto other = named.find(english);
    return other != named.end() ? other->second : std::string();
  }
};

// The password from stdin, or nullopt after saying why it will not do.
std::optional<std::string> new_password(bool it) {
  const std::string password = read_password(it);
  if (password.size() >= 10) return password;
  std::cerr << (it ? "password troppo corta (almeno 10 caratteri)\n" : "password too short (at least 10 characters)\n");
  return std::nullopt;
}

int list_campaigns(AdminRun& run) {
  for (const server::Campaign& c : run.store.campaigns()) {
    std::cout << c.id << "\t" << c.name << "\t" << c.form_id << "\t" << c.year << "\t" << format_rome_time(c.opens_at) << " - "
              << format_rome_time(c.deadline) << "\t" << (c.late == server::LatePolicy::accept ? "accetta ritardi" : "rifiuta ritardi")
              << "\t" << (run.it() ? "anagrafica " : "registry ") << c.registry_version << "\n";
  }
  return kExitOk;
}

int add_campaign(AdminRun& run) {
  const bool it = run.it();
  server::Campaign c;
  c.name = run.get("nome", "name");
  c.form_id = run.get("modulo", "form");
  c.year = parse_integer<int>(run.get("anno", "year")).value_or(0);  // 0 is refused below, with the other fields
  const auto opens = parse_rome_time(run.get("apertura", "opens"));
  const auto deadline = parse_rome_time(run.get("scadenza", "deadline"));
  const std::string late = run.get("ritardo", "late");
  if (c.name.empty() || c.form_id.empty() || c.year == 0 || !opens || !deadline || *deadline <= *opens) {
    std::cerr << (it ? "servono --nome, --modulo, --anno, --apertura e --scadenza (dopo l'apertura), date come \"2026-12-31 23:59\"\n"
                     : "--name, --form, --year, --opens and --deadline (after opening) are needed, dates like \"2026-12-31 23:59\"\n");
    return kExitUsage;
  }
  const auto forms = forms::load_forms(plugins_dir(run.get("plugins", "plugins")), library_path());
  bool known = false;
  for (const auto& f : forms) known = known || (f.id == c.form_id && f.consolidation.ente != forms::ConsolidationSpec::Ente::none);
  if (!known) {
    std::cerr << (it ? "modulo sconosciuto o senza consolidazione: " : "unknown form, or one without consolidation: ") << c.form_id << "\n";
    return static_cast<int>(ErrorCode::form_unknown);
  }
  c.opens_at = *opens;
  c.deadline = *deadline;
  c.late = late == "accetta" || late == "accept" ? server::LatePolicy::accept : server::LatePolicy::refuse;
  const std::int64_t id = run.store.add_campaign(c);
  const int registry_version = run.store.campaign(id).value_or(c).registry_version;
  run.detail = "campagna " + std::to_string(id) + ": " + c.name + ", anagrafica versione " + std::to_string(registry_version);
  std::cout << (it ? "campagna creata: " : "campaign created: ") << id << (it ? " (anagrafica versione " : " (registry version ")
            << registry_version << ")\n";
  return kExitOk;
}

// "1 comune", "91 Ambiti", "8 ATS"
std::string registry_counts(int comuni, int ambiti, int ats) {
  return std::to_string(comuni) + (comuni == 1 ? " comune, " : " comuni, ") + std::to_string(ambiti) + (ambiti == 1 ? " Ambito, " : " Ambiti, ") +
         std::to_string(ats) + " ATS";
}

// Who ran an admin command: the audit's name, with the system account it ran under.
std::string admin_identity() {
  const passwd* account = ::getpwuid(::geteuid());
  return std::string("admin (riga di comando") + (account ? std::string(", utente di sistema ") + account->pw_name : std::string()) + ")";
}

int import_registry(AdminRun& run) {
  const bool it = run.it();
  const std::string& dir = run.operands[0];
  run.detail = dir;
  const registry::RegistryFiles files = registry::RegistryFiles::read(dir);  // a missing file: Error(invalid_registry)
  const registry::RegistryCheck checked = registry::Registry::check(files);
  if (!checked.problems.empty()) {
    // Every problem at once, so that the Region corrects its files in one pass; a flood is cut short.
    constexpr std::size_t kShown = 100;
    const std::size_t count = checked.problems.size();
    for (std::size_t i = 0; i < std::min(count, kShown); ++i) report_error(run.ctx, checked.problems[i]);
    if (count > kShown) std::cerr << (it ? "... e altri " : "... and ") << count - kShown << (it ? " errori\n" : " more errors\n");
    const std::string total = count_of(count, it, "errore", "errori", "error", "errors");
    std::cerr << (it ? "anagrafica non importata (" + total + "): nulla è stato registrato\n"
                     : "registry not imported (" + total + "): nothing was stored\n");
    run.detail = dir + ": " + count_of(count, true, "errore", "errori", "", "");
    return static_cast<int>(ErrorCode::invalid_registry);
  }
  const registry::Registry& registry = *checked.registry;
  server::RegistryVersion about;
  about.imported_at = unix_now();
  about.imported_by = admin_identity();
  about.source = std::filesystem::absolute(dir).lexically_normal().string();
  about.comuni = static_cast<int>(registry.comuni().size());
  about.ambiti = static_cast<int>(registry.ambiti().size());
  about.ats = static_cast<int>(registry.ats().size());
  const auto added = run.store.add_registry_version(files, about);
  const std::string counts = registry_counts(about.comuni, about.ambiti, about.ats);
  const std::string version = std::to_string(added.version);
  run.detail = dir + ": versione " + version + (added.added ? "" : " (identica, nulla di nuovo)") + ", " + counts;
  if (!added.added) {
    std::cout << (it ? "anagrafica identica alla versione corrente " + version + ": nulla di nuovo da registrare\n"
                     : "registry identical to the current version " + version + ": nothing new to store\n");
    return kExitOk;
  }
  std::cout << (it ? "anagrafica importata: versione " + version + " (" + counts + "); le campagne aperte da ora la useranno, "
                     "quelle già aperte tengono la loro\n"
                   : "registry imported: version " + version + " (" + counts + "); campaigns opened from now on use it, "
                     "those already open keep theirs\n");
  return kExitOk;
}

int export_registry(AdminRun& run) {
  const bool it = run.it();
  const std::string& dir = run.operands[0];
  const std::string asked = run.get("versione", "version");
  int version = run.store.current_registry_version();
  if (!asked.empty()) {
    const std::optional<int> parsed = integer_option<int>(run.ctx, it ? "--versione" : "--version", asked);
    if (!parsed) return kExitUsage;
    version = *parsed;
  }
  run.detail = dir + ", versione " + std::to_string(version);
  const std::optional<registry::RegistryFiles> stored =
      version == server::kBuiltinRegistryVersion ? registry::RegistryFiles::builtin() : run.store.registry_files(version);
  if (!stored) {
    throw Error(ErrorCode::not_found, "versione dell'anagrafica sconosciuta: " + std::to_string(version) + " (elenco: anagrafica versioni)",
                "unknown registry version: " + std::to_string(version) + " (list: registry versions)");
  }
  stored->write(dir);
  std::cout << (it ? "anagrafica versione " : "registry version ") << version << (it ? " scritta in " : " written to ") << dir << "\n";
  return kExitOk;
}

int list_registry_versions(AdminRun& run) {
  const bool it = run.it();
  const int current = run.store.current_registry_version();
  std::map<int, std::vector<std::int64_t>> campaigns;
  for (const server::Campaign& c : run.store.campaigns()) campaigns[c.registry_version].push_back(c.id);
  const registry::Registry& builtin = registry::Registry::builtin();
  std::vector<server::RegistryVersion> versions{{server::kBuiltinRegistryVersion, 0, it ? "integrata nel programma" : "built into the program", "",
                                                 server::registry_files_digest(registry::RegistryFiles::builtin()),
                                                 static_cast<int>(builtin.comuni().size()), static_cast<int>(builtin.ambiti().size()),
                                                 static_cast<int>(builtin.ats().size())}};
  for (server::RegistryVersion& v : run.store.registry_versions()) versions.push_back(std::move(v));
  for (const server::RegistryVersion& v : versions) {
    std::string used;
    for (std::int64_t id : campaigns[v.version]) used += (used.empty() ? "" : ", ") + std::to_string(id);
    std::cout << v.version << (v.version == current ? (it ? " (corrente)" : " (current)") : "") << "\t"
              << (v.imported_at ? format_rome_time(v.imported_at) : "-") << "\t" << v.imported_by << "\t"
              << registry_counts(v.comuni, v.ambiti, v.ats) << "\t" << (it ? "campagne: " : "campaigns: ") << (used.empty() ? "-" : used)
              << "\t" << (v.source.empty() ? "-" : v.source) << "\n";
  }
  return kExitOk;
}

int list_users(AdminRun& run) {
  const std::map<std::string, std::string> emails = run.store.emails();
  for (const server::User& u : run.store.users()) {
    const auto email = emails.find(u.username);
    // The address, when there is one, last: the columns before it stay as scripts read them.
    std::cout << u.username << "\t" << server::to_string(u.role) << "\t" << u.ente << (u.disabled ? (run.it() ? "\tdisabilitato" : "\tdisabled") : "")
              << (email == emails.end() ? "" : "\t" + email->second) << "\n";
  }
  return kExitOk;
}

// An address for the mails, or nullopt after saying why it will not do.
std::optional<std::string> email_option(bool it, const std::string& address) {
  if (server::plausible_email_address(address)) return address;
  std::cerr << (it ? "indirizzo di posta non valido: «" : "invalid e-mail address: «") << address << "»\n";
  return std::nullopt;
}

int set_email(AdminRun& run) {
  const bool it = run.it();
  const std::string& name = run.operands[0];
  const bool remove = run.operands[1] == "-";
  run.detail = name + ": " + (remove ? "indirizzo tolto" : run.operands[1]);
  std::optional<std::string> address = remove ? std::optional<std::string>("") : email_option(it, run.operands[1]);
  if (!address) return kExitUsage;
  run.store.set_email(name, *address);
  std::cout << (remove ? (it ? "indirizzo di posta tolto: " : "e-mail address removed: ") + name
                       : (it ? "indirizzo di posta di " : "e-mail address of ") + name + ": " + *address)
            << "\n";
  return kExitOk;
}

int add_user(AdminRun& run) {
  const bool it = run.it();
  const std::string& name = run.operands[0];
  const auto role = server::parse_role(run.get("ruolo", "role"));
  const std::string ente = run.get("ente", "ente");
  // Any registry version's enti: a comune merged away still finishes the campaigns opened before.
  const auto knows = [&](const registry::Registry& registry) {
    return (role == server::Role::comune && registry.comune_by_istat(ente) != nullptr) ||
           (role == server::Role::ambito && registry.ambito_by_code(ente) != nullptr);
  };
  bool ente_ok = (role == server::Role::regione && ente.empty()) || knows(registry::Registry::builtin());
  for (const server::RegistryVersion& v : run.store.registry_versions()) {
    ente_ok = ente_ok || knows(registry::Registry::parse(run.store.registry_files(v.version).value()));
  }
  run.detail = name;
  if (!role || !ente_ok) {
    std::cerr << (it ? "ruolo ed ente incoerenti: comune con codice ISTAT, ambito con codice Ambito, regione senza ente\n"
                     : "role and ente do not match: comune with an ISTAT code, ambito with an Ambito code, regione without ente\n");
    return kExitUsage;
  }
  const std::string email = run.get("email", "email");
  if (!email.empty() && !email_option(it, email)) return kExitUsage;
  const auto password = new_password(it);
  if (!password) return kExitUsage;
  run.store.add_user(name, *role, ente, *password);
  if (!email.empty()) run.store.set_email(name, email);
  run.detail = name + " (" + std::string(server::to_string(*role)) + (ente.empty() ? "" : " " + ente) + ")";
  std::cout << (it ? "utente creato: " : "user created: ") << name << "\n";
  return kExitOk;
}

int change_password(AdminRun& run) {
  const bool it = run.it();
  const std::string& name = run.operands[0];
  run.detail = name;
  const auto password = new_password(it);
  if (!password) return kExitUsage;
  run.store.set_password(name, *password);
  std::cout << (it ? "password cambiata: sessioni e token di " + name + " revocati\n"
                   : "password changed: the sessions and tokens of " + name + " are revoked\n");
  return kExitOk;
}

int disable_user(AdminRun& run) {
  const std::string& name = run.operands[0];
  run.detail = name;
  run.store.disable_user(name);
  std::cout << (run.it() ? "utente disabilitato: " + name + " (sessioni e token revocati)\n" : "user disabled: " + name + " (sessions and tokens revoked)\n");
  return kExitOk;
}

int delete_user(AdminRun& run) {
  const std::string& name = run.operands[0];
  run.detail = name;
  run.store.delete_user(name);
  std::cout << (run.it() ? "utente eliminato: " + name + " (con sessioni e token; le versioni inviate restano)\n"
                         : "user deleted: " + name + " (with its sessions and tokens; the versions it sent stay)\n");
  return kExitOk;
}

int issue_token(AdminRun& run) {
  const std::string& name = run.operands[0];
  run.detail = name;
  const server::NewToken token = run.store.issue_token(name);
  run.detail = name + ", token n. " + std::to_string(token.id);
  std::cout << token.secret << std::endl;  // before the note on stderr, when both go to one place
  std::cerr << (run.it() ? "token n. " + std::to_string(token.id) + " per " + name + ": conservarlo, non sarà mostrato di nuovo\n"
                         : "token no. " + std::to_string(token.id) + " for " + name + ": keep it, it will not be shown again\n");
  return kExitOk;
}

int list_tokens(AdminRun& run) {
  for (const server::ApiToken& t : run.store.tokens(run.operands.empty() ? "" : run.operands[0])) {
    std::cout << t.id << "\t" << t.username << "\t" << format_rome_time(t.created) << "\n";
  }
  return kExitOk;
}

int revoke_token(AdminRun& run) {
  run.detail = "token n. " + run.operands[0];
  const std::optional<std::int64_t> id = integer_option<std::int64_t>(run.ctx, "token revoca", run.operands[0]);
  if (!id) return kExitUsage;
  run.store.revoke_token(*id);
  std::cout << (run.it() ? "token revocato: " : "token revoked: ") << *id << "\n";
  return kExitOk;
}

int verify_store(AdminRun& run) {
  const bool it = run.it();
  const std::vector<server::StoreFinding> findings = run.store.verify();
  for (const server::StoreFinding& f : findings) std::cout << (it ? f.it : f.en) << "\n";
  const std::string total = count_of(findings.size(), it, "problema trovato", "problemi trovati", "problem found", "problems found");
  run.detail = findings.empty() ? "nessun problema" : total;
  std::cout << (findings.empty() ? (it ? "verifica: nessun problema trovato\n" : "verify: no problems found\n") : (it ? "verifica: " : "verify: ") + total + "\n");
  return findings.empty() ? kExitOk : 1;
}

int backup_store(AdminRun& run) {
  const bool it = run.it();
  const std::string& dir = run.operands[0];
  run.detail = dir;
  const server::BackupResult result = run.store.backup(dir);
  for (const server::StoreFinding& f : result.missing) std::cerr << (it ? f.it : f.en) << "\n";
  run.detail = dir + ": " + std::to_string(result.files) + " file" + (result.missing.empty() ? "" : ", " + std::to_string(result.missing.size()) + " mancanti");
  std::cout << (it ? "backup in " + dir + ": database e " + count_of(result.files, it, "file", "file", "", "") + "\n"
                   : "backup in " + dir + ": database and " + count_of(result.files, it, "", "", "file", "files") + "\n");
  return result.missing.empty() ? kExitOk : 1;
}

// The commands of `consolida admin`: their words in both languages, how many operands follow
// (min..max), and the audit action they leave (none for the lists).
struct AdminCommand {
  std::vector<std::string> it, en;
  std::size_t min_operands, max_operands;
  const char* audit;
  int (*run)(AdminRun&);
};

const std::vector<AdminCommand>& admin_commands() {
  static const std::vector<AdminCommand> table = {
      {{"campagne"}, {"campaigns"}, 0, 0, nullptr, list_campaigns},
      {{"campagna", "aggiungi"}, {"campaign", "add"}, 0, 0, "admin campagna aggiungi", add_campaign},
      {{"utenti"}, {"users"}, 0, 0, nullptr, list_users},
      {{"utente", "aggiungi"}, {"user", "add"}, 1, 1, "admin utente aggiungi", add_user},
      {{"utente", "password"}, {"user", "password"}, 1, 1, "admin utente password", change_password},
      {{"utente", "email"}, {"user", "email"}, 2, 2, "admin utente email", set_email},
      {{"utente", "disabilita"}, {"user", "disable"}, 1, 1, "admin utente disabilita", disable_user},
      {{"utente", "elimina"}, {"user", "delete"}, 1, 1, "admin utente elimina", delete_user},
      {{"token", "revoca"}, {"token", "revoke"}, 1, 1, "admin token revoca", revoke_token},
      {{"token"}, {"token"}, 1, 1, "admin token", issue_token},
      {{"tokens"}, {"tokens"}, 0, 1, nullptr, list_tokens},
      {{"verifica"}, {"verify"}, 0, 0, "admin verifica", verify_store},
      {{"backup"}, {"backup"}, 1, 1, "admin backup", backup_store},
      {{"anagrafica", "importa"}, {"registry", "import"}, 1, 1, "admin anagrafica importa", import_registry},
      {{"anagrafica", "esporta"}, {"registry", "export"}, 1, 1, "admin anagrafica esporta", export_registry},
      {{"anagrafica", "versioni"}, {"registry", "versions"}, 0, 0, nullptr, list_registry_versions},
  };
  return table;
}

bool starts_with_words(const std::vector<std::string>& args, const std::vector<std::string>& words) {
  return args.size() >= words.size() && std::equal(words.begin(), words.end(), args.begin());
}

}  // namespace

int run_admin(const Context& ctx, const std::vector<std::string>& all_args) {
  const bool it = ctx.lang == Lang::it;
  std::string data_dir = server::ServerOptions{}.data_dir;
  std::vector<std::string> args;
  std::map<std::string, std::string> named;
  for (std::size_t i = 0; i < all_args.size(); ++i) {
    const std::string& a = all_args[i];
    if (a == "--data-dir") data_dir = option_value(all_args, i);
    else if (a.starts_with("--")) named[a.substr(2)] = option_value(all_args, i);
    else args.push_back(a);
  }
  // The first command whose words begin the arguments and whose operand count fits: "token
  // revoca 5" before "token NOME".
  const AdminCommand* command = nullptr;
  std::size_t words = 0;
  for (const AdminCommand& c : admin_commands()) {
    for (const auto* spelling : {&c.it, &c.en}) {
      if (command || !starts_with_words(args, *spelling)) continue;
      const std::size_t operands = args.size() - spelling->size();
      if (operands < c.min_operands || operands > c.max_operands) continue;
      command = &c;
      words = spelling->size();
    }
  }
  if (!command) return admin_usage(it);
  std::unique_ptr<server::Store> store;
  try {
    store = std::make_unique<server::Store>(data_dir);
  } catch (const Error& error) {
    return report_error(ctx, error);
  } catch (const Poco::Exception& e) {
    std::cerr << (it ? "errore: " : "error: ") << e.displayText() << "\n";
    return 1;
  }
  AdminRun run{ctx, *store, std::vector<std::string>(args.begin() + static_cast<std::ptrdiff_t>(words), args.end()), named, ""};
  // Every action that changes or copies the store leaves an audit line, refused ones too.
  auto audit = [&](int status, const std::string& why) {
    if (!command->audit) return;
    try {
      store->audit("admin (riga di comando)", command->audit, 0, "", "", status == kExitOk ? "eseguito" : status == 1 ? "problemi trovati" : "rifiutato",
                   why.empty() ? run.detail : run.detail + ": " + why);
    } catch (const std::exception& e) {
      std::cerr << (it ? "registro di audit non scritto: " : "audit line not written: ") << e.what() << "\n";
    }
  };
  try {
    const int status = command->run(run);
    audit(status, "");
    return status;
  } catch (const Error& error) {
    const int status = report_error(ctx, error);
    audit(status, error.message(Lang::it));
    return status;
  } catch (const Poco::Exception& e) {
    std::cerr << (it ? "errore: " : "error: ") << e.displayText() << "\n";
    audit(1, e.displayText());
    return 1;
  } catch (const std::exception& e) {
    // A file-system fault (a backup folder that cannot be written): said, audited, never an abort.
    const Error error(ErrorCode::io, std::string("operazione non riuscita: ") + e.what(), std::string("operation failed: ") + e.what());
    const int status = report_error(ctx, error);
    audit(status, error.message(Lang::it));
    return status;
  }
}

}  // namespace consolida::cli
