#pragma once
// The platform's parts a fuzz target drives, on a real database file: the worked month's
// district (tests/data/month-2026-10: areas, catalog, elders, firms, areas served, staff,
// canteens, meal cards)
// imported through the real importer, the real dispatcher, ticket service, outbox and partner
// command handler, and a few tickets offered to F001 whose numbers the seed corpora use.
// Built once per process; every input runs in a transaction that is rolled back, so inputs
// do not depend on one another. No Catch2 here: a failed setup aborts with its reason.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "common/clock.hpp"
#include "common/file.hpp"
#include "data/embedded.hpp"
#include "dispatcher/dispatcher.hpp"
#include "domain/policy.hpp"
#include "importer/importer.hpp"
#include "partners/commands.hpp"
#include "partners/outbox.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"
#include "tests/support/temp_dir.hpp"
#include "tickets/service.hpp"

namespace vnh::fuzz {

inline void die(const std::string& why) {
  std::fprintf(stderr, "fuzz setup: %s\n", why.c_str());
  std::abort();
}

struct NoDelivery final : partners::FrameDelivery {
  void deliver(std::int64_t, std::uint64_t, std::shared_ptr<const std::string>) override {}
};

// What a rolled-back input returns from its transaction.
inline Status rollback() { return Status(Code::kAborted, "fuzz input rolled back"); }

struct District {
  testing::TempDir dir;  // removed at exit, after the store (declared first: destroyed last)
  std::unique_ptr<store::Store> store;
  domain::Policy policy = *domain::load_policy(data::default_policy_text(), "policy.toml");
  FakeClock clock{1'795'400'000'000};  // 2026-11-23 (UTC), inside the sample's validity
  dispatcher::FirmDirectory directory;
  dispatcher::OfferTimers timers;
  dispatcher::Dispatcher dispatcher{policy, clock, directory};
  NoDelivery delivery;
  partners::Outbox outbox{delivery, clock};
  std::unique_ptr<tickets::Service> service;
  std::unique_ptr<partners::CommandHandler> commands;

  District() {
    store::StoreOptions o;
    o.path = dir.file("fuzz.db");
    o.start_writer = false;
    o.open.synchronous = "OFF";
    auto s = store::Store::open(o);
    if (!s.ok()) die(s.status().message());
    store = std::move(*s);
    using importer::Kind;
    for (auto [k, f] : {std::pair{Kind::kAreas, "areas.csv"}, {Kind::kCatalog, "catalog.csv"},
                        {Kind::kElders, "elders.csv"}, {Kind::kFirms, "firms.csv"}, {Kind::kFirmAreas, "firm-areas.csv"},
                        {Kind::kStaff, "staff.csv"}, {Kind::kCanteens, "canteens.csv"},
                        {Kind::kMealCards, "meal-cards.csv"}}) {
      auto csv = read_file(std::string(VNH_SOURCE_DIR) + "/tests/data/month-2026-10/" + f);
      if (!csv) die(std::string("cannot read ") + f);
      importer::ImportContext ctx{policy, store->crypto(), clock.now_ms(), "import", f};
      auto r = importer::import_csv(store->db(), k, *csv, ctx);
      if (!r.ok() || !r->ok()) die(std::string("importing ") + f);
    }
    if (!directory.load(store->db(), *policy.tz, clock.now_ms()).ok()) die("directory");
    service = std::make_unique<tickets::Service>(
        tickets::ServiceDeps{policy, store->crypto(), clock, dispatcher, outbox, timers});
    commands = std::make_unique<partners::CommandHandler>(*service, store->crypto(), clock);
    for (int i = 0; i < 3; ++i) {  // T20261123000001 … 3, offered (kept: committed)
      Status st = store::run_transaction(store->db(), [&](store::WriteTx& tx) {
        tickets::CreateRequest req;
        req.id_number = "620102195810100019";
        req.item_code = "S001";
        return service->create(tx, req, tickets::Actor::user("op"), 1, std::nullopt, "").status();
      });
      if (!st.ok()) die("creating tickets: " + st.message());
    }
  }
};

inline District& district() {
  static District d;
  return d;
}

}  // namespace vnh::fuzz
