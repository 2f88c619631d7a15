#include "store/stats.hpp"

#include "store/query.hpp"

namespace vnh::store {

Result<std::map<std::int64_t, std::int64_t>> accepted_since_by_firm(Database& db, TimeMs since) {
  auto st = db.prepare(
      "SELECT firm_id, count(*) FROM tickets WHERE accepted_at >= ? AND firm_id IS NOT NULL AND state <> 'cancelled' "
      "GROUP BY firm_id");
  if (st.ok()) st->bind(1, since);
  std::map<std::int64_t, std::int64_t> out;
  VNH_RETURN_IF_ERROR(for_each_row(std::move(st), [&](Statement& r) { out[r.int64(0)] = r.int64(1); }));
  return out;
}

Result<std::map<std::int64_t, std::int64_t>> orders_since_by_item(Database& db, TimeMs since) {
  auto st = db.prepare("SELECT item_id, count(*) FROM tickets WHERE created_at >= ? GROUP BY item_id");
  if (st.ok()) st->bind(1, since);
  std::map<std::int64_t, std::int64_t> out;
  VNH_RETURN_IF_ERROR(for_each_row(std::move(st), [&](Statement& r) { out[r.int64(0)] = r.int64(1); }));
  return out;
}

Result<Headline> headline(Database& db, TimeMs since) {
  Headline h;
  auto created = db.prepare("SELECT count(*) FROM tickets WHERE created_at >= ?");
  if (created.ok()) created->bind(1, since);
  VNH_ASSIGN_OR_RETURN(h.tickets_created_since, query_int(std::move(created)));
  VNH_ASSIGN_OR_RETURN(h.open_exceptions, query_int(db.prepare("SELECT count(*) FROM visit_exceptions WHERE status = 'open'")));
  VNH_ASSIGN_OR_RETURN(h.active_elders, query_int(db.prepare("SELECT count(*) FROM elders WHERE status = 'active'")));
  return h;
}

Result<std::int64_t> count_rows(Database& db, SeededTable table) {
  switch (table) {
    case SeededTable::kAreas: return query_int(db.prepare("SELECT count(*) FROM areas"));
    case SeededTable::kCatalogItems: return query_int(db.prepare("SELECT count(*) FROM catalog_items"));
    case SeededTable::kTickets: return query_int(db.prepare("SELECT count(*) FROM tickets"));
  }
  return internal("unknown table");
}

Result<std::int64_t> max_elder_id(Database& db) { return query_int(db.prepare("SELECT max(id) FROM elders")); }
Result<std::int64_t> max_item_id(Database& db) { return query_int(db.prepare("SELECT max(id) FROM catalog_items")); }

Status create_probe_table(Database& db) { return db.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, payload TEXT NOT NULL)"); }

Status insert_probe_row(Database& db) {
  VNH_RETURN_IF_ERROR(db.exec("BEGIN IMMEDIATE"));
  auto st = db.prepare("INSERT INTO t(payload) VALUES (?)");
  Status r = st.ok() ? st->bind(1, "a ticket-sized row of about a hundred bytes of payload, roughly like a ticket's columns").run()
                     : st.status();
  Status c = db.exec(r.ok() ? "COMMIT" : "ROLLBACK");
  return r.ok() ? c : r;
}

}  // namespace vnh::store
