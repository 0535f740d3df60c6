#include "common/host_view.h"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>

namespace rampart {

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

bool FileInfo::is_regular() const { return S_ISREG(mode); }
bool FileInfo::is_dir() const { return S_ISDIR(mode); }
bool FileInfo::is_symlink() const { return S_ISLNK(mode); }

namespace {

FileInfo FromStat(const struct stat& st) {
  FileInfo fi;
  fi.dev = st.st_dev;
  fi.ino = st.st_ino;
  fi.size = static_cast<std::uint64_t>(st.st_size);
  fi.nlink = st.st_nlink;
  fi.mode = st.st_mode;
  fi.uid = st.st_uid;
  fi.gid = st.st_gid;
  fi.mtime = st.st_mtim.tv_sec;
  fi.mtime_nsec = st.st_mtim.tv_nsec;
  fi.ctime = st.st_ctim.tv_sec;
  fi.atime = st.st_atim.tv_sec;
  return fi;
}

// host_path relative to the root: "/etc/passwd" -> "etc/passwd"; "/" -> ".".
std::string Relative(std::string_view host_path) {
  while (!host_path.empty() && host_path.front() == '/') host_path.remove_prefix(1);
  if (host_path.empty()) return ".";
  return std::string(host_path);
}

std::atomic<bool> g_openat2_missing{false};  // set once if the kernel lacks openat2 (before 5.6)

}  // namespace

HostView::HostView() : root_("/"), live_(true) {}

HostView::HostView(std::string root, std::shared_ptr<UniqueFd> root_fd)
    : root_(std::move(root)), live_(false), root_fd_(std::move(root_fd)) {}

Result<HostView> HostView::Open(const std::string& root) {
  if (root.empty()) return InvalidArgument("empty root directory");
  std::string norm = root;
  while (norm.size() > 1 && norm.back() == '/') norm.pop_back();
  if (norm == "/") return HostView();
  const int fd = ::open(norm.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "root " + norm);
  return HostView(norm, std::make_shared<UniqueFd>(fd));
}

std::string HostView::RealPath(std::string_view host_path) const {
  if (live_) return std::string(host_path);
  std::string out = root_;
  if (host_path.empty() || host_path.front() != '/') out += '/';
  out += host_path;
  return out;
}

Result<UniqueFd> HostView::OpenRaw(std::string_view host_path, int flags) const {
  if (live_) {
    const std::string p(host_path);
    const int fd = ::open(p.c_str(), flags | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus(errno, p);
    return UniqueFd(fd);
  }
  const std::string rel = Relative(host_path);
  if (!g_openat2_missing) {
    struct open_how how {};
    how.flags = static_cast<unsigned>(flags | O_CLOEXEC);
    how.resolve = static_cast<unsigned>(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
    const long fd = ::syscall(SYS_openat2, root_fd_->get(), rel.c_str(), &how, sizeof how);
    if (fd >= 0) return UniqueFd(static_cast<int>(fd));
    if (errno != ENOSYS) return ErrnoStatus(errno, RealPath(host_path));
    g_openat2_missing = true;
  }
  const int fd = ::openat(root_fd_->get(), rel.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, RealPath(host_path));
  return UniqueFd(fd);
}

Result<UniqueFd> HostView::OpenFile(std::string_view host_path, int extra_flags) const {
  return OpenRaw(host_path, O_RDONLY | O_NONBLOCK | extra_flags);
}

Result<std::pair<UniqueFd, std::string>> HostView::OpenParent(std::string_view host_path) const {
  while (host_path.size() > 1 && host_path.back() == '/') host_path.remove_suffix(1);
  const std::size_t slash = host_path.rfind('/');
  std::string_view parent = slash == std::string_view::npos ? "/" : host_path.substr(0, slash);
  if (parent.empty()) parent = "/";
  std::string base(slash == std::string_view::npos ? host_path : host_path.substr(slash + 1));
  RAMPART_ASSIGN_OR_RETURN(UniqueFd fd, OpenRaw(parent, O_PATH | O_DIRECTORY));
  return std::make_pair(std::move(fd), std::move(base));
}

namespace {

// Opens for reading and refuses anything but a regular file (a FIFO would block, a device never
// ends).
Result<UniqueFd> OpenRegular(const HostView& hv, std::string_view host_path) {
  RAMPART_ASSIGN_OR_RETURN(UniqueFd fd, hv.OpenFile(host_path));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus(errno, hv.RealPath(host_path));
  if (!S_ISREG(st.st_mode)) return InvalidArgument(hv.RealPath(host_path) + ": not a regular file");
  // Back to blocking reads: O_NONBLOCK only guarded the open itself.
  const int fl = ::fcntl(fd.get(), F_GETFL);
  if (fl >= 0) ::fcntl(fd.get(), F_SETFL, fl & ~O_NONBLOCK);
  return fd;
}

// One read(2), retried on EINTR. Returns the byte count (0 at EOF).
Result<std::size_t> ReadSome(const HostView& hv, int fd, char* buf, std::size_t size,
                             std::string_view host_path) {
  while (true) {
    const ssize_t n = ::read(fd, buf, size);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) return ErrnoStatus(errno, hv.RealPath(host_path));
  }
}

}  // namespace

Result<std::string> HostView::ReadFile(std::string_view host_path, std::size_t max_bytes) const {
  RAMPART_ASSIGN_OR_RETURN(UniqueFd fd, OpenRegular(*this, host_path));
  std::string out;
  char buf[65536];
  while (true) {
    // A /proc file of a process that exited mid-read fails with ESRCH, which maps to kNotFound.
    RAMPART_ASSIGN_OR_RETURN(const std::size_t n,
                             ReadSome(*this, fd.get(), buf, sizeof buf, host_path));
    if (n == 0) break;
    if (out.size() + n > max_bytes) {
      return ResourceExhausted(RealPath(host_path) + ": larger than " + std::to_string(max_bytes) +
                               " bytes");
    }
    out.append(buf, n);
  }
  return out;
}

Status HostView::ForEachLine(std::string_view host_path,
                             const std::function<bool(std::string_view)>& fn,
                             std::size_t max_line) const {
  RAMPART_ASSIGN_OR_RETURN(UniqueFd fd, OpenRegular(*this, host_path));
  std::string pending;
  bool overlong = false;  // the current line passed max_line: skip until its end
  char buf[65536];
  auto emit = [&](std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return fn(line);
  };
  while (true) {
    RAMPART_ASSIGN_OR_RETURN(const std::size_t n,
                             ReadSome(*this, fd.get(), buf, sizeof buf, host_path));
    if (n == 0) break;
    std::string_view chunk(buf, n);
    while (!chunk.empty()) {
      const std::size_t nl = chunk.find('\n');
      const std::string_view piece = chunk.substr(0, nl);
      if (!overlong) {
        const std::size_t room = max_line - pending.size();
        pending.append(piece.substr(0, room));
        if (piece.size() > room) overlong = true;
      }
      if (nl == std::string_view::npos) break;
      if (!emit(pending)) return Status::Ok();
      pending.clear();
      overlong = false;
      chunk.remove_prefix(nl + 1);
    }
  }
  if (!pending.empty()) emit(pending);
  return Status::Ok();
}

Result<std::vector<std::string>> HostView::ListDir(std::string_view host_path) const {
  RAMPART_ASSIGN_OR_RETURN(UniqueFd fd, OpenRaw(host_path, O_RDONLY | O_DIRECTORY));
  DIR* dir = ::fdopendir(fd.get());
  if (dir == nullptr) return ErrnoStatus(errno, RealPath(host_path));
  fd.release();  // now owned by dir
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(dir)) {  // NOLINT(concurrency-mt-unsafe): one DIR per call
    const std::string_view name(e->d_name);
    if (name == "." || name == "..") continue;
    names.emplace_back(name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

Result<FileInfo> HostView::Stat(std::string_view host_path) const {
  RAMPART_ASSIGN_OR_RETURN(UniqueFd fd, OpenRaw(host_path, O_PATH));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus(errno, RealPath(host_path));
  return FromStat(st);
}

Result<FileInfo> HostView::Lstat(std::string_view host_path) const {
  if (live_) {
    struct stat st {};
    const std::string p(host_path);
    if (::lstat(p.c_str(), &st) != 0) return ErrnoStatus(errno, p);
    return FromStat(st);
  }
  RAMPART_ASSIGN_OR_RETURN(auto parent, OpenParent(host_path));
  struct stat st {};
  const int rc = parent.second.empty() ? ::fstat(parent.first.get(), &st)
                                       : ::fstatat(parent.first.get(), parent.second.c_str(), &st,
                                                   AT_SYMLINK_NOFOLLOW);
  if (rc != 0) return ErrnoStatus(errno, RealPath(host_path));
  return FromStat(st);
}

Result<std::string> HostView::ReadLink(std::string_view host_path) const {
  char buf[4096];
  ssize_t n = 0;
  if (live_) {
    const std::string p(host_path);
    n = ::readlink(p.c_str(), buf, sizeof buf);
  } else {
    RAMPART_ASSIGN_OR_RETURN(auto parent, OpenParent(host_path));
    n = ::readlinkat(parent.first.get(), parent.second.c_str(), buf, sizeof buf);
  }
  if (n < 0) return ErrnoStatus(errno, RealPath(host_path));
  return std::string(buf, static_cast<std::size_t>(n));
}

bool HostView::Exists(std::string_view host_path) const { return Lstat(host_path).ok(); }

std::vector<std::string> HostView::Glob(std::string_view pattern) const {
  std::vector<std::string> current{""};
  std::size_t pos = 0;
  while (pos < pattern.size()) {
    while (pos < pattern.size() && pattern[pos] == '/') ++pos;
    if (pos >= pattern.size()) break;
    std::size_t end = pattern.find('/', pos);
    if (end == std::string_view::npos) end = pattern.size();
    const std::string comp(pattern.substr(pos, end - pos));
    pos = end;
    const bool wild = comp.find_first_of("*?[") != std::string::npos;
    std::vector<std::string> next;
    for (const auto& base : current) {
      if (!wild) {
        std::string p = base + "/" + comp;
        if (Exists(p)) next.push_back(std::move(p));
        continue;
      }
      auto names = ListDir(base.empty() ? "/" : base);
      if (!names) continue;
      for (const auto& name : *names) {
        if (::fnmatch(comp.c_str(), name.c_str(), FNM_PERIOD) == 0)
          next.push_back(base + "/" + name);
      }
    }
    current = std::move(next);
    if (current.empty()) break;
  }
  if (current.size() == 1 && current[0].empty()) return {};
  std::sort(current.begin(), current.end());
  return current;
}

}  // namespace rampart
