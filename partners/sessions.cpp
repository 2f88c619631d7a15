#include "partners/sessions.hpp"

#include "partners/session.hpp"

namespace vnh::partners {

std::shared_ptr<Session> PartnerSessions::attach(std::int64_t firm_id, std::shared_ptr<Session> s) {
  std::lock_guard lk(mu_);
  auto& slot = sessions_[firm_id];
  std::shared_ptr<Session> old = std::move(slot);
  slot = std::move(s);
  return old;
}

void PartnerSessions::detach(std::int64_t firm_id, const Session* s) {
  std::lock_guard lk(mu_);
  auto it = sessions_.find(firm_id);
  if (it != sessions_.end() && it->second.get() == s) sessions_.erase(it);
}

std::shared_ptr<Session> PartnerSessions::find(std::int64_t firm_id) const {
  std::lock_guard lk(mu_);
  auto it = sessions_.find(firm_id);
  return it == sessions_.end() ? nullptr : it->second;
}

std::map<std::int64_t, std::shared_ptr<Session>> PartnerSessions::all() const {
  std::lock_guard lk(mu_);
  return sessions_;
}

void PartnerSessions::deliver(std::int64_t firm_id, std::uint64_t seq, std::shared_ptr<const std::string> frame) {
  auto s = find(firm_id);
  if (s) s->deliver(seq, std::move(frame));  // offline: the frame waits in the outbox
}

}  // namespace vnh::partners
