#pragma once
// The eligibility watch (政策找人, SPEC §13): the elders who, in a month, reach an age that changes
// what they are entitled to — a meal rule's age band, a programme's min_age, the 高龄津贴 at
// `eligibility.longevity_allowance_age` — by community, with what they gain; and the daily mark
// of those whose birthday it is today, which the screen pop shows. Reads, except the mark.
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.hpp"
#include "common/time.hpp"
#include "domain/policy.hpp"
#include "store/elders.hpp"
#include "store/writer.hpp"

namespace vnh::registry {

struct Gain {
  std::string kind;    // meal_rule, programme, longevity_allowance
  std::string code;    // the rule's or programme's name / code
  std::string detail;  // "lunch 1000 fen", "180 minutes a month", ""
  int at_age = 0;
  std::string name;    // a programme's name, as the console shows it
};
// What an elder of `category` with `flags` gains by turning `age` (the rules and programmes whose
// lower age bound is `age`, the allowance at its age).
std::vector<Gain> gains_at(const domain::Policy& policy, domain::ElderCategory category, domain::CareFlags flags, int age);

struct Upcoming {
  store::ElderBirthday elder;
  Date birthday;  // in the month
  int turns = 0;
  std::vector<Gain> gains;
};
// Every active elder (in `community`, a code prefix) whose birthday in `month` brings a gain.
Result<std::vector<Upcoming>> upcoming(store::Database& db, const domain::Policy& policy, YearMonth month,
                                       const std::string& community);
// Marks today's birthdays that bring a gain; returns how many were marked.
Result<int> mark_today(store::WriteTx& tx, const domain::Policy& policy, TimeMs now);
// A gains list as JSON text (what entitlement_changes stores).
std::string gains_json(const std::vector<Gain>& gains);

}  // namespace vnh::registry
