#pragma once
// JSON views of domain records for the API and the live channel. Personal data is masked
// here, on the server, according to the reader's role (SPEC §4.2, §9): ID numbers and phones
// are always masked in views (whole values only through the audited reveal endpoint); names
// are whole for the roles that serve elders (operator, supervisor, admin) and masked for the
// others. Times are shown in the business time zone.
#include <boost/json.hpp>

#include <optional>
#include <string>

#include "common/time.hpp"
#include "domain/policy.hpp"
#include "domain/types.hpp"
#include "net/http.hpp"
#include "registry/elders.hpp"
#include "store/calls.hpp"
#include "store/elders.hpp"
#include "store/recurrences.hpp"
#include "store/reference.hpp"
#include "store/sqlite.hpp"
#include "store/tickets.hpp"
#include "tickets/service.hpp"

namespace vnh::hotline {

bool sees_whole_names(domain::Role r);

boost::json::value time_or_null(const std::optional<TimeMs>& t, const TimeZone& tz);

// A visit exception's measured values (stored as a JSON object) for an answer.
boost::json::value facts_json(const std::string& facts);
boost::json::object elder_json(const store::ElderRow& e, domain::Role role, const TimeZone& tz, TimeMs now);

// A ticket with its elder's (masked) name, item and firm; with events and exceptions when
// `detail` is set. Reads what it needs from `db`.
Result<boost::json::object> ticket_json(store::Database& db, const store::TicketRow& t, domain::Role role,
                                        const TimeZone& tz, bool detail);
// The same view without events, from names already at hand (no database read).
boost::json::object ticket_json(const store::TicketRow& t, const tickets::TicketNames& names, domain::Role role,
                                const TimeZone& tz);
// The answer with a ticket's detailed view (kNotFound "no ticket T…" when there is none).
Result<net::Response> ticket_response(store::Database& db, const std::string& ticket_no, domain::Role role,
                                      const TimeZone& tz, int status);
// What ticket_json shows beside the row, read from `db`.
Result<tickets::TicketNames> ticket_names(store::Database& db, const store::TicketRow& t);

boost::json::object item_json(const store::ServiceItem& i);

// The elder card: the elder's view with "open_tickets", "recent_services" and this month's
// "grants" (SPEC §13).
Result<boost::json::object> elder_card_json(store::Database& db, const registry::ElderCard& card, domain::Role role,
                                            const domain::Policy& policy, TimeMs now);
boost::json::array grants_json(const std::vector<domain::GrantBalance>& grants);
// A recurring order (SPEC §14) as the API and the card show it, with its last occurrences when
// `with_occurrences`.
boost::json::object recurrence_json(store::Database& db, const store::RecurrenceRow& r, bool with_occurrences);
// Care flags as the API spells them: ["lives_alone","low_income"].
boost::json::array care_flags_json(domain::CareFlags f);
// A call as the call log and the live channel show it (the caller masked).
boost::json::object call_json(const store::CallRow& c, const TimeZone& tz);
// The whole personal data of an elder, for the audited reveal.
boost::json::object elder_secrets_json(std::int64_t elder_id, const store::ElderSecrets& s);

}  // namespace vnh::hotline
