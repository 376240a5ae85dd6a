// consolida serve: the upload front end; consolida admin: its campaigns, users and tokens.
#include <Poco/AutoPtr.h>
#include <Poco/Util/PropertyFileConfiguration.h>
#include <Poco/Util/ServerApplication.h>

#include <algorithm>
#include <iostream>
#include <map>

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
    // header_timeout, validations, plugins.
    try {
      Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> file(new Poco::Util::PropertyFileConfiguration(config));
      options.data_dir = file->getString("data_dir", options.data_dir);
      options.host = file->getString("host", options.host);
      options.port = static_cast<std::uint16_t>(file->getInt("port", options.port));
      options.max_upload_bytes = static_cast<std::uint64_t>(file->getInt("max_upload_mb", 16)) << 20;
      options.threads = file->getInt("threads", options.threads);
      options.max_queued = std::max(1, file->getInt("queue", options.max_queued));
      options.max_connections_per_address = std::max(0, file->getInt("connections_per_address", options.max_connections_per_address));
      options.header_timeout_seconds = std::max(1, file->getInt("header_timeout", options.header_timeout_seconds));
      options.concurrent_validations = std::max(0, file->getInt("validations", options.concurrent_validations));
      plugins = file->getString("plugins", plugins);
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
                       : "usage: consolida serve [--config FILE] [--data-dir FOLDER] [--host IP] [--port N] [--threads N] [--queue N]\n"
                         "       [--connections-per-address N] [--header-timeout SECONDS] [--validations N] [--plugins FOLDER]\n");
      return kExitUsage;
    }
  }
  try {
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
                     "  utente aggiungi NOME --ruolo comune|ambito|regione [--ente CODICE]   (password letta da stdin)\n"
                     "  utente password NOME   (password letta da stdin)\n"
                     "  token NOME\n"
                   : "usage: consolida admin [--data-dir FOLDER] COMMAND\n"
                     "  campaigns | campaign add --name N --form ID --year Y --opens \"YYYY-MM-DD HH:MM\" --deadline \"YYYY-MM-DD HH:MM\" "
                     "[--late refuse|accept]\n"
                     "  users | user add NAME --role comune|ambito|regione [--ente CODE] (password on stdin) | user password NAME | token NAME\n");
  return kExitUsage;
}

std::string read_password(bool it) {
  std::cerr << (it ? "password (una riga su stdin): " : "password (one line on stdin): ");
  std::string password;
  std::getline(std::cin, password);
  if (!password.empty() && password.back() == '\r') password.pop_back();
  return password;
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
  auto get = [&](const char* italian, const char* english) {
    const auto found = named.find(italian);
    if (found != named.end()) return found->second;
    const auto other = named.find(english);
    return other != named.end() ? other->second : std::string();
  };
  if (args.empty()) return admin_usage(it);
  try {
    server::Store store(data_dir);
    const std::string& what = args[0];
    const std::string verb = args.size() > 1 ? args[1] : "";
    if (what == "campagne" || what == "campaigns") {
      for (const server::Campaign& c : store.campaigns()) {
        std::cout << c.id << "\t" << c.name << "\t" << c.form_id << "\t" << c.year << "\t" << format_rome_time(c.opens_at) << " - "
                  << format_rome_time(c.deadline) << "\t" << (c.late == server::LatePolicy::accept ? "accetta ritardi" : "rifiuta ritardi")
                  << "\n";
      }
      return kExitOk;
    }
    if ((what == "campagna" || what == "campaign") && (verb == "aggiungi" || verb == "add")) {
      server::Campaign c;
      c.name = get("nome", "name");
      c.form_id = get("modulo", "form");
      c.year = parse_integer<int>(get("anno", "year")).value_or(0);  // 0 is refused below, with the other fields
      const auto opens = parse_rome_time(get("apertura", "opens"));
      const auto deadline = parse_rome_time(get("scadenza", "deadline"));
      const std::string late = get("ritardo", "late");
      if (c.name.empty() || c.form_id.empty() || c.year == 0 || !opens || !deadline || *deadline <= *opens) {
        std::cerr << (it ? "servono --nome, --modulo, --anno, --apertura e --scadenza (dopo l'apertura), date come \"2026-12-31 23:59\"\n"
                         : "--name, --form, --year, --opens and --deadline (after opening) are needed, dates like \"2026-12-31 23:59\"\n");
        return kExitUsage;
      }
      const auto forms = forms::load_forms(plugins_dir(get("plugins", "plugins")), library_path());
      bool known = false;
      for (const auto& f : forms) known = known || (f.id == c.form_id && f.consolidation.ente != forms::ConsolidationSpec::Ente::none);
      if (!known) {
        std::cerr << (it ? "modulo sconosciuto o senza consolidazione: " : "unknown form, or one without consolidation: ") << c.form_id << "\n";
        return static_cast<int>(ErrorCode::form_unknown);
      }
      c.opens_at = *opens;
      c.deadline = *deadline;
      c.late = late == "accetta" || late == "accept" ? server::LatePolicy::accept : server::LatePolicy::refuse;
      std::cout << (it ? "campagna creata: " : "campaign created: ") << store.add_campaign(c) << "\n";
      return kExitOk;
    }
    if (what == "utenti" || what == "users") {
      for (const server::User& u : store.users()) std::cout << u.username << "\t" << server::to_string(u.role) << "\t" << u.ente << "\n";
      return kExitOk;
    }
    if ((what == "utente" || what == "user") && (verb == "aggiungi" || verb == "add") && args.size() == 3) {
      const auto role = server::parse_role(get("ruolo", "role"));
      const std::string ente = get("ente", "ente");
      const registry::Registry& registry = registry::Registry::builtin();
      const bool ente_ok = role == server::Role::regione ? ente.empty()
                           : role == server::Role::comune ? registry.comune_by_istat(ente) != nullptr
                           : role == server::Role::ambito ? registry.find_ambito(ente) != nullptr && registry.find_ambito(ente)->code == ente
                                                           : false;
      if (!role || !ente_ok) {
        std::cerr << (it ? "ruolo ed ente incoerenti: comune con codice ISTAT, ambito con codice Ambito, regione senza ente\n"
                         : "role and ente do not match: comune with an ISTAT code, ambito with an Ambito code, regione without ente\n");
        return kExitUsage;
      }
      const std::string password = read_password(it);
      if (password.size() < 10) {
        std::cerr << (it ? "password troppo corta (almeno 10 caratteri)\n" : "password too short (at least 10 characters)\n");
        return kExitUsage;
      }
      store.add_user(args[2], *role, ente, password);
      std::cout << (it ? "utente creato: " : "user created: ") << args[2] << "\n";
      return kExitOk;
    }
    if ((what == "utente" || what == "user") && verb == "password" && args.size() == 3) {
      const std::string password = read_password(it);
      if (password.size() < 10) {
        std::cerr << (it ? "password troppo corta (almeno 10 caratteri)\n" : "password too short (at least 10 characters)\n");
        return kExitUsage;
      }
      store.set_password(args[2], password);
      return kExitOk;
    }
    if (what == "token" && args.size() == 2) {
      std::cout << store.add_token(args[1]) << "\n";
      std::cerr << (it ? "conservare il token: non sarà mostrato di nuovo\n" : "keep the token: it will not be shown again\n");
      return kExitOk;
    }
    return admin_usage(it);
  } catch (const Error& error) {
    return report_error(ctx, error);
  } catch (const Poco::Exception& e) {
    std::cerr << (it ? "errore: " : "error: ") << e.displayText() << "\n";
    return 1;
  }
}

}  // namespace consolida::cli
