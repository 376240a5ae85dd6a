// The breakdowns of a form's consolidation block (by area, by funding source, ...) read from a
// typed form: the consolidation's figures per ente and the rule breakdowns_agree both use them.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "consolida/typed_form.hpp"

namespace consolida::forms {

// Which item of a by-row breakdown a row counts in. A key that is one of the fixed rows counts
// there; a free key counts under `other_label` when the breakdown has one. Otherwise a free key
// that plainly names one fixed row ("Anziani - integrazione rette RSA": Anziani) counts there as
// a guess, to be confirmed by the clerk; any other counts nowhere, and `candidates` lists the
// fixed rows it could mean (all of them for a blank key).
struct RowItem {
  std::optional<std::size_t> item;
  bool guessed = false;
  std::vector<std::size_t> candidates;
};
RowItem row_item(const TableSpec& table, const Breakdown& breakdown, std::string_view key);

// The item labels of a breakdown, in the order of breakdown_amounts.
std::vector<std::string> breakdown_items(const FormSpec& spec, const Breakdown& breakdown);

// One breakdown's amounts for one form, item by item, in cents: a column's rows by fixed row
// (free rows under `other_label`, else counted nowhere), or the sums of columns. Subtotal rows
// are never summed; unreadable cells count as zero (only forms taken with their errors have any).
std::vector<std::int64_t> breakdown_amounts(const TypedForm& form, const Breakdown& breakdown);

}  // namespace consolida::forms
