// Test seams, only with --fake-clock: POST /api/v1/admin/clock (the admin moves the platform's
// clock) and /api/v1/admin/faults (arms one disk fault in the VFS shim, store/wal_vfs.hpp).
#include <sqlite3.h>

#include "hotline/api.hpp"
#include "hotline/roles.hpp"
#include "store/wal_vfs.hpp"

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
void arm_fault(Api&, Api::Call&& call) {
  auto body = parse_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto op = req_string(*body, "op", 16);
  auto nth = opt_int(*body, "nth");
  auto error = opt_string(*body, "error", 16);
  for (const Status* s : {&op.status(), &nth.status(), &error.status()}) {
    if (!s->ok()) return call.respond(error_response(*s));
  }
  std::optional<store::DiskOp> which;
  if (*op == "write") which = store::DiskOp::kWrite;
  if (*op == "sync") which = store::DiskOp::kSync;
  if (*op == "truncate") which = store::DiskOp::kTruncate;
  if (*op == "none") {
    store::disarm_disk_fault();
  } else if (!which) {
    return call.respond(error_response(invalid("op", "is one of write, sync, truncate, none")));
  } else {
    const std::string e = error->value_or("ioerr");
    if (e != "ioerr" && e != "full") return call.respond(error_response(invalid("error", "is ioerr or full")));
    if (nth->value_or(1) < 1) return call.respond(error_response(invalid("nth", "counts from 1")));
    int rc = e == "full" ? SQLITE_FULL
                         : (*which == store::DiskOp::kSync       ? SQLITE_IOERR_FSYNC
                            : *which == store::DiskOp::kTruncate ? SQLITE_IOERR_TRUNCATE
                                                                 : SQLITE_IOERR_WRITE);
    store::arm_disk_fault(*which, static_cast<std::uint64_t>(nth->value_or(1)), rc);
  }
  call.respond(json_response(200, json::object{{"injected", store::disk_faults_injected()}}));
}
}  // namespace

void install_test_clock(Api& api, net::Router& r, FakeClock& clock, std::function<void()> moved) {
  api.add(r, {"POST", "/api/v1/admin/clock", roles::kAdmin,
              [&clock, moved = std::move(moved)](Api& a, Api::Call&& call) { move_clock(a, std::move(call), clock, moved); }});
  api.add(r, {"POST", "/api/v1/admin/faults", roles::kAdmin, arm_fault});
}

}  // namespace vnh::hotline
