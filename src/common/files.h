#pragma once
// Helpers for files that Rampart itself owns (caches, state, spools) on this machine, as opposed to
// the host files read through HostView.

#include <string>
#include <string_view>

#include "common/status.h"

namespace rampart {

// Writes `data` to `path` atomically: a temporary file in the same directory, fsync, rename.
// Readers see the old or the new content, never half of it. mode applies to the new file.
Status WriteFileAtomic(const std::string& path, std::string_view data, unsigned mode = 0600);

// Reads a file of this machine (no root translation). Errors as HostView::ReadFile.
Result<std::string> ReadLocalFile(const std::string& path,
                                  std::size_t max_bytes = std::size_t{64} << 20);

// Creates a directory and its parents with the given mode; OK when it exists.
Status MakeDirs(const std::string& path, unsigned mode = 0700);

}  // namespace rampart
