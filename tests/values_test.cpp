#include <gtest/gtest.h>

#include "consolida/values.hpp"

using namespace consolida::values;

namespace {
std::int64_t cents(std::string_view text) {
  const auto parsed = parse_amount_text(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << (parsed.error ? parsed.error->it : "empty");
  return parsed.value.value_or(-999);
}
}  // namespace

TEST(Amounts, ReadTheWaysTheSeedsWriteThem) {
  EXPECT_EQ(cents("1.465.416,78 €"), 146541678);
  EXPECT_EQ(cents("€ 203.000,00"), 20300000);
  EXPECT_EQ(cents("€. 15.645,00"), 1564500);
  EXPECT_EQ(cents("euro 242.400,00"), 24240000);
  EXPECT_EQ(cents("10.000€"), 1000000);
  EXPECT_EQ(cents("€ 44.606,88"), 4460688);
  EXPECT_EQ(cents("€3.500"), 350000);
  EXPECT_EQ(cents("€ 5.500"), 550000);
  EXPECT_EQ(cents("1234,5"), 123450);
  EXPECT_EQ(cents("1234.56"), 123456);  // a point that cannot be a thousands separator
  EXPECT_EQ(cents("1 234,56"), 123456);
  EXPECT_EQ(cents("1\xC2\xA0" "234,56 \xE2\x82\xAC"), 123456);  // NBSP, as pasted from the web
}

TEST(Amounts, DashIsZeroAndEmptyIsMissing) {
  EXPECT_EQ(cents("- €"), 0);
  EXPECT_EQ(cents("-"), 0);
  EXPECT_TRUE(parse_amount_text("").empty);
  EXPECT_TRUE(parse_amount_text("   ").empty);
  EXPECT_TRUE(parse_amount_text("€").empty);
  EXPECT_FALSE(parse_amount_text("").ok());
}

TEST(Amounts, NegativeAmounts) {
  EXPECT_EQ(cents("-1.234,56"), -123456);
  EXPECT_EQ(cents("(1.234,56)"), -123456);
  EXPECT_EQ(cents("- € 10,00"), -1000);
}

TEST(Amounts, MisplacedSeparatorIsAnErrorWithASuggestion) {
  const auto parsed = parse_amount_text("€ 5.0106,88");  // seed 002, the TOT of the budget
  ASSERT_FALSE(parsed.ok());
  ASSERT_TRUE(parsed.error);
  EXPECT_NE(parsed.error->it.find("separatore delle migliaia fuori posto"), std::string::npos);
  EXPECT_NE(parsed.error->it.find("50.106,88"), std::string::npos) << parsed.error->it;
  EXPECT_NE(parsed.error->en.find("misplaced"), std::string::npos);
  // Dots throughout: the last one, before two digits, was meant as the decimal comma.
  const auto dotted = parse_amount_text("12.500.50");
  ASSERT_TRUE(dotted.error);
  EXPECT_NE(dotted.error->it.find("forse 12.500,50?"), std::string::npos) << dotted.error->it;
}

TEST(Amounts, OtherInvalidTexts) {
  for (const char* bad : {"1.234,567", "12a", "1,2,3", "€ abc", "1..2", ".,", "12,", "1.2345,00"}) {
    const auto parsed = parse_amount_text(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
    EXPECT_TRUE(parsed.error.has_value()) << bad;
  }
}

TEST(Amounts, NumericCellsAreExactCents) {
  EXPECT_EQ(*parse_amount_number("44606.879999999997").value, 4460688);
  EXPECT_FALSE(parse_amount_number("44606.879999999997").warning);  // float noise, not a real third decimal
  EXPECT_EQ(*parse_amount_number("5500").value, 550000);
  EXPECT_EQ(*parse_amount_number("1E3").value, 100000);
  EXPECT_EQ(*parse_amount_number("1.5E-2").value, 2);
  EXPECT_EQ(*parse_amount_number("-0.005").value, -1);  // half away from zero
  const auto rounded = parse_amount_number("12.345");
  EXPECT_EQ(*rounded.value, 1235);
  ASSERT_TRUE(rounded.warning);
  EXPECT_NE(rounded.warning->it.find("12,35"), std::string::npos);
  EXPECT_FALSE(parse_amount_number("1e999").ok());
  EXPECT_FALSE(parse_amount_number("abc").ok());
}

TEST(Amounts, SumsOfCentsAreExactWhereDoublesAreNot) {
  // 0.1 + 0.2 in binary floating point is not 0.3; in cents it is.
  EXPECT_EQ(*parse_amount_number("0.1").value + *parse_amount_number("0.2").value, *parse_amount_number("0.3").value);
}

TEST(Amounts, FormatsCentsTheItalianWay) {
  EXPECT_EQ(format_cents(5010688), "50.106,88");
  EXPECT_EQ(format_cents(2376495635), "23.764.956,35");
  EXPECT_EQ(format_cents(5), "0,05");
  EXPECT_EQ(format_cents(-50), "-0,50");
  EXPECT_EQ(format_cents(std::numeric_limits<std::int64_t>::min()).substr(0, 1), "-");
}

TEST(Counts, WholeNumbersWithThousandsSeparators) {
  EXPECT_EQ(*parse_count_text("7.063").value, 7063);
  EXPECT_EQ(*parse_count_text("n. 12").value, 12);
  EXPECT_EQ(*parse_count_text("n.1").value, 1);
  const auto suspicious = parse_count_text("7.063.716,00");
  EXPECT_EQ(*suspicious.value, 7063716);
  EXPECT_TRUE(suspicious.warning);
  EXPECT_FALSE(parse_count_text("12,5").ok());
  EXPECT_FALSE(parse_count_text("dodici").ok());
  EXPECT_EQ(*parse_count_number("300").value, 300);
  EXPECT_FALSE(parse_count_number("2.5").ok());
}

TEST(Percentages, InHundredthsOfAPoint) {
  EXPECT_EQ(*parse_percent_text("10,4%").value, 1040);
  EXPECT_EQ(*parse_percent_text("75%").value, 7500);
  EXPECT_EQ(*parse_percent_text("37,50").value, 3750);
  EXPECT_EQ(*parse_percent_number("0.104", true).value, 1040);
  EXPECT_EQ(*parse_percent_number("70", false).value, 7000);
  EXPECT_FALSE(parse_percent_text("molto").ok());
}

TEST(Dates, ItalianWritings) {
  EXPECT_EQ(*parse_date_text("14/12/2021").value, (Date{2021, 12, 14}));
  EXPECT_EQ(*parse_date_text("31.12.2021").value, (Date{2021, 12, 31}));
  EXPECT_EQ(*parse_date_text("1 Gennaio 2021").value, (Date{2021, 1, 1}));
  EXPECT_EQ(*parse_date_text("1\xC2\xB0 gennaio 2021").value, (Date{2021, 1, 1}));
  EXPECT_EQ(*parse_date_text("24 Febbraio 2022").value, (Date{2022, 2, 24}));
  EXPECT_EQ(*parse_date_text("24 feb 2022").value, (Date{2022, 2, 24}));
  EXPECT_EQ(*parse_date_text("2023-12-31").value, (Date{2023, 12, 31}));
  EXPECT_EQ(*parse_date_text("14-12-21").value, (Date{2021, 12, 14}));
  EXPECT_EQ(to_string(Date{2023, 12, 31}), "31/12/2023");
}

TEST(Dates, ImpossibleDatesAreErrors) {
  for (const char* bad : {"31/02/2021", "29/02/2023", "32/01/2022", "12/13/2022", "domani", "2022", "1 Brumaio 2022"}) {
    EXPECT_FALSE(parse_date_text(bad).ok()) << bad;
  }
  EXPECT_TRUE(parse_date_text("29/02/2024").ok());
  EXPECT_TRUE(parse_date_text("").empty);
}

TEST(YesNo, ItalianAnswers) {
  for (const char* yes : {"SI", "Sì", "si", "SÌ", "x", "X", "sì "}) EXPECT_TRUE(*parse_yes_no(yes).value) << yes;
  for (const char* no : {"NO", "No", "no", "n"}) EXPECT_FALSE(*parse_yes_no(no).value) << no;
  EXPECT_FALSE(parse_yes_no("forse").ok());
  EXPECT_TRUE(parse_yes_no("").empty);
}

TEST(Words, CountedAsAReaderWould) {
  EXPECT_EQ(count_words(""), 0u);
  EXPECT_EQ(count_words("Accrescere la flessibilità dello strumento"), 5u);
  EXPECT_EQ(count_words("  uno,  due\n\ntre - quattro "), 4u);  // a lone dash is not a word
  EXPECT_EQ(count_words("<i>Working poors</i> e lavoratori"), 4u);
  EXPECT_EQ(count_words("a<br/>b"), 2u);
  EXPECT_EQ(count_words(std::string(600, 'x') + " y"), 2u);
  // Bullets, dashes and the euro sign are not words; list marks "o" opening a line neither, but the
  // conjunction "o" is one, and so are words of accented letters only.
  EXPECT_EQ(count_words("\u2022 primo punto\n\u2013 secondo \u20ac 5\no terzo"), 5u);
  EXPECT_EQ(count_words("Sì o no"), 3u);
  EXPECT_EQ(count_words("è \u00e0 perché"), 3u);
  EXPECT_EQ(count_words("prezzo 5 \u00d7 3"), 3u);
}
