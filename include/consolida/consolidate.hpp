// Consolidation: many filled forms of one kind -> totals by comune, Ambito, ATS and Regione.
//
// Every input is validated; only valid files are counted (unless include_invalid), one per ente.
// Amounts stay in cents end to end; the writer turns them into live formulas whose cached values
// are these exact sums.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "consolida/forms.hpp"
#include "consolida/registry.hpp"

namespace consolida::consolidate {

enum class Level { ambito, ats, regione };
std::optional<Level> parse_level(std::string_view text);
std::string_view to_string(Level level);  // "ambito", "ats", "regione"

struct Options {
  Level level = Level::regione;
  std::string scope;              // Ambito or ATS (code or name); empty: the one most inputs belong to
  bool include_invalid = false;   // count files with blocking errors too (they are marked)
  unsigned threads = 2;
  std::function<void(std::size_t done, std::size_t total)> progress;  // called from the calling thread
};

// A file to consolidate: where to read it and how the workbook names it. The CLI names a file by
// the path it was given; the server reads its stored copy and names it as the ente sent it.
struct Source {
  std::string path;
  std::string name;              // shown in the workbook; empty: the path
  std::string sender;            // the account that uploaded it; empty outside the server
  std::int64_t received_at = 0;  // Unix seconds of the upload; 0 outside the server
};

// One file given to consolidate, whatever became of it.
struct Input {
  std::string file;  // Source::name, or its path
  std::string sender;
  std::int64_t received_at = 0;
  std::string sha256;
  bool readable = false;
  std::string error_it, error_en;  // why it could not be read
  forms::Report report;
  std::string ente_code;  // ISTAT code or Ambito code, once identified
  bool used = false;
  std::string note_it;  // why it was not used ("duplicato di ...", "fuori dall'ambito ...")
};

// The figures of one ente taken from one valid file.
struct EnteFigures {
  std::size_t input = 0;  // index into Result::inputs
  std::string code;       // ISTAT code (comune) or Ambito code
  std::string name;
  std::size_t ambito = 0;  // index into registry ambiti
  std::int64_t population = 0;
  std::vector<std::vector<std::int64_t>> amounts;  // per breakdown, per item, cents
  std::vector<std::int64_t> counts;                // per count spec
  bool valid = true;                                // false only with include_invalid

  std::int64_t total(std::size_t breakdown) const;  // the breakdown's items summed, cents
};

// One indicator row of a records form (monitoraggio).
struct Record {
  std::size_t ente = 0;  // index into Result::enti
  std::string objective, group, kind, indicator, unit;
  std::optional<std::int64_t> expected;  // hundredths
  std::optional<std::int64_t> achieved;  // hundredths
  std::string status;                    // declared state instead of an achieved value
};

struct BreakdownItems {
  const forms::Breakdown* spec = nullptr;
  std::vector<std::string> items;  // labels, in column order
};

// An ente of the scope that has no usable file.
struct Missing {
  std::string code;
  std::string name;
  std::size_t ambito = 0;
  std::string reason_it;
};

struct Result {
  const forms::FormSpec* form = nullptr;
  const registry::Registry* registry = nullptr;
  Level level = Level::regione;
  std::string scope_code;  // Ambito or ATS code; empty for the Regione
  std::string scope_name;  // "Ambito di Lodi", "ATS della Val Padana", "Regione Lombardia"
  std::vector<BreakdownItems> breakdowns;
  std::vector<Input> inputs;
  std::vector<EnteFigures> enti;  // sorted by Ambito, then code
  std::vector<Record> records;
  std::vector<Missing> missing;
  std::vector<std::size_t> ambiti;  // registry indexes of the Ambiti in scope
  bool synthetic_registry = false;  // some Ambito in scope has a synthetic assignment
};

// The ente a filled form is for, found in the registry by the form's identity field: the ISTAT
// code for a comune's form, the Ambito's name (or alias) for the others.
struct IdentifiedEnte {
  std::string code;        // ISTAT code (comune) or Ambito code
  std::string name;        // as the registry writes it
  std::size_t ambito = 0;  // index into registry ambiti: the comune's Ambito, or the Ambito itself
};
struct EnteIdentification {
  std::optional<IdentifiedEnte> ente;
  forms::Text why_not;  // when ente is empty: "codice ISTAT non riconosciuto: «...»"
};
EnteIdentification identify_ente(const forms::FormSpec& form, const forms::FormInstance& instance, const registry::Registry& registry);

// Throws Error(form_unknown) when form_id is not among `forms` or has no consolidation block,
// Error(not_found) when the scope names no Ambito/ATS. Unreadable inputs do not throw.
Result consolidate(const std::vector<std::string>& files, const std::vector<forms::FormSpec>& forms, const std::string& form_id,
                   const Options& options, const registry::Registry& registry);
Result consolidate(const std::vector<Source>& sources, const std::vector<forms::FormSpec>& forms, const std::string& form_id,
                   const Options& options, const registry::Registry& registry);

// ---- Totals for the summary (aggregate.cpp): what the writer writes as the cached values of
// its formulas. Every amount in cents.

// The registry unit a summary block groups enti by.
enum class UnitKind { comune, ambito, ats };

// The figures of one unit summed over its enti; zeros for a unit without enti.
struct UnitTotals {
  std::string code, name;
  std::vector<std::int64_t> items;   // per item of the breakdown, cents
  std::int64_t total = 0;            // the items' sum, cents
  std::int64_t population = 0;
  std::vector<std::int64_t> counts;  // per count of the form (ConsolidationSpec::counts)
};

// One block of the summary: a breakdown by unit, and its totals over those units.
struct SummaryBlock {
  std::size_t breakdown = 0;      // index into Result::breakdowns
  UnitKind unit = UnitKind::ambito;
  bool with_counts = false;       // only the first block carries the form's counts
  std::vector<UnitTotals> units;  // the units of the scope, in registry order
  UnitTotals overall;             // sums over `units` (code and name empty)
};

// The summary of a form with breakdowns: per breakdown a block by unit (the comuni of the
// Ambito for a comune form at Ambito level, the Ambiti of the scope otherwise), then at the
// Regione per breakdown a block by ATS.
std::vector<SummaryBlock> summary_blocks(const Result& result);

// Indicators of a records form (monitoraggio) counted by one of its list columns.
enum class IndicatorGrouping { group, kind };  // ConsolidationSpec::records group_column, kind_column

struct IndicatorCounts {
  std::string label;                // the list item's display text; empty in the total
  std::int64_t indicators = 0;
  std::int64_t with_achieved = 0;   // a realised value given
  std::int64_t reached = 0;         // realised >= expected > 0
  std::int64_t declared_state = 0;  // a state ("In definizione") instead of a value
};

struct IndicatorTable {
  std::vector<IndicatorCounts> rows;  // one per list item, in list order
  IndicatorCounts total;
};

IndicatorTable count_indicators(const Result& result, IndicatorGrouping by);

}  // namespace consolida::consolidate
