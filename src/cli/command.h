#pragma once
// A subcommand that registers its own CLI11 options. main.cpp owns the CLI11 App and the simple
// commands; commands with nested subcommands (server, admin, agent) implement this in their own
// *_cli.cpp, the only other files that include CLI11.

#include <memory>

namespace CLI {
class App;
}

namespace rampart::cli {

class Command {
 public:
  virtual ~Command() = default;
  // Adds the subcommand and its options to `app`.
  virtual void Register(CLI::App& app) = 0;
  // True when the parsed command line selected this subcommand.
  virtual bool Selected() const = 0;
  // Runs it; returns the process exit code (0 ok, 1 findings, 2 usage or input error).
  virtual int Run() = 0;
};

std::unique_ptr<Command> MakeServerCommand();  // src/cli/server_cli.cpp
std::unique_ptr<Command> MakeAdminCommand();   // src/cli/admin_cli.cpp
std::unique_ptr<Command> MakeAgentCommand();   // src/cli/agent_cli.cpp

// `scan` and `quarantine`: src/cli/scan_cli.cpp
std::unique_ptr<Command> MakeScanCommand();
std::unique_ptr<Command> MakeQuarantineCommand();

}  // namespace rampart::cli
