// Codes of the problems that field attributes make (required, type, list, limits):
// "<PREFIX>-<ID>-<CHECK>", e.g. "PREM-TITOLO-OBBL".
#pragma once

#include <string>
#include <string_view>

#include "consolida/forms.hpp"

namespace consolida::forms {

inline std::string attribute_code(const FormSpec& form, std::string_view id, std::string_view check) {
  std::string code = form.code_prefix + "-";
  for (char c : id) code += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  return code + "-" + std::string(check);
}

}  // namespace consolida::forms
