#include "domain/programmes.hpp"

#include <algorithm>

namespace vnh::domain {

std::string_view to_string(GrantUnit u) { return u == GrantUnit::kFen ? "fen" : "minutes"; }

bool Programme::includes(ElderCategory c, int age, CareFlags flags) const {
  if (!categories.empty() && std::find(categories.begin(), categories.end(), c) == categories.end()) return false;
  if (min_age && age < *min_age) return false;
  if (care_flags != 0 && (care_flags & flags) == 0) return false;
  return true;
}

bool Programme::pays_for(Category item) const {
  return item_categories.empty() || std::find(item_categories.begin(), item_categories.end(), item) != item_categories.end();
}

Coverage GrantLedger::compute(const std::vector<std::int64_t>* used, const GrantHolder& e, Date day, Category item,
                              Fen price, int duration_min) const {
  Coverage c;
  const int age = age_on(e.birth, day);
  Fen rest = std::max<Fen>(price, 0);
  for (std::size_t i = 0; i < programmes_->size(); ++i) {
    const Programme& p = (*programmes_)[i];
    if (!p.includes(e.category, age, e.flags) || !p.pays_for(item)) continue;
    c.in_any = true;
    if (rest == 0) break;
    const std::int64_t left = std::max<std::int64_t>(0, p.monthly - (used ? (*used)[i] : 0));
    ProgrammeDraw d{i, 0, 0};
    if (p.unit == GrantUnit::kFen) {
      d.covered = std::min(rest, left);
      d.used = d.covered;
    } else if (duration_min > 0 && price > 0) {
      // The minutes that pay for `rest` of a price worth `duration_min` minutes, rounded up.
      const std::int64_t need = (rest * duration_min + price - 1) / price;
      if (left >= need) {
        d.covered = rest;
        d.used = need;
      } else {
        d.covered = left * price / duration_min;  // rounded down to the fen
        d.used = left;
      }
    }
    if (d.used == 0 && d.covered == 0) continue;
    rest -= d.covered;
    c.covered += d.covered;
    c.draws.push_back(d);
  }
  return c;
}

Coverage GrantLedger::draw(std::int64_t elder_id, const GrantHolder& e, Date day, Category item, Fen price,
                           int duration_min) {
  auto& used = used_[elder_id];
  if (used.empty()) used.assign(programmes_->size(), 0);
  Coverage c = compute(&used, e, day, item, price, duration_min);
  for (const auto& d : c.draws) used[d.programme] += d.used;
  return c;
}

Coverage GrantLedger::preview(std::int64_t elder_id, const GrantHolder& e, Date day, Category item, Fen price,
                              int duration_min) const {
  auto it = used_.find(elder_id);
  return compute(it == used_.end() ? nullptr : &it->second, e, day, item, price, duration_min);
}

std::vector<GrantBalance> GrantLedger::balances(std::int64_t elder_id, const GrantHolder& e, Date day) const {
  std::vector<GrantBalance> out;
  auto it = used_.find(elder_id);
  const int age = age_on(e.birth, day);
  for (std::size_t i = 0; i < programmes_->size(); ++i) {
    const Programme& p = (*programmes_)[i];
    if (!p.includes(e.category, age, e.flags)) continue;
    std::int64_t used = it == used_.end() ? 0 : it->second[i];
    out.push_back({&p, used, std::max<std::int64_t>(0, p.monthly - used)});
  }
  return out;
}

std::string grant_rule(const Coverage& c, Fen price) {
  if (!c.in_any) return "self_pay";
  return c.covered == price ? "grant" : c.covered > 0 ? "grant_partial" : "grant_used_up";
}

std::string programme_codes(const std::vector<Programme>& programmes, const Coverage& c) {
  std::string out;
  for (const auto& d : c.draws) {
    if (!out.empty()) out += '+';
    out += programmes[d.programme].code;
  }
  return out;
}

}  // namespace vnh::domain
