#pragma once
// PartnerHub: the partner websocket gateway (SPEC §8). Authenticates firms on upgrade by
// bearer token (stored as SHA-256; 401 otherwise), keeps one live session per firm (a new
// connection replaces the old), sends Welcome and then every durable frame the firm has not
// acknowledged in seq order, delivers new outbox frames after their commit, re-sends
// unacknowledged frames after the ack timeout and escalates to supervisors after repeated
// failures, tracks presence from heartbeats, and runs firm commands through tickets::Service
// with request_id idempotency (a repeated request_id gets the stored answer and changes
// nothing). A firm only ever touches its own tickets.
//
// Thread-safety: the registry is guarded by a mutex and messages go out through each
// connection's strand; commands and acks go through the Writer.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/clock.hpp"
#include "dispatcher/dispatcher.hpp"
#include "domain/policy.hpp"
#include "net/router.hpp"
#include "vnh/v1/partner.pb.h"
#include "store/store.hpp"
#include "tickets/service.hpp"

namespace vnh::partners {

enum class Presence { kOnline, kOffline, kUnknown };
std::string_view to_string(Presence p);

struct FirmPresence {
  std::int64_t firm_id = 0;
  std::string firm_code;
  Presence presence = Presence::kOffline;
  TimeMs connected_at = 0;
  TimeMs last_heartbeat = 0;
  std::uint64_t sent_seq = 0;
  std::uint64_t acked_seq = 0;
  std::string remote;
};

struct HubStats {
  std::atomic<std::uint64_t> frames_sent{0};
  std::atomic<std::uint64_t> frames_resent{0};
  std::atomic<std::uint64_t> commands{0};
  std::atomic<std::uint64_t> command_replays{0};
  std::atomic<std::uint64_t> malformed{0};
  std::atomic<std::uint64_t> escalations{0};
};

class PartnerHub {
 public:
  // Notified (from any thread) when presence changes or frames are escalated.
  struct Events {
    std::function<void(const std::string& firm_code, Presence p)> presence;
    std::function<void(const std::string& firm_code, std::uint64_t up_to_seq, int frames)> escalated;
  };

  PartnerHub(boost::asio::io_context& ioc, store::Store& store, tickets::Service& service,
             const domain::Policy& policy, const Clock& clock, Events events);
  ~PartnerHub();

  // The factory for GET /partner/v1/ws.
  net::Upgrade upgrade(const net::Request& req);
  // After a commit that added outbox frame `seq` for a firm: send it if the firm is online.
  void deliver(std::int64_t firm_id, std::uint64_t seq, std::shared_ptr<const std::string> frame);
  // Closes every session (shutdown).
  void close_all(const std::string& reason);
  // Starts the ack/heartbeat supervision timer.
  void start();
  void stop();
  std::vector<FirmPresence> presence() const;
  Presence presence_of(std::int64_t firm_id) const;
  const HubStats& stats() const { return stats_; }

  class Session;

 private:
  friend class Session;
  void attach(std::int64_t firm_id, const std::shared_ptr<Session>& s);
  void detach(std::int64_t firm_id, const Session* s);
  void on_tick();
  void arm_timer();

  boost::asio::io_context& ioc_;
  store::Store& store_;
  tickets::Service& service_;
  const domain::Policy& policy_;
  const Clock& clock_;
  Events events_;
  HubStats stats_;
  mutable std::mutex mu_;
  std::map<std::int64_t, std::shared_ptr<Session>> sessions_;
  std::map<std::int64_t, Presence> reported_;
  boost::asio::steady_timer timer_;
  bool stopped_ = false;
};

// The outbox as the dispatcher's OfferSink: frames are stored with the firm's next seq in
// the ticket's transaction and handed to the hub after commit.
class Outbox final : public dispatcher::OfferSink {
 public:
  Outbox(PartnerHub& hub, const Clock& clock) : hub_(hub), clock_(clock) {}
  Status offer(store::WriteTx& tx, const dispatcher::Offer& o) override;
  Status withdrawn(store::WriteTx& tx, std::int64_t firm_id, const store::TicketRow& t,
                   const std::string& reason) override;
  Status cancelled(store::WriteTx& tx, std::int64_t firm_id, const store::TicketRow& t,
                   const std::string& reason) override;

 private:
  Status append(store::WriteTx& tx, std::int64_t firm_id, const std::string& kind, std::int64_t ticket_id,
                vnh::v1::ServerFrame frame);
  PartnerHub& hub_;
  const Clock& clock_;
};

}  // namespace vnh::partners
