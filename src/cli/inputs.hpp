#pragma once

#include <algorithm>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace consolida::cli {

// The workbooks validate and consolidate read; a folder given to them stands for its files of these kinds.
inline constexpr std::string_view kWorkbookExtensions[] = {".xlsx", ".xlsm", ".ods", ".xls"};

// Arguments as files: a folder stands for the files below it (recursively, in name order) whose
// extension, compared without case, is one of `extensions`; other arguments are kept as given.
inline std::vector<std::string> expand_inputs(const std::vector<std::string>& args, std::span<const std::string_view> extensions) {
  std::vector<std::string> files;
  for (const std::string& arg : args) {
    std::error_code ec;
    if (!std::filesystem::is_directory(arg, ec)) {
      files.push_back(arg);
      continue;
    }
    std::vector<std::string> found;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(arg, ec)) {
      std::string ext = entry.path().extension().string();
      for (char& c : ext) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      if (entry.is_regular_file() && std::find(extensions.begin(), extensions.end(), ext) != extensions.end()) {
        found.push_back(entry.path().string());
      }
    }
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

}  // namespace consolida::cli
