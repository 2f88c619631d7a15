#include "domain/visit.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

namespace vnh::domain {

std::string_view to_string(VisitExceptionType t) {
  switch (t) {
    case VisitExceptionType::kDistance: return "distance";
    case VisitExceptionType::kShortVisit: return "short_visit";
    case VisitExceptionType::kCheckoutBeforeCheckin: return "checkout_before_checkin";
    case VisitExceptionType::kForeignWorker: return "foreign_worker";
    case VisitExceptionType::kDeviceClock: return "device_clock";
  }
  return "?";
}

std::optional<VisitExceptionType> parse_visit_exception_type(std::string_view s) {
  for (auto t : {VisitExceptionType::kDistance, VisitExceptionType::kShortVisit,
                 VisitExceptionType::kCheckoutBeforeCheckin, VisitExceptionType::kForeignWorker,
                 VisitExceptionType::kDeviceClock}) {
    if (to_string(t) == s) return t;
  }
  return std::nullopt;
}

namespace {
void check_clock(std::optional<TimeMs> device, TimeMs server, const VisitRules& r, const char* what,
                 std::vector<VisitFinding>& out) {
  if (!device) return;
  TimeMs skew = *device - server;
  if (std::llabs(skew) > r.max_device_clock_skew_ms) {
    out.push_back({VisitExceptionType::kDeviceClock,
                   fmt::format("{} device time is {} s {} server time (limit {} s)", what, std::llabs(skew) / 1000,
                               skew > 0 ? "ahead of" : "behind", r.max_device_clock_skew_ms / 1000),
                   {{"at_checkout", std::string_view(what) == "check-out" ? 1 : 0},
                    {"skew_s", skew / 1000},
                    {"limit_s", r.max_device_clock_skew_ms / 1000}}});
  }
}
}  // namespace

std::vector<VisitFinding> verify_check_in(const CheckInFacts& f, const VisitRules& r) {
  std::vector<VisitFinding> out;
  double d = haversine_m(f.home, f.point);
  if (d > r.max_checkin_distance_m) {
    out.push_back({VisitExceptionType::kDistance,
                   fmt::format("check-in {:.0f} m from the elder's home (limit {:.0f} m)", d, r.max_checkin_distance_m),
                   {{"distance_m", std::llround(d)}, {"limit_m", std::llround(r.max_checkin_distance_m)}}});
  }
  if (!f.worker_of_firm) {
    out.push_back({VisitExceptionType::kForeignWorker, "the worker is not on the firm's staff", {}});
  }
  check_clock(f.device_time, f.server_time, r, "check-in", out);
  return out;
}

std::vector<VisitFinding> verify_check_out(const CheckOutFacts& f, const VisitRules& r) {
  std::vector<VisitFinding> out;
  if (f.checkout_at < f.checkin_at) {
    out.push_back({VisitExceptionType::kCheckoutBeforeCheckin,
                   fmt::format("check-out {} min before check-in", (f.checkin_at - f.checkout_at) / 60000),
                   {{"minutes", (f.checkin_at - f.checkout_at) / 60000}}});
  } else {
    // duration < standard × num/den, in exact integers: dur × den < standard × num.
    TimeMs dur = f.checkout_at - f.checkin_at;
    TimeMs standard = static_cast<TimeMs>(f.standard_duration_min) * 60000;
    if (dur * r.min_duration_den < standard * r.min_duration_num) {
      out.push_back({VisitExceptionType::kShortVisit,
                     fmt::format("visit lasted {} min; the item's standard is {} min (minimum {}/{})", dur / 60000,
                                 f.standard_duration_min, r.min_duration_num, r.min_duration_den),
                     {{"minutes", dur / 60000},
                      {"standard_min", f.standard_duration_min},
                      {"min_num", r.min_duration_num},
                      {"min_den", r.min_duration_den}}});
    }
  }
  check_clock(f.device_time, f.server_time, r, "check-out", out);
  return out;
}

const std::vector<ReasonCode>& clear_reason_codes() {
  static const std::vector<ReasonCode> kCodes = {
      {"no_signal_indoors", "室内无信号，定位漂移", "no GPS signal indoors, position drifted"},
      {"elder_met_outside", "老人在户外与服务人员会合", "elder met the worker outside the home"},
      {"elder_temporarily_elsewhere", "老人临时在亲属家等处接受服务", "elder was served at a relative's or another address"},
      {"home_location_outdated", "老人住址坐标有误，已更正", "elder's home coordinates on file were wrong and are corrected"},
      {"device_clock_wrong", "终端时钟错误", "worker's device clock was wrong"},
      {"elder_requested_short_service", "老人要求提前结束服务", "elder asked to end the service early"},
      {"service_confirmed_by_callback", "回访确认服务已完成", "a callback confirmed the service was received"},
      {"worker_record_pending", "服务人员入职登记未同步", "worker's staff record was not yet registered"},
      {"other", "其他（须填写说明）", "other (explain in the note)"},
  };
  return kCodes;
}

const std::vector<ReasonCode>& uphold_reason_codes() {
  static const std::vector<ReasonCode> kCodes = {
      {"not_at_home_confirmed", "经核实未到老人家中", "confirmed the worker was not at the elder's home"},
      {"service_not_completed", "服务未按标准完成", "service was not completed to standard"},
      {"record_falsified", "记录造假", "the visit record was falsified"},
      {"unregistered_worker", "非本企业人员提供服务", "the worker does not belong to the firm"},
      {"no_response_from_firm", "企业逾期未说明", "the firm did not explain within the deadline"},
      {"other", "其他（须填写说明）", "other (explain in the note)"},
  };
  return kCodes;
}

namespace {
bool in(const std::vector<ReasonCode>& codes, std::string_view c) {
  for (const auto& r : codes) {
    if (r.code == c) return true;
  }
  return false;
}
}  // namespace

bool valid_clear_reason(std::string_view code) { return in(clear_reason_codes(), code); }
bool valid_uphold_reason(std::string_view code) { return in(uphold_reason_codes(), code); }

}  // namespace vnh::domain
