#pragma once
// Actor: who made a change, as the ticket events and the audit log name them — a console
// user, a partner firm, the platform itself, or a bulk import (whose rows are audited once per
// file, not each). Built only through the named constructors, so the audit flag always
// matches the kind of actor. A value type; no I/O.
#include <string>
#include <utility>

namespace vnh::domain {

class Actor {
 public:
  // A signed-in console user (audited).
  static Actor user(std::string username) { return Actor(std::move(username), true); }
  // A partner firm over its websocket, named "firm:F001" (audited).
  static Actor firm(const std::string& firm_code) { return Actor("firm:" + firm_code, true); }
  // The platform's own decisions: timeouts, re-dispatch after a decline (audited).
  static Actor system() { return Actor("system", true); }
  // A bulk history import: events name `source`, the file gets one audit entry.
  static Actor import(std::string source) { return Actor(std::move(source), false); }
  // The same actor for the platform's follow-up of this actor's change (a decline's
  // re-dispatch): named "system", audited as this actor is.
  Actor follow_up() const { return Actor("system", audit); }

  std::string name;  // user name, "firm:F001", "system", the import's actor
  bool audit = true;

 private:
  Actor(std::string n, bool a) : name(std::move(n)), audit(a) {}
};

}  // namespace vnh::domain
