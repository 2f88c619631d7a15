#include "store/policies.hpp"

#include "store/query.hpp"

namespace vnh::store {

Status record_policy(Database& db, const domain::Policy& p, TimeMs now) {
  auto st = db.prepare(
      "INSERT INTO policies(digest, effective_month, source, body, loaded_at) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT(digest) DO NOTHING");
  if (!st.ok()) return st.status();
  return st->bind_all(p.digest, p.effective_from.to_string(), p.source, p.text, now).run();
}

Result<std::optional<StoredPolicy>> policy_for_month(Database& db, YearMonth month) {
  auto st = db.prepare(
      "SELECT digest, effective_month, source, body FROM policies WHERE effective_month <= ? "
      "ORDER BY effective_month DESC, loaded_at DESC LIMIT 1");
  if (st.ok()) st->bind(1, month.to_string());
  return query_one<StoredPolicy>(std::move(st), [](Statement& s) {
    return StoredPolicy{s.text(0), s.text(1), s.text(2), s.text(3), 0, {}};
  });
}

Result<std::vector<StoredPolicy>> list_policies(Database& db) {
  auto all = query_all<StoredPolicy>(
      db.prepare("SELECT digest, effective_month, source, body, loaded_at FROM policies "
                 "ORDER BY effective_month DESC, loaded_at DESC"),
      [](Statement& s) { return StoredPolicy{s.text(0), s.text(1), s.text(2), s.text(3), s.int64(4), {}}; });
  if (!all.ok()) return all.status();
  auto runs = query_all<std::pair<std::string, std::string>>(
      db.prepare("SELECT policy_digest, month FROM settlement_runs ORDER BY month"),
      [](Statement& s) { return std::make_pair(s.text(0), s.text(1)); });
  if (!runs.ok()) return runs.status();
  for (auto& p : *all) {
    for (const auto& [digest, month] : *runs) {
      if (digest == p.digest) p.months.push_back(month);
    }
  }
  return all;
}

Result<std::map<std::int64_t, std::int64_t>> latest_firm_scores(Database& db, YearMonth month) {
  auto st = db.prepare(
      "SELECT f.id, l.score_total FROM settlement_lines l JOIN firms f ON f.code = l.firm_code "
      "WHERE l.score_total IS NOT NULL AND l.month = (SELECT max(l2.month) FROM settlement_lines l2 "
      "WHERE l2.firm_code = l.firm_code AND l2.month < ?)");
  if (st.ok()) st->bind(1, month.to_string());
  auto rows = query_all<std::pair<std::int64_t, std::int64_t>>(
      std::move(st), [](Statement& r) { return std::make_pair(r.int64(0), r.int64(1)); });
  if (!rows.ok()) return rows.status();
  return std::map<std::int64_t, std::int64_t>(rows->begin(), rows->end());
}

}  // namespace vnh::store
