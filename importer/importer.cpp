#include "importer/importer.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <unordered_map>

#include "care/care.hpp"
#include "common/csv.hpp"
#include "common/reasons.hpp"
#include "common/identity.hpp"
#include "common/text.hpp"
#include "domain/elder.hpp"
#include "domain/visit.hpp"
#include "meals/meals.hpp"
#include "registry/deaths.hpp"
#include "store/meals.hpp"
#include "store/audit.hpp"
#include "store/elders.hpp"
#include "store/quality.hpp"
#include "store/reference.hpp"
#include "store/tickets.hpp"
#include "store/writer.hpp"
#include "tickets/lifecycle.hpp"

namespace vnh::importer {
using namespace vnh::domain;

namespace {

struct KindInfo {
  Kind kind;
  std::string_view name;
  std::vector<std::string> columns;
  std::vector<std::string> optional = {};  // of `columns`, those a file may leave out
};

const std::vector<KindInfo>& kinds() {
  static const std::vector<KindInfo> k = {
      {Kind::kAreas, "areas", {"code", "name", "parent_code", "level"}},
      {Kind::kCatalog,
       "catalog",
       {"code", "name", "category", "unit", "standard_price_fen", "market_price_fen", "duration_min", "meal",
        "meal_slot"},
       {"meal_slot"}},
      {Kind::kElders,
       "elders",
       {"id_number", "name", "phone", "community_code", "lat", "lon", "category", "registered_on"}},
      {Kind::kFirms, "firms", {"code", "name", "base_lat", "base_lon", "daily_capacity", "status"}},
      {Kind::kFirmAreas, "firm-areas", {"firm_code", "area_code", "category"}},
      {Kind::kStaff, "staff", {"firm_code", "code", "name", "phone", "skills"}},
      {Kind::kTickets,
       "tickets",
       {"ticket_no", "id_number", "item_code", "firm_code", "urgency", "window_start", "window_end", "created_at",
        "checkin_at", "checkin_lat", "checkin_lon", "checkout_at", "checkout_lat", "checkout_lon", "staff_code",
        "state"}},
      {Kind::kCallbacks, "callbacks", {"ticket_no", "called_at", "reached", "rating", "service_received"}},
      {Kind::kComplaints, "complaints", {"ticket_no", "filed_at", "status"}},
      {Kind::kInspections,
       "inspections",
       {"firm_code", "month", "enterprise_building", "service_norms", "staff_management"}},
      {Kind::kCanteens,
       "canteens",
       {"code", "name", "firm_code", "community_code", "lat", "lon", "status", "delivers", "daily_capacity"}},
      {Kind::kMealCards, "meal-cards", {"card_no", "id_number", "issued_on", "status"}},
      {Kind::kMeals, "meals", {"canteen_code", "id_number", "slot", "served_at", "mode", "price_fen", "identified_by"}},
      {Kind::kDeaths, "deaths", {"id_number", "died_on"}},
      {Kind::kCareTargets, "care-targets", {"id_number", "flags", "tier", "care_worker"}},
      {Kind::kAreaShapes, "area-shapes", {}},
  };
  return k;
}

// One CSV row with typed accessors that record an error (naming the column) and return
// nullopt on bad input.
class Row {
 public:
  Row(const CsvRecord& rec, const std::map<std::string, size_t>& index, ImportReport& rep)
      : rec_(rec), index_(index), rep_(rep) {}

  size_t line() const { return rec_.line; }
  bool failed() const { return failed_; }
  void error(const std::string& column, Problem p, std::string reason) {
    failed_ = true;
    rep_.errors.push_back({rec_.line, column, std::move(reason), p});
  }
  // Records a domain Status as an error of `fallback_column` unless it names its own field.
  void error(const std::string& fallback_column, const Status& st) {
    const Problem p = st.code() == Code::kNotFound        ? Problem::kUnknown
                      : st.code() == Code::kAlreadyExists ? Problem::kDuplicate
                      : st.code() == Code::kInvalidArgument ? Problem::kFormat
                                                            : Problem::kRule;
    error(st.field().empty() ? fallback_column : st.field(), p, st.message());
  }

  // The field as written; empty for an optional column the file leaves out.
  std::string raw(const std::string& col) const {
    auto it = index_.find(col);
    return it == index_.end() ? std::string() : rec_.fields[it->second];
  }
  // A code or a name: one line of valid UTF-8, no control characters.
  std::optional<std::string> text(const std::string& col, bool required = true, size_t max_chars = 200) {
    std::string v(trim(raw(col)));
    if (v.empty()) {
      if (required) error(col, Problem::kRequired, "is required");
      return std::nullopt;
    }
    if (auto st = check_text(v, col.c_str(), max_chars, true, true); !st.ok()) {
      error(col, Problem::kFormat, st.message());
      return std::nullopt;
    }
    return v;
  }
  template <class F>
  auto parsed(const std::string& col, bool required, F&& parse) -> std::optional<std::decay_t<decltype(*parse(""))>> {
    std::string v(trim(raw(col)));
    if (v.empty()) {
      if (required) error(col, Problem::kRequired, "is required");
      return std::nullopt;
    }
    auto r = parse(v);
    if (!r.ok()) {
      error(col, Problem::kFormat, r.status().message());
      return std::nullopt;
    }
    return *r;
  }
  std::optional<std::int64_t> integer(const std::string& col, std::int64_t lo, std::int64_t hi, bool required = true) {
    auto v = parsed(col, required, [](std::string_view s) { return parse_int(s); });
    if (v && (*v < lo || *v > hi)) {
      error(col, Problem::kRange, fmt::format("{} is out of range {}..{}", *v, lo, hi));
      return std::nullopt;
    }
    return v;
  }
  std::optional<double> real(const std::string& col, double lo, double hi, bool required = true) {
    auto v = parsed(col, required, [](std::string_view s) { return parse_double(s); });
    if (v && (*v < lo || *v > hi)) {
      error(col, Problem::kRange, fmt::format("{} is out of range {}..{}", *v, lo, hi));
      return std::nullopt;
    }
    return v;
  }
  std::optional<std::int64_t> score(const std::string& col) {
    auto v = parsed(col, true, [](std::string_view s) { return parse_fixed(s, 2); });
    if (v && (*v < 0 || *v > 10000)) {
      error(col, Problem::kRange, fmt::format("{} is outside 0..100", format_fixed(*v, 2)));
      return std::nullopt;
    }
    return v;
  }
  std::optional<TimeMs> time(const std::string& col, bool required = true) {
    return parsed(col, required, [](std::string_view s) { return parse_time(s); });
  }
  std::optional<Date> date(const std::string& col) {
    return parsed(col, true, [](std::string_view s) { return parse_date(s); });
  }
  std::optional<bool> flag(const std::string& col, bool required = true) {
    std::string v(trim(raw(col)));
    if (v.empty()) {
      if (required) error(col, Problem::kRequired, "is required (0 or 1)");
      return std::nullopt;
    }
    if (v != "0" && v != "1") {
      error(col, Problem::kFormat, fmt::format("'{}' is not a flag (0 or 1)", v));
      return std::nullopt;
    }
    return v == "1";
  }
  // A field that must be empty (e.g. rating of an unreached callback).
  void must_be_empty(const std::string& col, const std::string& why) {
    if (!trim(raw(col)).empty()) error(col, Problem::kRule, fmt::format("must be empty {}", why));
  }
  template <class E, class P>
  std::optional<E> one_of(const std::string& col, P&& parse, const std::string& allowed, bool required = true) {
    std::string v(trim(raw(col)));
    if (v.empty()) {
      if (required) error(col, Problem::kRequired, fmt::format("is required ({})", allowed));
      return std::nullopt;
    }
    auto e = parse(v);
    if (!e) error(col, Problem::kFormat, fmt::format("'{}' is not one of {}", v, allowed));
    return e;
  }

 private:
  const CsvRecord& rec_;
  const std::map<std::string, size_t>& index_;
  ImportReport& rep_;
  bool failed_ = false;
};

// Caches of references resolved during one import.
struct Lookups {
  store::WriteTx& tx;
  store::Database& db;
  const ImportContext& ctx;
  std::unordered_map<std::string, std::optional<store::Firm>> firms;
  std::unordered_map<std::string, std::optional<store::ServiceItem>> items;
  std::unordered_map<std::string, std::optional<store::Canteen>> canteens;

  Result<std::optional<store::Canteen>> canteen(const std::string& code) {
    auto it = canteens.find(code);
    if (it != canteens.end()) return it->second;
    auto c = store::find_canteen(db, code);
    if (!c.ok()) return c.status();
    canteens[code] = *c;
    return *c;
  }

  Result<std::optional<store::Firm>> firm(const std::string& code) {
    auto it = firms.find(code);
    if (it != firms.end()) return it->second;
    auto f = store::find_firm(db, code);
    if (!f.ok()) return f.status();
    firms[code] = *f;
    return *f;
  }
  Result<std::optional<store::ServiceItem>> item(const std::string& code) {
    auto it = items.find(code);
    if (it != items.end()) return it->second;
    auto f = store::find_item(db, code);
    if (!f.ok()) return f.status();
    items[code] = *f;
    return *f;
  }
};

// Storage failures abort the import; row-level problems become row errors.
#define VNH_ROW_TRY(row, col, expr)                                                        \
  do {                                                                                     \
    Status vnh_rs_ = (expr);                                                               \
    if (!vnh_rs_.ok()) {                                                                   \
      if (vnh_rs_.code() == Code::kInternal || vnh_rs_.code() == Code::kUnavailable) return vnh_rs_; \
      (row).error((col), vnh_rs_);                                                         \
      return Status::Ok();                                                                 \
    }                                                                                      \
  } while (0)

Status import_area(Row& r, Lookups& lk) {
  auto code = r.text("code");
  auto name = r.text("name", true, 64);
  auto level = r.one_of<AreaLevel>("level", parse_area_level, "district, street, community");
  std::string parent(trim(r.raw("parent_code")));
  if (code && !valid_area_code(*code)) r.error("code", Problem::kFormat, fmt::format("'{}' is not a 6, 9 or 12 digit area code", *code));
  if (r.failed()) return Status::Ok();
  if (level_of_code(*code) != level) {
    r.error("level", Problem::kRule, fmt::format("a {}-digit code is a {}, not a {}", code->size(),
                                 to_string(*level_of_code(*code)), to_string(*level)));
    return Status::Ok();
  }
  store::Area a{*code, *name, std::nullopt, *level};
  if (!parent.empty()) {
    if (!area_covers(parent, *code) || parent.size() >= code->size()) {
      r.error("parent_code", Problem::kRule, fmt::format("'{}' is not a prefix of '{}'", parent, *code));
      return Status::Ok();
    }
    auto p = store::find_area(lk.db, parent);
    if (!p.ok()) return p.status();
    if (!*p) {
      r.error("parent_code", Problem::kUnknown, fmt::format("unknown area '{}'", parent));
      return Status::Ok();
    }
    a.parent_code = parent;
  } else if (*level != AreaLevel::kDistrict) {
    r.error("parent_code", Problem::kRequired, "is required for a street or community");
    return Status::Ok();
  }
  Status st = store::insert_area(lk.db, a);
  if (st.code() == Code::kAlreadyExists) {
    r.error("code", Problem::kDuplicate, fmt::format("duplicate area code '{}'", *code));
    return Status::Ok();
  }
  VNH_ROW_TRY(r, "code", st);
  return Status::Ok();
}

Status import_item(Row& r, Lookups& lk) {
  auto code = r.text("code", true, 32);
  auto name = r.text("name", true, 64);
  auto cat = r.one_of<Category>("category", parse_category, category_names());
  auto unit = r.text("unit", true, 8);
  auto std_price = r.integer("standard_price_fen", 0, 100'000'000);
  auto market = r.integer("market_price_fen", 1, 100'000'000);
  auto dur = r.integer("duration_min", 1, 24 * 60);
  auto meal = r.flag("meal");
  auto slot = r.one_of<MealSlot>("meal_slot", parse_meal_slot, "breakfast, lunch, dinner", false);
  if (r.failed()) return Status::Ok();
  if (slot && !*meal) {
    r.error("meal_slot", Problem::kRule, "must be empty for an item that is not a meal (meal = 0)");
    return Status::Ok();
  }
  if (*std_price * 5 > *market * 4) {
    r.error("standard_price_fen", Problem::kRange, fmt::format("{} is above 80% of the market price {} (at most {})", *std_price, *market,
                                              *market * 4 / 5));
    return Status::Ok();
  }
  store::ServiceItem it;
  it.code = *code;
  it.name = *name;
  it.category = *cat;
  it.unit = *unit;
  it.standard_price_fen = *std_price;
  it.market_price_fen = *market;
  it.duration_min = static_cast<int>(*dur);
  it.meal = *meal;
  it.meal_slot = slot.value_or(MealSlot::kLunch);  // a meal item without a slot is a lunch
  auto id = store::insert_item(lk.db, it);
  if (!id.ok() && id.status().code() == Code::kAlreadyExists) {
    r.error("code", Problem::kDuplicate, fmt::format("duplicate item code '{}'", *code));
    return Status::Ok();
  }
  VNH_ROW_TRY(r, "code", id.status());
  return Status::Ok();
}

Status import_elder(Row& r, Lookups& lk) {
  ElderDraft d;
  d.id_number = std::string(trim(r.raw("id_number")));
  d.name = std::string(trim(r.raw("name")));
  for (const auto& p : split(r.raw("phone"), '|')) {
    if (!trim(p).empty()) d.phones.emplace_back(trim(p));
  }
  d.community_code = std::string(trim(r.raw("community_code")));
  auto lat = r.real("lat", -90, 90);
  auto lon = r.real("lon", -180, 180);
  d.category = std::string(trim(r.raw("category")));
  auto reg = r.date("registered_on");
  if (r.failed()) return Status::Ok();
  d.lat = *lat;
  d.lon = *lon;
  d.registered_on = *reg;
  Date today = lk.ctx.policy.tz->local_date(lk.ctx.now);
  auto v = validate_elder(d, lk.ctx.policy, today);
  if (!v.ok()) {
    r.error("id_number", v.status());
    return Status::Ok();
  }
  auto area = store::find_area(lk.db, v->community_code);
  if (!area.ok()) return area.status();
  if (!*area) {
    r.error("community_code", Problem::kUnknown, fmt::format("unknown community '{}'", v->community_code));
    return Status::Ok();
  }
  auto id = store::insert_elder(lk.db, lk.ctx.crypto, *v, lk.ctx.now);
  if (!id.ok() && id.status().code() == Code::kAlreadyExists) {
    r.error("id_number", Problem::kDuplicate, fmt::format("duplicate: {} is already registered", mask_id_number(v->id.normalized)));
    return Status::Ok();
  }
  VNH_ROW_TRY(r, "id_number", id.status());
  return Status::Ok();
}

Status import_firm(Row& r, Lookups& lk) {
  auto code = r.text("code", true, 32);
  auto name = r.text("name", true, 64);
  auto lat = r.real("base_lat", -90, 90);
  auto lon = r.real("base_lon", -180, 180);
  auto cap = r.integer("daily_capacity", 1, 1'000'000);
  auto status = r.one_of<FirmStatus>("status", parse_firm_status, "active, suspended, exited");
  if (r.failed()) return Status::Ok();
  store::Firm f;
  f.code = *code;
  f.name = *name;
  f.base_lat = *lat;
  f.base_lon = *lon;
  f.daily_capacity = static_cast<int>(*cap);
  f.status = *status;
  auto id = store::insert_firm(lk.db, f, lk.ctx.now);
  if (!id.ok() && id.status().code() == Code::kAlreadyExists) {
    r.error("code", Problem::kDuplicate, fmt::format("duplicate firm code '{}'", *code));
    return Status::Ok();
  }
  VNH_ROW_TRY(r, "code", id.status());
  lk.firms.erase(*code);
  return Status::Ok();
}

Result<std::optional<store::Firm>> known_firm(Row& r, Lookups& lk, const std::string& col, bool required = true) {
  auto code = r.text(col, required, 32);
  if (!code) return std::optional<store::Firm>();
  auto f = lk.firm(*code);
  if (!f.ok()) return f.status();
  if (!*f) r.error(col, Problem::kUnknown, fmt::format("unknown firm '{}'", *code));
  return *f;
}

Status import_firm_area(Row& r, Lookups& lk) {
  auto firm = known_firm(r, lk, "firm_code");
  if (!firm.ok()) return firm.status();
  auto area = r.text("area_code");
  auto cat = r.one_of<Category>("category", parse_category, category_names());
  if (area) {
    auto a = store::find_area(lk.db, *area);
    if (!a.ok()) return a.status();
    if (!*a) r.error("area_code", Problem::kUnknown, fmt::format("unknown area '{}'", *area));
  }
  if (r.failed()) return Status::Ok();
  Status st = store::insert_firm_area(lk.db, {(*firm)->id, *area, *cat});
  if (st.code() == Code::kAlreadyExists) {
    r.error("area_code", Problem::kDuplicate, fmt::format("duplicate: {} already serves {} for {}", (*firm)->code, *area, to_string(*cat)));
    return Status::Ok();
  }
  VNH_ROW_TRY(r, "area_code", st);
  return Status::Ok();
}

Status import_staff(Row& r, Lookups& lk) {
  auto firm = known_firm(r, lk, "firm_code");
  if (!firm.ok()) return firm.status();
  auto code = r.text("code", true, 32);
  auto name = r.text("name", true, 32);
  auto phone = r.parsed("phone", true, [&](std::string_view s) { return normalize_phone(s, lk.ctx.policy.default_area_code); });
  std::vector<Category> skills;
  std::string raw_skills(trim(r.raw("skills")));
  if (raw_skills.empty()) r.error("skills", Problem::kRequired, "is required (categories joined by |)");
  for (const auto& s : split(raw_skills, '|')) {
    if (raw_skills.empty()) break;
    auto c = parse_category(trim(s));
    if (!c) {
      r.error("skills", Problem::kFormat, fmt::format("'{}' is not one of {}", s, category_names()));
      break;
    }
    if (std::find(skills.begin(), skills.end(), *c) == skills.end()) skills.push_back(*c);
  }
  if (r.failed()) return Status::Ok();
  store::StaffMember m;
  m.firm_id = (*firm)->id;
  m.code = *code;
  m.name = *name;
  m.skills = skills;
  auto id = store::insert_staff(lk.db, lk.ctx.crypto, m, *phone);
  if (!id.ok() && id.status().code() == Code::kAlreadyExists) {
    r.error("code", Problem::kDuplicate, fmt::format("duplicate staff code '{}' in firm {}", *code, (*firm)->code));
    return Status::Ok();
  }
  VNH_ROW_TRY(r, "code", id.status());
  return Status::Ok();
}

struct TicketCounters {
  std::size_t exceptions = 0;
  std::size_t disputes = 0;
  std::size_t subsidised_meals = 0;
  std::size_t second_meals = 0;
  std::size_t overrides = 0;
  std::size_t deaths = 0;
  std::size_t cancelled_tickets = 0;
  std::size_t recoveries = 0;
};

Status import_ticket(Row& r, Lookups& lk, TicketCounters& counters) {
  auto no = r.text("ticket_no", true, 40);
  auto idn = r.parsed("id_number", true, [](std::string_view s) { return parse_id_number(s); });
  auto item_code = r.text("item_code", true, 32);
  auto state = r.one_of<TicketState>("state", parse_ticket_state,
                                     "completed, disputed, cancelled, unassigned, accepted, in_service");
  auto urgency = r.one_of<Urgency>("urgency", parse_urgency, "normal, emergency");
  auto ws = r.time("window_start");
  auto we = r.time("window_end");
  auto created = r.time("created_at");
  auto firm = known_firm(r, lk, "firm_code", false);
  if (!firm.ok()) return firm.status();
  auto ci = r.time("checkin_at", false);
  auto ci_lat = r.real("checkin_lat", -90, 90, false);
  auto ci_lon = r.real("checkin_lon", -180, 180, false);
  auto co = r.time("checkout_at", false);
  auto co_lat = r.real("checkout_lat", -90, 90, false);
  auto co_lon = r.real("checkout_lon", -180, 180, false);
  auto staff_code = r.text("staff_code", false, 32);
  if (r.failed()) return Status::Ok();
  if (*we < *ws) {
    r.error("window_end", Problem::kRule, "is before window_start");
    return Status::Ok();
  }
  TicketState s = *state;
  if (s == TicketState::kCreated || s == TicketState::kOffered) {
    r.error("state", Problem::kRule, fmt::format("a ticket being dispatched ({}) cannot be imported; import it as unassigned",
                                 to_string(s)));
    return Status::Ok();
  }
  bool needs_firm = s == TicketState::kAccepted || s == TicketState::kInService || s == TicketState::kCompleted ||
                    s == TicketState::kDisputed;
  bool needs_checkin = s == TicketState::kInService || s == TicketState::kCompleted || s == TicketState::kDisputed;
  bool needs_checkout = s == TicketState::kCompleted || s == TicketState::kDisputed;
  auto require = [&](bool need, bool have, const char* col) {
    if (need && !have) r.error(col, Problem::kRequired, fmt::format("is required for a {} ticket", to_string(s)));
    if (!need && have && s != TicketState::kCancelled) {
      r.error(col, Problem::kRule, fmt::format("must be empty for a {} ticket", to_string(s)));
    }
  };
  require(needs_firm, firm->has_value(), "firm_code");
  require(needs_checkin, ci.has_value(), "checkin_at");
  require(needs_checkin, ci_lat.has_value(), "checkin_lat");
  require(needs_checkin, ci_lon.has_value(), "checkin_lon");
  require(needs_checkin, staff_code.has_value(), "staff_code");
  require(needs_checkout, co.has_value(), "checkout_at");
  require(needs_checkout, co_lat.has_value(), "checkout_lat");
  require(needs_checkout, co_lon.has_value(), "checkout_lon");
  if (s == TicketState::kUnassigned && firm->has_value()) r.error("firm_code", Problem::kRule, "must be empty for an unassigned ticket");
  if (co && !ci) r.error("checkout_at", Problem::kRule, "a check-out needs a check-in");
  if (r.failed()) return Status::Ok();

  auto elder_id = store::find_elder_by_id_number(lk.db, lk.ctx.crypto, idn->normalized);
  if (!elder_id.ok()) return elder_id.status();
  if (!*elder_id) {
    r.error("id_number", Problem::kUnknown, fmt::format("no elder registered with ID {}", mask_id_number(idn->normalized)));
    return Status::Ok();
  }
  auto item = lk.item(*item_code);
  if (!item.ok()) return item.status();
  if (!*item) {
    r.error("item_code", Problem::kUnknown, fmt::format("unknown service item '{}'", *item_code));
    return Status::Ok();
  }
  auto elder = store::get_elder_core(lk.db, **elder_id);
  if (!elder.ok()) return elder.status();

  store::TicketRow t;
  t.ticket_no = *no;
  t.elder_id = **elder_id;
  t.item_id = (*item)->id;
  t.category = (*item)->category;
  t.channel = Channel::kImport;
  t.urgency = *urgency;
  t.window_start = *ws;
  t.window_end = *we;
  t.state = s;
  if (*firm) t.firm_id = (*firm)->id;
  t.staff_code = staff_code;
  t.created_at = *created;
  t.created_by = lk.ctx.actor;
  t.updated_at = co ? *co : ci ? *ci : *created;
  if (needs_firm) t.accepted_at = *created;
  t.checkin_at = ci;
  t.checkin_lat = ci_lat;
  t.checkin_lon = ci_lon;
  t.checkout_at = co;
  t.checkout_lat = co_lat;
  t.checkout_lon = co_lon;
  if (s == TicketState::kCompleted || s == TicketState::kDisputed || s == TicketState::kCancelled) {
    t.closed_at = t.updated_at;
  }
  if (s == TicketState::kCancelled) t.cancel_reason = "imported as cancelled";
  if (s == TicketState::kUnassigned) t.unassigned_reason = std::string(unassigned::kImported);
  if (s == TicketState::kDisputed) t.dispute = DisputeStatus::kOpen;
  auto id = store::insert_ticket(lk.db, t);
  if (!id.ok() && id.status().code() == Code::kAlreadyExists) {
    r.error("ticket_no", Problem::kDuplicate, fmt::format("duplicate ticket number '{}'", *no));
    return Status::Ok();
  }
  VNH_ROW_TRY(r, "ticket_no", id.status());
  t.id = *id;

  const auto actor = domain::Actor::import(lk.ctx.actor);
  std::optional<std::string> firm_code;
  if (*firm) firm_code = (*firm)->code;
  VNH_RETURN_IF_ERROR(tickets::note_event(lk.db, t, *created, actor, "imported",
                                          tickets::json_detail({{"state", std::string(to_string(s))}}), firm_code));
  if (ci) {
    VNH_RETURN_IF_ERROR(tickets::note_event(lk.db, t, *ci, actor, "checked_in",
                                            tickets::json_detail({{"staff_code", *staff_code}}), firm_code));
  }
  if (co) VNH_RETURN_IF_ERROR(tickets::note_event(lk.db, t, *co, actor, "checked_out", "{}", firm_code));

  // Visit verification exactly as at a live check-in/check-out (no device time in history).
  const auto& rules = lk.ctx.policy.visits;
  std::vector<VisitFinding> findings;
  if (ci) {
    auto staff = store::find_staff(lk.db, (*firm)->id, *staff_code);
    if (!staff.ok()) return staff.status();
    CheckInFacts f{{(*elder)->lat, (*elder)->lon}, {*ci_lat, *ci_lon}, staff->has_value(), std::nullopt, *ci};
    findings = verify_check_in(f, rules);
  }
  if (co) {
    auto more = verify_check_out({*ci, *co, (*item)->duration_min, std::nullopt, *co}, rules);
    findings.insert(findings.end(), more.begin(), more.end());
  }
  if (!findings.empty()) {
    auto n = tickets::record_visit_findings(lk.db, t, findings, co ? *co : *ci, actor);
    if (!n.ok()) return n.status();
    counters.exceptions += static_cast<std::size_t>(*n);
  }
  return Status::Ok();
}

Result<std::optional<store::TicketRow>> known_ticket(Row& r, Lookups& lk) {
  auto no = r.text("ticket_no", true, 40);
  if (!no) return std::optional<store::TicketRow>();
  auto t = store::find_ticket(lk.db, *no);
  if (!t.ok()) return t.status();
  if (!*t) r.error("ticket_no", Problem::kUnknown, fmt::format("unknown ticket '{}'", *no));
  return *t;
}

Status import_callback(Row& r, Lookups& lk, TicketCounters& counters) {
  auto t = known_ticket(r, lk);
  if (!t.ok()) return t.status();
  auto at = r.time("called_at");
  auto reached = r.flag("reached");
  store::CallbackRow cb;
  if (reached && *reached) {
    auto rating = r.integer("rating", 1, 5);
    auto received = r.flag("service_received");
    if (rating) cb.rating = static_cast<int>(*rating);
    cb.service_received = received;
  } else if (reached) {
    r.must_be_empty("rating", "when the elder was not reached");
    r.must_be_empty("service_received", "when the elder was not reached");
  }
  if (r.failed()) return Status::Ok();
  cb.called_at = *at;
  cb.reached = *reached;
  cb.operator_name = lk.ctx.actor;
  auto disputed = tickets::record_callback(lk.db, **t, cb, domain::Actor::import(lk.ctx.actor));
  if (!disputed.ok()) {
    VNH_ROW_TRY(r, "ticket_no", disputed.status());
  }
  if (*disputed) ++counters.disputes;
  return Status::Ok();
}

Status import_complaint(Row& r, Lookups& lk) {
  auto t = known_ticket(r, lk);
  if (!t.ok()) return t.status();
  auto at = r.time("filed_at");
  auto status = r.one_of<ComplaintStatus>("status", parse_complaint_status, "open, investigating, substantiated, rejected");
  if (r.failed()) return Status::Ok();
  store::ComplaintRow c;
  c.ticket_id = (*t)->id;
  c.filed_at = *at;
  c.status = *status;
  c.filed_by = lk.ctx.actor;
  if (*status == ComplaintStatus::kSubstantiated || *status == ComplaintStatus::kRejected) {
    c.closed_at = *at;
    c.closed_by = lk.ctx.actor;
  }
  auto id = store::insert_complaint(lk.db, c);
  VNH_ROW_TRY(r, "ticket_no", id.status());
  VNH_RETURN_IF_ERROR(tickets::note_event(lk.db, **t, *at, domain::Actor::import(lk.ctx.actor), "complaint",
                                          tickets::json_detail({{"status", std::string(to_string(c.status))}})));
  return Status::Ok();
}

Status import_inspection(Row& r, Lookups& lk) {
  auto firm = known_firm(r, lk, "firm_code");
  if (!firm.ok()) return firm.status();
  auto month = r.parsed("month", true, [](std::string_view s) { return parse_year_month(s); });
  auto e = r.score("enterprise_building");
  auto n = r.score("service_norms");
  auto h = r.score("staff_management");
  if (r.failed()) return Status::Ok();
  store::InspectionRow row{(*firm)->id, month->to_string(), *e, *n, *h, lk.ctx.actor, lk.ctx.now};
  Status st = store::put_inspection(lk.db, row, false);
  if (st.code() == Code::kAlreadyExists) {
    r.error("month", Problem::kDuplicate, fmt::format("duplicate: {} already has an inspection for {}", (*firm)->code, month->to_string()));
    return Status::Ok();
  }
  VNH_ROW_TRY(r, "firm_code", st);
  return Status::Ok();
}



Status import_canteen(Row& r, Lookups& lk) {
  auto code = r.text("code", true, 32);
  auto name = r.text("name", true, 64);
  auto firm = known_firm(r, lk, "firm_code", false);
  if (!firm.ok()) return firm.status();
  auto community = r.text("community_code");
  auto lat = r.real("lat", -90, 90);
  auto lon = r.real("lon", -180, 180);
  auto status = r.one_of<CanteenStatus>("status", parse_canteen_status, "active, suspended, closed");
  auto delivers = r.flag("delivers");
  auto cap = r.integer("daily_capacity", 1, 1'000'000);
  if (community) {
    auto a = store::find_area(lk.db, *community);
    if (!a.ok()) return a.status();
    if (!*a) {
      r.error("community_code", Problem::kUnknown, fmt::format("unknown community '{}'", *community));
    } else if ((*a)->level != AreaLevel::kCommunity) {
      r.error("community_code", Problem::kRule, fmt::format("'{}' is a {}, not a community", *community, to_string((*a)->level)));
    }
  }
  if (r.failed()) return Status::Ok();
  store::Canteen c;
  c.code = *code;
  c.name = *name;
  if (*firm) c.firm_id = (*firm)->id;
  c.community_code = *community;
  c.lat = *lat;
  c.lon = *lon;
  c.status = *status;
  c.delivers = *delivers;
  c.daily_capacity = static_cast<int>(*cap);
  auto id = store::insert_canteen(lk.db, c, lk.ctx.now);
  if (!id.ok() && id.status().code() == Code::kAlreadyExists) {
    r.error("code", Problem::kDuplicate, fmt::format("duplicate canteen code '{}'", *code));
    return Status::Ok();
  }
  VNH_ROW_TRY(r, "code", id.status());
  return Status::Ok();
}

Result<std::optional<std::int64_t>> elder_of_id_number(Row& r, Lookups& lk) {
  auto idn = r.parsed("id_number", true, [](std::string_view s) { return parse_id_number(s); });
  if (!idn) return std::optional<std::int64_t>();
  auto id = store::find_elder_by_id_number(lk.db, lk.ctx.crypto, idn->normalized);
  if (!id.ok()) return id.status();
  if (!*id) r.error("id_number", Problem::kUnknown, fmt::format("no elder registered with ID {}", mask_id_number(idn->normalized)));
  return *id;
}

// The civil registry's monthly list (SPEC §13): each elder deceased from died_on, with all that
// follows (registry::record_death). A row already recorded with its date changes nothing.
Status import_death(Row& r, Lookups& lk, TicketCounters& counters) {
  auto elder = elder_of_id_number(r, lk);
  if (!elder.ok()) return elder.status();
  auto died = r.date("died_on");
  if (r.failed()) return Status::Ok();
  registry::DeathReport d{**elder, *died, registry::DeathSource::kRegistry, "", "民政部门死亡名单 civil registry"};
  auto out = registry::record_death(lk.tx, lk.ctx.policy, lk.ctx.tickets, d, domain::Actor::import(lk.ctx.actor), lk.ctx.now);
  VNH_ROW_TRY(r, "died_on", out.status());
  if (out->recorded) ++counters.deaths;
  counters.cancelled_tickets += out->cancelled_tickets.size();
  counters.recoveries += out->recoveries.size();
  return Status::Ok();
}

Status import_care_target(Row& r, Lookups& lk) {
  auto elder = elder_of_id_number(r, lk);
  if (!elder.ok()) return elder.status();
  std::string flags_text(trim(r.raw("flags")));
  auto flags = parse_care_flags(flags_text);
  if (!flags) r.error("flags", Problem::kFormat, fmt::format("'{}' is not care flags joined by | (from {})", flags_text, care_flag_names()));
  auto tier = r.one_of<CareTier>("tier", parse_care_tier, "high, key, general");
  auto worker = r.text("care_worker", false, 64);
  if (r.failed()) return Status::Ok();
  care::TargetInput in{**elder, *flags, *tier, worker};
  auto t = care::set_target(lk.tx, lk.ctx.policy, in, domain::Actor::import(lk.ctx.actor), lk.ctx.now);
  VNH_ROW_TRY(r, "id_number", t.status());
  return Status::Ok();
}

Status import_meal_card(Row& r, Lookups& lk) {
  auto card_no = r.text("card_no", true, 64);
  auto elder = elder_of_id_number(r, lk);
  if (!elder.ok()) return elder.status();
  auto issued = r.date("issued_on");
  auto status = r.one_of<CardStatus>("status", parse_card_status, "active, lost, revoked");
  if (card_no && card_no->size() < 4) r.error("card_no", Problem::kFormat, "must be at least 4 characters");
  if (r.failed()) return Status::Ok();
  auto existing = store::find_meal_card(lk.db, *card_no);
  if (!existing.ok()) return existing.status();
  if (*existing) {
    r.error("card_no", Problem::kDuplicate, fmt::format("duplicate card number '{}'", *card_no));
    return Status::Ok();
  }
  if (*status == CardStatus::kActive) {
    auto cards = store::meal_cards_of(lk.db, **elder);
    if (!cards.ok()) return cards.status();
    for (const auto& c : *cards) {
      if (c.status == CardStatus::kActive) {
        r.error("status", Problem::kRule, fmt::format("the elder already has an active card {} (at most one)", c.card_no));
        return Status::Ok();
      }
    }
  }
  store::MealCard c;
  c.card_no = *card_no;
  c.elder_id = **elder;
  c.issued_on = *issued;
  c.status = *status;  // a card imported lost or revoked was never active here (status_at NULL)
  auto id = store::insert_meal_card(lk.db, c, lk.ctx.now);
  VNH_ROW_TRY(r, "card_no", id.status());
  return Status::Ok();
}

Status import_meal(Row& r, Lookups& lk, TicketCounters& counters) {
  auto canteen_code = r.text("canteen_code", true, 32);
  auto elder = elder_of_id_number(r, lk);
  if (!elder.ok()) return elder.status();
  auto slot = r.one_of<MealSlot>("slot", parse_meal_slot, "breakfast, lunch, dinner");
  auto at = r.time("served_at");
  auto mode = r.one_of<MealMode>("mode", parse_meal_mode, "dine_in, pickup, delivery");
  auto price = r.integer("price_fen", 0, 1'000'000);
  auto by = r.one_of<IdentifiedBy>("identified_by", parse_identified_by, "card, qr, id_number");
  std::optional<store::Canteen> canteen;
  if (canteen_code) {
    auto c = lk.canteen(*canteen_code);
    if (!c.ok()) return c.status();
    if (!*c) r.error("canteen_code", Problem::kUnknown, fmt::format("unknown canteen '{}'", *canteen_code));
    canteen = *c;
  }
  if (at && *at > lk.ctx.now) r.error("served_at", Problem::kRule, "is in the future");
  if (by && *by == IdentifiedBy::kOrder) r.error("identified_by", Problem::kFormat, "'order' is not one of card, qr, id_number");
  if (r.failed()) return Status::Ok();
  auto row = store::get_elder_core(lk.db, **elder);
  if (!row.ok()) return row.status();
  meals::Diner diner;
  diner.elder = std::move(**row);
  diner.identified_by = *by;
  if (*by != IdentifiedBy::kIdNumber) {
    // The card it was read from: the elder's card active then, else their latest (settlement
    // excludes a meal on a card that was not active).
    auto cards = store::meal_cards_of(lk.db, diner.elder.id);
    if (!cards.ok()) return cards.status();
    const Date day = lk.ctx.policy.tz->local_date(*at);
    for (const auto& c : *cards) {
      if (c.active_at(*at, day) || !diner.card) diner.card = c;
      if (c.active_at(*at, day)) break;
    }
  }
  auto q = meals::quote(lk.db, lk.ctx.policy, diner, *slot, *price, *at);
  VNH_ROW_TRY(r, "served_at", q.status());
  auto m = meals::record(lk.db, diner, *q, {canteen->id, *mode, *at, lk.ctx.actor, lk.ctx.now});
  VNH_ROW_TRY(r, "served_at", m.status());
  if (m->takes_place) ++counters.subsidised_meals;
  if (m->rule == "second_meal") ++counters.second_meals;
  if (*by == IdentifiedBy::kIdNumber) ++counters.overrides;
  return Status::Ok();
}

}  // namespace

std::optional<Kind> parse_kind(std::string_view s) {
  for (const auto& k : kinds()) {
    if (k.name == s) return k.kind;
  }
  return std::nullopt;
}

std::string_view to_string(Problem p) {
  switch (p) {
    case Problem::kFile: return "file";
    case Problem::kHeader: return "header";
    case Problem::kFields: return "fields";
    case Problem::kRequired: return "required";
    case Problem::kFormat: return "format";
    case Problem::kRange: return "range";
    case Problem::kUnknown: return "unknown";
    case Problem::kDuplicate: return "duplicate";
    case Problem::kRule: return "rule";
  }
  return "rule";
}

std::string_view to_string(Kind k) {
  for (const auto& i : kinds()) {
    if (i.kind == k) return i.name;
  }
  return "?";
}

std::string kind_names() {
  std::string out;
  for (const auto& k : kinds()) {
    if (!out.empty()) out += ' ';
    out += k.name;
  }
  return out;
}

const std::vector<std::string>& columns(Kind k) {
  for (const auto& i : kinds()) {
    if (i.kind == k) return i.columns;
  }
  return kinds().front().columns;
}

const std::vector<std::string>& optional_columns(Kind k) {
  for (const auto& i : kinds()) {
    if (i.kind == k) return i.optional;
  }
  return kinds().front().optional;
}

std::string ImportReport::format_errors(std::string_view file, std::size_t max) const {
  std::string out;
  for (std::size_t i = 0; i < errors.size() && i < max; ++i) {
    out += fmt::format("{}:{}: {}: {}\n", file, errors[i].line, errors[i].column, errors[i].reason);
  }
  if (errors.size() > max) out += fmt::format("{}: … and {} more errors\n", file, errors.size() - max);
  return out;
}

Status import_csv_in(store::WriteTx& tx, Kind kind, std::string_view data, const ImportContext& ctx,
                     ImportReport& rep) {
  if (kind == Kind::kAreaShapes) return import_area_shapes_in(tx, data, ctx, rep);
  rep = ImportReport{};
  auto table = parse_csv(data);
  if (!table.ok()) {
    rep.errors.push_back(
        {static_cast<size_t>(std::stoul(table.status().field())), "(file)", table.status().message(), Problem::kFile});
    return Status(Code::kAborted, "rows rejected");
  }
  // Header: exactly the columns of the kind, any order, none missing, none extra.
  const auto& want = columns(kind);
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < table->header.size(); ++i) {
    const auto& h = table->header[i];
    if (std::find(want.begin(), want.end(), h) == want.end()) {
      rep.errors.push_back({table->header_line, h.empty() ? fmt::format("column {}", i + 1) : h,
                            fmt::format("unexpected column (a {} file has: {})", to_string(kind),
                                        fmt::join(want, ",")),
                            Problem::kHeader});
    } else if (!index.emplace(h, i).second) {
      rep.errors.push_back({table->header_line, h, "column appears twice", Problem::kHeader});
    }
  }
  const auto& optional = optional_columns(kind);
  for (const auto& c : want) {
    if (!index.count(c) && std::find(optional.begin(), optional.end(), c) == optional.end()) {
      rep.errors.push_back({table->header_line, c, "missing column", Problem::kHeader});
    }
  }
  if (!rep.ok()) return Status(Code::kAborted, "rows rejected");

  std::vector<const CsvRecord*> rows;
  for (const auto& rec : table->rows) {
    if (rec.fields.size() != table->header.size()) {
      std::string col = rec.fields.size() < table->header.size() ? table->header[rec.fields.size()]
                                                                  : fmt::format("column {}", table->header.size() + 1);
      rep.errors.push_back({rec.line, col,
                            fmt::format("row has {} fields; the header has {}", rec.fields.size(), table->header.size()),
                            Problem::kFields});
      continue;
    }
    rows.push_back(&rec);
  }
  if (kind == Kind::kAreas) {
    // Parents before children, whatever the file's order.
    std::stable_sort(rows.begin(), rows.end(), [&](const CsvRecord* a, const CsvRecord* b) {
      return trim(a->fields[index["code"]]).size() < trim(b->fields[index["code"]]).size();
    });
  }
  if (kind == Kind::kMeals) {
    // In served_at order (SPEC §12): the day's first meal takes its subsidised place. Rows
    // whose time does not parse keep their place and are reported below.
    std::vector<std::pair<TimeMs, const CsvRecord*>> keyed;
    for (const CsvRecord* rec : rows) {
      auto t = parse_time(trim(rec->fields[index["served_at"]]));
      keyed.emplace_back(t.ok() ? *t : 0, rec);
    }
    std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 0; i < rows.size(); ++i) rows[i] = keyed[i].second;
  }
  rep.rows = rows.size();
  TicketCounters counters;
  Lookups lk{tx, tx.db(), ctx, {}, {}, {}};
  for (const CsvRecord* rec : rows) {
    Row row(*rec, index, rep);
    Status s;
    switch (kind) {
      case Kind::kAreas: s = import_area(row, lk); break;
      case Kind::kCatalog: s = import_item(row, lk); break;
      case Kind::kElders: s = import_elder(row, lk); break;
      case Kind::kFirms: s = import_firm(row, lk); break;
      case Kind::kFirmAreas: s = import_firm_area(row, lk); break;
      case Kind::kStaff: s = import_staff(row, lk); break;
      case Kind::kTickets: s = import_ticket(row, lk, counters); break;
      case Kind::kCallbacks: s = import_callback(row, lk, counters); break;
      case Kind::kComplaints: s = import_complaint(row, lk); break;
      case Kind::kInspections: s = import_inspection(row, lk); break;
      case Kind::kCanteens: s = import_canteen(row, lk); break;
      case Kind::kMealCards: s = import_meal_card(row, lk); break;
      case Kind::kMeals: s = import_meal(row, lk, counters); break;
      case Kind::kDeaths: s = import_death(row, lk, counters); break;
      case Kind::kCareTargets: s = import_care_target(row, lk); break;
      case Kind::kAreaShapes: break;  // a GeoJSON file, handed to import_area_shapes_in above
    }
    if (!s.ok()) return s;
  }
  std::sort(rep.errors.begin(), rep.errors.end(),
            [](const RowError& a, const RowError& b) { return a.line < b.line; });
  if (!rep.ok()) return Status(Code::kAborted, "rows rejected");
  if (kind == Kind::kTickets) rep.derived.push_back({"visit exceptions", counters.exceptions});
  if (kind == Kind::kCallbacks) rep.derived.push_back({"disputes", counters.disputes});
  if (kind == Kind::kDeaths) {
    rep.derived.push_back({"deaths recorded", counters.deaths});
    rep.derived.push_back({"tickets cancelled", counters.cancelled_tickets});
    rep.derived.push_back({"recoveries proposed", counters.recoveries});
  }
  if (kind == Kind::kMeals) {
    rep.derived.push_back({"subsidised meals", counters.subsidised_meals});
    rep.derived.push_back({"second meals", counters.second_meals});
    rep.derived.push_back({"overrides", counters.overrides});
  }
  return store::append_audit(
      tx.db(), ctx.now,
      {ctx.actor, "import." + std::string(to_string(kind)), "file:" + ctx.file_name,
       fmt::format("{{\"rows\":{},\"sha256\":\"{}\"}}", rep.rows, sha256_hex(data))});
}

Result<ImportReport> import_csv(store::Database& db, Kind kind, std::string_view data, const ImportContext& ctx) {
  ImportReport rep;
  Status st = store::run_transaction(db, [&](store::WriteTx& tx) { return import_csv_in(tx, kind, data, ctx, rep); });
  if (!st.ok() && st.code() != Code::kAborted) return st;
  return rep;
}

}  // namespace vnh::importer
