// ClientFrame bytes as a firm's socket delivers them → parse → the command handler, as the
// partner session runs it (partners/session.cpp): must never crash, and every command gives a
// CommandResult frame that parses.
#include <cstdint>
#include <cstdlib>

#include "fuzz/district.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto& d = vnh::fuzz::district();
  vnh::v1::ClientFrame f;
  if (!f.ParseFromArray(data, static_cast<int>(size))) return 0;  // the session answers malformed_frame
  if (f.body_case() == vnh::v1::ClientFrame::kAck || f.body_case() == vnh::v1::ClientFrame::kPing ||
      f.body_case() == vnh::v1::ClientFrame::BODY_NOT_SET) {
    return 0;  // answered by the session itself, no command
  }
  vnh::partners::FirmIdentity firm{d.directory.firm_by_code("F001")->id, "F001", {}};
  (void)vnh::store::run_transaction(d.store->db(), [&](vnh::store::WriteTx& tx) {
    auto answer = d.commands->run(tx, firm, f);
    if (answer.ok()) {
      vnh::v1::ServerFrame back;
      if (!back.ParseFromString(answer->frame) || !back.has_result()) std::abort();
    }
    return vnh::fuzz::rollback();
  });
  return 0;
}
