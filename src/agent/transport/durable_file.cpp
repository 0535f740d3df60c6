#include "agent/transport/durable_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "common/host_view.h"

namespace rampart::agent {

std::string ParentDirectory(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status SyncDirectory(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus(errno, dir);
  if (::fsync(fd.get()) != 0) return ErrnoStatus(errno, "fsync " + dir);
  return Status::Ok();
}

Status WriteFileDurable(const std::string& path, std::string_view data, unsigned mode) {
  const std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());  // a leftover from a crash; O_EXCL below refuses to reuse it
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd.valid()) return ErrnoStatus(errno, tmp);
  auto fail = [&tmp](int err, const std::string& what) {
    ::unlink(tmp.c_str());
    return ErrnoStatus(err, what);
  };
  if (::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0) return fail(errno, "chmod " + tmp);
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd.get(), data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(errno, "write " + tmp);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return fail(errno, "fsync " + tmp);
  fd = UniqueFd();
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail(errno, "rename to " + path);
  return SyncDirectory(ParentDirectory(path));
}

}  // namespace rampart::agent
