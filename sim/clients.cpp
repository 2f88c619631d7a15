#include "sim/clients.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <fmt/format.h>

namespace vnh::sim {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Result<Endpoint> parse_url(const std::string& url) {
  std::string rest = url;
  if (rest.rfind("https://", 0) == 0 || rest.rfind("wss://", 0) == 0) {
    return invalid("url", "this client speaks plain HTTP; put it behind the TLS terminator or use http:// on loopback");
  }
  for (const char* scheme : {"http://", "ws://"}) {
    if (rest.rfind(scheme, 0) == 0) rest = rest.substr(std::string(scheme).size());
  }
  auto slash = rest.find('/');
  if (slash != std::string::npos) rest = rest.substr(0, slash);
  auto colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= rest.size()) {
    return invalid("url", fmt::format("'{}' needs host:port", url));
  }
  return Endpoint{rest.substr(0, colon), rest.substr(colon + 1)};
}

boost::json::value HttpClient::Reply::json() const {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  return ec ? boost::json::value() : v;
}

bool HttpClient::connect() {
  try {
    tcp::resolver resolver(*ioc_);
    stream_ = std::make_unique<beast::tcp_stream>(*ioc_);
    auto where = resolver.resolve(ep_.host, ep_.port);
    if (!source_.empty()) {
      auto& sock = stream_->socket();
      sock.open(where.begin()->endpoint().protocol());
      sock.bind(tcp::endpoint(boost::asio::ip::make_address(source_), 0));
      sock.connect(where.begin()->endpoint());
    } else {
      stream_->connect(where);
    }
    stream_->socket().set_option(tcp::no_delay(true));
    // Beast reads into whatever room the buffer has, 512 bytes when it has none: a reply of a
    // few KiB then took several recv calls. Room for a typical reply makes it one.
    buffer_.reserve(64 * 1024);
    return true;
  } catch (const std::exception&) {
    stream_.reset();
    return false;
  }
}

HttpClient::Reply HttpClient::request(const std::string& method, const std::string& target, const std::string& body,
                                      const std::map<std::string, std::string>& headers) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!stream_ && !connect()) return {};
    try {
      http::request<http::string_body> req(http::string_to_verb(method), target, 11);
      req.set(http::field::host, ep_.host);
      req.keep_alive(true);
      if (!token_.empty()) req.set(http::field::authorization, "Bearer " + token_);
      for (const auto& [k, v] : headers) req.set(k, v);
      if (!body.empty()) {
        req.set(http::field::content_type, "application/json");
        req.body() = body;
      }
      req.prepare_payload();
      stream_->expires_after(std::chrono::seconds(60));
      http::write(*stream_, req);
      http::response_parser<http::string_body> parser;
      parser.body_limit(256 * 1024 * 1024);
      http::read(*stream_, buffer_, parser);
      auto res = parser.release();
      Reply r;
      r.status = res.result_int();
      r.body = std::move(res.body());
      for (const auto& f : res) {
        std::string n(f.name_string());
        for (auto& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers[n] = std::string(f.value());
      }
      if (!res.keep_alive()) stream_.reset();
      return r;
    } catch (const std::exception&) {
      stream_.reset();  // stale keep-alive connection: retry once on a new one
    }
  }
  return {};
}

Result<std::string> HttpClient::login(const std::string& user, const std::string& password) {
  auto r = post("/api/v1/login", boost::json::object{{"username", user}, {"password", password}});
  if (r.status != 200) return Status(Code::kUnauthenticated, fmt::format("login as {} failed: {} {}", user, r.status, r.body));
  auto j = r.json();
  token_ = std::string(j.at("token").as_string());
  return std::string(j.at("role").as_string());
}

PartnerClient::PartnerClient(asio::io_context& ioc, Endpoint ep, std::string token)
    : strand_(asio::make_strand(ioc)), resolver_(strand_), ws_(strand_), ep_(std::move(ep)), token_(std::move(token)) {}

void PartnerClient::connect() {
  resolver_.async_resolve(ep_.host, ep_.port, beast::bind_front_handler(&PartnerClient::on_resolve, shared_from_this()));
}

void PartnerClient::on_resolve(beast::error_code ec, tcp::resolver::results_type r) {
  if (ec) return finish("resolve: " + ec.message());
  beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(10));
  beast::get_lowest_layer(ws_).async_connect(r, beast::bind_front_handler(&PartnerClient::on_connect, shared_from_this()));
}

void PartnerClient::on_connect(beast::error_code ec, tcp::endpoint) {
  if (ec) return finish("connect: " + ec.message());
  beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true));
  beast::get_lowest_layer(ws_).expires_never();
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  ws_.set_option(websocket::stream_base::decorator([token = token_](websocket::request_type& req) {
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    req.set(http::field::user_agent, "vnh-partner");
  }));
  ws_.read_message_max(16 * 1024 * 1024);
  ws_.async_handshake(upgrade_res_, ep_.host + ":" + ep_.port, "/partner/v1/ws",
                      beast::bind_front_handler(&PartnerClient::on_handshake, shared_from_this()));
}

void PartnerClient::on_handshake(beast::error_code ec) {
  if (ec) return finish("handshake: " + ec.message(), upgrade_res_.result_int());
  open_ = true;
  ws_.binary(true);
  if (on_open) on_open();
  do_read();
  if (!out_.empty()) do_write();
}

void PartnerClient::do_read() {
  ws_.async_read(buffer_, beast::bind_front_handler(&PartnerClient::on_read, shared_from_this()));
}

void PartnerClient::on_read(beast::error_code ec, std::size_t) {
  if (ec) {
    std::string why = ec.message();
    if (ec == websocket::error::closed) why = std::string(ws_.reason().reason.data(), ws_.reason().reason.size());
    return finish(why);
  }
  vnh::v1::ServerFrame f;
  bool ok = f.ParseFromArray(buffer_.data().data(), static_cast<int>(buffer_.size()));
  buffer_.consume(buffer_.size());
  if (ok && on_frame) on_frame(f);
  do_read();
}

void PartnerClient::send(const vnh::v1::ClientFrame& f) { send_raw(f.SerializeAsString(), true); }

void PartnerClient::send_raw(std::string bytes, bool binary) {
  asio::post(ws_.get_executor(), [self = shared_from_this(), bytes = std::move(bytes), binary]() mutable {
    if (self->finished_) return;
    self->out_.emplace_back(std::move(bytes), binary);
    if (self->open_ && self->out_.size() == 1) self->do_write();
  });
}

void PartnerClient::do_write() {
  ws_.binary(out_.front().second);
  ws_.async_write(asio::buffer(out_.front().first), [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec) return self->finish("write: " + ec.message());
    if (self->finished_ || self->out_.empty()) return;  // closed meanwhile: the queue is gone
    self->out_.pop_front();
    if (!self->out_.empty()) self->do_write();
  });
}

void PartnerClient::close() {
  asio::post(ws_.get_executor(), [self = shared_from_this()] {
    if (!self->open_ || self->finished_) return self->finish("closed by client");
    self->ws_.async_close(websocket::close_code::normal, [self](beast::error_code) { self->finish("closed by client"); });
  });
}

void PartnerClient::drop() {
  asio::post(ws_.get_executor(), [self = shared_from_this()] {
    beast::error_code ec;
    beast::get_lowest_layer(self->ws_).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(self->ws_).socket().close(ec);
    self->finish("dropped by client");
  });
}

void PartnerClient::finish(const std::string& reason, int status) {
  if (finished_) return;
  finished_ = true;
  open_ = false;
  out_.clear();
  if (on_close) on_close(reason, status);
}

}  // namespace vnh::sim
