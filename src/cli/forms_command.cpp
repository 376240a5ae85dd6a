// consolida template / consolida validate
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>

#include "cli/commands.hpp"
#include "common/file_name.hpp"
#include "common/numbers.hpp"
#include "common/text.hpp"
#include "cli/inputs.hpp"
#include "consolida/forms.hpp"
#include "consolida/typed_form.hpp"
#include "consolida/report_json.hpp"
#include "consolida/write.hpp"

namespace consolida::cli {
namespace {

namespace fs = std::filesystem;

// "1 errore, 2 avvisi" / "1 error, 2 warnings".
std::string outcome_counts(const forms::Report& report, Lang lang) {
  const bool it = lang == Lang::it;
  return counted(report.errors(), it ? "errore" : "error", it ? "errori" : "errors") + ", " +
         counted(report.warnings(), it ? "avviso" : "warning", it ? "avvisi" : "warnings");
}

void write_text(std::ostream& out, const forms::Report& report, Lang lang) {
  const bool it = lang == Lang::it;
  out << report.file << ": " << (report.valid() ? (it ? "VALIDO" : "VALID") : (it ? "NON VALIDO" : "NOT VALID")) << " ("
      << outcome_counts(report, lang) << ")"
      << (it ? ", modulo " : ", form ") << report.form_id << " " << report.form_version << "\n";
  for (const forms::Issue& issue : report.issues) {
    out << "  [" << forms::to_string(issue.severity, lang) << "] ";
    if (!issue.sheet.empty()) out << issue.sheet << (issue.cell.empty() ? "" : "!" + issue.cell) << ": ";
    out << issue.message.in(lang) << "  (" << issue.code << ")\n";
  }
}

void write_html_report(std::ostream& out, const forms::Report& report, Lang lang) {
  const bool it = lang == Lang::it;
  out << "<section><h2>" << html_escape(report.file) << "</h2><p class=\"" << (report.valid() ? "ok" : "ko") << "\">"
      << (report.valid() ? (it ? "Valido" : "Valid") : (it ? "Non valido" : "Not valid")) << ": " << outcome_counts(report, lang) << "</p>";
  if (!report.issues.empty()) {
    out << "<table><thead><tr><th>" << (it ? "Gravità" : "Severity") << "</th><th>" << (it ? "Foglio" : "Sheet") << "</th><th>"
        << (it ? "Cella" : "Cell") << "</th><th>" << (it ? "Messaggio" : "Message") << "</th><th>" << (it ? "Codice" : "Code")
        << "</th></tr></thead><tbody>";
    for (const forms::Issue& issue : report.issues) {
      out << "<tr class=\"" << (issue.severity == forms::Severity::error ? "errore" : "avviso") << "\"><td>"
          << forms::to_string(issue.severity, lang) << "</td><td>" << html_escape(issue.sheet) << "</td><td>" << html_escape(issue.cell)
          << "</td><td>" << html_escape(issue.message.in(lang)) << "</td><td>" << html_escape(issue.code) << "</td></tr>";
    }
    out << "</tbody></table>";
  }
  out << "</section>\n";
}

}  // namespace

// --plugins DIR, else $CONSOLIDA_PLUGINS, else ./plugins, else the source tree's plugins/.
std::string plugins_dir(const std::string& option) {
  if (!option.empty()) return option;
  if (const char* env = std::getenv("CONSOLIDA_PLUGINS")) return env;
  if (fs::exists("plugins")) return "plugins";
  return CONSOLIDA_DEFAULT_PLUGINS;
}

// Where compiled rule libraries are looked up, after the plugin folder itself:
// $CONSOLIDA_RULES_PATH (':'-separated), then this build's plugins folder.
std::vector<std::string> library_path() {
  std::vector<std::string> path;
  if (const char* env = std::getenv("CONSOLIDA_RULES_PATH")) {
    std::string list = env;
    for (std::size_t start = 0; start <= list.size();) {
      const auto colon = list.find(':', start);
      const std::string folder = list.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
      if (!folder.empty()) path.push_back(folder);
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
  }
  path.push_back(CONSOLIDA_RULES_PATH);
  return path;
}

int run_template(const Context& ctx, const std::vector<std::string>& args) {
  const bool it = ctx.lang == Lang::it;
  std::string form_id, output, plugins;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if ((args[i] == "-o" || args[i] == "--output") && i + 1 < args.size()) output = args[++i];
    else if (args[i] == "--plugins" && i + 1 < args.size()) plugins = args[++i];
    else if (form_id.empty() && !args[i].starts_with("-")) form_id = args[i];
    else form_id.clear(), output.clear(), i = args.size();
  }
  if (form_id.empty() || output.empty()) {
    std::cerr << (it ? "uso: consolida template MODULO -o FILE.xlsx [--plugins CARTELLA]\n"
                     : "usage: consolida template FORM -o FILE.xlsx [--plugins FOLDER]\n");
    return kExitUsage;
  }
  try {
    for (const forms::FormSpec& form : forms::load_forms(plugins_dir(plugins), library_path())) {
      if (form.id != form_id) continue;
      write::write_template(form, output);
      std::cout << (it ? "modello scritto: " : "template written: ") << output << "\n";
      return kExitOk;
    }
    std::cerr << (it ? "modulo sconosciuto: " : "unknown form: ") << form_id << "\n";
    return static_cast<int>(ErrorCode::form_unknown);
  } catch (const Error& error) {
    return report_error(ctx, error);
  }
}

int run_validate(const Context& ctx, const std::vector<std::string>& args) {
  const bool it = ctx.lang == Lang::it;
  std::vector<std::string> files;
  std::string form_id, format = "text", annotate, plugins;
  std::optional<int> year;  // the year the files must declare (--anno)
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool takes_value = a == "--form" || a == "--format" || a == "--annotate" || a == "--plugins" || a == "--anno" || a == "--year";
    if (takes_value && i + 1 >= args.size()) {
      std::cerr << (it ? "manca il valore di " : "missing value for ") << a << "\n";
      return kExitUsage;
    }
    if (a == "--form") form_id = args[++i];
    else if (a == "--format") format = args[++i];
    else if (a == "--annotate") annotate = args[++i];
    else if (a == "--plugins") plugins = args[++i];
    else if (a == "--anno" || a == "--year") {
      year = parse_integer<int>(args[++i]);
      if (!year || *year < 1900 || *year > 2100) {
        std::cerr << (it ? "anno non valido: " : "invalid year: ") << args[i] << (it ? " (es. 2024)" : " (e.g. 2024)") << "\n";
        return kExitUsage;
      }
    }
    else if (!a.starts_with("--")) files.push_back(a);
    else {
      std::cerr << (it ? "opzione sconosciuta: " : "unknown option: ") << a << "\n";
      return kExitUsage;
    }
  }
  files = expand_inputs(files, kWorkbookExtensions);
  if (files.empty() || (format != "text" && format != "json" && format != "html")) {
    std::cerr << (it ? "uso: consolida validate FILE... [--form ID] [--anno AAAA] [--format text|json|html] [--annotate USCITA.xlsx]\n"
                     : "usage: consolida validate FILE... [--form ID] [--year YYYY] [--format text|json|html] [--annotate OUT.xlsx]\n");
    return kExitUsage;
  }
  std::vector<forms::FormSpec> forms;
  try {
    forms = forms::load_forms(plugins_dir(plugins), library_path());
  } catch (const Error& error) {
    return report_error(ctx, error);
  }
  const bool annotate_into_folder = !annotate.empty() && (files.size() > 1 || fs::is_directory(annotate));
  if (annotate_into_folder) fs::create_directories(annotate);
  int status = 0;
  std::optional<forms::ReportDocument> json;
  if (format == "json") json.emplace(std::cout);
  if (format == "html") {
    std::cout << "<!DOCTYPE html><html lang=\"" << (it ? "it" : "en") << "\"><head><meta charset=\"utf-8\"><title>"
              << (it ? "Esito della verifica" : "Validation result")
              << "</title><style>body{font-family:sans-serif}td,th{border:1px solid #999;padding:4px}.ko,.errore{color:#9c0006}"
                 ".avviso{color:#7f6000}table{border-collapse:collapse}</style></head><body>\n";
  }
  for (std::size_t f = 0; f < files.size(); ++f) {
    try {
      forms::TypedForm read;
      forms::Report report = forms::validate_file(files[f], forms, registry::Registry::builtin(), form_id, &read);
      // A file of another year is refused first of all: its figures belong to another collection.
      if (year) {
        if (auto wrong_year = forms::year_mismatch(read, *year)) report.issues.insert(report.issues.begin(), std::move(*wrong_year));
      }
      if (!report.valid()) status = std::max(status, 1);
      if (json) json->add(report);
      else if (format == "html") write_html_report(std::cout, report, ctx.lang);
      else write_text(std::cout, report, ctx.lang);
      if (!annotate.empty()) {
        const std::string out = annotate_into_folder
                                    ? (fs::path(annotate) / (fs::path(files[f]).stem().string() + ".annotato.xlsx")).string()
                                    : annotate;
        write::write_annotated(read, report, out, ctx.lang);
        if (format == "text") {
          const bool other = sent_in_another_format(files[f]);
          std::cout << (it ? (other ? "  copia annotata (in formato .xlsx): " : "  copia annotata: ")
                           : (other ? "  annotated copy (in .xlsx format): " : "  annotated copy: "))
                    << out << "\n";
        }
      }
    } catch (const Error& error) {
      status = 2;
      if (json) json->add(files[f], error);
      else if (format == "html") std::cout << "<section><h2>" << html_escape(files[f]) << "</h2><p class=\"ko\">" << html_escape(error.describe(ctx.lang)) << "</p></section>\n";
      else std::cout << files[f] << ": " << (it ? "RIFIUTATO" : "REFUSED") << " [" << error_code_id(error.code()) << "] " << error.message(ctx.lang) << "\n";
    }
  }
  if (json) json->close();
  if (format == "html") std::cout << "</body></html>\n";
  return status;
}

}  // namespace consolida::cli
