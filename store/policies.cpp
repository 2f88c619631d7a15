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
    return StoredPolicy{s.text(0), s.text(1), s.text(2), s.text(3)};
  });
}

}  // namespace vnh::store
