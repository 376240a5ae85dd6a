#include <gtest/gtest.h>

#include "consolida/xlsx.hpp"

using namespace consolida::xlsx;

namespace {
std::string iso(double serial, bool date1904 = false) {
  const auto dt = serial_to_datetime(serial, date1904);
  return dt ? to_iso8601(*dt) : "invalid";
}
}  // namespace

TEST(Dates, SerialsOfThe1900System) {
  // Reference values as Excel shows them.
  EXPECT_EQ(iso(1), "1900-01-01T00:00:00");
  EXPECT_EQ(iso(59), "1900-02-28T00:00:00");
  EXPECT_EQ(iso(61), "1900-03-01T00:00:00");
  EXPECT_EQ(iso(44561), "2021-12-31T00:00:00");
  EXPECT_EQ(iso(45291), "2023-12-31T00:00:00");
  EXPECT_EQ(iso(44561.5), "2021-12-31T12:00:00");
  EXPECT_EQ(iso(2958465), "9999-12-31T00:00:00");
}

TEST(Dates, SerialsOfThe1904System) {
  EXPECT_EQ(iso(0, true), "1904-01-01T00:00:00");
  EXPECT_EQ(iso(43100, true), "2022-01-01T00:00:00");  // 1,462 days after the 1900 system
}

TEST(Dates, RoundsToTheMillisecond) {
  EXPECT_EQ(iso(44561 + 0.99999999999), "2022-01-01T00:00:00");
  EXPECT_EQ(iso(44561 + 1.5 / 86400.0), "2021-12-31T00:00:01.500000");
}

TEST(Dates, RefusesSerialsOutsideTheCalendar) {
  EXPECT_FALSE(serial_to_datetime(-1, false));
  EXPECT_FALSE(serial_to_datetime(2958466, false));
  EXPECT_FALSE(serial_to_datetime(std::numeric_limits<double>::quiet_NaN(), false));
}

TEST(Dates, DateTimeToSerialInvertsSerialToDateTime) {
  for (double serial : {1.0, 59.0, 61.0, 366.0, 44561.0, 44561.25, 2958465.0}) {
    for (bool date1904 : {false, true}) {
      const auto dt = serial_to_datetime(serial, date1904);
      ASSERT_TRUE(dt);
      EXPECT_DOUBLE_EQ(*datetime_to_serial(*dt, date1904), serial) << serial << " 1904=" << date1904;
    }
  }
}

TEST(Dates, ParsesIso8601AsWrittenInDateCells) {
  EXPECT_EQ(to_iso8601(*parse_iso8601("2021-12-14")), "2021-12-14T00:00:00");
  EXPECT_EQ(to_iso8601(*parse_iso8601("2021-12-14T10:20:30Z")), "2021-12-14T10:20:30");
  EXPECT_EQ(to_iso8601(*parse_iso8601("2021-12-14T10:20:30.25")), "2021-12-14T10:20:30.250000");
  EXPECT_FALSE(parse_iso8601("14/12/2021"));
  EXPECT_FALSE(parse_iso8601("2021-13-01"));
}

TEST(NumberFormats, RecognisesDateFormats) {
  for (const char* code : {"dd/mm/yyyy", "d-mmm-yy", "h:mm", "[$-410]d mmmm yyyy", "yyyy-mm-dd hh:mm:ss", "[h]:mm:ss",
                           "mm:ss", "dddd"}) {
    EXPECT_TRUE(is_date_format(code)) << code;
  }
  for (const char* code : {"General", "0.00", "#,##0.00 \"€\"", "_-* #,##0.00\\ [$€-410]_-;-* #,##0.00\\ [$€-410]_-",
                           "0%", "\"day\" 0", "[Red]0.00", "@", "0.00E+00"}) {
    EXPECT_FALSE(is_date_format(code)) << code;
  }
}

TEST(NumberFormats, RecognisesDurations) {
  EXPECT_TRUE(is_duration_format("[h]:mm:ss"));
  EXPECT_TRUE(is_duration_format("[mm]:ss"));
  EXPECT_FALSE(is_duration_format("h:mm:ss"));
  EXPECT_FALSE(is_duration_format("[Red]h:mm"));
}

TEST(NumberFormats, KnowsTheBuiltInCodes) {
  EXPECT_EQ(builtin_number_format(14), "mm-dd-yy");
  EXPECT_EQ(builtin_number_format(4), "#,##0.00");
  EXPECT_TRUE(builtin_number_format(200).empty());
}
