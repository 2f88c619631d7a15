#pragma once
// PartnerSessions: the live partner connections, one per firm (a newer connection of a firm
// replaces the older one), and the hand-off of committed outbox frames to them. The registry
// is a mutex-guarded map; every message is sent outside its lock, through the session.
// Thread-safe.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace vnh::partners {

class Session;

// Where the outbox hands a frame once its transaction is durable.
class FrameDelivery {
 public:
  virtual ~FrameDelivery() = default;
  virtual void deliver(std::int64_t firm_id, std::uint64_t seq, std::shared_ptr<const std::string> frame) = 0;
};

class PartnerSessions final : public FrameDelivery {
 public:
  // Registers `s` as the firm's session; returns the one it replaces (for the caller to close).
  std::shared_ptr<Session> attach(std::int64_t firm_id, std::shared_ptr<Session> s);
  // Forgets the firm's session if it is still `s`.
  void detach(std::int64_t firm_id, const Session* s);
  std::shared_ptr<Session> find(std::int64_t firm_id) const;
  std::map<std::int64_t, std::shared_ptr<Session>> all() const;
  // Sends the frame to the firm's session if it is connected; else it waits in the outbox.
  void deliver(std::int64_t firm_id, std::uint64_t seq, std::shared_ptr<const std::string> frame) override;

 private:
  mutable std::mutex mu_;
  std::map<std::int64_t, std::shared_ptr<Session>> sessions_;
};

}  // namespace vnh::partners
