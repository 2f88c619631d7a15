#pragma once
// A small outbound HTTP/1.1 client for the services the platform calls itself — today the
// PBX's click-to-dial (originate) hook. Plain http only: a PBX's API listens on the call
// centre's own network. One request per connection, bounded by a timeout; the callback is
// called exactly once, on an I/O thread.
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <string>

#include "common/status.hpp"

namespace vnh::net {

struct ClientReply {
  int status = 0;
  std::string body;
};

// Checks that `url` is an absolute http:// URL with a host (what a request needs).
Status check_http_url(const std::string& url);

// POSTs `body` (`content_type`) to `url`. A connection or protocol failure or the timeout is
// kUnavailable; any HTTP status is a reply.
void http_post(boost::asio::io_context& ioc, const std::string& url, std::string body, std::string content_type,
               std::chrono::milliseconds timeout, std::function<void(Result<ClientReply>)> done);

}  // namespace vnh::net
