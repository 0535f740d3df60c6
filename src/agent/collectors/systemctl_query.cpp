#include "agent/collectors/systemctl_query.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "agent/collectors/systemd_unit.h"
#include "common/logging.h"

extern char** environ;

namespace rampart::agent {
namespace {

// Kills (when asked) and reaps the child on every exit path.
class ChildGuard {
 public:
  explicit ChildGuard(pid_t pid) : pid_(pid) {}
  ChildGuard(const ChildGuard&) = delete;
  ChildGuard& operator=(const ChildGuard&) = delete;
  ~ChildGuard() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    Wait();
  }
  int Wait() {
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_;
};

}  // namespace

Result<std::string> RunCommandCapture(const std::vector<std::string>& argv,
                                      std::chrono::milliseconds timeout, std::size_t max_output) {
  if (argv.empty()) return InvalidArgument("empty argv");
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return ErrnoStatus(errno, "pipe2");
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), 1);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  write_end = UniqueFd();
  if (rc != 0)
    return Unavailable("cannot run " + argv[0] + ": " + ErrnoStatus(rc, "spawn").message());
  ChildGuard child(pid);

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string out;
  char buf[16384];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Status(Code::kDeadlineExceeded, argv[0] + " timed out");
    pollfd p{read_end.get(), POLLIN, 0};
    const int ready = poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return ErrnoStatus(errno, "poll");
    if (ready == 0) continue;  // re-checks the deadline
    const ssize_t n = read(read_end.get(), buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) return ErrnoStatus(errno, "read");
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > max_output) return ResourceExhausted(argv[0] + " printed too much");
  }
  const int status = child.Wait();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Unavailable(argv[0] + " failed (status " + std::to_string(status) + ")");
  }
  return out;
}

bool SystemdRunning(const HostView& host) {
  if (!host.is_live()) return false;
  auto st = host.Lstat("/run/systemd/system");
  return st.ok() && st->is_dir();
}

std::optional<std::map<std::string, std::string>> QuerySystemdActiveStates(
    const HostView& host, std::chrono::milliseconds timeout) {
  if (!SystemdRunning(host)) return std::nullopt;
  std::string systemctl;
  for (const char* candidate : {"/usr/bin/systemctl", "/bin/systemctl"}) {
    if (access(candidate, X_OK) == 0) {
      systemctl = candidate;
      break;
    }
  }
  if (systemctl.empty()) return std::nullopt;
  auto out = RunCommandCapture({systemctl, "list-units", "--all", "--type=service,timer", "--plain",
                                "--no-legend", "--no-pager"},
                               timeout);
  if (!out.ok()) {
    log::Debug("systemctl list-units: {}", out.error().ToString());
    return std::nullopt;
  }
  std::map<std::string, std::string> states;
  for (ListedUnit& u : ParseListUnits(*out)) states.emplace(std::move(u.name), std::move(u.active));
  return states;
}

}  // namespace rampart::agent
