// Valid files of the comuni of the Ambito of Melzo (make_region), for the tests that upload them.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>

#include "support/files.hpp"

namespace consolida::testing {

// By ISTAT code, made once per test run.
inline const std::map<std::string, std::string>& melzo_files() {
  static const std::map<std::string, std::string> files = [] {
    std::map<std::string, std::string> out;
    const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("consolida-melzo-samples-" + std::to_string(::getpid()));
    const std::string command =
        std::string(CONSOLIDA_MAKE_REGION) + " " + dir.string() + " --scope ambito:MELZO --missing 0 --year 2024 --errors 0 > /dev/null";
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    for (const auto& f : csv_rows(dir / "manifest.csv")) {
      if (f.size() >= 5 && f[1] == "spesa-sociale-comune") out[f[2]] = (dir / f[0]).string();
    }
    return out;
  }();
  return files;
}

}  // namespace consolida::testing
