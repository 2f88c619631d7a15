#pragma once
// The partner gateway's parts on the small district of world.hpp, without sockets: the real
// dispatcher, ticket service and Outbox, the Outbox delivering to a recording FrameDelivery,
// and the CommandHandler — so a test can create a ticket, see the frames a firm would get and
// run the firm's commands as frames.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "dispatcher/dispatcher.hpp"
#include "partners/commands.hpp"
#include "partners/outbox.hpp"
#include "store/reference.hpp"
#include "tests/support/world.hpp"
#include "tickets/service.hpp"

namespace vnh::testing {

// Records what the outbox hands over after each commit.
class RecordingDelivery final : public partners::FrameDelivery {
 public:
  struct Frame {
    std::int64_t firm_id = 0;
    std::uint64_t seq = 0;
    vnh::v1::ServerFrame frame;
  };
  void deliver(std::int64_t firm_id, std::uint64_t seq, std::shared_ptr<const std::string> bytes) override {
    Frame f{firm_id, seq, {}};
    REQUIRE(f.frame.ParseFromString(*bytes));
    frames.push_back(std::move(f));
  }
  std::vector<Frame> frames;
};

// What the ticket service told its observers after commit: the workers seen (the live map).
struct RecordingObserver final : tickets::Observer {
  void ticket_changed(const tickets::TicketChange&) override {}
  void worker_seen(const tickets::WorkerSeen& w) override { seen.push_back(w); }
  std::vector<tickets::WorkerSeen> seen;
};

struct PartnerRig {
  World w;
  FakeClock clock{*parse_time("2026-11-23T09:00:00+08:00")};
  dispatcher::FirmDirectory dir;
  dispatcher::OfferTimers timers;
  dispatcher::Dispatcher dispatcher{w.policy, clock, dir};
  RecordingDelivery delivered;
  partners::Outbox outbox{delivered, clock};
  RecordingObserver observed;
  tickets::Service service{{w.policy, w.store->crypto(), clock, dispatcher, outbox, timers, {&observed}}};
  partners::CommandHandler commands{service, w.store->crypto(), clock};

  PartnerRig() { REQUIRE(dir.load(w.store->db(), *w.policy.tz, clock.now_ms()).ok()); }

  partners::FirmIdentity firm(const std::string& code) { return {dir.firm_by_code(code)->id, code, {}}; }
  // A new ticket for the A-category elder, offered to the best firm.
  store::TicketRow create(const std::string& item = "LC010") {
    tickets::CreateRequest req;
    req.id_number = "620102195810100019";
    req.item_code = item;
    std::optional<tickets::Created> out;
    REQUIRE(w.tx([&](store::WriteTx& tx) {
              auto r = service.create(tx, req, tickets::Actor::user("op"), 1, std::nullopt, "");
              if (!r.ok()) return r.status();
              out = std::move(*r);
              return Status::Ok();
            }).ok());
    return out->ticket;
  }
  // Runs one command frame as the firm's session would, in its own transaction.
  Result<partners::CommandAnswer> command(const partners::FirmIdentity& f, const vnh::v1::ClientFrame& frame) {
    std::optional<Result<partners::CommandAnswer>> out;
    Status st = w.tx([&](store::WriteTx& tx) {
      out.emplace(commands.run(tx, f, frame));
      return out->status();
    });
    if (!st.ok()) return st;
    return std::move(*out);
  }
  store::TicketRow ticket(const std::string& no) { return **store::find_ticket(w.store->db(), no); }
};

}  // namespace vnh::testing
