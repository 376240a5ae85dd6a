// Excel serial dates. The 1900 system counts 1900-01-01 as day 1 and keeps Lotus' phantom
// 1900-02-29 (serial 60); the 1904 system counts 1904-01-01 as day 0.
#include <cmath>
#include <cstdio>

#include "common/calendar.hpp"
#include "common/numbers.hpp"
#include "consolida/xlsx.hpp"

namespace consolida::xlsx {
namespace {

// Serial 0 of each system expressed as days since 1970-01-01.
constexpr std::int64_t kEpoch1900 = -25569;  // 1899-12-30, valid for serials >= 61
constexpr std::int64_t kEpoch1904 = -24107;  // 1904-01-01

// The years std::chrono::year holds, far beyond Excel's 1900..9999.
constexpr int kMinYear = -32767;
constexpr int kMaxYear = 32767;

void set_date(DateTime& dt, const CivilDate& date) {
  dt.year = date.year;
  dt.month = date.month;
  dt.day = date.day;
}

bool parse_int(std::string_view text, int& out) {
  const std::optional<int> value = parse_integer<int>(text);
  if (value) out = *value;
  return value.has_value();
}

}  // namespace

std::optional<DateTime> serial_to_datetime(double serial, bool date1904) {
  if (!std::isfinite(serial) || serial < 0 || serial >= 2958466.0) return std::nullopt;
  double whole_days = std::floor(serial);
  // Round to the millisecond, as Excel displays, then split.
  auto millis = static_cast<std::int64_t>(std::llround((serial - whole_days) * 86400000.0));
  if (millis >= 86400000) {
    millis -= 86400000;
    whole_days += 1;
  }
  auto day = static_cast<std::int64_t>(whole_days);
  DateTime dt;
  if (!date1904 && day < 60) {
    // Before Lotus' phantom 1900-02-29 Excel's serials run one day ahead of the calendar;
    // serial 60 itself is read as 1900-02-28, as openpyxl does.
    // Serial 0 ("1900-01-00" in Excel) reads as 1899-12-31.
    set_date(dt, civil_from_days(kEpoch1900 + day + 1));
  } else {
    set_date(dt, civil_from_days((date1904 ? kEpoch1904 : kEpoch1900) + day));
  }
  dt.hour = static_cast<int>(millis / 3600000);
  dt.minute = static_cast<int>(millis / 60000 % 60);
  dt.second = static_cast<int>(millis / 1000 % 60);
  dt.microsecond = static_cast<int>(millis % 1000) * 1000;
  return dt;
}

std::optional<double> datetime_to_serial(const DateTime& dt, bool date1904) {
  const double fraction =
      (dt.hour * 3600.0 + dt.minute * 60.0 + dt.second + dt.microsecond / 1e6) / 86400.0;
  if (dt.year == 0 && dt.month == 0 && dt.day == 0) return fraction;  // a time of day only
  if (dt.month < 1 || dt.month > 12 || dt.day < 1 || dt.day > 31 || dt.year < kMinYear || dt.year > kMaxYear) return std::nullopt;
  const std::int64_t days = days_from_civil(dt.year, dt.month, dt.day);
  std::int64_t serial = days - (date1904 ? kEpoch1904 : kEpoch1900);
  if (!date1904 && serial < 61) serial -= 1;
  if (serial < 0) return std::nullopt;
  return static_cast<double>(serial) + fraction;
}

std::string to_iso8601(const DateTime& dt) {
  char out[40];
  if (dt.year == 0 && dt.month == 0 && dt.day == 0) {
    std::snprintf(out, sizeof out, "%02d:%02d:%02d", dt.hour, dt.minute, dt.second);
    return out;
  }
  if (dt.microsecond != 0) {
    std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%06d", dt.year, dt.month, dt.day, dt.hour,
                  dt.minute, dt.second, dt.microsecond);
  } else {
    std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d", dt.year, dt.month, dt.day, dt.hour, dt.minute,
                  dt.second);
  }
  return out;
}

std::optional<DateTime> parse_iso8601(std::string_view text) {
  DateTime dt;
  std::string_view date_part = text;
  std::string_view time_part;
  if (const auto t = text.find('T'); t != std::string_view::npos) {
    date_part = text.substr(0, t);
    time_part = text.substr(t + 1);
  } else if (text.find(':') != std::string_view::npos) {
    date_part = {};
    time_part = text;
  }
  if (!date_part.empty()) {
    if (date_part.size() != 10 || date_part[4] != '-' || date_part[7] != '-') return std::nullopt;
    if (!parse_int(date_part.substr(0, 4), dt.year) || !parse_int(date_part.substr(5, 2), dt.month) ||
        !parse_int(date_part.substr(8, 2), dt.day)) {
      return std::nullopt;
    }
  }
  if (!time_part.empty()) {
    while (!time_part.empty() && (time_part.back() == 'Z')) time_part.remove_suffix(1);
    if (const auto tz = time_part.find_first_of("+-"); tz != std::string_view::npos) time_part = time_part.substr(0, tz);
    if (time_part.size() < 5 || time_part[2] != ':') return std::nullopt;
    if (!parse_int(time_part.substr(0, 2), dt.hour) || !parse_int(time_part.substr(3, 2), dt.minute)) return std::nullopt;
    if (time_part.size() >= 8) {
      if (time_part[5] != ':' || !parse_int(time_part.substr(6, 2), dt.second)) return std::nullopt;
      if (time_part.size() > 9 && time_part[8] == '.') {
        std::string digits(time_part.substr(9, 6));
        while (digits.size() < 6) digits += '0';
        if (!parse_int(digits, dt.microsecond)) return std::nullopt;
      }
    }
  }
  const bool time_only = date_part.empty();
  if ((!time_only && (dt.month < 1 || dt.month > 12 || dt.day < 1 || dt.day > 31)) || dt.hour > 23 ||
      dt.minute > 59 || dt.second > 60) {
    return std::nullopt;
  }
  return dt;
}

}  // namespace consolida::xlsx
