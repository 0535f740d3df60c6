#pragma once
// Management sessions: the remote addresses that must never be blocked because an operator is
// logged in from them right now. Two sources:
//   - utmp (getutxent): USER_PROCESS entries with a remote address (interactive logins);
//   - /proc/net/tcp and /proc/net/tcp6: ESTABLISHED connections to a local sshd port (Port lines
//     of /etc/ssh/sshd_config, default 22). An attacker's own unauthenticated connection is also
//     established, so the monitor keeps only those whose source has logged in successfully
//     (see login_monitor.h).
// The parsers are pure (fuzz/proc_net_tcp_fuzz.cpp).

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace rampart::agent {

using IpBytes = std::array<std::uint8_t, 16>;  // IPv4 as ::ffff:a.b.c.d

// Remote addresses of ESTABLISHED rows whose local port is in `ports`. Rows that do not parse are
// skipped. `v6`: the text is /proc/net/tcp6.
std::vector<IpBytes> ParseProcNetTcp(std::string_view text, bool v6, const std::vector<int>& ports);
// The ports of "Port N" lines (case-insensitive keyword, comments skipped); {22} when none.
std::vector<int> ParseSshdPorts(std::string_view sshd_config);

// Established remote addresses on the local sshd ports (this network namespace).
std::vector<IpBytes> EstablishedSshSources();
// Remote addresses of logged-in users in utmp.
std::vector<IpBytes> UtmpSources();

}  // namespace rampart::agent
