#include "server/reminders.hpp"

#include "common/rome_time.hpp"
#include "server/mail_texts.hpp"

namespace consolida::server {

std::optional<int> reminder_stage(const Campaign& campaign, const std::vector<int>& days, std::int64_t now) {
  if (now < campaign.opens_at || now >= campaign.deadline) return std::nullopt;
  std::optional<int> stage;
  for (int d : days) {
    if (d > 0 && now >= rome_days_before(campaign.deadline, d) && (!stage || d < *stage)) stage = d;
  }
  return stage;
}

std::vector<OutboxMessage> due_reminders(const Intake& intake, const Store& store, const std::vector<int>& days, std::int64_t now) {
  std::vector<OutboxMessage> out;
  std::optional<std::map<std::string, std::vector<std::string>>> addresses;  // read once, when some campaign needs it
  User region;
  region.role = Role::regione;
  for (const Campaign& campaign : store.campaigns()) {
    const std::optional<int> stage = reminder_stage(campaign, days, now);
    if (!stage) continue;
    if (!addresses) addresses = store.addresses_by_ente();
    const std::string form_title = intake.form_title(campaign);
    for (const EnteStatus& ente : intake.status(campaign, region)) {
      const bool sent_back = ente.review_state == ReviewState::rinviato;
      if (ente.state != EnteState::mancante && ente.state != EnteState::con_errori && ente.state != EnteState::file_mancante && !sent_back) continue;
      const auto found = addresses->find(ente.ente);
      if (found == addresses->end()) continue;
      const MailContext about{campaign, form_title, ente.name, intake.site_url(), now};
      for (const std::string& address : found->second) out.push_back(reminder_mail(about, ente, *stage, address));
    }
  }
  return out;
}

}  // namespace consolida::server
