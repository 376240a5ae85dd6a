// Totals of a consolidation by unit, in cents: the summary's figures, computed here once so the
// writer only writes them (as the cached values of its SUMIFS, SUM and COUNTIFS formulas).
#include <map>
#include <set>

#include "consolida/consolidate.hpp"

namespace consolida::consolidate {
namespace {

const registry::Ambito& ambito_of(const Result& r, std::size_t index) { return r.registry->ambiti()[index]; }

// The units of a block, named, in the order the summary lists them.
std::vector<UnitTotals> units_of(const Result& r, UnitKind kind) {
  std::vector<UnitTotals> units;
  const auto add = [&](std::string code, std::string name) {
    UnitTotals unit;
    unit.code = std::move(code);
    unit.name = std::move(name);
    units.push_back(std::move(unit));
  };
  switch (kind) {
    case UnitKind::comune:
      for (std::size_t c : ambito_of(r, r.ambiti.at(0)).comuni) add(r.registry->comuni()[c].istat, r.registry->comuni()[c].name);
      break;
    case UnitKind::ambito:
      for (std::size_t a : r.ambiti) add(ambito_of(r, a).code, ambito_of(r, a).name);
      break;
    case UnitKind::ats: {
      std::set<std::string> seen;
      for (std::size_t a : r.ambiti) {
        const std::string& ats = ambito_of(r, a).ats;
        if (seen.insert(ats).second) add(ats, r.registry->ats_name(ats));
      }
      break;
    }
  }
  return units;
}

const std::string& unit_code_of(const Result& r, const EnteFigures& ente, UnitKind kind) {
  switch (kind) {
    case UnitKind::comune: return ente.code;
    case UnitKind::ats: return ambito_of(r, ente.ambito).ats;
    case UnitKind::ambito: break;
  }
  return ambito_of(r, ente.ambito).code;
}

void add_figures(UnitTotals& to, const std::vector<std::int64_t>& items, std::int64_t population, const std::vector<std::int64_t>& counts) {
  for (std::size_t i = 0; i < items.size() && i < to.items.size(); ++i) to.items[i] += items[i];
  for (std::size_t k = 0; k < counts.size() && k < to.counts.size(); ++k) to.counts[k] += counts[k];
  to.population += population;
}

SummaryBlock block_of(const Result& r, std::size_t breakdown, UnitKind kind, bool with_counts) {
  SummaryBlock block;
  block.breakdown = breakdown;
  block.unit = kind;
  block.with_counts = with_counts;
  block.units = units_of(r, kind);
  const std::size_t items = r.breakdowns[breakdown].items.size();
  const std::size_t counts = r.form->consolidation.counts.size();
  std::map<std::string, std::size_t> index;
  for (std::size_t u = 0; u < block.units.size(); ++u) {
    block.units[u].items.assign(items, 0);
    block.units[u].counts.assign(counts, 0);
    index.emplace(block.units[u].code, u);
  }
  // An ente outside the listed units (none in a consistent registry) counts in no total.
  for (const EnteFigures& ente : r.enti) {
    const auto found = index.find(unit_code_of(r, ente, kind));
    if (found != index.end()) add_figures(block.units[found->second], ente.amounts[breakdown], ente.population, ente.counts);
  }
  block.overall.items.assign(items, 0);
  block.overall.counts.assign(counts, 0);
  for (UnitTotals& unit : block.units) {
    for (std::int64_t amount : unit.items) unit.total += amount;  // over the block's items, as the row's SUM
    add_figures(block.overall, unit.items, unit.population, unit.counts);
    block.overall.total += unit.total;
  }
  return block;
}

}  // namespace

std::int64_t EnteFigures::total(std::size_t breakdown) const {
  std::int64_t sum = 0;
  for (std::int64_t amount : amounts[breakdown]) sum += amount;
  return sum;
}

std::vector<SummaryBlock> summary_blocks(const Result& result) {
  std::vector<SummaryBlock> blocks;
  const bool comune_form = result.form->consolidation.ente == forms::ConsolidationSpec::Ente::comune;
  const UnitKind unit = result.level == Level::ambito && comune_form ? UnitKind::comune : UnitKind::ambito;
  for (std::size_t b = 0; b < result.breakdowns.size(); ++b) blocks.push_back(block_of(result, b, unit, b == 0));
  if (result.level == Level::regione) {
    for (std::size_t b = 0; b < result.breakdowns.size(); ++b) blocks.push_back(block_of(result, b, UnitKind::ats, false));
  }
  return blocks;
}

IndicatorTable count_indicators(const Result& result, IndicatorGrouping by) {
  IndicatorTable table;
  const forms::RecordsSpec& spec = *result.form->consolidation.records;
  const std::string& column = by == IndicatorGrouping::group ? spec.group_column : spec.kind_column;
  const std::vector<forms::ListItem>* items = nullptr;
  if (const forms::TableSpec* records = result.form->table(spec.table)) {
    for (const auto& c : records->columns) {
      if (c.id != column) continue;
      items = result.form->list(c.list);
      break;
    }
  }
  for (const forms::ListItem& item : items ? *items : std::vector<forms::ListItem>{}) {
    IndicatorCounts counts;
    counts.label = item.display();
    for (const Record& record : result.records) {
      if ((by == IndicatorGrouping::group ? record.group : record.kind) != counts.label) continue;
      ++counts.indicators;
      counts.with_achieved += record.achieved.has_value();
      counts.reached += record.achieved && record.expected && *record.expected > 0 && *record.achieved >= *record.expected;
      counts.declared_state += !record.achieved && !record.status.empty();
    }
    table.total.indicators += counts.indicators;
    table.total.with_achieved += counts.with_achieved;
    table.total.reached += counts.reached;
    table.total.declared_state += counts.declared_state;
    table.rows.push_back(std::move(counts));
  }
  return table;
}

}  // namespace consolida::consolidate
