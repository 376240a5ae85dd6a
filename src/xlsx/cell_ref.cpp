#include <string>

#include "consolida/xlsx.hpp"

namespace consolida::xlsx {

std::optional<CellRef> parse_a1(std::string_view text) {
  std::size_t i = 0;
  if (i < text.size() && text[i] == '$') ++i;
  std::uint64_t col = 0;
  const std::size_t col_begin = i;
  while (i < text.size()) {
    char c = text[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c < 'A' || c > 'Z') break;
    col = col * 26 + static_cast<std::uint64_t>(c - 'A' + 1);
    if (col > 16384) return std::nullopt;
    ++i;
  }
  if (i == col_begin) return std::nullopt;
  if (i < text.size() && text[i] == '$') ++i;
  std::uint64_t row = 0;
  const std::size_t row_begin = i;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    row = row * 10 + static_cast<std::uint64_t>(text[i] - '0');
    if (row > 1048576) return std::nullopt;
    ++i;
  }
  if (i == row_begin || i != text.size() || row == 0) return std::nullopt;
  return CellRef{static_cast<std::uint32_t>(row - 1), static_cast<std::uint32_t>(col - 1)};
}

std::string column_name(std::uint32_t col) {
  std::string out;
  std::uint64_t n = static_cast<std::uint64_t>(col) + 1;
  while (n > 0) {
    const auto rem = static_cast<char>((n - 1) % 26);
    out.insert(out.begin(), static_cast<char>('A' + rem));
    n = (n - 1) / 26;
  }
  return out;
}

std::string to_a1(CellRef ref) { return column_name(ref.col) + std::to_string(ref.row + 1); }

std::optional<Range> parse_range(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    auto cell = parse_a1(text);
    if (!cell) return std::nullopt;
    return Range{*cell, *cell};
  }
  auto first = parse_a1(text.substr(0, colon));
  auto last = parse_a1(text.substr(colon + 1));
  if (!first || !last) return std::nullopt;
  Range range{{std::min(first->row, last->row), std::min(first->col, last->col)},
              {std::max(first->row, last->row), std::max(first->col, last->col)}};
  return range;
}

std::string to_a1(const Range& range) {
  if (range.first == range.last) return to_a1(range.first);
  return to_a1(range.first) + ":" + to_a1(range.last);
}

std::string_view to_string(SheetState state) {
  switch (state) {
    case SheetState::visible: return "visible";
    case SheetState::hidden: return "hidden";
    case SheetState::very_hidden: return "veryHidden";
  }
  return "visible";
}

std::string_view to_string(SheetKind kind) {
  switch (kind) {
    case SheetKind::worksheet: return "worksheet";
    case SheetKind::chartsheet: return "chartsheet";
    case SheetKind::dialogsheet: return "dialogsheet";
    case SheetKind::macrosheet: return "macrosheet";
  }
  return "worksheet";
}

}  // namespace consolida::xlsx
