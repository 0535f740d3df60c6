#include "server/model.h"

namespace rampart::server {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kViewer:
      return "viewer";
    case Role::kOperator:
      return "operator";
    case Role::kAdmin:
      return "admin";
  }
  return "viewer";
}

Result<Role> ParseRole(std::string_view text) {
  for (Role role : {Role::kViewer, Role::kOperator, Role::kAdmin}) {
    if (text == RoleName(role)) return role;
  }
  return InvalidArgument("role '" + std::string(text) + "': expected admin, operator or viewer");
}

std::string_view HostStatusName(HostStatus status) {
  switch (status) {
    case HostStatus::kOnline:
      return "ONLINE";
    case HostStatus::kOffline:
      return "OFFLINE";
    case HostStatus::kUninstalled:
      return "UNINSTALLED";
  }
  return "OFFLINE";
}

Result<HostStatus> ParseHostStatus(std::string_view text) {
  for (HostStatus status : {HostStatus::kOnline, HostStatus::kOffline, HostStatus::kUninstalled}) {
    if (text == HostStatusName(status)) return status;
  }
  return InvalidArgument("status '" + std::string(text) +
                         "': expected ONLINE, OFFLINE or UNINSTALLED");
}

}  // namespace rampart::server
