#include <catch2/catch.hpp>

#include <map>
#include <utility>

#include "domain/ticket_state.hpp"

using namespace vnh;
using namespace vnh::domain;
using S = TicketState;
using A = TicketAction;

TEST_CASE("every ticket transition is allowed or refused exactly as SPEC 4.5 says", "[ticket][state]") {
  // The complete table of allowed transitions; every other (state, action) pair is refused.
  const std::map<std::pair<S, A>, S> allowed = {
      {{S::kCreated, A::kOffer}, S::kOffered},
      {{S::kUnassigned, A::kOffer}, S::kOffered},
      {{S::kOffered, A::kAccept}, S::kAccepted},
      {{S::kOffered, A::kDecline}, S::kCreated},
      {{S::kOffered, A::kTimeout}, S::kCreated},
      {{S::kOffered, A::kWithdraw}, S::kCreated},
      {{S::kCreated, A::kNoCandidate}, S::kUnassigned},
      {{S::kAccepted, A::kAssignStaff}, S::kAccepted},
      {{S::kAccepted, A::kCheckIn}, S::kInService},
      {{S::kInService, A::kCheckOut}, S::kCompleted},
      {{S::kCreated, A::kCancel}, S::kCancelled},
      {{S::kOffered, A::kCancel}, S::kCancelled},
      {{S::kAccepted, A::kCancel}, S::kCancelled},
      {{S::kInService, A::kCancel}, S::kCancelled},
      {{S::kUnassigned, A::kCancel}, S::kCancelled},
      {{S::kCompleted, A::kDispute}, S::kDisputed},
      {{S::kDisputed, A::kClearDispute}, S::kCompleted},
      {{S::kDisputed, A::kUpholdDispute}, S::kDisputed},
  };
  const S states[] = {S::kCreated, S::kOffered, S::kAccepted, S::kInService,
                      S::kCompleted, S::kCancelled, S::kUnassigned, S::kDisputed};
  const A actions[] = {A::kOffer, A::kAccept, A::kDecline, A::kTimeout, A::kWithdraw, A::kNoCandidate, A::kAssignStaff,
                       A::kCheckIn, A::kCheckOut, A::kCancel, A::kDispute, A::kClearDispute, A::kUpholdDispute};
  int allowed_count = 0;
  for (S s : states) {
    for (A a : actions) {
      INFO(to_string(s) << " --" << to_string(a) << "-->");
      auto r = next_state(s, a);
      auto it = allowed.find({s, a});
      if (it != allowed.end()) {
        REQUIRE(r.ok());
        CHECK(*r == it->second);
        ++allowed_count;
      } else {
        REQUIRE_FALSE(r.ok());
        CHECK(r.status().code() == Code::kFailedPrecondition);
        CHECK(r.status().reason() == "illegal_transition");
        CHECK(r.status().message().find(std::string(to_string(s))) != std::string::npos);
      }
    }
  }
  CHECK(allowed_count == static_cast<int>(allowed.size()));
}

TEST_CASE("terminal states admit nothing but the dispute path", "[ticket][state]") {
  CHECK_FALSE(next_state(S::kCancelled, A::kCancel).ok());
  CHECK_FALSE(next_state(S::kCompleted, A::kCancel).ok());
  CHECK_FALSE(next_state(S::kDisputed, A::kCancel).ok());
  CHECK(next_state(S::kCancelled, A::kOffer).status().message() == "cannot offer a ticket that is cancelled");
}
