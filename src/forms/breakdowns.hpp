// The breakdowns of a form's consolidation block (by area, by funding source, ...) read from a
// typed form: the consolidation's figures per ente and the rule breakdowns_agree both use them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "consolida/typed_form.hpp"

namespace consolida::forms {

// The item labels of a breakdown, in the order of breakdown_amounts.
std::vector<std::string> breakdown_items(const FormSpec& spec, const Breakdown& breakdown);

// One breakdown's amounts for one form, item by item, in cents: a column's rows by fixed row
// (free rows under `other_label`, else counted nowhere), or the sums of columns. Subtotal rows
// are never summed; unreadable cells count as zero (only forms taken with their errors have any).
std::vector<std::int64_t> breakdown_amounts(const TypedForm& form, const Breakdown& breakdown);

}  // namespace consolida::forms
