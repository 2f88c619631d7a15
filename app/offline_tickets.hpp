#pragma once
// The ticket service as a command that runs without the server needs it (`vnh import deaths`:
// a deceased elder's open tickets are cancelled): the firm directory loaded from the file, and
// an outbox that stores the frames the firms get when they next connect. Offer timers are not
// run; the server re-arms what is pending when it starts.
#include <memory>

#include "common/clock.hpp"
#include "dispatcher/directory.hpp"
#include "dispatcher/dispatcher.hpp"
#include "domain/policy.hpp"
#include "partners/outbox.hpp"
#include "partners/sessions.hpp"
#include "store/store.hpp"
#include "tickets/service.hpp"

namespace vnh::app {

class OfflineTickets {
 public:
  static Result<std::unique_ptr<OfflineTickets>> open(store::Store& store, const domain::Policy& policy, const Clock& clock) {
    auto t = std::unique_ptr<OfflineTickets>(new OfflineTickets(store, policy, clock));
    VNH_RETURN_IF_ERROR(t->dir_.load(store.db(), *policy.tz, clock.now_ms()));
    return t;
  }
  tickets::Service& service() { return service_; }

 private:
  OfflineTickets(store::Store& store, const domain::Policy& policy, const Clock& clock)
      : outbox_(sessions_, clock),
        dispatcher_(policy, clock, dir_),
        service_({policy, store.crypto(), clock, dispatcher_, outbox_, timers_}) {}

  dispatcher::FirmDirectory dir_;
  dispatcher::OfferTimers timers_;
  partners::PartnerSessions sessions_;
  partners::Outbox outbox_;
  dispatcher::Dispatcher dispatcher_;
  tickets::Service service_;
};

}  // namespace vnh::app
