#pragma once
// Durable small-file writes for the agent's data dir (identity, inventory state, config, spool
// batches). common/files.h's WriteFileAtomic makes the content atomic; these also fsync the
// directory, so after they return the new name survives a power loss, and they set the mode with
// fchmod, so a stale temporary file or the umask cannot widen or narrow it.

#include <string>
#include <string_view>

#include "common/status.h"

namespace rampart::agent {

// Writes `data` to `path` via "<path>.tmp" (O_EXCL after removing a leftover), fchmod(mode),
// fsync, rename, fsync of the parent directory. On error the old file (if any) is untouched and the
// temporary file is removed. Errors: the errno Status naming the path.
Status WriteFileDurable(const std::string& path, std::string_view data, unsigned mode = 0600);

// fsync of a directory, so renames and creations inside it are durable.
Status SyncDirectory(const std::string& dir);

// The directory part of `path` ("." when none).
std::string ParentDirectory(const std::string& path);

}  // namespace rampart::agent
