// Europe/Rome without a time-zone database: CET (UTC+1), and CEST (UTC+2) from 01:00 UTC of the
// last Sunday of March to 01:00 UTC of the last Sunday of October, the EU rule since 1996.
#include <charconv>
#include <cstdio>

#include "consolida/server.hpp"

namespace consolida::server {
namespace {

// Days since 1970-01-01 of a civil date (proleptic Gregorian).
std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(yoe) + static_cast<int>(era) * 400 + (m <= 2);
}

// 01:00 UTC of the last Sunday of the month, in Unix seconds.
std::int64_t last_sunday_1utc(int year, unsigned month) {
  const std::int64_t last_day = days_from_civil(year, month + 1, 1) - 1;
  const std::int64_t weekday = (last_day + 4) % 7;  // 1970-01-01 was a Thursday; 0 = Sunday
  return (last_day - weekday) * 86400 + 3600;
}

int offset_hours_at_utc(std::int64_t utc) {
  int y;
  unsigned m, d;
  civil_from_days(utc >= 0 ? utc / 86400 : (utc - 86399) / 86400, y, m, d);
  return utc >= last_sunday_1utc(y, 3) && utc < last_sunday_1utc(y, 10) ? 2 : 1;
}

}  // namespace

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
  const std::int64_t local = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60;
  // The offset is that of the instant; try summer time first, as the local clock would read it.
  const std::int64_t summer = local - 2 * 3600;
  if (offset_hours_at_utc(summer) == 2) return summer;
  return local - 3600;
}

std::string format_rome_time(std::int64_t utc) {
  const std::int64_t local = utc + offset_hours_at_utc(utc) * 3600;
  int y;
  unsigned m, d;
  const std::int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  civil_from_days(days, y, m, d);
  const std::int64_t secs = local - days * 86400;
  char out[32];
  std::snprintf(out, sizeof out, "%02u/%02u/%04d %02d:%02d", d, m, y, static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60));
  return out;
}

}  // namespace consolida::server
