// Wall-clock time for people in Lombardy: Unix seconds now, and Europe/Rome local time read and
// written as the campaigns, the pages and the consolidated workbooks show it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace consolida {

// Seconds since 1970-01-01 UTC.
std::int64_t unix_now();

// "2026-12-31 23:59" or "2026-12-31" in Europe/Rome -> Unix seconds; nullopt if malformed.
std::optional<std::int64_t> parse_rome_time(std::string_view text);
// The same Europe/Rome wall-clock time `days` calendar days earlier (across a change of summer
// time that is 23 or 25 hours a day, not 24).
std::int64_t rome_days_before(std::int64_t unix_seconds, int days);
// Unix seconds -> "31/12/2026 23:59" in Europe/Rome.
std::string format_rome_time(std::int64_t unix_seconds);

}  // namespace consolida
