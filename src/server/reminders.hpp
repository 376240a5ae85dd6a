// The reminders' schedule: N days before a campaign's deadline (7, 2 and 1 by default), every
// ente still missing or with errors gets a reminder at each address of its users, once per
// campaign, ente and day (the idempotency key says so, however often the scheduler runs).
#pragma once

#include <optional>
#include <vector>

#include "consolida/server.hpp"
#include "server/intake.hpp"

namespace consolida::server {

// Which reminder is due at `now`: the fewest of `days` whose moment (deadline - d days) has come,
// while the campaign is open and its deadline not passed; nullopt before the first or after the
// deadline. A server that was down at the 7-day moment and starts at 1.5 days sends the 2-day one
// only.
std::optional<int> reminder_stage(const Campaign& campaign, const std::vector<int>& days, std::int64_t now);

// The reminders due at `now` for every campaign, to enqueue (Store::enqueue_mails keeps one per key).
std::vector<OutboxMessage> due_reminders(const Intake& intake, const Store& store, const std::vector<int>& days, std::int64_t now);

}  // namespace consolida::server
