// The forms of the bundled plugins, loaded once per test program.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "consolida/forms.hpp"

namespace consolida::testing {

inline const std::vector<forms::FormSpec>& bundled_forms() {
  static const std::vector<forms::FormSpec> loaded = forms::load_forms(CONSOLIDA_SOURCE_DIR "/plugins", {CONSOLIDA_RULES_PATH});
  return loaded;
}

// The bundled form with this id; throws when there is none, so that a test stops at once.
inline const forms::FormSpec& bundled_form(const std::string& id) {
  for (const forms::FormSpec& form : bundled_forms()) {
    if (form.id == id) return form;
  }
  throw std::runtime_error("no bundled form " + id);
}

}  // namespace consolida::testing
