// A report as "CODE@CELL" lines, for tests that assert which problems were found and where.
#pragma once

#include <string>
#include <vector>

#include "consolida/forms.hpp"

namespace consolida::testing {

inline std::vector<std::string> issue_codes(const forms::Report& report) {
  std::vector<std::string> out;
  for (const auto& issue : report.issues) out.push_back(issue.code + "@" + issue.cell);
  return out;
}

}  // namespace consolida::testing
