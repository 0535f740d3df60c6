#pragma once
// The `env_vars` category: environment variables set by the system-wide and per-user start-up
// files, read statically (nothing is executed; values are unexpanded text) and with secret values
// masked.
//
// System sources: /etc/environment, /etc/default/locale, /etc/security/pam_env.conf, /etc/profile,
// /etc/profile.d/*.sh, /etc/bash.bashrc, /etc/bashrc, /etc/zsh/zshenv, /etc/zshenv, /etc/csh.cshrc,
// /etc/csh.login, /etc/profile.d/*.csh.
// Per user (each account whose home directory exists in the root, each home once): ~/.bashrc,
// ~/.bash_profile, ~/.bash_login, ~/.profile, ~/.zshrc, ~/.zshenv, ~/.zprofile, ~/.pam_environment.
// Bounds: 1 MiB read per file, 64 files from /etc/profile.d, 10,000 rows in all.

#include <span>

#include "agent/collectors/collector.h"

namespace rampart::agent {

std::span<const Field> EnvVarsSchema();

inline constexpr std::size_t kEnvMaxFileBytes = 1 << 20;
inline constexpr std::size_t kEnvMaxRows = 10'000;

}  // namespace rampart::agent
