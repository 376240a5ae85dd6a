#include "forms/rules/balance/fund_flow.hpp"

namespace consolida::forms {

std::vector<const ListItem*> income_funds(const FormSpec& spec, const std::string& list, const TypedTable& in) {
  std::vector<const ListItem*> row_fund(in.rows.size(), nullptr);
  for (std::size_t r = 0; r < in.rows.size(); ++r) {
    const TableRow& row = *in.rows[r].row;
    if (!row.subtotal && !row.key.blank()) row_fund[r] = find_list_item(spec, list, row.key.text);
  }
  return row_fund;
}

FundFlow fund_flow(const ListItem& fund, const TypedTable& in, const std::vector<const ListItem*>& row_fund, std::size_t in_column,
                   const TypedTable& out, std::size_t out_column, std::size_t fund_column) {
  FundFlow flow;
  for (std::size_t r = 0; r < in.rows.size(); ++r) {
    if (row_fund[r] != &fund) continue;
    const TypedCell& cell = in.rows[r].cells[in_column];
    flow.readable = flow.readable && (cell.blank() || cell.ok());
    flow.received += cell.number().value_or(0);
    flow.income = &cell_at(in.rows[r], in_column);
  }
  for (const TypedRow& row : out.rows) {
    if (row.subtotal() || row.cells[fund_column].item() != &fund) continue;
    flow.readable = flow.readable && (row.cells[out_column].blank() || row.cells[out_column].ok());
    flow.passed_on += row.cells[out_column].number().value_or(0);
    if (!flow.first_transfer) flow.first_transfer = &cell_at(row, out_column);
  }
  return flow;
}

}  // namespace consolida::forms
