// ScanAuthLogFile: the I/O half of auth-log parsing. Reads a file (or stdin) in large blocks,
// splits it into lines and feeds an AuthLogParser; rotated .gz/.xz/.zst/.bz2 files are read through
// the decompressor's stdout (spawned without a shell).
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <string>
#include <vector>

#include "agent/sources/auth_log.h"
#include "common/strings.h"

extern char** environ;

namespace rampart::agent {
namespace {

const char* DecompressorFor(std::string_view path) {
  if (EndsWith(path, ".gz")) return "gzip";
  if (EndsWith(path, ".xz")) return "xz";
  if (EndsWith(path, ".zst")) return "zstd";
  if (EndsWith(path, ".bz2")) return "bzip2";
  return nullptr;
}

// Runs "TOOL -dc -- PATH" with its stdout on a pipe; *fd is the read end.
Status SpawnDecompressor(const char* tool, const std::string& path, int* fd, pid_t* pid) {
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) return ErrnoStatus(errno, "pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipefd[1], STDOUT_FILENO);
  // Its complaints become our DataLoss status instead of stray stderr text.
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  std::string t(tool);
  std::string dc = "-dc";
  std::string dashes = "--";
  std::string p = path;
  char* argv[] = {t.data(), dc.data(), dashes.data(), p.data(), nullptr};
  const int rc = posix_spawnp(pid, tool, &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipefd[1]);
  if (rc != 0) {
    close(pipefd[0]);
    return ErrnoStatus(rc, path + ": cannot run " + t + " to decompress it");
  }
  *fd = pipefd[0];
  return Status::Ok();
}

}  // namespace

Status ScanAuthLogFile(const std::string& path, AuthLogOptions options,
                       const std::function<void(LoginEvent&&)>& fn) {
  int fd = STDIN_FILENO;
  pid_t child = -1;
  const bool is_stdin = path == "-";
  if (!is_stdin) {
    fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus(errno, path);
  }
  struct stat st {};
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    close(fd);
    return InvalidArgument(path + ": is a directory, expected a log file");
  }
  if (options.reference_time == 0) {
    options.reference_time = !is_stdin && S_ISREG(st.st_mode) ? st.st_mtime : std::time(nullptr);
  }
  if (options.file.empty()) options.file = path;
  if (const char* tool = is_stdin ? nullptr : DecompressorFor(path)) {
    close(fd);
    RAMPART_RETURN_IF_ERROR(SpawnDecompressor(tool, path, &fd, &child));
  }

  AuthLogParser parser(std::move(options));
  std::vector<LoginEvent> events;
  auto deliver = [&events, &fn] {
    for (auto& e : events) fn(std::move(e));
    events.clear();
  };
  std::string buf(std::size_t{1} << 20, '\0');
  std::string carry;  // a line cut by the block boundary
  std::uint64_t line_no = 0;
  Status status;
  while (true) {
    const ssize_t n = read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      status = ErrnoStatus(errno, path + ": read failed after line " + std::to_string(line_no));
      break;
    }
    if (n == 0) break;
    std::string_view block(buf.data(), static_cast<std::size_t>(n));
    while (!block.empty()) {
      const std::size_t nl = block.find('\n');
      if (nl == std::string_view::npos) {
        carry.append(block);
        break;
      }
      std::string_view line = block.substr(0, nl);
      block.remove_prefix(nl + 1);
      if (!carry.empty()) {
        carry.append(line);
        line = carry;
      }
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      parser.ParseLine(line, ++line_no, &events);
      carry.clear();
      if (!events.empty()) deliver();
    }
  }
  if (status.ok() && !carry.empty()) parser.ParseLine(carry, ++line_no, &events);
  parser.Flush(&events);
  deliver();
  if (!is_stdin) close(fd);
  if (child > 0) {
    int ws = 0;
    while (waitpid(child, &ws, 0) < 0 && errno == EINTR) {
    }
    if (status.ok() && (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)) {
      status = DataLoss(path + ": decompression failed (corrupt or truncated archive)");
    }
  }
  return status;
}

}  // namespace rampart::agent
