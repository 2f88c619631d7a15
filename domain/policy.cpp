#include "domain/policy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <toml++/toml.h>

#include "common/file.hpp"
#include "common/text.hpp"

namespace vnh::domain {
namespace {

// Reads one TOML table, remembering which keys were used so unknown keys (typos) are errors.
class TableReader {
 public:
  TableReader(const toml::table& t, std::string path, std::string source)
      : t_(t), path_(std::move(path)), source_(std::move(source)) {}

  std::string where(const toml::node* n) const {
    const auto& s = n ? n->source() : t_.source();
    return fmt::format("{}:{}:{}", source_, s.begin.line, s.begin.column);
  }
  std::string key_name(std::string_view key) const { return path_.empty() ? std::string(key) : path_ + "." + std::string(key); }
  Status error(const toml::node* n, std::string_view key, const std::string& msg) const {
    return invalid(key_name(key), fmt::format("{}: {}: {}", where(n), key_name(key), msg));
  }

  // Integer in [lo, hi]; absent keys keep the default.
  Status integer(std::string_view key, std::int64_t lo, std::int64_t hi, auto& out) {
    const toml::node* n = use(key);
    if (!n) return Status::Ok();
    // Asked of an integer node only: toml++ converts a float to int64 without a range check
    // (undefined behaviour for 4e85, a fuzz finding).
    if (!n->is_integer()) return error(n, key, "must be an integer");
    auto v = n->value<std::int64_t>();
    if (!v) return error(n, key, "must be an integer");
    if (*v < lo || *v > hi) return error(n, key, fmt::format("must be between {} and {}", lo, hi));
    out = static_cast<std::remove_reference_t<decltype(out)>>(*v);
    return Status::Ok();
  }
  // Decimal (integer or float) converted exactly to an integer number of 1/scale units.
  Status decimal(std::string_view key, std::int64_t scale, std::int64_t lo, std::int64_t hi, auto& out) {
    const toml::node* n = use(key);
    if (!n) return Status::Ok();
    return decimal_node(n, key, scale, lo, hi, out);
  }
  Status decimal_node(const toml::node* n, std::string_view key, std::int64_t scale, std::int64_t lo,
                      std::int64_t hi, auto& out) const {
    double d = 0;
    if (n->is_integer()) {
      d = static_cast<double>(*n->value<std::int64_t>());
    } else if (n->is_floating_point()) {
      d = *n->value<double>();
    } else {
      return error(n, key, "must be a number");
    }
    double scaled = d * static_cast<double>(scale);
    double r = std::round(scaled);
    if (!std::isfinite(d) || std::fabs(scaled - r) > 1e-6) {
      return error(n, key, fmt::format("must have at most {} decimals", static_cast<int>(std::log10(scale))));
    }
    // Compared as doubles first: a value beyond the int64 range (4e89) has no integer to cast to.
    if (r < static_cast<double>(lo) || r > static_cast<double>(hi)) {
      return error(n, key, fmt::format("must be between {} and {}", static_cast<double>(lo) / scale, static_cast<double>(hi) / scale));
    }
    auto v = static_cast<std::int64_t>(r);
    out = static_cast<std::remove_reference_t<decltype(out)>>(v);
    return Status::Ok();
  }
  Status string(std::string_view key, std::string& out) {
    const toml::node* n = use(key);
    if (!n) return Status::Ok();
    if (!n->is_string()) return error(n, key, "must be a string");
    out = *n->value<std::string>();
    return Status::Ok();
  }
  Status categories(std::string_view key, std::vector<ElderCategory>& out) {
    const toml::node* n = use(key);
    if (!n) return Status::Ok();
    const auto* arr = n->as_array();
    if (!arr) return error(n, key, "must be an array of elder categories");
    out.clear();
    for (const auto& e : *arr) {
      auto s = e.value<std::string>();
      auto c = s ? parse_elder_category(*s) : std::nullopt;
      if (!c) return error(&e, key, "elements must be one of A, B, C, D");
      out.push_back(*c);
    }
    return Status::Ok();
  }
  const toml::array* array_of_tables(std::string_view key, Status& st) {
    const toml::node* n = use(key);
    if (!n) return nullptr;
    const auto* arr = n->as_array();
    if (!arr || !arr->is_array_of_tables()) {
      st = error(n, key, "must be an array of tables");
      return nullptr;
    }
    return arr;
  }
  std::optional<TableReader> sub(std::string_view key, Status& st) {
    const toml::node* n = use(key);
    if (!n) return std::nullopt;
    if (!n->is_table()) {
      st = error(n, key, "must be a table");
      return std::nullopt;
    }
    return TableReader(*n->as_table(), key_name(key), source_);
  }
  bool has(std::string_view key) const { return t_.get(key) != nullptr; }
  const toml::node* use(std::string_view key) {
    used_.insert(std::string(key));
    return t_.get(key);
  }
  Status finish() const {
    for (const auto& [k, v] : t_) {
      if (!used_.count(std::string(k.str()))) return error(&v, k.str(), "unknown key");
    }
    return Status::Ok();
  }

 private:
  const toml::table& t_;
  std::string path_;
  std::string source_;
  std::set<std::string> used_;
};

Status check_sum(const TableReader& r, std::string_view what, std::initializer_list<int> parts) {
  int sum = 0;
  for (int p : parts) sum += p;
  if (sum != 10000) {
    return r.error(nullptr, what, fmt::format("weights must sum to 1 exactly, they sum to {}", sum / 10000.0));
  }
  return Status::Ok();
}

std::string default_rule_name(const MealRule& r) {
  std::string n(to_string(r.slot));
  if (!r.categories.empty()) {
    for (auto c : r.categories) n += "_" + std::string(to_string(c));
  }
  if (r.min_age && r.max_age) {
    n += fmt::format("_{}_{}", *r.min_age, *r.max_age);
  } else if (r.min_age) {
    n += fmt::format("_{}_up", *r.min_age);
  } else if (r.max_age) {
    n += fmt::format("_to_{}", *r.max_age);
  }
  if (r.full) n += "_full";
  return n;
}

// The [meals] table (SPEC §12): prices by slot, rules (first match wins), orders, canteens.
Status read_meals(TableReader& root, std::string_view source, Policy& p, bool legacy_bands) {
  Status st;
  auto t = root.sub("meals", st);
  VNH_RETURN_IF_ERROR(st);
  if (!t) return Status::Ok();
  Status pst;
  if (auto prices = t->sub("prices", pst)) {
    for (auto slot : {MealSlot::kBreakfast, MealSlot::kLunch, MealSlot::kDinner}) {
      VNH_RETURN_IF_ERROR(prices->integer(to_string(slot), 0, 1000000, p.meals.price[static_cast<size_t>(slot)]));
    }
    VNH_RETURN_IF_ERROR(prices->finish());
  }
  VNH_RETURN_IF_ERROR(pst);
  std::string cutoff = fmt::format("{:02}:{:02}", p.meals.order_cutoff_min / 60, p.meals.order_cutoff_min % 60);
  VNH_RETURN_IF_ERROR(t->string("order_cutoff", cutoff));
  {
    int h = -1, m = -1;
    bool ok = cutoff.size() == 5 && cutoff[2] == ':' && std::isdigit(static_cast<unsigned char>(cutoff[0])) &&
              std::isdigit(static_cast<unsigned char>(cutoff[1])) && std::isdigit(static_cast<unsigned char>(cutoff[3])) &&
              std::isdigit(static_cast<unsigned char>(cutoff[4]));
    if (ok) {
      h = (cutoff[0] - '0') * 10 + (cutoff[1] - '0');
      m = (cutoff[3] - '0') * 10 + (cutoff[4] - '0');
    }
    if (!ok || h > 23 || m > 59) return t->error(t->use("order_cutoff"), "order_cutoff", "must be a time of day HH:MM");
    p.meals.order_cutoff_min = h * 60 + m;
  }
  VNH_RETURN_IF_ERROR(t->categories("free_delivery_categories", p.meals.free_delivery));
  VNH_RETURN_IF_ERROR(t->integer("operating_subsidy_fen", 0, 1000000, p.meals.operating_subsidy_fen));
  VNH_RETURN_IF_ERROR(t->integer("delivery_fee_fen", 0, 100000, p.meals.delivery_fee_fen));
  VNH_RETURN_IF_ERROR(t->decimal("override_alert_share", 10000, 0, 10000, p.meals.override_alert_share));
  Status ast;
  if (const auto* rules = t->array_of_tables("rules", ast)) {
    if (legacy_bands) {
      return t->error(t->use("rules"), "rules", "replaces subsidy.meal_bands: remove meal_bands from [subsidy]");
    }
    p.meals.rules.clear();
    for (const auto& node : *rules) {
      TableReader rr(*node.as_table(), "meals.rules", std::string(source));
      MealRule rule;
      std::string slot;
      VNH_RETURN_IF_ERROR(rr.string("slot", slot));
      auto s = parse_meal_slot(slot);
      if (!s) return rr.error(rr.use("slot"), "slot", "must be one of breakfast, lunch, dinner");
      rule.slot = *s;
      VNH_RETURN_IF_ERROR(rr.categories("categories", rule.categories));
      int min_age = -1, max_age = -1;
      VNH_RETURN_IF_ERROR(rr.integer("min_age", 0, 150, min_age));
      VNH_RETURN_IF_ERROR(rr.integer("max_age", 0, 150, max_age));
      if (min_age >= 0) rule.min_age = min_age;
      if (max_age >= 0) rule.max_age = max_age;
      if (rule.min_age && rule.max_age && *rule.max_age < *rule.min_age) {
        return rr.error(rr.use("max_age"), "max_age", "must not be below min_age");
      }
      const toml::node* share = rr.use("share");
      const toml::node* fen = node.as_table()->get("fen");
      if (share && fen) return rr.error(share, "share", "give either share = \"full\" or fen = N, not both");
      if (share) {
        if (!share->is_string() || *share->value<std::string>() != "full") {
          return rr.error(share, "share", "must be \"full\" (or give fen = N)");
        }
        rule.full = true;
      } else if (fen) {
        VNH_RETURN_IF_ERROR(rr.integer("fen", 0, 1000000, rule.fen));
      } else {
        return rr.error(&node, "fen", "each rule needs share = \"full\" or fen = N");
      }
      VNH_RETURN_IF_ERROR(rr.string("name", rule.name));
      VNH_RETURN_IF_ERROR(rr.finish());
      if (rule.name.empty()) rule.name = default_rule_name(rule);
      p.meals.rules.push_back(std::move(rule));
    }
  }
  VNH_RETURN_IF_ERROR(ast);
  return t->finish();
}

// The [[programmes]] array (SPEC §13): each a monthly grant in fen or minutes, who is in it and
// which items it pays for, in the order tickets draw on them. `programmes = []` means none.
Status read_programmes(TableReader& root, std::string_view source, Policy& p, const toml::node* legacy_credit) {
  if (!root.has("programmes")) return Status::Ok();
  const toml::node* n = root.use("programmes");
  if (legacy_credit) {
    return root.error(n, "programmes", "replaces subsidy.credit_categories and monthly_credit_fen: remove them from [subsidy]");
  }
  const auto* arr = n->as_array();
  if (!arr || (!arr->empty() && !arr->is_array_of_tables())) return root.error(n, "programmes", "must be an array of tables");
  p.programmes.clear();
  std::set<std::string> codes;
  for (const auto& node : *arr) {
    TableReader pr(*node.as_table(), "programmes", std::string(source));
    Programme g;
    VNH_RETURN_IF_ERROR(pr.string("code", g.code));
    if (g.code.empty() || g.code.size() > 32 ||
        !std::all_of(g.code.begin(), g.code.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
        })) {
      return pr.error(pr.use("code"), "code", "must be 1–32 letters, digits, '_' or '-'");
    }
    if (!codes.insert(g.code).second) return pr.error(pr.use("code"), "code", "is used by two programmes");
    VNH_RETURN_IF_ERROR(pr.string("name", g.name));
    if (auto c = check_text(g.name, "name", 64, true, true); !c.ok()) return pr.error(pr.use("name"), "name", c.message());
    std::string unit = "fen";
    VNH_RETURN_IF_ERROR(pr.string("unit", unit));
    if (unit == "fen") {
      g.unit = GrantUnit::kFen;
    } else if (unit == "minutes") {
      g.unit = GrantUnit::kMinutes;
    } else {
      return pr.error(pr.use("unit"), "unit", "must be \"fen\" or \"minutes\"");
    }
    if (!pr.has("monthly")) return pr.error(&node, "monthly", "is required (fen or minutes a month)");
    VNH_RETURN_IF_ERROR(pr.integer("monthly", 0, 100000000, g.monthly));
    VNH_RETURN_IF_ERROR(pr.categories("categories", g.categories));
    int min_age = -1;
    VNH_RETURN_IF_ERROR(pr.integer("min_age", 0, 150, min_age));
    if (min_age >= 0) g.min_age = min_age;
    if (const toml::node* f = pr.use("care_flags")) {
      const auto* fa = f->as_array();
      if (!fa) return pr.error(f, "care_flags", "must be an array of care flags");
      for (const auto& e : *fa) {
        auto s = e.value<std::string>();
        auto flag = s ? parse_care_flag(*s) : std::nullopt;
        if (!flag) return pr.error(&e, "care_flags", "elements must be one of " + care_flag_names());
        g.care_flags |= care_flag_bit(*flag);
      }
    }
    if (const toml::node* ic = pr.use("item_categories")) {
      const auto* ia = ic->as_array();
      if (!ia) return pr.error(ic, "item_categories", "must be an array of service categories");
      for (const auto& e : *ia) {
        auto s = e.value<std::string>();
        auto c = s ? parse_category(*s) : std::nullopt;
        if (!c) return pr.error(&e, "item_categories", "elements must be one of " + category_names());
        g.item_categories.push_back(*c);
      }
    }
    VNH_RETURN_IF_ERROR(pr.finish());
    p.programmes.push_back(std::move(g));
  }
  return Status::Ok();
}

Status read_policy(const toml::table& root, std::string_view source, Policy& p) {
  TableReader r(root, "", std::string(source));
  const toml::node* legacy_bands = nullptr;
  std::vector<MealRule> legacy_rules;
  const toml::node* legacy_credit = nullptr;
  std::vector<ElderCategory> legacy_credit_categories{ElderCategory::kB};
  Fen legacy_credit_fen = 5000;
  std::string eff = p.effective_from.to_string();
  VNH_RETURN_IF_ERROR(r.string("effective_from", eff));
  auto ym = parse_year_month(eff);
  if (!ym.ok()) return r.error(r.use("effective_from"), "effective_from", "must be a month YYYY-MM");
  p.effective_from = *ym;
  VNH_RETURN_IF_ERROR(r.string("time_zone", p.time_zone_name));
  auto tz = TimeZone::load(p.time_zone_name);
  if (!tz.ok()) return r.error(r.use("time_zone"), "time_zone", tz.status().message());
  p.tz = *tz;

  Status st;
  if (auto t = r.sub("eligibility", st)) {
    VNH_RETURN_IF_ERROR(t->integer("min_age", 0, 150, p.eligibility_min_age));
    VNH_RETURN_IF_ERROR(t->integer("longevity_allowance_age", 0, 150, p.longevity_allowance_age));
    VNH_RETURN_IF_ERROR(t->finish());
  }
  VNH_RETURN_IF_ERROR(st);

  if (auto t = r.sub("subsidy", st)) {
    VNH_RETURN_IF_ERROR(t->categories("full_funding_categories", p.full_funding));
    // The first version's B credit, read so that a policy recorded with an old run still loads:
    // it becomes the one programme. A policy with [[programmes]] must not have it too.
    if (t->has("credit_categories") || t->has("monthly_credit_fen")) {
      legacy_credit = t->use(t->has("credit_categories") ? "credit_categories" : "monthly_credit_fen");
      VNH_RETURN_IF_ERROR(t->categories("credit_categories", legacy_credit_categories));
      VNH_RETURN_IF_ERROR(t->integer("monthly_credit_fen", 0, 100000000, legacy_credit_fen));
    }
    // The first version's meal bands (every meal item by age, no daily cap), read so that a
    // policy recorded with an old run still loads: they become lunch rules after the fully
    // funded categories' rule. A policy with [meals] rules must not have them too.
    Status ast;
    if (const auto* bands = t->array_of_tables("meal_bands", ast)) {
      legacy_bands = t->use("meal_bands");
      std::vector<MealRule> rules;
      for (const auto& b : *bands) {
        TableReader br(*b.as_table(), "subsidy.meal_bands", std::string(source));
        MealRule mr;
        int min_age = 0, max_age = -1;
        VNH_RETURN_IF_ERROR(br.integer("min_age", 0, 150, min_age));
        VNH_RETURN_IF_ERROR(br.integer("max_age", 0, 150, max_age));
        VNH_RETURN_IF_ERROR(br.integer("fen", 0, 10000000, mr.fen));
        VNH_RETURN_IF_ERROR(br.finish());
        mr.min_age = min_age;
        if (max_age >= 0) {
          if (max_age < min_age) return br.error(&b, "max_age", "must not be below min_age");
          mr.max_age = max_age;
        }
        rules.push_back(mr);
      }
      std::sort(rules.begin(), rules.end(), [](const MealRule& a, const MealRule& b) { return *a.min_age < *b.min_age; });
      for (size_t i = 1; i < rules.size(); ++i) {
        if (!rules[i - 1].max_age || *rules[i - 1].max_age >= *rules[i].min_age) {
          return t->error(t->use("meal_bands"), "meal_bands", "age bands overlap");
        }
      }
      legacy_rules = std::move(rules);
    }
    VNH_RETURN_IF_ERROR(ast);
    VNH_RETURN_IF_ERROR(t->finish());
    for (auto c : p.full_funding) {
      if (legacy_credit && std::find(legacy_credit_categories.begin(), legacy_credit_categories.end(), c) !=
                               legacy_credit_categories.end()) {
        return t->error(legacy_credit, "credit_categories", "a category cannot be both fully funded and on credit");
      }
    }
  }
  VNH_RETURN_IF_ERROR(st);

  if (auto t = r.sub("assessment", st)) {
    VNH_RETURN_IF_ERROR(t->decimal("weight_enterprise_building", 10000, 0, 10000, p.w_enterprise));
    VNH_RETURN_IF_ERROR(t->decimal("weight_service_norms", 10000, 0, 10000, p.w_norms));
    VNH_RETURN_IF_ERROR(t->decimal("weight_service_quality", 10000, 0, 10000, p.w_quality));
    VNH_RETURN_IF_ERROR(t->decimal("weight_staff_management", 10000, 0, 10000, p.w_staff));
    VNH_RETURN_IF_ERROR(t->decimal("quality_weight_satisfaction", 10000, 0, 10000, p.q_satisfaction));
    VNH_RETURN_IF_ERROR(t->decimal("quality_weight_punctuality", 10000, 0, 10000, p.q_punctuality));
    VNH_RETURN_IF_ERROR(t->decimal("quality_weight_verified_visits", 10000, 0, 10000, p.q_verified));
    VNH_RETURN_IF_ERROR(t->integer("complaint_deduction_fen", 0, 100000000, p.complaint_deduction_fen));
    Status ast;
    if (const auto* bands = t->array_of_tables("bands", ast)) {
      p.bands.clear();
      for (const auto& b : *bands) {
        TableReader br(*b.as_table(), "assessment.bands", std::string(source));
        ScoreBand sb;
        VNH_RETURN_IF_ERROR(br.decimal("min_total", 100, 0, 10000, sb.min_total));
        VNH_RETURN_IF_ERROR(br.decimal("coefficient", 100, 0, 1000, sb.coefficient));
        const toml::node* er = br.use("exit_review");
        if (er) {
          if (!er->is_boolean()) return br.error(er, "exit_review", "must be true or false");
          sb.exit_review = *er->value<bool>();
        }
        VNH_RETURN_IF_ERROR(br.finish());
        p.bands.push_back(sb);
      }
    }
    VNH_RETURN_IF_ERROR(ast);
    VNH_RETURN_IF_ERROR(check_sum(*t, "weight_*", {p.w_enterprise, p.w_norms, p.w_quality, p.w_staff}));
    VNH_RETURN_IF_ERROR(check_sum(*t, "quality_weight_*", {p.q_satisfaction, p.q_punctuality, p.q_verified}));
    VNH_RETURN_IF_ERROR(t->finish());
  }
  VNH_RETURN_IF_ERROR(st);
  std::sort(p.bands.begin(), p.bands.end(), [](const ScoreBand& a, const ScoreBand& b) { return a.min_total > b.min_total; });
  if (p.bands.empty() || p.bands.back().min_total != 0) {
    return r.error(nullptr, "assessment.bands", "the lowest band must start at 0 so every score has a coefficient");
  }
  for (size_t i = 1; i < p.bands.size(); ++i) {
    if (p.bands[i].min_total == p.bands[i - 1].min_total) {
      return r.error(nullptr, "assessment.bands", "two bands start at the same score");
    }
  }

  if (auto t = r.sub("dispatch", st)) {
    VNH_RETURN_IF_ERROR(t->integer("offer_timeout_normal_s", 5, 86400, p.offer_timeout_normal_s));
    VNH_RETURN_IF_ERROR(t->integer("offer_timeout_emergency_s", 5, 86400, p.offer_timeout_emergency_s));
    VNH_RETURN_IF_ERROR(t->decimal("low_score_threshold", 100, 0, 10000, p.low_score_threshold));
    VNH_RETURN_IF_ERROR(t->integer("continuity_days", 0, 3650, p.continuity_days));
    VNH_RETURN_IF_ERROR(t->decimal("weight_quality", 10000, 0, 10000, p.d_quality));
    VNH_RETURN_IF_ERROR(t->decimal("weight_load", 10000, 0, 10000, p.d_load));
    VNH_RETURN_IF_ERROR(t->decimal("weight_distance", 10000, 0, 10000, p.d_distance));
    VNH_RETURN_IF_ERROR(t->decimal("weight_rotation", 10000, 0, 10000, p.d_rotation));
    VNH_RETURN_IF_ERROR(check_sum(*t, "weight_*", {p.d_quality, p.d_load, p.d_distance, p.d_rotation}));
    VNH_RETURN_IF_ERROR(t->finish());
  }
  VNH_RETURN_IF_ERROR(st);

  if (auto t = r.sub("visits", st)) {
    std::int64_t dist = 30000, ratio = 5000, skew = 300;
    VNH_RETURN_IF_ERROR(t->decimal("max_checkin_distance_m", 100, 100, 10000000, dist));
    VNH_RETURN_IF_ERROR(t->decimal("min_duration_ratio", 10000, 0, 10000, ratio));
    VNH_RETURN_IF_ERROR(t->integer("max_device_clock_skew_s", 1, 86400, skew));
    VNH_RETURN_IF_ERROR(t->finish());
    p.visits.max_checkin_distance_m = static_cast<double>(dist) / 100.0;
    p.visits.min_duration_num = static_cast<int>(ratio);
    p.visits.min_duration_den = 10000;
    p.visits.max_device_clock_skew_ms = skew * 1000;
  }
  VNH_RETURN_IF_ERROR(st);

  if (auto t = r.sub("callbacks", st)) {
    VNH_RETURN_IF_ERROR(t->decimal("sample_share", 1000, 0, 1000, p.callback_sample_permille));
    VNH_RETURN_IF_ERROR(t->integer("min_per_firm", 0, 1000, p.callback_min_per_firm));
    VNH_RETURN_IF_ERROR(t->integer("daily_capacity", 0, 100000, p.callback_daily_capacity));
    VNH_RETURN_IF_ERROR(t->integer("max_attempts", 1, 10, p.callback_max_attempts));
    VNH_RETURN_IF_ERROR(t->integer("new_worker_days", 0, 3650, p.new_worker_days));
    VNH_RETURN_IF_ERROR(t->integer("complaint_lookback_days", 0, 3650, p.complaint_lookback_days));
    VNH_RETURN_IF_ERROR(t->finish());
  }
  VNH_RETURN_IF_ERROR(st);

  if (auto t = r.sub("security", st)) {
    std::int64_t ops = static_cast<std::int64_t>(p.password.ops_limit);
    std::int64_t mem_kib = static_cast<std::int64_t>(p.password.mem_limit / 1024);
    VNH_RETURN_IF_ERROR(t->integer("session_ttl_minutes", 1, 7 * 24 * 60, p.session_ttl_minutes));
    VNH_RETURN_IF_ERROR(t->integer("lockout_failures", 1, 100, p.lockout_failures));
    VNH_RETURN_IF_ERROR(t->integer("lockout_minutes", 1, 24 * 60, p.lockout_minutes));
    VNH_RETURN_IF_ERROR(t->integer("argon2_ops_limit", 1, 64, ops));
    VNH_RETURN_IF_ERROR(t->integer("argon2_mem_limit_kib", 8, 4 * 1024 * 1024, mem_kib));
    VNH_RETURN_IF_ERROR(t->finish());
    p.password.ops_limit = static_cast<unsigned long long>(ops);
    p.password.mem_limit = static_cast<std::size_t>(mem_kib) * 1024;
  }
  VNH_RETURN_IF_ERROR(st);

  if (auto t = r.sub("partners", st)) {
    VNH_RETURN_IF_ERROR(t->integer("heartbeat_interval_s", 1, 3600, p.heartbeat_interval_s));
    VNH_RETURN_IF_ERROR(t->integer("ack_timeout_s", 1, 3600, p.ack_timeout_s));
    VNH_RETURN_IF_ERROR(t->integer("max_resends", 1, 1000, p.max_resends));
    VNH_RETURN_IF_ERROR(t->integer("max_frame_bytes", 1024, 16 * 1024 * 1024, p.max_frame_bytes));
    VNH_RETURN_IF_ERROR(t->finish());
  }
  VNH_RETURN_IF_ERROR(st);

  if (auto t = r.sub("statement", st)) {
    VNH_RETURN_IF_ERROR(t->string("office", p.statement_office));
    VNH_RETURN_IF_ERROR(t->finish());
    if (auto c = check_text(p.statement_office, "statement.office", 64, true, true); !c.ok()) {
      return t->error(t->use("office"), "office", c.message());
    }
  }
  VNH_RETURN_IF_ERROR(st);

  Status mst = read_meals(r, source, p, legacy_bands != nullptr);
  if (!mst.ok()) return mst;
  if (legacy_bands) {
    std::vector<MealRule> rules;
    MealRule full;
    full.categories = p.full_funding;
    full.full = true;
    rules.push_back(full);
    for (auto& b : legacy_rules) rules.push_back(b);
    p.meals.rules = std::move(rules);
    for (auto& rule : p.meals.rules) rule.name = default_rule_name(rule);
  }

  Status pst = read_programmes(r, source, p, legacy_credit);
  if (!pst.ok()) return pst;
  if (legacy_credit) {
    p.programmes = Policy::default_programmes();
    p.programmes[0].categories = legacy_credit_categories;
    p.programmes[0].monthly = legacy_credit_fen;
  }

  if (auto t = r.sub("care", st)) {
    Status ist;
    if (auto iv = t->sub("interval_days", ist)) {
      for (auto tier : {CareTier::kHigh, CareTier::kKey, CareTier::kGeneral}) {
        VNH_RETURN_IF_ERROR(iv->integer(to_string(tier), 1, 3650, p.care_interval_days[static_cast<size_t>(tier)]));
      }
      VNH_RETURN_IF_ERROR(iv->finish());
    }
    VNH_RETURN_IF_ERROR(ist);
    VNH_RETURN_IF_ERROR(t->integer("event_due_hours", 1, 24 * 30, p.care_event_due_hours));
    VNH_RETURN_IF_ERROR(t->finish());
  }
  VNH_RETURN_IF_ERROR(st);

  if (auto t = r.sub("recurrence", st)) {
    VNH_RETURN_IF_ERROR(t->integer("lead_days", 1, 30, p.recurrence_lead_days));
    VNH_RETURN_IF_ERROR(t->finish());
  }
  VNH_RETURN_IF_ERROR(st);

  if (auto t = r.sub("hotline", st)) {
    VNH_RETURN_IF_ERROR(t->string("default_area_code", p.default_area_code));
    VNH_RETURN_IF_ERROR(t->integer("ring_timeout_s", 5, 600, p.ring_timeout_s));
    VNH_RETURN_IF_ERROR(t->finish());
    bool ok = p.default_area_code.size() >= 3 && p.default_area_code.size() <= 4 && p.default_area_code[0] == '0';
    for (char c : p.default_area_code) ok = ok && c >= '0' && c <= '9';
    if (!ok) return t->error(nullptr, "default_area_code", "must be a Chinese area code like 0931");
  }
  VNH_RETURN_IF_ERROR(st);
  return r.finish();
}

}  // namespace

bool Policy::is_fully_funded(ElderCategory c) const {
  return std::find(full_funding.begin(), full_funding.end(), c) != full_funding.end();
}
std::vector<Programme> Policy::default_programmes() {
  Programme b;
  b.code = "B_credit";
  b.name = "重点优抚服务额度";
  b.unit = GrantUnit::kFen;
  b.monthly = 5000;
  b.categories = {ElderCategory::kB};
  return {b};
}

const ScoreBand& Policy::band_for(std::int64_t total) const {
  for (const auto& b : bands) {
    if (total >= b.min_total) return b;
  }
  return bands.back();
}

bool MealRule::matches(MealSlot s, ElderCategory c, int age) const {
  if (s != slot) return false;
  if (!categories.empty() && std::find(categories.begin(), categories.end(), c) == categories.end()) return false;
  if (min_age && age < *min_age) return false;
  if (max_age && age > *max_age) return false;
  return true;
}

MealSplit MealPolicy::split(MealSlot slot, ElderCategory c, int age, Fen price) const {
  for (const auto& r : rules) {
    if (!r.matches(slot, c, age)) continue;
    Fen g = r.full ? price : std::min(r.fen, price);
    return {g, price - g, r.name};
  }
  return {0, price, "no_rule"};
}

bool MealPolicy::free_delivery_for(ElderCategory c) const {
  return std::find(free_delivery.begin(), free_delivery.end(), c) != free_delivery.end();
}

MealPolicy Policy::default_meals() {
  MealPolicy m;
  MealRule full;
  full.categories = {ElderCategory::kA, ElderCategory::kD};
  full.full = true;
  MealRule young;
  young.min_age = 65;
  young.max_age = 74;
  young.fen = 900;
  MealRule old;
  old.min_age = 75;
  old.fen = 1000;
  m.rules = {full, young, old};
  for (auto& r : m.rules) r.name = default_rule_name(r);
  return m;
}

Result<Policy> load_policy(std::string_view text, std::string_view source) {
  Policy p;
  p.source = std::string(source);
  p.text = std::string(text);
  crypto_init();
  p.digest = sha256_hex(text);
  try {
    toml::table root = toml::parse(text, source);
    VNH_RETURN_IF_ERROR(read_policy(root, source, p));
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    return invalid("policy", fmt::format("{}:{}:{}: {}", source, b.line, b.column, e.description()));
  }
  if (!p.tz) p.tz = *TimeZone::load(p.time_zone_name);
  return p;
}

Result<Policy> load_policy_file(const std::string& path) {
  auto text = read_file(path);
  if (!text) return not_found(fmt::format("cannot read policy file {}", path), "policy");
  return load_policy(*text, path);
}

}  // namespace vnh::domain
