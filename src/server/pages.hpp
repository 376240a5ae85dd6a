// The server's answers: plain Italian HTML that works without JavaScript, JSON for scripts, CSV.
#pragma once

#include <Poco/JSON/Object.h>

#include <string>
#include <vector>

#include "consolida/server.hpp"
#include "consolida/write.hpp"
#include "server/dashboard.hpp"

namespace consolida::server::pages {

std::string stylesheet();
std::string login_page(const std::string& error);
std::string message_page(const std::string& it, const std::string& en, int status);
std::string campaigns_page(const User& user, const std::string& csrf, const std::vector<Campaign>& campaigns, std::int64_t now);
std::string campaign_page(const User& user, const std::string& csrf, const Campaign& campaign, const std::string& form_title,
                          const std::vector<EnteStatus>& rows, std::int64_t now);
// What the version page says of the ente's review, and whether the reader may decide.
struct ReviewView {
  std::vector<Review> history;  // the ente's decisions, oldest first
  bool may_review = false;      // the reader reviews this ente
  bool counts = false;          // this version is the one that counts: the one decided on
};

// The outcome of a version, its report's problems by sheet and cell, and its review.
std::string submission_page(const User& user, const std::string& csrf, const Campaign& campaign, const Submission& submission,
                            const forms::Report& report, const ReviewView& review);
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

}  // namespace consolida::server::pages
