#pragma once
// Pure parser of /proc/<pid>/maps: which files a process has mapped (its executable, the shared
// libraries it loaded, mapped data files), each once. No I/O here (see proc_reader.h for reading).
//
// A line is "ADDRESS PERMS OFFSET DEV INODE [PATHNAME]", e.g.
//   7f1c2a028000-7f1c2a19d000 r-xp 00028000 fd:01 1835023    /usr/lib/x86_64-linux-gnu/libc.so.6
// PATHNAME is absent for anonymous memory, "[heap]"/"[stack]"/"[vdso]" for kernel areas, and ends
// in " (deleted)" when the file was unlinked or replaced on disk after it was mapped (dpkg and apk
// upgrade a library by renaming the new file over the old one, so a process started before the
// upgrade keeps mapping the old, deleted copy). The kernel escapes a newline in a path as "\012";
// paths are returned as the kernel prints them.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rampart::agent {

// Most distinct files kept per process (a JVM or a browser maps a few thousand at most).
inline constexpr std::size_t kMaxMappedFilesPerPid = 4096;

// One line of the maps file that names a file (PATHNAME starting with '/').
struct MapsEntry {
  std::string_view path;    // without the " (deleted)" suffix; points into the parsed line
  bool deleted = false;     // the kernel's " (deleted)" marker was present
  bool executable = false;  // PERMS has 'x'
};

// Parses one line (without its '\n'). nullopt when the line is malformed (not the five fields
// above) or maps no file (anonymous memory, "[heap]", "[vdso]", "[anon:name]", ...).
std::optional<MapsEntry> ParseProcMapsLine(std::string_view line);

// A file a process maps, over all its mappings of it.
struct MappedFile {
  std::string path;         // as in the maps file, " (deleted)" stripped
  bool deleted = false;     // some mapping of this path was marked " (deleted)"
  bool executable = false;  // some mapping of this path is executable (code, not just data)
};

// Every file of a maps file, each path once, in order of first appearance; at most max_files
// (further paths are dropped). Malformed lines are skipped; a last line without '\n' is parsed
// (callers that cut a long file must drop the partial last line themselves).
std::vector<MappedFile> ParseProcMaps(std::string_view text,
                                      std::size_t max_files = kMaxMappedFilesPerPid);

}  // namespace rampart::agent
