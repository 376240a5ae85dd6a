// The Gregorian calendar as the forms and the workbooks use it: civil dates counted in days,
// leap years, month lengths and the Italian names of the months.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace consolida {

struct CivilDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
};

// Days since 1970-01-01 (proleptic Gregorian), through std::chrono::sys_days. `year` must lie
// in std::chrono::year's range (-32767..32767) and `month` in 1..12; a day past the month's end
// counts on into the next month (2023-02-31 is 2023-03-03), which Excel's serials rely on.
std::int64_t days_from_civil(int year, int month, int day);
CivilDate civil_from_days(std::int64_t day_count);

bool is_leap(int year);
// 28..31; `month` in 1..12.
int days_in_month(int year, int month);

// "gennaio" ... "dicembre", and the three-letter forms the templates' headers use ("gen 24").
inline constexpr std::array<std::string_view, 12> kItalianMonths = {"gennaio", "febbraio", "marzo",     "aprile",  "maggio",   "giugno",
                                                                    "luglio",  "agosto",   "settembre", "ottobre", "novembre", "dicembre"};
inline constexpr std::array<std::string_view, 12> kItalianMonthsShort = {"gen", "feb", "mar", "apr", "mag", "giu",
                                                                         "lug", "ago", "set", "ott", "nov", "dic"};

}  // namespace consolida
