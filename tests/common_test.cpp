// The helpers of src/common that every part of consolida shares.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "common/calendar.hpp"
#include "common/csv.hpp"
#include "common/digest.hpp"
#include "common/file_name.hpp"
#include "common/numbers.hpp"
#include "common/rome_time.hpp"

namespace {

using namespace consolida;

TEST(Calendar, LeapYearsAndMonthLengths) {
  EXPECT_TRUE(is_leap(2024));
  EXPECT_TRUE(is_leap(2000));
  EXPECT_FALSE(is_leap(1900));
  EXPECT_FALSE(is_leap(2023));
  EXPECT_EQ(days_in_month(2024, 2), 29);
  EXPECT_EQ(days_in_month(2023, 2), 28);
  EXPECT_EQ(days_in_month(2023, 4), 30);
  EXPECT_EQ(days_in_month(2023, 12), 31);
}

TEST(Calendar, CivilDatesCountedInDays) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  EXPECT_EQ(days_from_civil(1899, 12, 30), -25569);  // Excel's serial 0
  // A day past the month's end runs into the next month, as Excel's serials expect.
  EXPECT_EQ(days_from_civil(2023, 2, 31), days_from_civil(2023, 3, 3));
  const CivilDate before = civil_from_days(-1);
  EXPECT_EQ(before.year, 1969);
  EXPECT_EQ(before.month, 12);
  EXPECT_EQ(before.day, 31);
  for (std::int64_t day = -800000; day < 3000000; day += 997) {
    const CivilDate date = civil_from_days(day);
    EXPECT_EQ(days_from_civil(date.year, date.month, date.day), day);
  }
}

TEST(Calendar, ItalianMonthNames) {
  EXPECT_EQ(kItalianMonths[0], "gennaio");
  EXPECT_EQ(kItalianMonths[8], "settembre");
  EXPECT_EQ(kItalianMonthsShort[5], "giu");
  EXPECT_EQ(kItalianMonthsShort[11], "dic");
  for (std::size_t m = 0; m < 12; ++m) EXPECT_TRUE(kItalianMonths[m].starts_with(kItalianMonthsShort[m])) << m;
}

TEST(Csv, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(csv_field("Lodi", ';'), "Lodi");
  EXPECT_EQ(csv_field("Lodi, Codogno", ';'), "Lodi, Codogno");
  EXPECT_EQ(csv_field("Lodi, Codogno", ','), "\"Lodi, Codogno\"");
  EXPECT_EQ(csv_field("a;b", ';'), "\"a;b\"");
  EXPECT_EQ(csv_field("detto \"Il Borgo\"", ','), "\"detto \"\"Il Borgo\"\"\"");
  EXPECT_EQ(csv_field("due\nrighe", ','), "\"due\nrighe\"");
  EXPECT_EQ(csv_field("", ','), "");
}

TEST(Digest, Sha256OfBytesAndFiles) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::filesystem::path file = std::filesystem::temp_directory_path() / ("consolida-digest-" + std::to_string(::getpid()));
  const std::string bytes(100000, 'x');  // longer than one read block
  std::ofstream(file, std::ios::binary) << bytes;
  EXPECT_EQ(sha256_hex_file(file.string()), sha256_hex(bytes));
  std::filesystem::remove(file);
  EXPECT_EQ(sha256_hex_file(file.string()), "");
}

TEST(Numbers, WholeTextOrNothing) {
  EXPECT_EQ(parse_integer<int>("42"), 42);
  EXPECT_EQ(parse_integer<int>("-3"), -3);
  EXPECT_EQ(parse_integer<std::uint16_t>("65535"), 65535);
  EXPECT_FALSE(parse_integer<std::uint16_t>("65536"));
  EXPECT_FALSE(parse_integer<unsigned>("-1"));
  EXPECT_FALSE(parse_integer<int>(""));
  EXPECT_FALSE(parse_integer<int>("abc"));
  EXPECT_FALSE(parse_integer<int>("12abc"));
  EXPECT_FALSE(parse_integer<int>(" 12"));
  EXPECT_FALSE(parse_integer<int>("+12"));
}

TEST(RomeTime, SummerAndWinterOffsets) {
  // 31/12/2026 23:59 CET = 22:59 UTC; 30/06/2026 12:00 CEST = 10:00 UTC.
  EXPECT_EQ(parse_rome_time("2026-12-31 23:59"), 1798757940);
  EXPECT_EQ(parse_rome_time("2026-06-30 12:00"), 1782813600);
  EXPECT_EQ(format_rome_time(1798757940), "31/12/2026 23:59");
  EXPECT_EQ(format_rome_time(1782813600), "30/06/2026 12:00");
  EXPECT_FALSE(parse_rome_time("31/12/2026"));
}

TEST(RomeTime, ClocksChangeAtOneUtcOnTheLastSundays) {
  // 29/03/2026 01:00 UTC: 02:00 CET becomes 03:00 CEST. 25/10/2026 01:00 UTC: 03:00 CEST becomes 02:00 CET.
  EXPECT_EQ(format_rome_time(1774746000 - 60), "29/03/2026 01:59");
  EXPECT_EQ(format_rome_time(1774746000), "29/03/2026 03:00");
  EXPECT_EQ(format_rome_time(1792890000 - 60), "25/10/2026 02:59");
  EXPECT_EQ(format_rome_time(1792890000), "25/10/2026 02:00");
  EXPECT_EQ(parse_rome_time("2026-03-29 03:00"), 1774746000);
  EXPECT_EQ(parse_rome_time("2026-10-25"), 1792879200);  // midnight, still summer time
  EXPECT_FALSE(parse_rome_time("1969-12-31 23:00"));
  EXPECT_FALSE(parse_rome_time("2026-13-01 10:00"));
}

TEST(RomeTime, UnixNowIsTheSystemClock) {
  const std::int64_t before = static_cast<std::int64_t>(::time(nullptr));
  const std::int64_t now = unix_now();
  EXPECT_GE(now, before);
  EXPECT_LE(now, before + 2);
}

// The annotated copy is always an .xlsx, whatever the clerk sent: its name says so.
TEST(FileName, TheAnnotatedCopyOfAnyFormatIsNamedXlsx) {
  EXPECT_EQ(annotated_copy_name("spesa.xlsx"), "annotato-spesa.xlsx");
  EXPECT_EQ(annotated_copy_name("spesa 2024.ods"), "annotato-spesa 2024.xlsx");
  EXPECT_EQ(annotated_copy_name("VECCHIO.XLS"), "annotato-VECCHIO.xlsx");
  EXPECT_EQ(annotated_copy_name("senza estensione"), "annotato-senza estensione.xlsx");
  EXPECT_EQ(annotated_copy_name("v1.2 spesa"), "annotato-v1.2 spesa.xlsx") << "a dot inside the name is not an extension";
}

TEST(FileName, KeepsTheBaseNameOfAnyPathSent) {
  EXPECT_EQ(clean_file_name("C:\\Users\\x\\file.xlsx"), "file.xlsx");
  EXPECT_EQ(clean_file_name("/home/x/Documenti/spesa 2024.xlsx"), "spesa 2024.xlsx");
  EXPECT_EQ(clean_file_name("..\\../segreto.xlsx"), "segreto.xlsx");
  EXPECT_EQ(clean_file_name("Melzo – spesa è ok.xlsx"), "Melzo – spesa è ok.xlsx");
  for (const char* nothing : {"", "C:\\", "dir/", "..", ".", "\x01\x02", "\xE2\x80\xAE"}) EXPECT_EQ(clean_file_name(nothing), "") << nothing;
}

TEST(FileName, DropsControlAndBidiCharactersAndRepairsBrokenUtf8) {
  // U+202E turns "melzoxslx.exe" into what reads as "melzoexe.xlsx".
  EXPECT_EQ(clean_file_name("melzo\xE2\x80\xAExslx.exe"), "melzoxslx.exe");
  for (const char* bidi : {"\xE2\x80\xAA", "\xE2\x80\xAB", "\xE2\x80\xAC", "\xE2\x80\xAD", "\xE2\x80\xAE", "\xE2\x81\xA6", "\xE2\x81\xA7",
                           "\xE2\x81\xA8", "\xE2\x81\xA9", "\xE2\x80\x8E", "\xE2\x80\x8F"}) {
    EXPECT_EQ(clean_file_name(std::string("a") + bidi + "b.xlsx"), "ab.xlsx") << bidi;
  }
  EXPECT_EQ(clean_file_name("a\r\nb\t\x7F\xC2\x85.xlsx"), "ab.xlsx");
  EXPECT_EQ(clean_file_name("a\xFF\xC3.xlsx"), "a__.xlsx");
  EXPECT_EQ(clean_file_name("a\xC0\xAF.xlsx"), "a__.xlsx") << "an overlong '/' is no character";
}

TEST(FileName, CapsAt255BytesOnACharacterBoundaryKeepingTheExtension) {
  std::string long_name;
  for (int i = 0; i < 200; ++i) long_name += "è";  // 2 bytes each
  const std::string cleaned = clean_file_name(long_name + ".xlsx");
  EXPECT_LE(cleaned.size(), 255u);
  EXPECT_GE(cleaned.size(), 254u);
  EXPECT_TRUE(cleaned.ends_with("è.xlsx")) << cleaned;
  EXPECT_EQ(utf8_prefix("aè", 2), "a");
  EXPECT_EQ(utf8_prefix("aè", 3), "aè");
  EXPECT_EQ(utf8_prefix("a\xF0\x9F\x98\x80", 4), "a");
  EXPECT_EQ(utf8_prefix("abc", 10), "abc");
}

TEST(FileName, ContentDispositionHasAnAsciiFallbackAndTheUtf8Name) {
  EXPECT_EQ(attachment_disposition("spesa-2024.xlsx"), "attachment; filename=\"spesa-2024.xlsx\"; filename*=UTF-8''spesa-2024.xlsx");
  EXPECT_EQ(attachment_disposition("Città \"nuova\" 100%;.xlsx"),
            "attachment; filename=\"Citt_ _nuova_ 100_;.xlsx\"; filename*=UTF-8''Citt%C3%A0%20%22nuova%22%20100%25%3B.xlsx");
  EXPECT_EQ(attachment_disposition("a\\b.xlsx"), "attachment; filename=\"a_b.xlsx\"; filename*=UTF-8''a%5Cb.xlsx");
}

}  // namespace
