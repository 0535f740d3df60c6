#pragma once
// Static extraction of environment variables from shell start-up files, /etc/environment-style
// files and pam_env configuration, plus the masking of secret values. Nothing is executed or
// expanded: values are reported as written ("$PATH:/opt/bin"), with one level of shell quoting
// removed.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace rampart::agent {

struct EnvAssignment {
  std::string name;
  std::string value;
  std::size_t line = 0;  // 1-based line where the assignment starts
};

// Shell (sh/bash/zsh) and csh start-up files. Extracts, at top level only:
//   export A=1 B="two"   declare -x A=1 (also typeset, with other flags)   A=1 (plain assignment)
//   setenv A value (csh)
// Skipped: anything inside if/case/for/while/until blocks, functions and { } / ( ) groups, lines
// joined with && or ||, assignments that prefix a command ("A=1 cmd"), "export A" without a value
// and commands. Handles comments, ';'-separated commands, '\' continuations and quotes spanning
// lines (≤ 64 lines). At most max_results assignments are returned.
std::vector<EnvAssignment> ParseShellEnv(std::string_view text, std::size_t max_results = 10'000);

// /etc/environment and /etc/default/locale as pam_env reads them: "NAME=value" lines, an optional
// "export " prefix, quotes removed, '#' comments.
std::vector<EnvAssignment> ParseEnvironmentFile(std::string_view text,
                                                std::size_t max_results = 10'000);

// pam_env.conf syntax (~/.pam_environment, /etc/security/pam_env.conf):
//   NAME [DEFAULT=value] [OVERRIDE=value]   -> OVERRIDE if given, else DEFAULT
// and, leniently, "NAME=value" lines. A NAME with neither is skipped.
std::vector<EnvAssignment> ParsePamEnvironment(std::string_view text,
                                               std::size_t max_results = 10'000);

inline constexpr std::string_view kMaskedValue = "********";

// True when the variable name says it holds a secret: it contains PASSWORD, PASSWD, SECRET, TOKEN,
// CREDENTIAL, PRIVATE, COOKIE, API_KEY/APIKEY, ACCESS_KEY/ACCESSKEY, or one of its '_'-separated
// words is KEY, KEYS, PASS, PWD, AUTH, AUTHORIZATION, SESSION, SESSIONID (case-insensitive).
// Well-known non-secrets are exempt: PWD, OLDPWD, SSH_AUTH_SOCK, XAUTHORITY, SESSION_MANAGER,
// DESKTOP_SESSION, GDMSESSION, DBUS_SESSION_BUS_ADDRESS and XDG_SESSION_*.
bool IsSecretName(std::string_view name);

struct MaskedValue {
  std::string value;
  bool masked = false;
};

// The value to report: kMaskedValue for a non-empty value of a secret name; otherwise the value
// with the password of any "scheme://user:password@host" credential replaced by kMaskedValue (also
// "user:password@host" when the name mentions DSN, URL, URI, CONN or DATABASE).
MaskedValue MaskEnvValue(std::string_view name, std::string_view value);

}  // namespace rampart::agent
