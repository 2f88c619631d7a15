// Request bodies of the main POST routes as the API parses them (hotline/request.hpp): the
// duplicate-key-refusing parser, the canonical form idempotency keys hash, and the typed
// field readers the routes use. None may crash; what parses must re-serialise to JSON that
// parses to the same canonical form.
#include <cstdint>
#include <cstdlib>
#include <string>

#include <boost/json.hpp>

#include "hotline/request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  auto o = vnh::hotline::parse_object(body);
  if (!o.ok()) return 0;
  std::string canon = vnh::hotline::canonical_json(*o);
  auto again = vnh::hotline::parse_object(canon);
  if (!again.ok() || vnh::hotline::canonical_json(*again) != canon) std::abort();
  // The fields of ticket creation, elder registration, callbacks and complaints.
  for (const char* k : {"elder_id", "id_number", "item_code", "urgency", "window_start", "window_end", "notes",
                        "name", "phone", "community_code", "category", "registered_on", "ticket_no", "reason",
                        "outcome", "username", "password", "firm_code", "call_id"}) {
    (void)vnh::hotline::opt_string(*o, k, 256);
    (void)vnh::hotline::req_string(*o, k, 64);
  }
  for (const char* k : {"lat", "lon", "rating", "advance_ms"}) {
    (void)vnh::hotline::opt_number(*o, k);
    (void)vnh::hotline::opt_int(*o, k);
  }
  return 0;
}
