// Native rule of the premialità form: the project is coordinated by an ATS, so at least one of
// the ASST involved should be one of that ATS's own. form.json cannot say this: it relates the
// rows of a table (ASST coinvolte) to another list's group (the ATS of each ASST).
#include <Poco/ClassLibrary.h>

#include "consolida/forms.hpp"

namespace {

using namespace consolida::forms;

class AsstDellaAts final : public NativeRule {
 public:
  void check(const FormInstance& instance, const FormSpec& form, std::vector<Issue>& issues) const override {
    const auto ats_field = instance.fields.find("ats");
    const auto asst_table = instance.tables.find("asst_coinvolte");
    if (ats_field == instance.fields.end() || !ats_field->second.found) return;
    if (asst_table == instance.tables.end() || !asst_table->second.found) return;
    const ListItem* ats = find_list_item(form, "ats", ats_field->second.cell.text);
    if (!ats) return;  // an unknown ATS is reported by the list check
    const CellValue* first = nullptr;
    for (const TableRow& row : asst_table->second.rows) {
      const ListItem* asst = find_list_item(form, "asst", row.key.text);
      if (!asst) continue;
      if (asst->group == ats->code) return;
      if (!first) first = &row.key;
    }
    if (!first) return;  // no ASST listed: rule PREM-R05 says so
    Issue issue;
    issue.code = "PREM-N01";
    issue.severity = Severity::warning;
    issue.sheet = asst_table->second.sheet;
    issue.cell = consolida::xlsx::to_a1(first->ref);
    issue.row = first->ref.row;
    issue.col = first->ref.col;
    issue.label = "ASST coinvolte";
    issue.found = first->text;
    issue.message = {"nessuna delle ASST coinvolte appartiene alla " + ats->label + " che coordina il progetto: verificare",
                     "none of the ASST involved belongs to " + ats->label + ", which coordinates the project: please check"};
    issues.push_back(std::move(issue));
  }
};

}  // namespace

POCO_BEGIN_MANIFEST(consolida::forms::NativeRule)
POCO_EXPORT_CLASS(AsstDellaAts)
POCO_END_MANIFEST
