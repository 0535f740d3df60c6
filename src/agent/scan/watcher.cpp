#include "agent/scan/watcher.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <unordered_map>

#include "common/host_view.h"
#include "common/logging.h"

namespace rampart::agent::scan {
namespace {

constexpr int kMaxWatchDepth = 32;

// Calls fn(path) for dir and every subdirectory below it (no symlinks followed).
template <typename Fn>
void ForEachDir(const std::string& dir, int depth, Fn&& fn) {
  fn(dir);
  if (depth >= kMaxWatchDepth) return;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  std::vector<std::string> subdirs;
  while (const dirent* e = ::readdir(d)) {
    const std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    if (e->d_type == DT_DIR) {
      subdirs.push_back(dir + (dir == "/" ? "" : "/") + std::string(name));
    } else if (e->d_type == DT_UNKNOWN) {
      struct stat st {};
      const std::string p = dir + "/" + std::string(name);
      if (::lstat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) subdirs.push_back(p);
    }
  }
  ::closedir(d);
  for (const std::string& s : subdirs) ForEachDir(s, depth + 1, fn);
}

std::string Join(const std::string& dir, std::string_view name) {
  return dir + (dir == "/" ? "" : "/") + std::string(name);
}

bool IsRegularNoFollow(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

void AddUnique(std::vector<std::string>* out, std::string p) {
  if (std::find(out->begin(), out->end(), p) == out->end()) out->push_back(std::move(p));
}

// ---- inotify ----

class InotifyWatcher final : public Watcher {
 public:
  static Result<std::unique_ptr<Watcher>> Make(const std::vector<std::string>& dirs) {
    std::unique_ptr<InotifyWatcher> w(new InotifyWatcher());
    w->fd_ = UniqueFd(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
    if (!w->fd_.valid()) return ErrnoStatus(errno, "inotify_init1");
    for (const std::string& d : dirs) {
      RAMPART_RETURN_IF_ERROR(w->AddTree(d));
    }
    return std::unique_ptr<Watcher>(std::move(w));
  }
  const char* backend_name() const override { return "inotify"; }

  Result<std::vector<std::string>> Poll(int timeout_ms) override {
    std::vector<std::string> out;
    pollfd p{fd_.get(), POLLIN, 0};
    const int r = ::poll(&p, 1, timeout_ms);
    if (r < 0)
      return errno == EINTR ? Result<std::vector<std::string>>(out) : ErrnoStatus(errno, "poll");
    if (r == 0) return out;
    alignas(inotify_event) char buf[64 * 1024];
    while (true) {
      const ssize_t n = ::read(fd_.get(), buf, sizeof buf);
      if (n <= 0) break;
      for (std::size_t off = 0; off + sizeof(inotify_event) <= static_cast<std::size_t>(n);) {
        inotify_event ev{};
        std::memcpy(&ev, buf + off, sizeof ev);
        const char* name = buf + off + sizeof(inotify_event);
        off += sizeof(inotify_event) + ev.len;
        auto it = dirs_.find(ev.wd);
        if (it == dirs_.end() || ev.len == 0) continue;
        const std::string path = Join(it->second, std::string_view(name, ::strnlen(name, ev.len)));
        if ((ev.mask & IN_ISDIR) != 0) {
          if ((ev.mask & (IN_CREATE | IN_MOVED_TO)) != 0) {
            (void)AddTree(path);
            // Files written into the new directory before its watch existed.
            ForEachDir(path, 0, [&](const std::string& d) { ListFiles(d, &out); });
          }
          continue;
        }
        if ((ev.mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) != 0 && IsRegularNoFollow(path)) {
          AddUnique(&out, path);
        }
      }
    }
    return out;
  }

 private:
  static void ListFiles(const std::string& dir, std::vector<std::string>* out) {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return;
    while (const dirent* e = ::readdir(d)) {
      if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
      const std::string p = Join(dir, e->d_name);
      if (IsRegularNoFollow(p)) AddUnique(out, p);
    }
    ::closedir(d);
  }

  Status AddTree(const std::string& root) {
    struct stat st {};
    if (::lstat(root.c_str(), &st) != 0) return ErrnoStatus(errno, root);
    if (!S_ISDIR(st.st_mode)) return InvalidArgument(root + ": not a directory");
    Status first;
    ForEachDir(root, 0, [&](const std::string& d) {
      const int wd = ::inotify_add_watch(
          fd_.get(), d.c_str(),
          IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK);
      if (wd < 0) {
        if (first.ok()) first = ErrnoStatus(errno, "inotify_add_watch " + d);
        return;
      }
      dirs_[wd] = d;
    });
    return first;
  }

  UniqueFd fd_;
  std::unordered_map<int, std::string> dirs_;
};

// ---- fanotify (FID mode: events name the parent directory by file handle plus the name) ----

class FanotifyWatcher final : public Watcher {
 public:
  static Result<std::unique_ptr<Watcher>> Make(const std::vector<std::string>& dirs) {
    std::unique_ptr<FanotifyWatcher> w(new FanotifyWatcher());
    w->fd_ = UniqueFd(::fanotify_init(
        FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK | FAN_REPORT_DFID_NAME, O_RDONLY | O_CLOEXEC));
    if (!w->fd_.valid()) return ErrnoStatus(errno, "fanotify_init");
    for (const std::string& d : dirs) {
      RAMPART_RETURN_IF_ERROR(w->AddTree(d));
    }
    return std::unique_ptr<Watcher>(std::move(w));
  }
  const char* backend_name() const override { return "fanotify"; }

  Result<std::vector<std::string>> Poll(int timeout_ms) override {
    std::vector<std::string> out;
    pollfd p{fd_.get(), POLLIN, 0};
    const int r = ::poll(&p, 1, timeout_ms);
    if (r < 0)
      return errno == EINTR ? Result<std::vector<std::string>>(out) : ErrnoStatus(errno, "poll");
    if (r == 0) return out;
    alignas(fanotify_event_metadata) char buf[64 * 1024];
    while (true) {
      const ssize_t n = ::read(fd_.get(), buf, sizeof buf);
      if (n <= 0) break;
      std::size_t off = 0;
      while (off + sizeof(fanotify_event_metadata) <= static_cast<std::size_t>(n)) {
        fanotify_event_metadata md{};
        std::memcpy(&md, buf + off, sizeof md);
        if (md.event_len < sizeof md || off + md.event_len > static_cast<std::size_t>(n)) break;
        HandleEvent(md, buf + off + md.metadata_len, md.event_len - md.metadata_len, &out);
        off += md.event_len;
      }
    }
    return out;
  }

 private:
  void HandleEvent(const fanotify_event_metadata& md, const char* info, std::size_t len,
                   std::vector<std::string>* out) {
    if (md.fd >= 0) ::close(md.fd);  // not used in FID mode, but never leak one
    std::size_t off = 0;
    while (off + sizeof(fanotify_event_info_header) <= len) {
      fanotify_event_info_header hdr{};
      std::memcpy(&hdr, info + off, sizeof hdr);
      if (hdr.len < sizeof hdr || off + hdr.len > len) return;
      if (hdr.info_type == FAN_EVENT_INFO_TYPE_DFID_NAME) {
        // header | fsid (8) | struct file_handle (bytes, type, f_handle[bytes]) | name '\0'
        const std::size_t fh_at =
            off + sizeof(fanotify_event_info_header) + sizeof(__kernel_fsid_t);
        if (fh_at + sizeof(file_handle) > off + hdr.len) return;
        file_handle fh{};
        std::memcpy(&fh, info + fh_at, sizeof fh);
        const std::size_t fh_len = sizeof(file_handle) + fh.handle_bytes;
        if (fh_at + fh_len >= off + hdr.len) return;
        const std::string key(info + fh_at, fh_len);
        const char* name = info + fh_at + fh_len;
        const std::string_view nm(name, ::strnlen(name, off + hdr.len - fh_at - fh_len));
        auto it = dirs_.find(key);
        if (it != dirs_.end() && !nm.empty() && nm != ".") {
          const std::string path = Join(it->second, nm);
          if ((md.mask & FAN_ONDIR) != 0) {
            if ((md.mask & (FAN_CREATE | FAN_MOVED_TO)) != 0) {
              (void)AddTree(path);
              ForEachDir(path, 0, [&](const std::string& d) { ListFiles(d, out); });
            }
          } else if ((md.mask & (FAN_CLOSE_WRITE | FAN_MOVED_TO)) != 0 && IsRegularNoFollow(path)) {
            AddUnique(out, path);
          }
        }
      }
      off += hdr.len;
    }
  }

  static void ListFiles(const std::string& dir, std::vector<std::string>* out) {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return;
    while (const dirent* e = ::readdir(d)) {
      if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
      const std::string p = Join(dir, e->d_name);
      if (IsRegularNoFollow(p)) AddUnique(out, p);
    }
    ::closedir(d);
  }

  Status AddTree(const std::string& root) {
    struct stat st {};
    if (::lstat(root.c_str(), &st) != 0) return ErrnoStatus(errno, root);
    if (!S_ISDIR(st.st_mode)) return InvalidArgument(root + ": not a directory");
    Status first;
    ForEachDir(root, 0, [&](const std::string& d) {
      if (!first.ok()) return;
      const std::uint64_t mask =
          FAN_CLOSE_WRITE | FAN_MOVED_TO | FAN_CREATE | FAN_ONDIR | FAN_EVENT_ON_CHILD;
      if (::fanotify_mark(fd_.get(), FAN_MARK_ADD | FAN_MARK_DONT_FOLLOW | FAN_MARK_ONLYDIR, mask,
                          AT_FDCWD, d.c_str()) != 0) {
        first = ErrnoStatus(errno, "fanotify_mark " + d);
        return;
      }
      // The handle events will carry for this directory.
      alignas(file_handle) char hbuf[sizeof(file_handle) + MAX_HANDLE_SZ];
      auto* fh = reinterpret_cast<file_handle*>(hbuf);
      fh->handle_bytes = MAX_HANDLE_SZ;
      int mount_id = 0;
      if (::name_to_handle_at(AT_FDCWD, d.c_str(), fh, &mount_id, 0) != 0) {
        first = ErrnoStatus(errno, "name_to_handle_at " + d);
        return;
      }
      dirs_[std::string(hbuf, sizeof(file_handle) + fh->handle_bytes)] = d;
    });
    return first;
  }

  UniqueFd fd_;
  std::map<std::string, std::string> dirs_;  // file handle bytes -> directory path
};

}  // namespace

Result<std::unique_ptr<Watcher>> Watcher::Start(const std::vector<std::string>& dirs,
                                                Backend backend) {
  if (dirs.empty()) return InvalidArgument("no directory to watch");
  if (backend != Backend::kInotify) {
    auto fan = FanotifyWatcher::Make(dirs);
    if (fan.ok() || backend == Backend::kFanotify) return fan;
    log::Info("watch: fanotify unavailable ({}); using inotify", fan.error().message());
  }
  return InotifyWatcher::Make(dirs);
}

}  // namespace rampart::agent::scan
