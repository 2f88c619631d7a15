#pragma once
// Who may call what: the role lists the route tables share.
#include <vector>

#include "domain/types.hpp"

namespace vnh::hotline::roles {
using domain::Role;

// The back office: every role but the canteens'.
inline const std::vector<Role> kEveryone = {Role::kOperator, Role::kSupervisor, Role::kInspector, Role::kFinance,
                                            Role::kAdmin};
// Any signed-in user (their session, the error codes' words).
inline const std::vector<Role> kAnyRole = {Role::kOperator, Role::kSupervisor, Role::kInspector,
                                           Role::kFinance,  Role::kAdmin,      Role::kCanteen,
                                           Role::kCare,     Role::kDisplay};
// The reference data (catalog, areas): the back office and the care workers (a finding opens a
// ticket for an item).
inline const std::vector<Role> kReference = {Role::kOperator, Role::kSupervisor, Role::kInspector, Role::kFinance,
                                             Role::kAdmin,    Role::kCare};
// Who takes calls and files tickets, callbacks and complaints.
inline const std::vector<Role> kIntake = {Role::kOperator, Role::kSupervisor};
// Who serves elders and so sees their register.
inline const std::vector<Role> kElderDesk = {Role::kOperator, Role::kSupervisor, Role::kAdmin};
inline const std::vector<Role> kSupervisor = {Role::kSupervisor};
inline const std::vector<Role> kSupervision = {Role::kSupervisor, Role::kAdmin};
// The command screen: the supervisors' map and statistics, and the wall view of `display`.
inline const std::vector<Role> kCommandScreen = {Role::kSupervisor, Role::kAdmin, Role::kDisplay};
// The firms' league of a month: the command screen's, and the inspectors' (the firm's month beside
// the scores they enter) and finance's.
inline const std::vector<Role> kLeague = {Role::kSupervisor, Role::kAdmin, Role::kDisplay, Role::kInspector,
                                          Role::kFinance};
// Who scores the firms each month.
inline const std::vector<Role> kInspection = {Role::kInspector, Role::kAdmin};
inline const std::vector<Role> kFinance = {Role::kFinance};
inline const std::vector<Role> kFinanceDesk = {Role::kFinance, Role::kAdmin};
inline const std::vector<Role> kAdmin = {Role::kAdmin};

}  // namespace vnh::hotline::roles
