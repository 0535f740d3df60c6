#pragma once
// HostView: the root every collector reads the host through. "/" for this machine; a directory for
// a mounted image or a test fixture. Outside "/" every path is resolved *inside* the root (openat2
// with RESOLVE_IN_ROOT): an absolute symlink in an image points into the image, never at this
// host's files. Thread-safe: all methods are const and share only the root descriptor.

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace rampart {

// Owns a file descriptor; closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();
  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

struct FileInfo {
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  std::uint64_t size = 0;
  std::uint64_t nlink = 0;
  std::uint32_t mode = 0;  // st_mode: type and permission bits
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::int64_t mtime = 0;  // seconds since the epoch
  std::int64_t mtime_nsec = 0;
  std::int64_t ctime = 0;
  std::int64_t atime = 0;
  bool is_regular() const;
  bool is_dir() const;
  bool is_symlink() const;
};

inline constexpr std::size_t kDefaultMaxFileBytes = std::size_t{64} << 20;  // 64 MiB

class HostView {
 public:
  // This machine ("/").
  HostView();
  // A root directory (an image or a fixture). Errors: kNotFound / kInvalidArgument when it is not a
  // directory.
  static Result<HostView> Open(const std::string& root);

  bool is_live() const { return live_; }
  // "/" or the root directory as given.
  const std::string& root() const { return root_; }
  // The path on this machine that `host_path` (absolute, in the host's namespace) names, for
  // messages and for libraries that only take paths (librpm). Does not resolve symlinks.
  std::string RealPath(std::string_view host_path) const;

  // Opens a file for reading (O_RDONLY | O_CLOEXEC | O_NONBLOCK, symlinks resolved in the root).
  Result<UniqueFd> OpenFile(std::string_view host_path, int extra_flags = 0) const;

  // Reads a whole regular file (procfs files included, which report size 0).
  // Errors: from open/read (kNotFound, kPermissionDenied, ...); kInvalidArgument for a FIFO, device
  // or directory; kResourceExhausted when the file is larger than max_bytes.
  Result<std::string> ReadFile(std::string_view host_path,
                               std::size_t max_bytes = kDefaultMaxFileBytes) const;

  // Streams a file line by line without holding it whole: fn gets each line without its '\n' (and
  // '\r'). Lines longer than max_line are cut to max_line. fn returns false to stop early. Suited
  // to files that may be huge (a hostile 100 MB passwd). Errors as ReadFile, except the size limit.
  Status ForEachLine(std::string_view host_path, const std::function<bool(std::string_view)>& fn,
                     std::size_t max_line = std::size_t{1} << 20) const;

  // Entry names of a directory, sorted, without "." and "..".
  Result<std::vector<std::string>> ListDir(std::string_view host_path) const;
  Result<FileInfo> Stat(std::string_view host_path) const;   // follows symlinks (in the root)
  Result<FileInfo> Lstat(std::string_view host_path) const;  // does not follow the last component
  Result<std::string> ReadLink(std::string_view host_path) const;
  bool Exists(std::string_view host_path) const;

  // Expands a pattern whose components may hold '*', '?' and '[...]' (fnmatch rules; no "**").
  // Returns matching host paths, sorted. Hidden entries match only a pattern component starting
  // with '.'.
  std::vector<std::string> Glob(std::string_view pattern) const;

 private:
  HostView(std::string root, std::shared_ptr<UniqueFd> root_fd);
  // Opens with openat2(RESOLVE_IN_ROOT) under a non-live root, plain openat otherwise.
  Result<UniqueFd> OpenRaw(std::string_view host_path, int flags) const;
  // Splits host_path into its parent (opened O_PATH) and last component.
  Result<std::pair<UniqueFd, std::string>> OpenParent(std::string_view host_path) const;

  std::string root_;
  bool live_ = true;
  std::shared_ptr<UniqueFd> root_fd_;
};

}  // namespace rampart
