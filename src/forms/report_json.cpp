#include "consolida/report_json.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSONString.h>

#include <sstream>

namespace consolida::forms {
namespace {

void write_string(std::ostream& out, const std::string& text) { Poco::toJSON(text, out, Poco::JSON_WRAP_STRINGS); }

void write_key(std::ostream& out, std::string_view key, const std::string& value) {
  out << ",\"" << key << "\":";
  write_string(out, value);
}

void write_message(std::ostream& out, const std::string& it, const std::string& en) {
  out << ",\"message\":{\"it\":";
  write_string(out, it);
  out << ",\"en\":";
  write_string(out, en);
  out << "}";
}

std::string_view severity_id(Severity severity) { return severity == Severity::error ? "errore" : "avviso"; }

// The keys of the schema, and those of the reports the server stored before it.
struct Keys {
  const char *form, *version, *issues, *code, *severity, *sheet, *cell, *label, *found;
};
constexpr Keys kSchemaKeys{"form", "version", "issues", "code", "severity", "sheet", "cell", "label", "found"};
constexpr Keys kStoredBeforeSchemaKeys{"modulo", "versione_modello", "problemi", "codice", "gravita", "foglio", "cella", "etichetta", "valore"};

std::optional<Severity> parse_severity(const std::string& text) {
  if (text == "errore" || text == "errore bloccante") return Severity::error;
  if (text == "avviso") return Severity::warning;
  return std::nullopt;
}

std::string text_of(const Poco::JSON::Object& object, const std::string& key) { return object.optValue<std::string>(key, ""); }

std::optional<Report> read_report(const Poco::JSON::Object& root, const Keys& keys) {
  Report report;
  report.file = text_of(root, "file");
  report.form_id = text_of(root, keys.form);
  report.form_version = text_of(root, keys.version);
  const Poco::JSON::Array::Ptr issues = root.getArray(keys.issues);
  for (std::size_t i = 0; i < issues->size(); ++i) {
    const Poco::JSON::Object::Ptr item = issues->getObject(static_cast<unsigned>(i));
    if (!item) return std::nullopt;
    const std::optional<Severity> severity = parse_severity(text_of(*item, keys.severity));
    if (!severity) return std::nullopt;
    Issue issue;
    issue.code = text_of(*item, keys.code);
    issue.severity = *severity;
    issue.sheet = text_of(*item, keys.sheet);
    issue.cell = text_of(*item, keys.cell);
    issue.label = text_of(*item, keys.label);
    issue.found = text_of(*item, keys.found);
    if (const Poco::JSON::Object::Ptr message = item->getObject("message")) {
      issue.message = {text_of(*message, "it"), text_of(*message, "en")};
    } else {
      issue.message = {text_of(*item, "messaggio"), text_of(*item, "message")};
    }
    if (const Poco::JSON::Array::Ptr cells = item->getArray("to_check")) {
      for (std::size_t c = 0; c < cells->size(); ++c) {
        const Poco::JSON::Object::Ptr place = cells->getObject(static_cast<unsigned>(c));
        if (!place) return std::nullopt;
        issue.to_check.push_back({text_of(*place, "sheet"), text_of(*place, "cell")});
      }
    }
    report.issues.push_back(std::move(issue));
  }
  return report;
}

}  // namespace

std::string to_json(const Report& report) {
  std::ostringstream out;
  out << "{\"file\":";
  write_string(out, report.file);
  write_key(out, "form", report.form_id);
  write_key(out, "version", report.form_version);
  out << ",\"valid\":" << (report.valid() ? "true" : "false") << ",\"errors\":" << report.errors() << ",\"warnings\":" << report.warnings()
      << ",\"issues\":[";
  for (std::size_t i = 0; i < report.issues.size(); ++i) {
    const Issue& issue = report.issues[i];
    out << (i ? "," : "") << "\n  {\"code\":";
    write_string(out, issue.code);
    out << ",\"severity\":\"" << severity_id(issue.severity) << "\"";
    write_key(out, "sheet", issue.sheet);
    write_key(out, "cell", issue.cell);
    write_key(out, "label", issue.label);
    write_key(out, "found", issue.found);
    write_message(out, issue.message.it, issue.message.in(Lang::en));
    if (!issue.to_check.empty()) {
      out << ",\"to_check\":[";
      for (std::size_t c = 0; c < issue.to_check.size(); ++c) {
        out << (c ? "," : "") << "{\"sheet\":";
        write_string(out, issue.to_check[c].sheet);
        write_key(out, "cell", issue.to_check[c].cell);
        out << "}";
      }
      out << "]";
    }
    out << "}";
  }
  out << "]}";
  return out.str();
}

std::string to_json(const std::string& file, const Error& error) {
  std::ostringstream out;
  out << "{\"file\":";
  write_string(out, file);
  out << ",\"error\":{\"code\":\"" << error_code_id(error.code()) << "\",\"exit\":" << static_cast<int>(error.code());
  write_message(out, error.describe(Lang::it), error.describe(Lang::en));
  out << "}}";
  return out.str();
}

std::optional<Report> from_json(std::string_view json) {
  try {
    Poco::JSON::Parser parser;
    const Poco::JSON::Object::Ptr root = parser.parse(std::string(json)).extract<Poco::JSON::Object::Ptr>();
    if (!root) return std::nullopt;
    if (root->isArray(kSchemaKeys.issues)) return read_report(*root, kSchemaKeys);
    if (root->isArray(kStoredBeforeSchemaKeys.issues)) return read_report(*root, kStoredBeforeSchemaKeys);
  } catch (const std::exception&) {  // not JSON, or a value of another type than the schema's
  }
  return std::nullopt;
}

ReportDocument::ReportDocument(std::ostream& out) : out_(out) { out_ << "{\"schema\":\"" << kReportSchema << "\",\"files\":["; }

void ReportDocument::add(const Report& report) { add_entry(to_json(report)); }
void ReportDocument::add(const std::string& file, const Error& error) { add_entry(to_json(file, error)); }

void ReportDocument::add_entry(const std::string& entry) {
  out_ << (empty_ ? "\n" : ",\n") << entry;
  empty_ = false;
}

void ReportDocument::close() { out_ << "\n]}\n"; }

std::string report_document(const Report& report) {
  std::ostringstream out;
  ReportDocument document(out);
  document.add(report);
  document.close();
  return out.str();
}

}  // namespace consolida::forms
