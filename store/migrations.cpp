#include "store/migrations.hpp"

#include <fmt/format.h>

namespace vnh::store {

int latest_schema_version() { return static_cast<int>(migrations::files().size()); }

Status migrate(Database& db) {
  int current = 0;
  {
    // Scoped: an open statement would lock the schema against the migrations below.
    auto st = db.prepare("PRAGMA user_version");
    if (!st.ok()) return st.status();
    auto row = st->step();
    if (!row.ok()) return row.status();
    current = static_cast<int>(st->int64(0));
  }
  const auto& files = migrations::files();
  if (current > static_cast<int>(files.size())) {
    return Status(Code::kFailedPrecondition,
                  fmt::format("database schema version {} is newer than this vnh ({}); upgrade vnh", current,
                              files.size()));
  }
  int version = 0;
  for (const auto& [name, sql] : files) {  // std::map: sorted by NNNN_ prefix
    ++version;
    if (version <= current) continue;
    auto tx = Transaction::begin(db);
    if (!tx.ok()) return tx.status();
    Status s = db.exec(sql);
    if (!s.ok()) return Status(s.code(), fmt::format("migration {} failed: {}", name, s.message()));
    VNH_RETURN_IF_ERROR(db.exec(fmt::format("PRAGMA user_version={}", version)));
    VNH_RETURN_IF_ERROR(tx->commit());
  }
  return Status::Ok();
}

}  // namespace vnh::store
