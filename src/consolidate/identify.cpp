#include "consolida/consolidate.hpp"

namespace consolida::consolidate {

EnteIdentification identify_ente(const forms::FormSpec& form, const forms::FormInstance& instance, const registry::Registry& registry) {
  const forms::ConsolidationSpec& spec = form.consolidation;
  const auto field = instance.fields.find(spec.identity_field);
  // A number typed into the cell counts by its stored digits: an ISTAT code written as 98031.
  const std::string identity = field == instance.fields.end() || !field->second.found ? std::string() : field->second.cell.written();
  EnteIdentification out;
  if (spec.ente == forms::ConsolidationSpec::Ente::comune) {
    if (const registry::Comune* comune = registry.comune_by_istat(identity)) {
      out.ente = IdentifiedEnte{comune->istat, comune->name, comune->ambito};
    } else {
      out.why_not = {"codice ISTAT non riconosciuto: «" + identity + "»", "unknown ISTAT code: «" + identity + "»"};
    }
  } else if (const registry::Ambito* ambito = registry.find_ambito(identity)) {
    out.ente = IdentifiedEnte{ambito->code, ambito->name, static_cast<std::size_t>(ambito - registry.ambiti().data())};
  } else {
    out.why_not = {"Ambito non riconosciuto: «" + identity + "»", "unknown Ambito: «" + identity + "»"};
  }
  return out;
}

}  // namespace consolida::consolidate
