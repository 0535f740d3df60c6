#include "agent/monitor/firewall.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/strings.h"

extern char** environ;

namespace rampart::agent {
namespace {

constexpr std::size_t kMaxOutput = 64 * 1024;

bool IsV4Mapped(const std::array<std::uint8_t, 16>& a) {
  for (std::size_t i = 0; i < 10; ++i) {
    if (a[i] != 0) return false;
  }
  return a[10] == 0xff && a[11] == 0xff;
}

std::string JoinArgv(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) {
    if (!s.empty()) s += ' ';
    s += a;
  }
  return s;
}

}  // namespace

Result<CommandOutput> SystemCommandRunner::Run(const std::vector<std::string>& argv,
                                               std::string_view input) {
  if (argv.empty()) return InvalidArgument("empty command");
  int in[2];
  int out[2];
  if (pipe2(in, O_CLOEXEC) != 0) return ErrnoStatus(errno, "pipe");
  if (pipe2(out, O_CLOEXEC) != 0) {
    close(in[0]);
    close(in[1]);
    return ErrnoStatus(errno, "pipe");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDERR_FILENO);
  std::vector<char*> args;
  std::vector<std::string> copy = argv;
  for (auto& a : copy) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, copy[0].c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(in[0]);
  close(out[1]);
  if (rc != 0) {
    close(in[1]);
    close(out[0]);
    return Status(rc == ENOENT ? Code::kNotFound : Code::kInternal,
                  argv[0] + ": cannot run it: " + std::strerror(rc));
  }
  // The input is small (an nft script): write it all, then read the output.
  std::size_t written = 0;
  while (written < input.size()) {
    const ssize_t n = write(in[1], input.data() + written, input.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the program exited without reading: its exit code tells
    written += static_cast<std::size_t>(n);
  }
  close(in[1]);
  CommandOutput result;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(out[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (result.output.size() < kMaxOutput) {
      result.output.append(buf, std::min<std::size_t>(static_cast<std::size_t>(n),
                                                      kMaxOutput - result.output.size()));
    }
  }
  close(out[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  while (!result.output.empty() && (result.output.back() == '\n' || result.output.back() == ' ')) {
    result.output.pop_back();
  }
  return result;
}

const char* FirewallBackendName(FirewallBackend backend) {
  switch (backend) {
    case FirewallBackend::kNftables:
      return "nftables";
    case FirewallBackend::kIpset:
      return "ipset";
    case FirewallBackend::kNone:
      break;
  }
  return "none";
}

bool ParseFirewallBackend(std::string_view name, FirewallBackend* out) {
  if (name == "nftables") {
    *out = FirewallBackend::kNftables;
  } else if (name == "ipset") {
    *out = FirewallBackend::kIpset;
  } else if (name == "none") {
    *out = FirewallBackend::kNone;
  } else {
    return false;
  }
  return true;
}

std::optional<BlockTarget> ParseBlockTarget(std::string_view source) {
  if (source.empty() || source.size() > 64) return std::nullopt;
  auto cidr = ParseCidr(source);
  if (!cidr) return std::nullopt;
  BlockTarget t;
  t.cidr = *cidr;
  // Zero the host bits so "203.0.113.7/24" and "203.0.113.0/24" are the same target.
  for (int bit = t.cidr.prefix; bit < 128; ++bit) {
    t.cidr.addr[static_cast<std::size_t>(bit / 8)] &=
        static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
  }
  char buf[INET6_ADDRSTRLEN];
  if (IsV4Mapped(t.cidr.addr) && t.cidr.prefix >= 96) {
    if (inet_ntop(AF_INET, t.cidr.addr.data() + 12, buf, sizeof buf) == nullptr) {
      return std::nullopt;
    }
    t.v6 = false;
    t.text = buf;
    if (t.cidr.prefix < 128) t.text += "/" + std::to_string(t.cidr.prefix - 96);
  } else {
    if (inet_ntop(AF_INET6, t.cidr.addr.data(), buf, sizeof buf) == nullptr) return std::nullopt;
    t.v6 = true;
    t.text = buf;
    if (t.cidr.prefix < 128) t.text += "/" + std::to_string(t.cidr.prefix);
  }
  return t;
}

FirewallBackend Firewall::Detect(CommandRunner* runner) {
  auto ok = [&](const std::vector<std::string>& argv) {
    auto r = runner->Run(argv);
    return r && r->exit_code == 0;
  };
  if (ok({"nft", "list", "tables"})) return FirewallBackend::kNftables;
  if (ok({"ipset", "list", "-n"}) && ok({"iptables", "-w", "-n", "-L", "INPUT"})) {
    return FirewallBackend::kIpset;
  }
  return FirewallBackend::kNone;
}

Status Firewall::Check(const std::vector<std::string>& argv, std::string_view input) {
  auto r = runner_->Run(argv, input);
  if (!r) return r.error();
  if (r->exit_code != 0) {
    return Status(Code::kInternal, "'" + JoinArgv(argv) + "' failed (exit " +
                                       std::to_string(r->exit_code) + ")" +
                                       (r->output.empty() ? "" : ": " + r->output));
  }
  return Status::Ok();
}

std::string Firewall::NftSetupScript() {
  return "add table inet rampart\n"
         "add set inet rampart blocked4 { type ipv4_addr; flags interval, timeout; }\n"
         "add set inet rampart blocked6 { type ipv6_addr; flags interval, timeout; }\n"
         "add chain inet rampart input { type filter hook input priority -10; policy accept; }\n"
         "flush chain inet rampart input\n"
         "add rule inet rampart input ip saddr @blocked4 drop\n"
         "add rule inet rampart input ip6 saddr @blocked6 drop\n";
}

Status Firewall::Setup() {
  switch (backend_) {
    case FirewallBackend::kNone:
      return Status(Code::kFailedPrecondition,
                    "no firewall backend: neither nft nor ipset+iptables work on this host");
    case FirewallBackend::kNftables:
      return Check({"nft", "-f", "-"}, NftSetupScript());
    case FirewallBackend::kIpset: {
      RAMPART_RETURN_IF_ERROR(Check(
          {"ipset", "create", "rampart4", "hash:net", "family", "inet", "timeout", "0", "-exist"}));
      RAMPART_RETURN_IF_ERROR(Check({"ipset", "create", "rampart6", "hash:net", "family", "inet6",
                                     "timeout", "0", "-exist"}));
      for (const auto& [tool, set] : {std::pair<const char*, const char*>{"iptables", "rampart4"},
                                      {"ip6tables", "rampart6"}}) {
        std::vector<std::string> rule = {"-m", "set", "--match-set", set, "src", "-j", "DROP"};
        std::vector<std::string> check = {tool, "-w", "-C", "INPUT"};
        check.insert(check.end(), rule.begin(), rule.end());
        auto present = runner_->Run(check);
        if (present && present->exit_code == 0) continue;
        std::vector<std::string> insert = {tool, "-w", "-I", "INPUT", "1"};
        insert.insert(insert.end(), rule.begin(), rule.end());
        Status added = Check(insert);
        // Hosts without IPv6 netfilter still block IPv4.
        if (!added.ok() && std::string_view(tool) == "iptables") return added;
      }
      return Status::Ok();
    }
  }
  return Status::Ok();
}

std::vector<std::vector<std::string>> Firewall::AddCommands(const BlockTarget& t,
                                                            std::int64_t ttl) const {
  const std::string secs = std::to_string(ttl < 1 ? 1 : ttl);
  if (backend_ == FirewallBackend::kNftables) {
    const std::string set = t.v6 ? "blocked6" : "blocked4";
    // Deleting first makes a refresh replace the timeout (an interval set refuses a duplicate).
    return {{"nft", "delete", "element", "inet", "rampart", set, "{ " + t.text + " }"},
            {"nft", "add", "element", "inet", "rampart", set,
             "{ " + t.text + " timeout " + secs + "s }"}};
  }
  if (backend_ == FirewallBackend::kIpset) {
    const std::string set = t.v6 ? "rampart6" : "rampart4";
    return {{"ipset", "del", set, t.text, "-exist"},
            {"ipset", "add", set, t.text, "timeout", secs, "-exist"}};
  }
  return {};
}

std::vector<std::string> Firewall::RemoveCommand(const BlockTarget& t) const {
  if (backend_ == FirewallBackend::kNftables) {
    return {"nft",
            "delete",
            "element",
            "inet",
            "rampart",
            t.v6 ? "blocked6" : "blocked4",
            "{ " + t.text + " }"};
  }
  if (backend_ == FirewallBackend::kIpset) {
    return {"ipset", "del", t.v6 ? "rampart6" : "rampart4", t.text, "-exist"};
  }
  return {};
}

Status Firewall::Add(const BlockTarget& t, std::int64_t ttl_seconds) {
  if (backend_ == FirewallBackend::kNone) {
    return Status(Code::kFailedPrecondition,
                  t.text +
                      " NOT blocked: no firewall backend (neither nft nor ipset+iptables "
                      "work on this host)");
  }
  const auto commands = AddCommands(t, ttl_seconds);
  // The delete fails when the element is absent: expected.
  (void)runner_->Run(commands[0]);
  return Check(commands[1]);
}

Status Firewall::Remove(const BlockTarget& t) {
  if (backend_ == FirewallBackend::kNone) return Status::Ok();
  auto r = runner_->Run(RemoveCommand(t));
  if (!r) return r.error();
  // nft reports a missing element as an error; that is the state we want.
  if (r->exit_code != 0 && r->output.find("No such file") == std::string::npos &&
      r->output.find("does not exist") == std::string::npos) {
    return Status(Code::kInternal, "'" + JoinArgv(RemoveCommand(t)) + "' failed: " + r->output);
  }
  return Status::Ok();
}

Status Firewall::Teardown() {
  if (backend_ == FirewallBackend::kNftables) {
    auto r = runner_->Run({"nft", "delete", "table", "inet", "rampart"});
    if (!r) return r.error();
    return Status::Ok();
  }
  if (backend_ == FirewallBackend::kIpset) {
    for (const auto& [tool, set] :
         {std::pair<const char*, const char*>{"iptables", "rampart4"}, {"ip6tables", "rampart6"}}) {
      (void)runner_->Run(
          {tool, "-w", "-D", "INPUT", "-m", "set", "--match-set", set, "src", "-j", "DROP"});
      (void)runner_->Run({"ipset", "destroy", set});
    }
  }
  return Status::Ok();
}

}  // namespace rampart::agent
