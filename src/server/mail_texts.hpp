// The e-mails the server sends, as outbox messages: plain text, Italian first and the same in
// English below, each with its idempotency key.
//
//   receipt    to the sender of a stored version (if the account has an address), at once;
//   reminder   to the users of an ente still missing or with errors, N days before the deadline;
//   returned   to the users of an ente whose version the reviewer sent back (*rinviato*), with the note.
#pragma once

#include <string>

#include "consolida/server.hpp"

namespace consolida::server {

// What every mail names about the version's ente and campaign.
struct MailContext {
  const Campaign& campaign;
  std::string form_title;  // the form's Italian title
  std::string ente_name;   // "Melzo", "Ambito di Lodi"
  std::string site_url;    // https://..., without the trailing slash; empty: no links
  std::int64_t now = 0;    // when the message is made (Unix seconds)
};

// The receipt of a stored version; key "ricevuta/<protocol>/<recipient>".
OutboxMessage receipt_mail(const MailContext& about, const Submission& version, const std::string& recipient);

// A reminder `days` days before the deadline to an ente in `state` (mancante, con errori, file
// mancante); key "promemoria/<campaign>/<ente>/<days>/<recipient>": one per campaign, ente and day.
OutboxMessage reminder_mail(const MailContext& about, const EnteStatus& status, int days, const std::string& recipient);

// The version sent back by the reviewer with its note (*rinviato*); key
// "rinvio/<decision_id>/<recipient>", where decision_id names the review decision.
OutboxMessage returned_mail(const MailContext& about, const Submission& version, const std::string& reviewer, const std::string& note,
                            std::int64_t decision_id, const std::string& recipient);

}  // namespace consolida::server
