#include "net/client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

#include <memory>

namespace vnh::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

struct Target {
  std::string host;
  std::string port;
  std::string path;  // with the query
};

Result<Target> parse_target(const std::string& url) {
  auto u = boost::urls::parse_absolute_uri(url);
  if (!u) return Status(Code::kInvalidArgument, "is not an absolute URL: " + u.error().message());
  if (u->scheme() != "http") return Status(Code::kInvalidArgument, "must be an http:// URL (the PBX's own network)");
  if (u->host().empty()) return Status(Code::kInvalidArgument, "has no host");
  Target t{std::string(u->encoded_host()), u->has_port() ? std::string(u->port()) : "80",
           std::string(u->encoded_path().empty() ? "/" : u->encoded_path())};
  if (u->has_query()) t.path += "?" + std::string(u->encoded_query());
  return t;
}

// One request's connection; keeps itself alive through its handlers.
class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(asio::io_context& ioc, Target t, std::string body, std::string type, std::chrono::milliseconds timeout,
           std::function<void(Result<ClientReply>)> done)
      : resolver_(ioc), stream_(ioc), target_(std::move(t)), timeout_(timeout), done_(std::move(done)) {
    req_.method(http::verb::post);
    req_.target(target_.path);
    req_.set(http::field::host, target_.host);
    req_.set(http::field::user_agent, "vnh");
    req_.set(http::field::content_type, type);
    req_.body() = std::move(body);
    req_.prepare_payload();
  }

  void start() {
    stream_.expires_after(timeout_);
    resolver_.async_resolve(target_.host, target_.port, [self = shared_from_this()](beast::error_code ec, auto results) {
      if (ec) return self->fail("resolve", ec);
      self->stream_.async_connect(results, [self](beast::error_code ec2, const tcp::endpoint&) {
        if (ec2) return self->fail("connect", ec2);
        self->write();
      });
    });
  }

 private:
  void write() {
    http::async_write(stream_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->fail("write", ec);
      http::async_read(self->stream_, self->buffer_, self->res_, [self](beast::error_code ec2, std::size_t) {
        if (ec2) return self->fail("read", ec2);
        beast::error_code ignored;
        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        self->done_(ClientReply{static_cast<int>(self->res_.result_int()), std::move(self->res_.body())});
      });
    });
  }

  void fail(const char* step, beast::error_code ec) {
    done_(Status(Code::kUnavailable, std::string(step) + " " + target_.host + ":" + target_.port + ": " + ec.message()));
  }

  tcp::resolver resolver_;
  beast::tcp_stream stream_;
  Target target_;
  std::chrono::milliseconds timeout_;
  std::function<void(Result<ClientReply>)> done_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
  beast::flat_buffer buffer_;
};

}  // namespace

Status check_http_url(const std::string& url) {
  auto t = parse_target(url);
  return t.ok() ? Status::Ok() : t.status();
}

void http_post(asio::io_context& ioc, const std::string& url, std::string body, std::string content_type,
               std::chrono::milliseconds timeout, std::function<void(Result<ClientReply>)> done) {
  auto t = parse_target(url);
  if (!t.ok()) {
    asio::post(ioc, [done = std::move(done), st = t.status()] { done(st); });
    return;
  }
  std::make_shared<Exchange>(ioc, std::move(*t), std::move(body), std::move(content_type), timeout, std::move(done))
      ->start();
}

}  // namespace vnh::net
