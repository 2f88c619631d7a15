#pragma once
// Session: one firm's partner websocket (SPEC §8). On open it sends Welcome and then every
// frame the firm has not acknowledged, in seq order; after that, each committed frame as it
// comes. Acks, re-sends and escalation follow the firm's Delivery state machine; commands go
// through the CommandHandler in a Writer job and are answered after the commit. Outbox reads
// happen outside the session's mutex, on the I/O threads; the mutex only guards the state
// machine and the connection handle, and sends are queued on the connection's strand.
//
// Lifetime: shared_ptr, held by the connection (as its handler) and by PartnerSessions while
// registered.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/io_context.hpp>

#include "common/clock.hpp"
#include "domain/policy.hpp"
#include "net/http.hpp"
#include "partners/commands.hpp"
#include "partners/delivery.hpp"
#include "partners/sessions.hpp"
#include "store/store.hpp"

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

// What every session of the gateway shares; owned by the PartnerHub, outliving its sessions.
struct Gateway {
  boost::asio::io_context& ioc;
  store::Store& store;
  CommandHandler& commands;
  PartnerSessions& sessions;
  const domain::Policy& policy;
  const Clock& clock;
  HubStats& stats;
  // Told (from the completer thread) when a firm's frames were escalated to supervisors.
  std::function<void(const std::string& firm_code, std::uint64_t up_to_seq, int frames)> escalated;
};

class Session final : public net::WsHandler, public std::enable_shared_from_this<Session> {
 public:
  Session(Gateway& gw, FirmIdentity firm);

  void on_open(std::shared_ptr<net::WsConnection> conn) override;
  void on_message(std::string&& data, bool binary) override;
  void on_close(const std::string& reason) override;

  // Frame `seq` of this firm was committed.
  void deliver(std::uint64_t seq, std::shared_ptr<const std::string> frame);
  void close(std::uint16_t code, const std::string& reason);
  const FirmIdentity& firm() const { return firm_; }
  // Every second: re-send after the ack timeout, escalate after repeated failures.
  void tick(TimeMs now);
  FirmPresence snapshot(TimeMs now) const;

 private:
  void reply(const vnh::v1::ServerFrame& f);
  void send_locked(std::shared_ptr<const std::string> frame);
  // Reads the outbox from `r` on, page by page, and sends what the state machine says; runs
  // with no lock held, at most one at a time (the state machine's outstanding read).
  void read_outbox(Delivery::Read r);
  void escalate(std::uint64_t upto);
  void on_ack(std::uint64_t seq);
  void on_command(vnh::v1::ClientFrame f);

  Gateway& gw_;
  const FirmIdentity firm_;
  mutable std::mutex mu_;
  std::shared_ptr<net::WsConnection> conn_;
  Delivery delivery_;
  TimeMs connected_at_ = 0;
  TimeMs last_heartbeat_ = 0;
  int malformed_ = 0;
  bool closed_ = false;
};

}  // namespace vnh::partners
