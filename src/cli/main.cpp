#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.hpp"

namespace {

void print_usage(consolida::Lang lang) {
  if (lang == consolida::Lang::it) {
    std::cout << "uso: consolida [--lang it|en] COMANDO [opzioni]\n\n"
                 "comandi:\n"
                 "  dump FILE [--sheet NOME] [--format json|csv] [--separator C]\n"
                 "      mostra il contenuto di una cartella di lavoro (tutti i fogli in JSON, un foglio in CSV)\n"
                 "  summary FILE|CARTELLA...\n"
                 "      riepiloga le cartelle di lavoro: fogli, righe, celle, proprietà del modello\n"
                 "  template MODULO -o FILE.xlsx\n"
                 "      scrive il modello vuoto di un modulo (es. premialita)\n"
                 "  validate FILE... [--form ID] [--anno AAAA] [--format text|json|html] [--annotate USCITA.xlsx]\n"
                 "      verifica i file compilati; esce con 0 se validi, 1 se ci sono errori, 2 se un file è illeggibile\n"
                 "  consolidate --form ID [--level ambito|ats|regione] [--scope AMBITO|ATS] [--tutti] FILE|CARTELLA... -o USCITA.xlsx\n"
                 "      verifica i file e scrive la cartella consolidata (riepilogo, dettaglio, grafici, mancanti, provenienza)\n"
                 "  serve [--config FILE] [--data-dir CARTELLA] [--port N]\n"
                 "      avvia il sito di raccolta: campagne, invii validati subito, stato, consolidato\n"
                 "  admin [--data-dir CARTELLA] campagne|campagna aggiungi|utenti|utente aggiungi|utente password|token ...\n"
                 "      amministra campagne, utenti e token del sito\n"
                 "  help\n";
  } else {
    std::cout << "usage: consolida [--lang it|en] COMMAND [options]\n\n"
                 "commands:\n"
                 "  dump FILE [--sheet NAME] [--format json|csv] [--separator C]\n"
                 "      print a workbook's contents (all sheets as JSON, one sheet as CSV)\n"
                 "  summary FILE|FOLDER...\n"
                 "      summarise workbooks: sheets, rows, cells, template properties\n"
                 "  template FORM -o FILE.xlsx\n"
                 "      write the blank template of a form (e.g. premialita)\n"
                 "  validate FILE... [--form ID] [--year YYYY] [--format text|json|html] [--annotate OUT.xlsx]\n"
                 "      check filled-in files; exits 0 if valid, 1 if errors were found, 2 if a file is unreadable\n"
                 "  consolidate --form ID [--level ambito|ats|regione] [--scope AMBITO|ATS] [--include-invalid] FILE|FOLDER... -o OUT.xlsx\n"
                 "      validate the files and write the consolidated workbook (summary, detail, charts, missing, provenance)\n"
                 "  serve [--config FILE] [--data-dir FOLDER] [--port N]\n"
                 "      run the collection site: campaigns, uploads validated at once, status, consolidation\n"
                 "  admin [--data-dir FOLDER] campaigns|campaign add|users|user add|user password|token ...\n"
                 "      manage the site's campaigns, users and tokens\n"
                 "  help\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  consolida::cli::Context ctx;
  if (const char* env = std::getenv("CONSOLIDA_LANG")) ctx.lang = consolida::parse_lang(env);
  std::vector<std::string> args(argv + 1, argv + argc);
  // --lang may come anywhere; it is consumed here.
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--lang" && i + 1 < args.size()) {
      ctx.lang = consolida::parse_lang(args[i + 1]);
      args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
      --i;
    } else if (args[i].rfind("--lang=", 0) == 0) {
      ctx.lang = consolida::parse_lang(args[i].substr(7));
      args.erase(args.begin() + static_cast<long>(i));
      --i;
    }
  }
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    print_usage(ctx.lang);
    return args.empty() ? consolida::cli::kExitUsage : consolida::cli::kExitOk;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  if (command == "dump") return consolida::cli::run_dump(ctx, args);
  if (command == "summary") return consolida::cli::run_summary(ctx, args);
  if (command == "template") return consolida::cli::run_template(ctx, args);
  if (command == "validate") return consolida::cli::run_validate(ctx, args);
  if (command == "consolidate") return consolida::cli::run_consolidate(ctx, args);
  if (command == "serve") return consolida::cli::run_serve(ctx, args);
  if (command == "admin") return consolida::cli::run_admin(ctx, args);
  std::cerr << (ctx.lang == consolida::Lang::it ? "comando sconosciuto: " : "unknown command: ") << command << "\n";
  print_usage(ctx.lang);
  return consolida::cli::kExitUsage;
}
