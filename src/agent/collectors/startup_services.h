#pragma once
// startup_services: what the host starts at boot. One row per
//  - systemd .service unit (unit files of the search path, enabled instances of templates, masked
//  units);
//  - SysV init script in /etc/init.d (enabled by an S?? link in /etc/rc[2345].d or
//  /etc/rc.d/rc[2345].d);
//  - OpenRC script (Alpine; enabled by a link in /etc/runlevels/{sysinit,boot,default});
//  - /etc/rc.local (or /etc/rc.d/rc.local; enabled when executable).
// Timers are reported by scheduled_tasks. Field contract: docs/inventory.d/startup_services.md.

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "agent/collectors/collector.h"
#include "common/host_view.h"
#include "common/json.h"

namespace rampart::agent {

std::span<const Field> StartupServicesSchema();

// What the head of an init script says about itself.
struct InitScriptInfo {
  bool openrc = false;       // "#!/sbin/openrc-run" (or /usr/sbin/openrc-run) shebang
  std::string description;   // LSB "# Short-Description:" or OpenRC description="..."
  std::string command_user;  // OpenRC command_user="user[:group]" -> "user"
};
// Parses the first lines of an init script (pure; reads at most the text given).
InitScriptInfo ParseInitScriptInfo(std::string_view head);

// The rows for `host`. active_states (unit -> ActiveState from systemctl) fills `state`; without it
// every state is "unknown" (masked units are always "masked"). Units that systemd does not list are
// "inactive".
Json CollectStartupServices(const HostView& host,
                            const std::optional<std::map<std::string, std::string>>& active_states);

}  // namespace rampart::agent
