#pragma once
// Versioned schema migrations, compiled into the binary from store/migrations/NNNN_*.sql and
// applied in order at open, each in its own transaction; PRAGMA user_version records the last
// applied. A database newer than the binary is refused.
#include "common/status.hpp"
#include "store/sqlite.hpp"

namespace vnh::store {

int latest_schema_version();
Status migrate(Database& db);

}  // namespace vnh::store
