#include "consolida/values.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "common/calendar.hpp"
#include "common/numbers.hpp"

namespace consolida::values {
namespace {

using Wide = __int128;

std::string quoted(std::string_view text) { return "«" + std::string(text) + "»"; }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (lower(text[i]) != prefix[i]) return false;
  }
  return true;
}

// Removes ASCII whitespace and the Unicode spaces Excel users paste (NBSP, narrow NBSP).
std::string_view trim_spaces(std::string_view text) {
  for (bool changed = true; changed;) {
    changed = false;
    for (std::string_view space : {" ", "\t", "\n", "\r", "\xC2\xA0", "\xE2\x80\xAF"}) {
      if (text.starts_with(space)) {
        text.remove_prefix(space.size());
        changed = true;
      }
      if (text.ends_with(space)) {
        text.remove_suffix(space.size());
        changed = true;
      }
    }
  }
  return text;
}

// Removes currency marks around an amount: "€", "€.", "euro", "eur", in front or behind.
std::string_view strip_currency(std::string_view text, bool& had_currency) {
  for (bool changed = true; changed;) {
    changed = false;
    text = trim_spaces(text);
    for (std::string_view mark : {"\xE2\x82\xAC.", "\xE2\x82\xAC", "euro", "eur"}) {
      if (starts_with_ci(text, mark)) {
        text.remove_prefix(mark.size());
        changed = had_currency = true;
      } else if (text.size() >= mark.size() && starts_with_ci(text.substr(text.size() - mark.size()), mark)) {
        text.remove_suffix(mark.size());
        changed = had_currency = true;
      }
    }
  }
  return text;
}

bool is_dash(std::string_view text) {
  return text == "-" || text == "\xE2\x80\x93" || text == "\xE2\x80\x94" || text == "--";
}

// The outcome of reading an Italian-formatted number.
struct Decimal {
  Wide scaled = 0;  // value * 10^scale
  int decimals_written = 0;
  bool decimals_all_zero = true;
};

enum class DecimalError { none, characters, grouping, too_many_decimals, too_large };

// Digits with "." (or space) grouping thousands and "," before the decimals; a lone "." followed
// by one or two digits is read as a decimal point. Exactly `scale` decimals are kept; more
// written decimals is an error.
DecimalError read_italian_number(std::string_view text, int scale, Decimal& out) {
  std::string integer_digits;
  std::string fraction_digits;
  std::vector<std::size_t> group_sizes;  // digits between group separators, integer part
  std::size_t current_group = 0;
  bool seen_decimal = false;
  bool seen_group_separator = false;
  // A single '.' with 1-2 (or 4+) digits after it and no ',' anywhere is a decimal point.
  const auto comma = text.find(',');
  const auto first_dot = text.find('.');
  std::size_t decimal_dot = std::string_view::npos;
  if (comma == std::string_view::npos && first_dot != std::string_view::npos && text.find('.', first_dot + 1) == std::string_view::npos) {
    std::size_t after = 0;
    for (std::size_t i = first_dot + 1; i < text.size() && is_digit(text[i]); ++i) ++after;
    if (after != 3) decimal_dot = first_dot;
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (is_digit(c)) {
      if (seen_decimal) {
        fraction_digits += c;
      } else {
        integer_digits += c;
        ++current_group;
      }
    } else if ((c == ',' || i == decimal_dot) && !seen_decimal) {
      seen_decimal = true;
    } else if ((c == '.' || c == ' ' || c == '\'') && !seen_decimal) {
      if (current_group == 0) return DecimalError::grouping;
      group_sizes.push_back(current_group);
      current_group = 0;
      seen_group_separator = true;
    } else if (text.substr(i).starts_with("\xC2\xA0") && !seen_decimal) {
      if (current_group == 0) return DecimalError::grouping;
      group_sizes.push_back(current_group);
      current_group = 0;
      seen_group_separator = true;
      ++i;
    } else {
      return DecimalError::characters;
    }
  }
  if (integer_digits.empty() && fraction_digits.empty()) return DecimalError::characters;
  if (seen_group_separator) {
    group_sizes.push_back(current_group);
    if (group_sizes.front() > 3) return DecimalError::grouping;
    for (std::size_t g = 1; g < group_sizes.size(); ++g) {
      if (group_sizes[g] != 3) return DecimalError::grouping;
    }
  }
  if (seen_decimal && fraction_digits.empty()) return DecimalError::characters;
  if (static_cast<int>(fraction_digits.size()) > scale) {
    const bool only_zeros = fraction_digits.find_first_not_of('0', static_cast<std::size_t>(scale)) == std::string::npos;
    if (!only_zeros || scale > 0) return DecimalError::too_many_decimals;
  }
  if (integer_digits.size() > 15) return DecimalError::too_large;
  out.decimals_written = static_cast<int>(fraction_digits.size());
  out.decimals_all_zero = fraction_digits.find_first_not_of('0') == std::string::npos;
  Wide value = 0;
  for (char d : integer_digits) value = value * 10 + (d - '0');
  for (int k = 0; k < scale; ++k) {
    value = value * 10 + (k < static_cast<int>(fraction_digits.size()) ? fraction_digits[static_cast<std::size_t>(k)] - '0' : 0);
  }
  out.scaled = value;
  return DecimalError::none;
}

// An Italian reading of the digits, to suggest what was probably meant: "5.0106,88" -> "50.106,88".
std::string suggestion_for(std::string_view text) {
  std::string digits;
  std::string decimals;
  bool after_comma = false;
  // "12.500.50": dots throughout and two digits after the last one; the last dot was meant as
  // the decimal comma (12.500,50), not as one more thousands separator.
  const auto last_dot = text.rfind('.');
  std::size_t decimal_at = std::string_view::npos;
  if (text.find(',') == std::string_view::npos && last_dot != std::string_view::npos && text.find('.') != last_dot) {
    const std::size_t after = text.size() - last_dot - 1;
    if ((after == 1 || after == 2) && std::all_of(text.begin() + static_cast<std::ptrdiff_t>(last_dot) + 1, text.end(), is_digit)) {
      decimal_at = last_dot;
    }
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (is_digit(c)) (after_comma ? decimals : digits) += c;
    else if (c == ',' || i == decimal_at) after_comma = true;
  }
  if (digits.empty()) return {};
  std::string grouped;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += '.';
    grouped += digits[i];
  }
  return after_comma ? grouped + "," + decimals : grouped;
}

// The lexical form of an xsd:double as Excel writes it: sign, digits, '.', exponent.
bool read_lexical(std::string_view lexical, int scale, Wide& out, bool& rounded) {
  bool negative = false;
  std::size_t i = 0;
  if (i < lexical.size() && (lexical[i] == '-' || lexical[i] == '+')) negative = lexical[i++] == '-';
  std::string digits;
  int exponent = 0;
  bool dot = false;
  for (; i < lexical.size() && (is_digit(lexical[i]) || lexical[i] == '.'); ++i) {
    if (lexical[i] == '.') {
      if (dot) return false;
      dot = true;
    } else {
      digits += lexical[i];
      if (dot) --exponent;
    }
  }
  if (digits.empty()) return false;
  if (i < lexical.size() && (lexical[i] == 'e' || lexical[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < lexical.size() && (lexical[i] == '-' || lexical[i] == '+')) exp_negative = lexical[i++] == '-';
    int e = 0;
    const std::size_t start = i;
    for (; i < lexical.size() && is_digit(lexical[i]); ++i) {
      e = e * 10 + (lexical[i] - '0');
      if (e > 400) return false;
    }
    if (i == start) return false;
    exponent += exp_negative ? -e : e;
  }
  if (i != lexical.size()) return false;
  const auto first = digits.find_first_not_of('0');
  digits = first == std::string::npos ? "0" : digits.substr(first);
  int shift = exponent + scale;  // value * 10^scale = digits * 10^shift
  if (static_cast<int>(digits.size()) + shift > 17) return false;  // beyond 10^15 euro
  rounded = false;
  Wide value = 0;
  if (shift >= 0) {
    for (char d : digits) value = value * 10 + (d - '0');
    for (int k = 0; k < shift; ++k) value *= 10;
  } else {
    const std::size_t keep = digits.size() > static_cast<std::size_t>(-shift) ? digits.size() - static_cast<std::size_t>(-shift) : 0;
    for (std::size_t k = 0; k < keep; ++k) value = value * 10 + (digits[k] - '0');
    const std::string dropped = digits.substr(keep);
    const std::string padded = std::string(static_cast<std::size_t>(-shift) - dropped.size(), '0') + dropped;
    if (padded.find_first_not_of('0') != std::string::npos) rounded = true;
    if (!padded.empty() && padded[0] >= '5') ++value;  // half away from zero
  }
  out = negative ? -value : value;
  return true;
}

bool valid_date(const Date& d) {
  if (d.year < 1900 || d.year > 9999 || d.month < 1 || d.month > 12 || d.day < 1) return false;
  return d.day <= days_in_month(d.year, d.month);
}

Problem invalid(std::string_view text, const char* what_it, const char* what_en) {
  return {quoted(text) + " non è " + what_it, quoted(text) + " is not " + what_en};
}

template <typename T>
Parsed<T> failure(Problem problem) {
  Parsed<T> out;
  out.error = std::move(problem);
  return out;
}

template <typename T>
Parsed<T> nothing() {
  Parsed<T> out;
  out.empty = true;
  return out;
}

}  // namespace

Parsed<std::int64_t> parse_amount_text(std::string_view text) {
  std::string_view body = trim_spaces(text);
  if (body.empty()) return nothing<std::int64_t>();
  bool had_currency = false;
  body = strip_currency(body, had_currency);
  if (body.empty()) return nothing<std::int64_t>();  // "€" alone: nothing written
  if (is_dash(body)) {
    Parsed<std::int64_t> zero;
    zero.value = 0;
    return zero;
  }
  bool negative = false;
  if (body.size() >= 2 && body.front() == '(' && body.back() == ')') {
    negative = true;
    body = trim_spaces(body.substr(1, body.size() - 2));
  }
  if (body.starts_with("-") || body.starts_with("\xE2\x88\x92")) {
    negative = !negative;
    body.remove_prefix(body.starts_with("-") ? 1 : 3);
  } else if (body.starts_with("+")) {
    body.remove_prefix(1);
  }
  body = strip_currency(body, had_currency);
  Decimal decimal;
  switch (read_italian_number(body, 2, decimal)) {
    case DecimalError::none: break;
    case DecimalError::grouping: {
      const std::string hint = suggestion_for(body);
      return failure<std::int64_t>(
          {quoted(text) + " non è un importo valido: separatore delle migliaia fuori posto" +
               (hint.empty() ? "" : " (forse " + hint + "?)"),
           quoted(text) + " is not a valid amount: misplaced thousands separator" + (hint.empty() ? "" : " (" + hint + "?)")});
    }
    case DecimalError::too_many_decimals:
      return failure<std::int64_t>({quoted(text) + " non è un importo valido: più di due decimali",
                                    quoted(text) + " is not a valid amount: more than two decimals"});
    case DecimalError::too_large:
      return failure<std::int64_t>({quoted(text) + " è un importo troppo grande", quoted(text) + " is too large an amount"});
    case DecimalError::characters:
      return failure<std::int64_t>(invalid(text, "un importo valido (es. 1.234,56)", "a valid amount (e.g. 1.234,56)"));
  }
  Parsed<std::int64_t> out;
  out.value = static_cast<std::int64_t>(negative ? -decimal.scaled : decimal.scaled);
  return out;
}

Parsed<std::int64_t> parse_amount_number(std::string_view lexical) {
  Wide cents = 0;
  bool rounded = false;
  if (!read_lexical(lexical, 2, cents, rounded)) {
    return failure<std::int64_t>(invalid(lexical, "un importo valido", "a valid amount"));
  }
  Parsed<std::int64_t> out;
  out.value = static_cast<std::int64_t>(cents);
  // Binary doubles such as 44606.879999999997 are the cent amount Excel shows; only flag
  // values that differ from every cent amount by more than float noise.
  if (rounded) {
    Wide micro = 0;
    bool unused = false;
    read_lexical(lexical, 8, micro, unused);
    const Wide diff = micro - cents * 1000000;
    if (diff > 100 || diff < -100) {
      out.warning = Problem{"importo con più di due decimali (" + std::string(lexical) + "): arrotondato a " + format_cents(*out.value),
                            "amount with more than two decimals (" + std::string(lexical) + "): rounded to " + format_cents(*out.value)};
    }
  }
  return out;
}

Parsed<std::int64_t> parse_count_text(std::string_view text) {
  std::string_view body = trim_spaces(text);
  if (body.empty()) return nothing<std::int64_t>();
  for (std::string_view prefix : {"n.", "n\xC2\xB0", "nr.", "num."}) {
    if (starts_with_ci(body, prefix)) {
      body = trim_spaces(body.substr(prefix.size()));
      break;
    }
  }
  bool negative = false;
  if (body.starts_with("-")) {
    negative = true;
    body.remove_prefix(1);
  }
  Decimal decimal;
  const DecimalError error = read_italian_number(body, 0, decimal);
  if (error == DecimalError::too_many_decimals || (error == DecimalError::none && !decimal.decimals_all_zero)) {
    return failure<std::int64_t>({quoted(text) + " non è un numero intero", quoted(text) + " is not a whole number"});
  }
  if (error != DecimalError::none) {
    return failure<std::int64_t>(invalid(text, "un numero intero valido (es. 1.250)", "a valid whole number (e.g. 1.250)"));
  }
  Parsed<std::int64_t> out;
  out.value = static_cast<std::int64_t>(negative ? -decimal.scaled : decimal.scaled);
  if (decimal.decimals_written > 0) {
    out.warning = Problem{quoted(text) + ": un conteggio non ha decimali, letto come " + std::to_string(*out.value),
                          quoted(text) + ": a count has no decimals, read as " + std::to_string(*out.value)};
  }
  return out;
}

Parsed<std::int64_t> parse_count_number(std::string_view lexical) {
  Wide value = 0;
  bool rounded = false;
  if (!read_lexical(lexical, 0, value, rounded)) {
    return failure<std::int64_t>(invalid(lexical, "un numero intero valido", "a valid whole number"));
  }
  if (rounded) return failure<std::int64_t>({quoted(lexical) + " non è un numero intero", quoted(lexical) + " is not a whole number"});
  Parsed<std::int64_t> out;
  out.value = static_cast<std::int64_t>(value);
  return out;
}

namespace {

// A number in hundredths, "%" allowed at the end; `what` names it in the error.
Parsed<std::int64_t> parse_hundredths(std::string_view text, const char* what_it, const char* what_en) {
  std::string_view body = trim_spaces(text);
  if (body.empty()) return nothing<std::int64_t>();
  if (body.ends_with("%")) body = trim_spaces(body.substr(0, body.size() - 1));
  bool negative = false;
  if (body.starts_with("-")) {
    negative = true;
    body.remove_prefix(1);
  }
  Decimal decimal;
  if (read_italian_number(body, 2, decimal) != DecimalError::none) return failure<std::int64_t>(invalid(text, what_it, what_en));
  Parsed<std::int64_t> out;
  out.value = static_cast<std::int64_t>(negative ? -decimal.scaled : decimal.scaled);
  return out;
}

}  // namespace

Parsed<std::int64_t> parse_percent_text(std::string_view text) {
  return parse_hundredths(text, "una percentuale valida (es. 10,4%)", "a valid percentage (e.g. 10,4%)");
}

Parsed<std::int64_t> parse_decimal_text(std::string_view text) {
  return parse_hundredths(text, "un numero valido (es. 600 oppure 12,5)", "a valid number (e.g. 600 or 12,5)");
}

Parsed<std::int64_t> parse_percent_number(std::string_view lexical, bool percent_format) {
  Wide value = 0;
  bool rounded = false;
  if (!read_lexical(lexical, percent_format ? 4 : 2, value, rounded)) {
    return failure<std::int64_t>(invalid(lexical, "una percentuale valida", "a valid percentage"));
  }
  Parsed<std::int64_t> out;
  out.value = static_cast<std::int64_t>(value);
  return out;
}

std::string to_string(const Date& date) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d/%02d/%04d", date.day, date.month, date.year);
  return buf;
}

Parsed<Date> parse_date_text(std::string_view text) {
  const std::string_view body = trim_spaces(text);
  if (body.empty()) return nothing<Date>();
  // Split into numbers and words.
  std::vector<std::string> parts;
  std::string current;
  std::string separators;
  for (std::size_t i = 0; i <= body.size(); ++i) {
    const char c = i < body.size() ? body[i] : ' ';
    const bool word_char = is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (word_char) {
      current += lower(c);
    } else {
      if (!current.empty()) parts.push_back(current);
      current.clear();
      if (i < body.size() && c != ' ') separators += c;
    }
  }
  Date date;
  bool parsed = false;
  // Day, month or year: one to four digits, nothing else.
  auto number = [](const std::string& s, int& out) {
    const auto value = s.size() <= 4 && !s.starts_with('-') ? parse_integer<int>(s) : std::nullopt;
    if (value) out = *value;
    return value.has_value();
  };
  if (parts.size() == 3) {
    int a = 0, c = 0;
    const bool first_numeric = number(parts[0], a);
    const bool last_numeric = number(parts[2], c);
    int month = 0;
    if (!number(parts[1], month)) {
      for (std::size_t m = 0; m < kItalianMonths.size(); ++m) {
        const std::string_view name = kItalianMonths[m];
        if (parts[1] == name || (parts[1].size() >= 3 && name.starts_with(parts[1]))) month = static_cast<int>(m) + 1;
      }
    }
    if (first_numeric && last_numeric && month != 0) {
      if (parts[0].size() == 4) {
        date = {a, month, c};  // 2021-12-31
      } else {
        date = {c < 100 && parts[2].size() == 2 ? 2000 + c : c, month, a};
      }
      parsed = parts[2].size() == 4 || parts[2].size() == 2 || parts[0].size() == 4;
    }
  }
  // "1° gennaio 2021": the degree sign is a separator above, so only the parts matter.
  if (!parsed || !valid_date(date)) {
    return failure<Date>(invalid(text, "una data valida (es. 31/12/2023)", "a valid date (e.g. 31/12/2023)"));
  }
  Parsed<Date> out;
  out.value = date;
  return out;
}

Parsed<bool> parse_yes_no(std::string_view text) {
  std::string body(trim_spaces(text));
  for (char& c : body) c = lower(c);
  if (body.empty()) return nothing<bool>();
  for (std::string_view yes : {"si", "s\xC3\xAC", "s\xC3\xAD", "si'", "s\xC3\xAC'", "s", "x", "yes", "vero", "true"}) {
    if (body == yes) {
      Parsed<bool> out;
      out.value = true;
      return out;
    }
  }
  // Uppercase "SÌ" lowers to "s" followed by the uppercase letter's bytes.
  if (body == "s\xC3\x8C" || body == "s\xC3\x8D") {
    Parsed<bool> out;
    out.value = true;
    return out;
  }
  for (std::string_view no : {"no", "n", "falso", "false"}) {
    if (body == no) {
      Parsed<bool> out;
      out.value = false;
      return out;
    }
  }
  return failure<bool>(invalid(text, "SI o NO", "SI or NO (yes or no)"));
}

namespace {

// A letter of the Latin alphabets clerks type (à, È, ç, ...): U+00C0 to U+024F but × and ÷.
// Other multi-byte characters (•, –, €, ’) are marks, not the content of a word.
bool latin_letter_at(std::string_view text, std::size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  if (lead < 0xC3 || lead > 0xC9 || i + 1 >= text.size()) return false;
  const auto next = static_cast<unsigned char>(text[i + 1]);
  return !(lead == 0xC3 && (next == 0x97 || next == 0xB7));
}

}  // namespace

std::size_t count_words(std::string_view text) {
  std::size_t words = 0;
  bool in_word = false;
  bool word_has_content = false;
  bool first_on_line = true;     // the word being read is the first of its line
  std::size_t word_start = 0;
  auto end_word = [&](std::size_t end) {
    // "o" opening a line is the bullet Word's lists leave when pasted, not the conjunction.
    const bool bullet = first_on_line && end - word_start == 1 && (text[word_start] == 'o' || text[word_start] == 'O');
    if (in_word && word_has_content && !bullet) ++words;
    if (in_word) first_on_line = false;
    in_word = word_has_content = false;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '<') {
      // An HTML tag left in the cell (<i>, </b>, <br/>) is not a word; it separates words.
      const auto close = text.find('>', i);
      const bool tag = close != std::string_view::npos && close - i <= 12 && i + 1 < text.size() &&
                       (text[i + 1] == '/' || (text[i + 1] >= 'a' && text[i + 1] <= 'z'));
      if (tag) {
        end_word(i);
        i = close;
        continue;
      }
    }
    const auto u = static_cast<unsigned char>(c);
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
                       (u == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xA0);
    if (space) {
      end_word(i);
      if (c == '\n' || c == '\r') first_on_line = true;
      if (u == 0xC2) ++i;
      continue;
    }
    if (!in_word) word_start = i;
    in_word = true;
    if (is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || latin_letter_at(text, i)) word_has_content = true;
  }
  end_word(text.size());
  return words;
}

std::string format_cents(std::int64_t cents) {
  const bool negative = cents < 0;
  const auto magnitude = static_cast<std::uint64_t>(negative ? -(cents + 1) : cents) + (negative ? 1u : 0u);
  const std::string digits = std::to_string(magnitude / 100);
  std::string grouped;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += '.';
    grouped += digits[i];
  }
  char fraction[4];
  std::snprintf(fraction, sizeof fraction, "%02u", static_cast<unsigned>(magnitude % 100));
  return (negative ? "-" : "") + grouped + "," + fraction;
}

}  // namespace consolida::values
