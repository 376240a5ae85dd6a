// The flow of an earmarked fund through a balance (ENTRATE -> SPESE): what it received on the
// rows of the income table keyed by it, and what the rows of the expenditure table that name it
// passed on. pass_through judges each fund by it; totals_equal rules out the funds in balance.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "forms/rules/declared_rule.hpp"

namespace consolida::forms {

struct FundFlow {
  std::int64_t received = 0, passed_on = 0;
  bool readable = true;                       // every amount involved read without a problem
  const CellValue* income = nullptr;          // the fund's (last) income cell
  const CellValue* first_transfer = nullptr;  // the first cell that passes it on
  bool balanced() const { return readable && received == passed_on; }
};

// The item of `list` each row of `in` is keyed by (null for subtotals, blank keys and others):
// looked up once per file, then shared by every fund.
std::vector<const ListItem*> income_funds(const FormSpec& spec, const std::string& list, const TypedTable& in);

FundFlow fund_flow(const ListItem& fund, const TypedTable& in, const std::vector<const ListItem*>& row_fund, std::size_t in_column,
                   const TypedTable& out, std::size_t out_column, std::size_t fund_column);

inline bool earmarked(const ListItem* item) { return item && item->group == "vincolato"; }

}  // namespace consolida::forms
