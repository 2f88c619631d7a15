#include "calls/dialer.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include "common/reasons.hpp"
#include "net/client.hpp"

namespace vnh::calls {

namespace {
std::string percent_encode(const std::string& s) {
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out += static_cast<char>(ch);
    } else {
      out += fmt::format("%{:02X}", ch);
    }
  }
  return out;
}

void replace_all(std::string& s, const std::string& what, const std::string& with) {
  for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + with.size())) s.replace(at, what.size(), with);
}
}  // namespace

std::string dial_url(const std::string& tmpl, const std::string& agent, const std::string& number) {
  std::string url = tmpl;
  replace_all(url, "{agent}", percent_encode(agent));
  replace_all(url, "{number}", percent_encode(number));
  return url;
}

Status check_dial_template(const std::string& tmpl) {
  if (tmpl.find("{number}") == std::string::npos) {
    return Status(Code::kInvalidArgument, "the PBX dial URL must contain {number} (and usually {agent})");
  }
  auto st = net::check_http_url(dial_url(tmpl, "agent", "13900000000"));
  if (!st.ok()) return Status(Code::kInvalidArgument, "the PBX dial URL " + st.message());
  return Status::Ok();
}

void Dialer::dial(const std::string& agent, const std::string& number, std::function<void(Status)> done) const {
  auto body = boost::json::serialize(boost::json::object{{"agent", agent}, {"number", number}});
  net::http_post(ioc_, dial_url(tmpl_, agent, number), std::move(body), "application/json", timeout_,
                 [done = std::move(done)](Result<net::ClientReply> r) {
                   if (!r.ok()) {
                     return done(Status(Code::kUnavailable, "the PBX did not answer: " + r.status().message(), "",
                                        reason::kPbxUnavailable));
                   }
                   if (r->status < 200 || r->status > 299) {
                     return done(Status(Code::kUnavailable, fmt::format("the PBX refused the call ({})", r->status),
                                        "", reason::kPbxUnavailable));
                   }
                   done(Status::Ok());
                 });
}

}  // namespace vnh::calls
