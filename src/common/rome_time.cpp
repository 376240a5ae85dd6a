// Europe/Rome without a time-zone database (GCC 12's <chrono> has none): CET (UTC+1), and CEST
// (UTC+2) from 01:00 UTC of the last Sunday of March to 01:00 UTC of the last Sunday of October,
// the EU rule since 1996.
#include "common/rome_time.hpp"

#include <chrono>
#include <cstdio>

#include "common/calendar.hpp"

namespace consolida {
namespace {

namespace chrono = std::chrono;

// 01:00 UTC of the last Sunday of the month, in Unix seconds.
std::int64_t last_sunday_1utc(int year, unsigned month) {
  const chrono::sys_days sunday{chrono::year{year} / chrono::month{month} / chrono::Sunday[chrono::last]};
  return static_cast<std::int64_t>(sunday.time_since_epoch().count()) * 86400 + 3600;
}

std::int64_t floor_days(std::int64_t seconds) { return seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400; }

int offset_hours_at_utc(std::int64_t utc) {
  const int year = civil_from_days(floor_days(utc)).year;
  return utc >= last_sunday_1utc(year, 3) && utc < last_sunday_1utc(year, 10) ? 2 : 1;
}

// Rome's wall clock (seconds since 1970-01-01 00:00 local) -> Unix seconds. The offset is that of
// the instant; summer time is tried first, as the local clock would read it.
std::int64_t from_rome_clock(std::int64_t local) {
  const std::int64_t summer = local - 2 * 3600;
  if (offset_hours_at_utc(summer) == 2) return summer;
  return local - 3600;
}

}  // namespace

std::int64_t unix_now() { return chrono::duration_cast<chrono::seconds>(chrono::system_clock::now().time_since_epoch()).count(); }

std::optional<std::int64_t> parse_rome_time(std::string_view text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  char tail = 0;
  const std::string s(text);
  const int got = std::sscanf(s.c_str(), "%4d-%2d-%2d %2d:%2d%c", &y, &mo, &d, &h, &mi, &tail);
  if (got == 3) {
    h = 0;
    mi = 0;
  } else if (got != 5) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || y < 1970) return std::nullopt;
  return from_rome_clock(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60);
}

std::int64_t rome_days_before(std::int64_t utc, int days) {
  return from_rome_clock(utc + offset_hours_at_utc(utc) * 3600 - std::int64_t{days} * 86400);
}

std::string format_rome_time(std::int64_t utc) {
  const std::int64_t local = utc + offset_hours_at_utc(utc) * 3600;
  const std::int64_t days = floor_days(local);
  const CivilDate date = civil_from_days(days);
  const std::int64_t secs = local - days * 86400;
  char out[32];
  std::snprintf(out, sizeof out, "%02d/%02d/%04d %02d:%02d", date.day, date.month, date.year, static_cast<int>(secs / 3600),
                static_cast<int>(secs / 60 % 60));
  return out;
}

}  // namespace consolida
