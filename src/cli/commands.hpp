#pragma once

#include <concepts>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/numbers.hpp"
#include "consolida/error.hpp"

namespace consolida::cli {

struct Context {
  Lang lang = Lang::it;
};

// Exit statuses shared by all commands (input errors use ErrorCode values, 10..17).
constexpr int kExitOk = 0;
constexpr int kExitUsage = 64;

int run_dump(const Context& ctx, const std::vector<std::string>& args);
int run_summary(const Context& ctx, const std::vector<std::string>& args);
int run_template(const Context& ctx, const std::vector<std::string>& args);
// Exit status: 0 every file valid, 1 problems found, 2 a file could not be read.
int run_validate(const Context& ctx, const std::vector<std::string>& args);

// consolida consolidate --form ID --level ambito|ats|regione INPUTS... -o OUT.xlsx
// Exit status: 0 every input used, 1 the workbook was written but some inputs were left out.
int run_consolidate(const Context& ctx, const std::vector<std::string>& args);

// consolida serve: the upload front end, until SIGINT/SIGTERM.
int run_serve(const Context& ctx, const std::vector<std::string>& args);
// consolida admin: campaigns, users and API tokens of the server's data directory.
int run_admin(const Context& ctx, const std::vector<std::string>& args);

// Where form plugins are: --plugins DIR, else $CONSOLIDA_PLUGINS, else ./plugins, else the source tree's.
std::string plugins_dir(const std::string& option);
// Where compiled rule libraries are looked up after each plugin folder.
std::vector<std::string> library_path();

// Prints an input error on stderr in the chosen language and returns its exit status.
int report_error(const Context& ctx, const Error& error);

// Says on stderr that an option wants a whole number and got `text`.
void report_not_a_number(const Context& ctx, std::string_view option, std::string_view text);

// The whole number given to a numeric option, or nullopt once report_not_a_number has said why
// (the command then exits with kExitUsage): "--threads abc" is an error, not 0.
template <std::integral T>
std::optional<T> integer_option(const Context& ctx, std::string_view option, std::string_view text) {
  const std::optional<T> value = parse_integer<T>(text);
  if (!value) report_not_a_number(ctx, option, text);
  return value;
}

}  // namespace consolida::cli
