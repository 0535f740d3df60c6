#pragma once
// The `accounts` category: one row per /etc/passwd entry, joined with /etc/group (groups),
// /etc/shadow (password state and ageing, never the hash), sudoers (is_sudo), the users'
// authorized_keys files (ssh_keys) and lastlog/wtmp (last login). Pure helpers below are
// unit-tested and fuzzed; the collector only reads through the HostView and degrades per source (an
// unreadable shadow leaves password_status "none" with password_status_source "unavailable").

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/collector.h"
#include "agent/collectors/shadow.h"

namespace rampart::agent {

std::span<const Field> AccountsSchema();

// True for shells that refuse interactive logins: nologin, false, sync, shutdown, halt, /dev/null.
// An empty field is not one of them: login(1) and sshd run /bin/sh for it (passwd(5)).
bool IsNoLoginShell(std::string_view shell);

// True when an authorized_keys line holds a public key: "[options] keytype base64 [comment]", where
// options may contain quoted strings with spaces (from="10.0.0.0/8",command="a b"). Comments, blank
// lines and lines without a known key type ("ssh-*", "ecdsa-sha2-*", "sk-*") are not keys.
bool IsAuthorizedKeyLine(std::string_view line);
std::size_t CountAuthorizedKeys(std::string_view text);

// The AuthorizedKeysFile patterns in effect outside any Match block of sshd_config text (first
// occurrence wins, as sshd does); the default ".ssh/authorized_keys .ssh/authorized_keys2" when
// unset.
std::vector<std::string> AuthorizedKeysPatterns(std::string_view sshd_config);
// Expands %h (home), %u (user), %U (uid) and %%; a relative result is taken relative to the home.
std::string ExpandAuthorizedKeysPath(std::string_view pattern, std::string_view user,
                                     std::uint32_t uid, std::string_view home);

// "nologin", "key+password", "key", "password" or "none".
std::string_view LoginType(bool nologin_shell, std::int64_t ssh_keys, PasswordStatus status);

}  // namespace rampart::agent
