#include "consolida/error.hpp"

#include <algorithm>
#include <cctype>

namespace consolida {

Lang parse_lang(std::string_view text) {
  if (text.size() >= 2 && std::tolower(static_cast<unsigned char>(text[0])) == 'e' &&
      std::tolower(static_cast<unsigned char>(text[1])) == 'n') {
    return Lang::en;
  }
  return Lang::it;
}

std::string_view error_code_id(ErrorCode code) {
  switch (code) {
    case ErrorCode::io: return "io";
    case ErrorCode::unsupported_format: return "formato-non-supportato";
    case ErrorCode::encrypted: return "protetto-da-password";
    case ErrorCode::corrupt_archive: return "archivio-danneggiato";
    case ErrorCode::malformed_xml: return "xml-non-valido";
    case ErrorCode::limit_exceeded: return "limite-superato";
    case ErrorCode::missing_part: return "parte-mancante";
    case ErrorCode::not_found: return "non-trovato";
    case ErrorCode::invalid_plugin: return "modulo-non-valido";
    case ErrorCode::form_unknown: return "modulo-sconosciuto";
    case ErrorCode::form_outdated: return "modello-superato";
    case ErrorCode::invalid_registry: return "anagrafica-non-valida";
    case ErrorCode::data_dir_damaged: return "dati-del-server-incoerenti";
  }
  return "sconosciuto";
}

Error::Error(ErrorCode code, std::string message_it, std::string message_en, ErrorLocation where)
    : std::runtime_error(message_en),
      code_(code),
      it_(std::move(message_it)),
      en_(std::move(message_en)),
      where_(std::move(where)) {}

Error& Error::set_file(std::string file) {
  where_.file = std::move(file);
  return *this;
}

Error& Error::set_part(std::string part) {
  if (where_.part.empty()) where_.part = std::move(part);
  return *this;
}

Error& Error::set_cell(std::string cell) {
  if (where_.cell.empty()) where_.cell = std::move(cell);
  return *this;
}

std::string Error::describe(Lang lang) const {
  const bool it = lang == Lang::it;
  std::string out;
  auto add = [&out](std::string_view piece) {
    if (!out.empty()) out += ", ";
    out += piece;
  };
  if (!where_.file.empty()) add(where_.file);
  if (!where_.part.empty()) add(std::string(it ? "parte " : "part ") + where_.part);
  if (!where_.cell.empty()) add(std::string(it ? "cella " : "cell ") + where_.cell);
  if (where_.line != 0) {
    add(std::string(it ? "riga " : "line ") + std::to_string(where_.line));
    if (where_.column != 0) add(std::string(it ? "colonna " : "column ") + std::to_string(where_.column));
  }
  if (!out.empty()) out += ": ";
  out += message(lang);
  return out;
}

}  // namespace consolida
