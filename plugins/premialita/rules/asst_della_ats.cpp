// Native rule of the premialità form: the project is coordinated by an ATS, so at least one of
// the ASST involved should be one of that ATS's own. form.json cannot say this: it relates the
// rows of a table (ASST coinvolte) to another list's group (the ATS of each ASST).
#include <Poco/ClassLibrary.h>

#include "consolida/rules.hpp"

namespace {

using namespace consolida::forms;

class AsstDellaAts final : public Rule {
 public:
  std::string_view code() const override { return "PREM-N01"; }

  void check(const TypedForm& form, IssueSink& sink) const override {
    const TypedField* ats_field = form.field("ats");
    const TypedTable* asst_table = form.table("asst_coinvolte");
    if (!ats_field || !ats_field->found || !asst_table || !asst_table->found) return;
    const ListItem* ats = ats_field->value.item();
    if (!ats) return;  // an unknown ATS is reported by the list check
    const CellValue* first = nullptr;
    for (const TypedRow& row : asst_table->rows) {
      const ListItem* asst = row.cells[0].item();
      if (!asst) continue;
      if (asst->group == ats->code) return;
      if (!first) first = &row.row->key;
    }
    if (!first) return;  // no ASST listed: rule PREM-R05 says so
    sink.add(std::string(code()), Severity::warning, place_of(*asst_table, first), "ASST coinvolte", first->text,
             {"nessuna delle ASST coinvolte appartiene alla " + ats->label + " che coordina il progetto: verificare",
              "none of the ASST involved belongs to " + ats->label + ", which coordinates the project: please check"});
  }
};

}  // namespace

POCO_BEGIN_MANIFEST(consolida::forms::Rule)
POCO_EXPORT_CLASS(AsstDellaAts)
POCO_END_MANIFEST
