#pragma once
// The sshd effective configuration as sshd itself prints it: `sshd -T` (extended test mode). Used
// on a live host when an sshd binary is installed and the policy may run commands (shipped
// policies; uploaded ones never run programs): sshd resolves Include, first-value-wins, aliases,
// time units and this build's compiled-in defaults itself, so no parser drift can hide a setting.
// Without `-C` sshd applies only the `Match` blocks every connection meets (`Match All`); the Match
// blocks for particular users or addresses still come from the file parser (sshd_config.h), which
// can list them all. When sshd is absent, not runnable (not root: it must read its host keys) or
// fails, the file parser answers alone and the evidence says so.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace rampart::agent::baseline {

// Parses `sshd -T` output: "keyword value" lines, keywords lower case. A keyword printed on
// several lines (allowusers, listenaddress, hostkey, ...) gets its values joined by one space, in
// order. permitrootlogin's "without-password" (how sshd prints the value) is reported as its
// current name "prohibit-password". Lines without a value are skipped; at most 4096 keywords.
std::map<std::string, std::string> ParseSshdTestOutput(std::string_view text);

// The program probed on a live host.
inline constexpr const char* kSshdProgram = "/usr/sbin/sshd";

// Runs `SSHD -T [-f CONFIG] [-C SPEC]` (fixed argv, no shell, stdin/stderr on /dev/null, killed
// after `timeout`, output bounded to 1 MiB) and parses its output. `config_file` empty: sshd's
// own default file; `connection_spec` empty: no -C (only Match All applies).
// Errors: kUnavailable when sshd cannot start or exits non-zero (a bad configuration, missing host
// keys, not root), kDeadlineExceeded on timeout, kInvalidArgument when it printed nothing usable.
Result<std::map<std::string, std::string>> RunSshdTest(
    const std::string& sshd, const std::string& config_file, const std::string& connection_spec,
    std::chrono::milliseconds timeout = std::chrono::seconds(5));

// sshd's time format (sshd_config(5) TIME FORMATS): "90", "1m30s", "2h", "1w" -> seconds;
// nullopt when it is not one.
std::optional<long long> ParseSshdTime(std::string_view text);

// Ciphers, MACs, KexAlgorithms and the other algorithm lists may modify the default list with a
// leading '+' (append), '-' (remove; wildcards allowed) or '^' (prepend). Returns the resulting
// list against SshdDefault(key); other values are returned unchanged.
std::string SshdExpandAlgorithms(std::string_view key, const std::string& value);

}  // namespace rampart::agent::baseline
