#include "common/calendar.hpp"

#include <chrono>

namespace consolida {

namespace chrono = std::chrono;

std::int64_t days_from_civil(int year, int month, int day) {
  // year_month_day holds the day in a byte: days past the 1st are added as a duration instead.
  const chrono::sys_days first{chrono::year{year} / chrono::month{static_cast<unsigned>(month)} / 1};
  return (first + chrono::days{day - 1}).time_since_epoch().count();
}

CivilDate civil_from_days(std::int64_t day_count) {
  const chrono::year_month_day date{chrono::sys_days{chrono::days{day_count}}};
  return {static_cast<int>(date.year()), static_cast<int>(static_cast<unsigned>(date.month())),
          static_cast<int>(static_cast<unsigned>(date.day()))};
}

bool is_leap(int year) { return chrono::year{year}.is_leap(); }

int days_in_month(int year, int month) {
  const chrono::year_month_day_last last{chrono::year{year}, chrono::month_day_last{chrono::month{static_cast<unsigned>(month)}}};
  return static_cast<int>(static_cast<unsigned>(last.day()));
}

}  // namespace consolida
