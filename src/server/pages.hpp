// The server's answers: plain Italian HTML that works without JavaScript, JSON for scripts, CSV.
#pragma once

#include <Poco/JSON/Object.h>

#include <string>
#include <vector>

#include "consolida/server.hpp"
#include "server/intake.hpp"

namespace consolida::server::pages {

std::string stylesheet();
std::string login_page(const std::string& error);
std::string message_page(const std::string& it, const std::string& en, int status);
std::string campaigns_page(const User& user, const std::string& csrf, const std::vector<Campaign>& campaigns, std::int64_t now);
std::string campaign_page(const User& user, const std::string& csrf, const Campaign& campaign, const std::string& form_title,
                          const std::vector<EnteStatus>& rows, std::int64_t now);
// The outcome of a version and its report's problems by sheet and cell.
std::string submission_page(const User& user, const std::string& csrf, const Campaign& campaign, const Submission& submission,
                            const forms::Report& report);
std::string status_csv(const std::vector<EnteStatus>& rows);
// "mancano 3 giorni e 4 ore" / "scaduta da 2 ore"
std::string countdown(std::int64_t deadline, std::int64_t now);

Poco::JSON::Object::Ptr campaign_json(const Campaign& campaign);
Poco::JSON::Object::Ptr status_json(const Campaign& campaign, const std::vector<EnteStatus>& rows, std::int64_t now);
// The version, with its report under "rapporto" in the schema of docs/validation-json.md.
Poco::JSON::Object::Ptr submission_json(const Submission& submission, const forms::Report& report);

// ---- receipts and the outbox ----

// The receipt of a version, laid out to print on one A4 page.
std::string receipt_page(const User& user, const std::string& csrf, const Receipt& receipt);
Poco::JSON::Object::Ptr receipt_json(const Receipt& receipt);
// The rules the receipt prints with (A4, no site header), appended to the stylesheet.
std::string receipt_stylesheet();
// The Region's view of the outbox: counts, and every message that failed or was abandoned.
// `smtp` describes where mail goes ("smtp.example.it:587, STARTTLS"), empty when not configured.
std::string outbox_page(const User& user, const std::string& csrf, const OutboxCounts& counts, const std::vector<OutboxMessage>& failing,
                        const std::string& smtp);
Poco::JSON::Object::Ptr outbox_json(const OutboxCounts& counts, const std::vector<OutboxMessage>& failing, const std::string& smtp);

}  // namespace consolida::server::pages
