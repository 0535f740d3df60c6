#pragma once
// Asking a running systemd for unit states: one `systemctl list-units` run (argv, no shell, bounded
// output, killed after a timeout). Used only on a live host whose init is systemd; everything else
// about units is read from files (systemd_scan.h). Thread-safe (no shared state).

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/host_view.h"
#include "common/status.h"

namespace rampart::agent {

// Runs argv[0] (an absolute path) with argv, stdin and stderr on /dev/null, and returns its stdout.
// Errors: kInvalidArgument for an empty argv; kUnavailable when it cannot start or exits non-zero;
// kDeadlineExceeded when it runs longer than `timeout` (it is killed); kResourceExhausted when it
// prints more than max_output bytes (it is killed).
Result<std::string> RunCommandCapture(const std::vector<std::string>& argv,
                                      std::chrono::milliseconds timeout,
                                      std::size_t max_output = std::size_t{8} << 20);

// True when `host` is this machine and systemd is its init (/run/systemd/system exists, as
// sd_booted()).
bool SystemdRunning(const HostView& host);

// unit name -> ActiveState ("active", "inactive", "failed", ...) for every loaded .service and
// .timer, from `systemctl list-units --all --type=service,timer --plain --no-legend --no-pager`.
// nullopt when systemd is not running on a live host, or systemctl fails or times out.
std::optional<std::map<std::string, std::string>> QuerySystemdActiveStates(
    const HostView& host, std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace rampart::agent
