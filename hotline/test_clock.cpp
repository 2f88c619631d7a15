// POST /api/v1/admin/clock: only with --fake-clock, the admin moves the platform's clock.
#include "hotline/api.hpp"
#include "hotline/roles.hpp"

namespace vnh::hotline {
namespace json = boost::json;

namespace {
void move_clock(Api& api, Api::Call&& call, FakeClock& clock, const std::function<void()>& moved) {
  auto body = parse_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto adv = opt_int(*body, "advance_ms");
  auto set = opt_time(*body, "set");
  for (const Status* s : {&adv.status(), &set.status()}) {
    if (!s->ok()) return call.respond(error_response(*s));
  }
  if (*adv) {
    if (**adv < 0) return call.respond(error_response(invalid("advance_ms", "the clock only moves forward")));
    clock.advance(**adv);
  }
  if (*set) clock.set(**set);
  if (moved) moved();
  const auto& c = api.ctx();
  call.respond(json_response(200, json::object{{"now", format_time(c.clock.now_ms(), *c.policy.tz)},
                                               {"now_ms", c.clock.now_ms()}}));
}
}  // namespace

void install_test_clock(Api& api, net::Router& r, FakeClock& clock, std::function<void()> moved) {
  api.add(r, {"POST", "/api/v1/admin/clock", roles::kAdmin,
              [&clock, moved = std::move(moved)](Api& a, Api::Call&& call) { move_clock(a, std::move(call), clock, moved); }});
}

}  // namespace vnh::hotline
