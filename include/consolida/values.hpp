// Values as Italian offices type them into Excel: amounts, counts, percentages, dates, SI/NO.
// Every parser takes the text of a cell (or the lexical value of a numeric cell) and returns
// either a value or a problem in Italian and English. Money is exact: integer cents.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace consolida::values {

struct Problem {
  std::string it;
  std::string en;
};

template <typename T>
struct Parsed {
  std::optional<T> value;         // absent when the text is empty or invalid
  bool empty = false;             // nothing written (an empty cell, or only spaces)
  std::optional<Problem> error;   // the text is not a valid value
  std::optional<Problem> warning; // a value was read, but something is off (rounded cents, ...)
  bool ok() const { return value.has_value(); }
};

// "€ 1.234,56", "1.234,56 €", "euro 242.400,00", "€. 15.645,00", "10.000€", "- €" (zero),
// "(1.234,56)" and "-1.234,56" (negative), "1234.56" (a decimal point is accepted where it cannot
// be a thousands separator). "5.0106,88" is an error: a misplaced separator. More than two
// decimals in text is an error; in a numeric cell the amount is rounded to the cent with a warning.
Parsed<std::int64_t> parse_amount_text(std::string_view text);
// The lexical value of a numeric cell as stored in the file ("44606.879999999997", "1E3").
Parsed<std::int64_t> parse_amount_number(std::string_view lexical);

// Whole counts: "7.063", "12", "n. 12", a numeric cell holding 12. "7.063.716,00" reads as
// 7063716 with a warning (a head-count with decimals); "12,5" is an error.
Parsed<std::int64_t> parse_count_text(std::string_view text);
Parsed<std::int64_t> parse_count_number(std::string_view lexical);

// Percentages in hundredths of a point: "10,4%" -> 1040, "75%" -> 7500, "37,50" -> 3750.
// A numeric cell with a percent format holds a fraction (0.104 -> 1040): pass percent_format.
Parsed<std::int64_t> parse_percent_text(std::string_view text);
// A number kept in hundredths where the unit is not a percentage ("600", "12,5", "n. 3" is not).
Parsed<std::int64_t> parse_decimal_text(std::string_view text);
Parsed<std::int64_t> parse_percent_number(std::string_view lexical, bool percent_format);

struct Date {
  int year = 0;
  int month = 0;
  int day = 0;
  friend auto operator<=>(const Date&, const Date&) = default;
};
std::string to_string(const Date& date);  // "31/12/2023"

// "14/12/2021", "14-12-2021", "31.12.2021", "1 Gennaio 2021", "1° gennaio 2021", "2021-12-31".
Parsed<Date> parse_date_text(std::string_view text);

// "SI", "Sì", "si", "X", "NO", "No" (any case); TRUE/FALSE cells are handled by the caller.
Parsed<bool> parse_yes_no(std::string_view text);

// Words as a reader counts them: runs separated by spaces, with at least one letter or digit;
// HTML tags left in cells are not words.
std::size_t count_words(std::string_view text);

// "1.234,56" for 123456 cents; "-0,50" for -50.
std::string format_cents(std::int64_t cents);

}  // namespace consolida::values
