// The month's settlement from its inputs (pure), and its CSV renderings.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "common/csv.hpp"
#include "common/text.hpp"
#include "settlement/settlement.hpp"
#include "store/elders.hpp"

namespace vnh::settlement {
using namespace vnh::domain;

namespace {

std::string fixed2(std::optional<std::int64_t> v) { return v ? format_fixed(*v, 2) : std::string(); }

std::string category_label(const std::string& c) {
  if (c == "life_care") return "生活照料 life care";
  if (c == "medical_care") return "医疗护理 medical care";
  if (c == "emotional_comfort") return "精神慰藉 emotional comfort";
  if (c == "emergency_aid") return "紧急援助 emergency aid";
  return c;
}

// An elder as the month's arithmetic needs it, indexed by elder id.
// A firm's empty line.
FirmLine line_of(const store::Firm& f) {
  FirmLine l;
  l.firm_id = f.id;
  l.code = f.code;
  l.name = f.name;
  return l;
}

// A ticket of M on its firm's line: the count and Q's punctuality and verified visits (SPEC §5).
void count_ticket(FirmLine& line, const store::SettledTicket& t) {
  ++line.tickets_completed;
  ++line.quality.tickets;
  if (t.checkin_at >= t.window_start && t.checkin_at <= t.window_end) ++line.quality.on_time;
  if (t.held_exceptions == 0) ++line.quality.verified;
}

struct ElderInfo {
  ElderCategory category = ElderCategory::kC;
  Date birth;
  std::uint32_t street = 0;  // index into the street codes
  bool known = false;
  CareFlags care_flags = 0;
  std::optional<Date> died_on;
};

// The inputs indexed for the per-ticket loop, and the firms' lines being filled.
class Month {
 public:
  Month(const MonthInputs& in, const Policy& policy, YearMonth month, StatementSink* sink)
      : in_(in), policy_(policy), tz_(*policy.tz), sink_(sink), grants_(policy.programmes) {
    s_.month = month;
    s_.policy_digest = policy.digest;
    s_.time_zone = policy.time_zone_name;
    for (const auto& f : in.firms) firms_[f.id] = line_of(f);
    std::int64_t max_id = 0;
    for (const auto& e : in.elders) max_id = std::max(max_id, e.id);
    elders_.assign(static_cast<size_t>(max_id + 1), ElderInfo{});
    std::unordered_map<std::string, std::uint32_t> street_index;
    for (const auto& e : in.elders) {
      auto [it, fresh] =
          street_index.emplace(e.community_code.substr(0, 9), static_cast<std::uint32_t>(street_codes_.size()));
      if (fresh) street_codes_.push_back(it->first);
      elders_[static_cast<size_t>(e.id)] = ElderInfo{e.category, e.birth_date, it->second, true, e.care_flags, e.died_on};
    }
    for (const auto& i : in.items) items_[i.id] = &i;
    cat_totals_.resize(4);
    street_totals_.resize(street_codes_.size());
  }

  Status meal(const store::SettledMeal& m);
  Status ticket(const store::SettledTicket& t);
  void quality_inputs();
  Result<Settlement> finish();

 private:
  void statement_line(const store::SettledTicket& t, const FirmLine& line, const store::ServiceItem& item,
                      const ElderInfo& elder, Date day, bool eligible, const Share& share);
  void breakdowns();

  const MonthInputs& in_;
  const Policy& policy_;
  const TimeZone& tz_;
  StatementSink* sink_;
  Settlement s_;
  std::map<std::int64_t, FirmLine> firms_;  // by firm id
  std::set<std::int64_t> included_;         // firms with a ticket, complaint or inspection in M
  std::vector<ElderInfo> elders_;
  std::vector<std::string> street_codes_;
  std::unordered_map<std::int64_t, const store::ServiceItem*> items_;
  std::vector<Breakdown> cat_totals_, street_totals_;
  GrantLedger grants_;
  MealPlaces meal_places_;
  std::map<std::int64_t, CanteenLine> canteens_;  // by canteen id, those with a meal in M
};

// A canteen meal of M: settled as recorded at the counter unless excluded (SPEC §12); the
// place it took is held against the meal tickets priced after it.
Status Month::meal(const store::SettledMeal& sm) {
  const store::MealRow& m = sm.meal;
  auto it = canteens_.find(m.canteen_id);
  if (it == canteens_.end()) {
    const store::Canteen* c = nullptr;
    for (const auto& k : in_.canteens) {
      if (k.id == m.canteen_id) c = &k;
    }
    if (!c) return internal(fmt::format("meal {} refers to a missing canteen", m.id));
    CanteenLine l;
    l.canteen_id = c->id;
    l.code = c->code;
    l.name = c->name;
    it = canteens_.emplace(m.canteen_id, std::move(l)).first;
  }
  CanteenLine& line = it->second;
  ++line.meals_served;
  const bool by_id = m.identified_by == IdentifiedBy::kIdNumber;
  if (by_id) ++line.override_meals;
  std::string excluded;
  if (sm.died_on && m.day > *sm.died_on) excluded = "excluded:deceased";
  const bool by_card = m.identified_by == IdentifiedBy::kCard || m.identified_by == IdentifiedBy::kQr;
  if (by_card && (!sm.card || !sm.card->active_at(m.served_at, m.day))) {
    excluded += std::string(excluded.empty() ? "" : ";") + "excluded:card_not_active";
  }
  if (!excluded.empty()) {
    ++line.excluded_meals;
  } else {
    if (m.government_fen > 0) ++line.meals_subsidised;
    line.government += m.government_fen;
    line.elder += m.elder_fen;
    if (m.takes_place) meal_places_.take(m.elder_id, m.day, m.slot);
  }
  if (sink_) {
    MealStatementLine sl;
    sl.served_at = m.served_at;
    sl.elder_id = store::elder_public_id(m.elder_id);
    if (m.elder_id >= 0 && static_cast<size_t>(m.elder_id) < elders_.size() && elders_[static_cast<size_t>(m.elder_id)].known) {
      sl.elder_category = std::string(to_string(elders_[static_cast<size_t>(m.elder_id)].category));
    }
    sl.slot = std::string(to_string(m.slot));
    sl.mode = std::string(to_string(m.mode));
    sl.identified_by = std::string(to_string(m.identified_by));
    sl.price = m.price_fen;
    sl.excluded = !excluded.empty();
    sl.reason = excluded.empty() ? m.rule : excluded;
    if (excluded.empty()) {
      sl.government = m.government_fen;
      sl.elder = m.elder_fen;
    }
    sink_->meal(line.code, sl);
  }
  return Status::Ok();
}

Status Month::ticket(const store::SettledTicket& t) {
  auto firm = firms_.find(t.firm_id);
  auto item = items_.find(t.item_id);
  if (firm == firms_.end() || item == items_.end() || t.elder_id < 0 ||
      static_cast<size_t>(t.elder_id) >= elders_.size() || !elders_[static_cast<size_t>(t.elder_id)].known) {
    return internal(fmt::format("ticket {} refers to a missing firm, item or elder",
                                t.ticket_no.empty() ? fmt::format("(id {})", t.id) : t.ticket_no));
  }
  const ElderInfo& elder = elders_[static_cast<size_t>(t.elder_id)];
  const store::ServiceItem& it = *item->second;
  FirmLine& line = firm->second;
  included_.insert(t.firm_id);
  count_ticket(line, t);
  const bool held = t.held_exceptions > 0;

  const Date day = tz_.local_date(t.checkout_at);
  const bool after_death = elder.died_on && day > *elder.died_on;
  const bool eligible = !t.disputed && !held && !after_death;
  Breakdown& bc = cat_totals_[static_cast<size_t>(it.category)];
  Breakdown& bs = street_totals_[elder.street];
  ++bc.tickets;
  ++bs.tickets;
  Share share;
  if (eligible) {
    TicketFacts facts{t.elder_id, elder.category,        elder.birth, elder.care_flags, day, it.standard_price_fen,
                      it.meal,    it.meal_slot,          it.category, it.duration_min};
    share = government_share(facts, policy_, grants_, meal_places_);
    ++line.tickets_eligible;
    line.subsidy += share.government;
    line.copay += share.copay;
    for (Breakdown* b : {&bc, &bs}) {
      ++b->eligible;
      b->subsidy += share.government;
      b->copay += share.copay;
    }
  }
  if (sink_) statement_line(t, line, it, elder, day, eligible, share);
  return Status::Ok();
}

// The statement line, built only when someone reads it.
void Month::statement_line(const store::SettledTicket& t, const FirmLine& line, const store::ServiceItem& item,
                           const ElderInfo& elder, Date day, bool eligible, const Share& share) {
  StatementLine sl;
  sl.ticket_no = t.ticket_no;
  sl.checkout_at = t.checkout_at;
  sl.item_code = item.code;
  sl.elder_id = store::elder_public_id(t.elder_id);
  sl.elder_category = std::string(to_string(elder.category));
  sl.age = age_on(elder.birth, day);
  sl.standard_price = item.standard_price_fen;
  sl.eligible = eligible;
  if (eligible) {
    sl.subsidy = share.government;
    sl.copay = share.copay;
    sl.reason = share.rule;
    sl.programmes = share.programmes;
  } else {
    std::string why;
    if (elder.died_on && day > *elder.died_on) why = "excluded:deceased";
    if (t.disputed) why += std::string(why.empty() ? "" : ";") + "excluded:disputed";
    if (t.held_exceptions > 0) {
      auto ex = in_.exception_types.find(t.id);
      why += (why.empty() ? "" : ";") + std::string("excluded:visit_exception:") +
             (ex == in_.exception_types.end() ? "?" : ex->second);
    }
    sl.reason = why;
  }
  sink_->line(line.code, sl);
}

// Callbacks, complaints and inspections of M, onto the firms' lines (by firm id); a firm with
// a complaint or an inspection is included.
void apply_quality_inputs(const MonthInputs& in_, std::map<std::int64_t, FirmLine>& firms_,
                          std::set<std::int64_t>& included_) {
  for (const auto& r : in_.ratings) {
    auto it = firms_.find(r.firm_id);
    if (it == firms_.end()) continue;
    it->second.quality.rating_sum = r.rating_sum;
    it->second.quality.rating_count = r.rating_count;
  }
  for (const auto& c : in_.complaints) {
    auto it = firms_.find(c.firm_id);
    if (it == firms_.end()) continue;
    it->second.complaints_filed = c.filed;
    it->second.complaints_substantiated = c.substantiated;
    included_.insert(it->first);
  }
  for (const auto& i : in_.inspections) {
    auto it = firms_.find(i.firm_id);
    if (it == firms_.end()) continue;
    it->second.score_e = i.enterprise_building;
    it->second.score_n = i.service_norms;
    it->second.score_h = i.staff_management;
    included_.insert(it->first);
  }
}

void Month::quality_inputs() { apply_quality_inputs(in_, firms_, included_); }

// Q and, with the inspectors' scores, T and its band (SPEC §5).
void score(FirmLine& l, const Policy& policy) {
  l.score_q = quality_hundredths(l.quality, policy);
  if (!l.score_e) return;
  l.score_total = total_hundredths(*l.score_e, *l.score_n, l.score_q, *l.score_h, policy);
  const ScoreBand& band = policy.band_for(*l.score_total);
  l.coefficient = band.coefficient;
  l.exit_review = band.exit_review;
}

Result<Settlement> Month::finish() {
  std::vector<std::string> missing;
  for (auto id : included_) {
    FirmLine& l = firms_[id];
    score(l, policy_);
    l.deductions = l.complaints_substantiated * policy_.complaint_deduction_fen;
    if (l.score_e) {
      l.payout = payout_fen(l.subsidy, *l.coefficient, l.deductions);
    } else {
      if (l.tickets_eligible > 0) missing.push_back(fmt::format("{} {}", l.code, l.name));
      l.payout = 0;  // no eligible ticket: nothing to pay, whatever the score
    }
    s_.lines.push_back(l);
  }
  if (!missing.empty()) {
    return Status(Code::kFailedPrecondition,
                  fmt::format("missing inspector scores for {} (firms with eligible tickets): {}", s_.month.to_string(),
                              fmt::join(missing, ", ")),
                  "inspections", reason::kMissingInspections);
  }
  std::sort(s_.lines.begin(), s_.lines.end(), [](const FirmLine& a, const FirmLine& b) { return a.code < b.code; });
  s_.adjustments = in_.adjustments;
  for (const auto& a : s_.adjustments) s_.adjustments_total += a.amount_fen;
  for (const auto& l : s_.lines) {
    s_.tickets_completed += l.tickets_completed;
    s_.tickets_eligible += l.tickets_eligible;
    s_.subsidy += l.subsidy;
    s_.copay += l.copay;
    s_.deductions += l.deductions;
    s_.payout += l.payout;
  }
  breakdowns();
  s_.override_alert_share = policy_.meals.override_alert_share;
  for (auto& [id, l] : canteens_) {
    l.operating_subsidy = l.meals_subsidised * policy_.meals.operating_subsidy_fen;
    l.payout = l.government + l.operating_subsidy;
    // Listed for inspection when overrides / meals > the share (exact: no division).
    l.inspection = l.meals_served > 0 &&
                   l.override_meals * 10000 > static_cast<std::int64_t>(policy_.meals.override_alert_share) * l.meals_served;
    s_.meals_served += l.meals_served;
    s_.meals_subsidised += l.meals_subsidised;
    s_.meals_excluded += l.excluded_meals;
    s_.meals_override += l.override_meals;
    s_.meals_government += l.government;
    s_.meals_elder += l.elder;
    s_.meals_payout += l.payout;
    s_.canteens.push_back(l);
  }
  std::sort(s_.canteens.begin(), s_.canteens.end(), [](const CanteenLine& a, const CanteenLine& b) { return a.code < b.code; });
  return std::move(s_);
}

void Month::breakdowns() {
  for (size_t c = 0; c < cat_totals_.size(); ++c) {
    if (cat_totals_[c].tickets == 0) continue;
    Breakdown b = cat_totals_[c];
    b.key = std::string(to_string(static_cast<Category>(c)));
    b.label = category_label(b.key);
    s_.by_category.push_back(b);
  }
  std::map<std::string, std::string> street_names;
  for (const auto& a : in_.areas) {
    if (a.level == AreaLevel::kStreet) street_names[a.code] = a.name;
  }
  for (size_t i = 0; i < street_totals_.size(); ++i) {
    if (street_totals_[i].tickets == 0) continue;
    Breakdown b = street_totals_[i];
    b.key = street_codes_[i];
    auto n = street_names.find(b.key);
    b.label = n == street_names.end() ? b.key : n->second;
    s_.by_street.push_back(b);
  }
  std::sort(s_.by_street.begin(), s_.by_street.end(), [](const Breakdown& a, const Breakdown& b) { return a.key < b.key; });
}

}  // namespace

Result<std::vector<FirmLine>> league(const MonthInputs& in, const TicketFeed& tickets, const Policy& policy) {
  std::map<std::int64_t, FirmLine> firms;
  std::set<std::int64_t> included;
  for (const auto& f : in.firms) firms[f.id] = line_of(f);
  VNH_RETURN_IF_ERROR(tickets([&](const store::SettledTicket& t) -> Status {
    auto it = firms.find(t.firm_id);
    if (it == firms.end()) return internal(fmt::format("ticket (id {}) refers to a missing firm", t.id));
    count_ticket(it->second, t);
    included.insert(t.firm_id);
    return Status::Ok();
  }));
  apply_quality_inputs(in, firms, included);
  std::vector<FirmLine> out;
  for (auto id : included) {
    score(firms[id], policy);
    out.push_back(std::move(firms[id]));
  }
  return out;
}

Result<Settlement> compute(const MonthInputs& in, const MealFeed& meals, const TicketFeed& tickets,
                           const Policy& policy, YearMonth month, StatementSink* sink) {
  Month m(in, policy, month, sink);
  if (meals) VNH_RETURN_IF_ERROR(meals([&](const store::SettledMeal& sm) { return m.meal(sm); }));
  VNH_RETURN_IF_ERROR(tickets([&](const store::SettledTicket& t) { return m.ticket(t); }));
  m.quality_inputs();
  return m.finish();
}

Result<Settlement> compute(const MonthInputs& in, const TicketFeed& tickets, const Policy& policy, YearMonth month,
                           StatementSink* sink) {
  return compute(in, MealFeed(), tickets, policy, month, sink);
}

Result<Settlement> compute(const MonthInputs& in, const std::vector<store::SettledTicket>& tickets,
                           const Policy& policy, YearMonth month, StatementSink* sink) {
  return compute(
      in,
      [&](const std::function<Status(const store::SettledTicket&)>& fn) -> Status {
        for (const auto& t : tickets) VNH_RETURN_IF_ERROR(fn(t));
        return Status::Ok();
      },
      policy, month, sink);
}

std::string render_csv(const Settlement& s) {
  std::string out;
  csv_append_row(out, {"firm_code", "firm_name", "tickets_completed", "tickets_eligible", "subsidy_fen", "copay_fen",
                       "score_e", "score_n", "score_q", "score_h", "score_total", "coefficient", "deductions_fen",
                       "payout_fen"});
  for (const auto& l : s.lines) {
    csv_append_row(out, {l.code, l.name, std::to_string(l.tickets_completed), std::to_string(l.tickets_eligible),
                         std::to_string(l.subsidy), std::to_string(l.copay), fixed2(l.score_e), fixed2(l.score_n),
                         format_fixed(l.score_q, 2), fixed2(l.score_h), fixed2(l.score_total), fixed2(l.coefficient),
                         std::to_string(l.deductions), std::to_string(l.payout)});
  }
  return out;
}

std::string render_meals_csv(const Settlement& s) {
  std::string out;
  csv_append_row(out, {"canteen_code", "canteen_name", "meals_served", "meals_subsidised", "government_fen", "elder_fen",
                       "override_meals", "excluded_meals", "operating_subsidy_fen", "payout_fen"});
  for (const auto& l : s.canteens) {
    csv_append_row(out, {l.code, l.name, std::to_string(l.meals_served), std::to_string(l.meals_subsidised),
                         std::to_string(l.government), std::to_string(l.elder), std::to_string(l.override_meals),
                         std::to_string(l.excluded_meals), std::to_string(l.operating_subsidy), std::to_string(l.payout)});
  }
  return out;
}

std::string meal_statement_csv_header() {
  std::string out;
  csv_append_row(out, {"served_at", "elder_id", "elder_category", "slot", "mode", "identified_by", "price_fen",
                       "excluded", "reason", "government_fen", "elder_fen"});
  return out;
}

std::string meal_statement_csv_row(const MealStatementLine& l, const TimeZone& tz) {
  std::string out;
  csv_append_row(out, {format_time(l.served_at, tz), l.elder_id, l.elder_category, l.slot, l.mode, l.identified_by,
                       std::to_string(l.price), l.excluded ? "1" : "0", l.reason, std::to_string(l.government),
                       std::to_string(l.elder)});
  return out;
}

std::string statement_csv_header() {
  std::string out;
  csv_append_row(out, {"ticket_no", "checkout_at", "item_code", "elder_id", "elder_category", "age_on_checkout",
                       "standard_price_fen", "eligible", "reason", "programme", "subsidy_fen", "copay_fen"});
  return out;
}

std::string statement_csv_row(const StatementLine& l, const TimeZone& tz) {
  std::string out;
  csv_append_row(out, {l.ticket_no, format_time(l.checkout_at, tz), l.item_code, l.elder_id, l.elder_category,
                       std::to_string(l.age), std::to_string(l.standard_price), l.eligible ? "1" : "0", l.reason,
                       l.programmes, std::to_string(l.subsidy), std::to_string(l.copay)});
  return out;
}

}  // namespace vnh::settlement
