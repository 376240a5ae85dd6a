// Runs the consolida command as a user does, for tests that compare what it prints.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace consolida::testing {

struct CliRun {
  int status = -1;
  std::string out;  // stdout, and stderr unless dropped
};

inline CliRun run_cli(const std::string& arguments, bool with_stderr = true) {
  CliRun result;
  const std::string command = std::string(CONSOLIDA_CLI) + " " + arguments + (with_stderr ? " 2>&1" : " 2>/dev/null");
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return result;
  std::array<char, 4096> buffer{};
  while (const std::size_t got = std::fread(buffer.data(), 1, buffer.size(), pipe)) result.out.append(buffer.data(), got);
  const int status = ::pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace consolida::testing
