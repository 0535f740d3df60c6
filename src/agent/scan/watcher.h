#pragma once
// Real-time file watching for the scanner: reports files that were written and closed, or moved
// in, under watched directories (and their subdirectories, including ones created later).
// Backends: fanotify with FAN_REPORT_DFID_NAME (FAN_CLOSE_WRITE and FAN_MOVED_TO; Linux 5.9+,
// needs CAP_SYS_ADMIN), else inotify (IN_CLOSE_WRITE and IN_MOVED_TO). Not thread-safe: one thread
// polls.

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace rampart::agent::scan {

class Watcher {
 public:
  enum class Backend { kAuto, kFanotify, kInotify };
  virtual ~Watcher() = default;

  // Watches `dirs` recursively. kAuto tries fanotify, then inotify. Errors: kNotFound for a missing
  // directory; the backend's error when neither can start.
  static Result<std::unique_ptr<Watcher>> Start(const std::vector<std::string>& dirs,
                                                Backend backend = Backend::kAuto);

  // "fanotify" or "inotify".
  virtual const char* backend_name() const = 0;
  // Waits up to timeout_ms for events and returns the paths of regular files written-and-closed
  // or moved in (deduplicated, in event order). Empty on timeout. Errors: read failures.
  virtual Result<std::vector<std::string>> Poll(int timeout_ms) = 0;
};

}  // namespace rampart::agent::scan
