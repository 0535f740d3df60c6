#pragma once
// `rampart server`: runs the platform until SIGTERM or SIGINT, then stops cleanly.

#include <cstdio>

#include "server/server_app.h"

namespace rampart::cli {

// Returns 0 after a clean stop on SIGTERM/SIGINT, 2 when the configuration is unusable or the
// server cannot start (the reason goes to `err`).
int RunServer(const server::ServerConfig& config, std::FILE* err);

}  // namespace rampart::cli
