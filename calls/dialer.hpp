#pragma once
// Click-to-dial: the operator's desk asks the PBX to ring their own phone and connect it to an
// elder's number (a callback, a missed call). The PBX's originate hook is a URL template with
// {agent} (the operator's user name, which the PBX knows as the agent, as in §11's answer) and
// {number}; the request is a POST whose body is {"agent","number"} as JSON, so the hook can be
// Asterisk ARI's POST /ari/channels (all in the query) or a FreeSWITCH script reading the body
// (docs/operations.md). Without a template the number is shown to the operator instead.
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <string>

#include "common/status.hpp"

namespace vnh::calls {

// Pure: the template with {agent} and {number} replaced by their percent-encoded values.
std::string dial_url(const std::string& tmpl, const std::string& agent, const std::string& number);
// A template an operator can use: an http:// URL with {number} in it.
Status check_dial_template(const std::string& tmpl);

class Dialer {
 public:
  Dialer(boost::asio::io_context& ioc, std::string tmpl, std::chrono::milliseconds timeout = std::chrono::seconds(5))
      : ioc_(ioc), tmpl_(std::move(tmpl)), timeout_(timeout) {}
  bool configured() const { return !tmpl_.empty(); }
  // Asks the PBX to connect `agent` to `number`; `done` gets Ok on a 2xx, else
  // kUnavailable "pbx_unavailable" saying what the PBX answered.
  void dial(const std::string& agent, const std::string& number, std::function<void(Status)> done) const;

 private:
  boost::asio::io_context& ioc_;
  std::string tmpl_;
  std::chrono::milliseconds timeout_;
};

}  // namespace vnh::calls
