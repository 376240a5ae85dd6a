#include <gtest/gtest.h>

#include "consolida/xlsx.hpp"

using namespace consolida::xlsx;

TEST(CellRef, ParsesA1References) {
  EXPECT_EQ(parse_a1("A1"), (CellRef{0, 0}));
  EXPECT_EQ(parse_a1("B12"), (CellRef{11, 1}));
  EXPECT_EQ(parse_a1("$AA$3"), (CellRef{2, 26}));
  EXPECT_EQ(parse_a1("xfd1048576"), (CellRef{1048575, 16383}));
}

TEST(CellRef, RefusesMalformedOrOutOfSheet) {
  for (const char* bad : {"", "A", "1", "A0", "XFE1", "A1048577", "A1B", "1A", "A-1"}) {
    EXPECT_FALSE(parse_a1(bad).has_value()) << bad;
  }
}

TEST(CellRef, ColumnNamesRoundTrip) {
  EXPECT_EQ(column_name(0), "A");
  EXPECT_EQ(column_name(25), "Z");
  EXPECT_EQ(column_name(26), "AA");
  EXPECT_EQ(column_name(701), "ZZ");
  EXPECT_EQ(column_name(702), "AAA");
  EXPECT_EQ(column_name(16383), "XFD");
  for (std::uint32_t col = 0; col < 16384; col += 37) {
    EXPECT_EQ(parse_a1(column_name(col) + "7")->col, col);
  }
}

TEST(CellRef, ParsesRangesInAnyCornerOrder) {
  const auto range = parse_range("C3:A1");
  ASSERT_TRUE(range);
  EXPECT_EQ(to_a1(*range), "A1:C3");
  EXPECT_TRUE(range->contains({1, 1}));
  EXPECT_FALSE(range->contains({3, 0}));
  EXPECT_EQ(to_a1(*parse_range("D4")), "D4");
  EXPECT_FALSE(parse_range("A1:").has_value());
}
