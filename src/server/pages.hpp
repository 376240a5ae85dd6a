// The server's answers: plain Italian HTML that works without JavaScript, JSON for scripts, CSV.
// Every page has the look of an Italian public administration site (Designers Italia): the
// administration's name in the slim header, breadcrumbs, a footer with help and the legal pages;
// the stylesheet is src/server/assets/stile.css.
#pragma once

#include <Poco/JSON/Object.h>

#include <string>
#include <vector>

#include "consolida/server.hpp"
#include "consolida/write.hpp"
#include "server/dashboard.hpp"
#include "server/intake.hpp"

namespace consolida::server::pages {

std::string login_page(const SiteInfo& site, const std::string& error);
std::string message_page(const SiteInfo& site, const std::string& it, const std::string& en, int status);
std::string campaigns_page(const SiteInfo& site, const User& user, const std::string& csrf, const std::vector<Campaign>& campaigns,
                           std::int64_t now);
// The list part of a campaign page: the filter in use, what it counts and its page, and what the
// filter form offers (the ATS and Ambiti the reader may pick; none: no such field).
struct ListView {
  StatusFilter filter;
  StatusView status;
  std::vector<std::pair<std::string, std::string>> ats_choices, ambito_choices;  // code, name
};

// `template_name`: the blank template's download name, empty when the server has no plugin for it.
// `enti`: every ente the reader sees, whatever the filter (an Ambito's upload form lists them;
// for the Region, who types a code, it may be left empty).
std::string campaign_page(const SiteInfo& site, const User& user, const std::string& csrf, const Campaign& campaign,
                          const std::string& form_title, const std::string& template_name, const std::vector<EnteStatus>& enti,
                          const ListView& list, std::int64_t now);
// "?stato=mancante&ambito=LODI&pagina=2": the filter as an address's query, on another page.
std::string list_query(const StatusFilter& filter, std::size_t page);
// What the version page says of the ente's review, and whether the reader may decide.
struct ReviewView {
  std::vector<Review> history;  // the ente's decisions, oldest first
  bool may_review = false;      // the reader reviews this ente
  bool counts = false;          // this version is the one that counts: the one decided on
};

// The outcome of a version, its report's problems by sheet and cell, and its review.
std::string submission_page(const SiteInfo& site, const User& user, const std::string& csrf, const Campaign& campaign,
                            const std::string& ente_name, const Submission& submission, const forms::Report& report,
                            const ReviewView& review);
// Every version of one ente, which one counts and why.
std::string ente_page(const SiteInfo& site, const User& user, const std::string& csrf, const Campaign& campaign, const EnteHistory& history);

// The privacy notice and the accessibility statement (their text from SiteInfo, else a default).
enum class LegalPage { privacy, accessibility };
std::string legal_page(const SiteInfo& site, LegalPage which);

// The status as rows of text, the same columns in the CSV and the xlsx export.
write::TextTable status_table(const std::vector<EnteStatus>& rows);
std::string status_csv(const std::vector<EnteStatus>& rows);
// "mancano 3 giorni e 4 ore" / "scaduta da 2 ore"
std::string countdown(std::int64_t deadline, std::int64_t now);

Poco::JSON::Object::Ptr campaign_json(const Campaign& campaign);
// The campaign, its counts and progress by ATS and Ambito, and the view's page of enti.
Poco::JSON::Object::Ptr status_json(const Campaign& campaign, const StatusView& view, std::int64_t now);
// The version, with its report under "rapporto" in the schema of docs/validation-json.md.
Poco::JSON::Object::Ptr submission_json(const Submission& submission, const forms::Report& report);
Poco::JSON::Object::Ptr review_json(const Review& review);
// One ente's versions (without their reports) and which counts.
Poco::JSON::Object::Ptr ente_json(const Campaign& campaign, const EnteHistory& history);

// ---- receipts and the outbox ----

// The receipt of a version, laid out to print on one A4 page.
std::string receipt_page(const SiteInfo& site, const User& user, const std::string& csrf, const Receipt& receipt);
Poco::JSON::Object::Ptr receipt_json(const Receipt& receipt);
// The Region's view of the outbox: counts, and every message that failed or was abandoned.
// `smtp` describes where mail goes ("smtp.example.it:587, STARTTLS"), empty when not configured.
std::string outbox_page(const SiteInfo& site, const User& user, const std::string& csrf, const OutboxCounts& counts, const std::vector<OutboxMessage>& failing,
                        const std::string& smtp);
Poco::JSON::Object::Ptr outbox_json(const OutboxCounts& counts, const std::vector<OutboxMessage>& failing, const std::string& smtp);

}  // namespace consolida::server::pages
