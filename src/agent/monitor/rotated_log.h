#pragma once
// Rotated logs for FileTailer's resume: when the file a saved cursor names was rotated while the
// agent was stopped, find it among the path's rotated siblings — renamed (`auth.log.1`), renamed
// again (`auth.log.2`), or compressed (`auth.log.1.gz`, `.xz`, `.zst`; also logrotate's dateext
// `auth.log-20261207[.gz]`) — and list what must be read before the new file: the rest of that
// file after the cursor's offset, then every newer rotated file whole, oldest first.
//
// The search (ListRotatedSiblings) goes through every numbered and dated sibling, newest first,
// stops at the first match and examines at most kMaxRotatedCandidates files.
// Identification: an uncompressed sibling by (device, inode) as the cursor saved it; a compressed
// one (a new inode; by name or by its first bytes) by the SHA-256 of its first fp_len decompressed
// bytes (the cursor's fingerprint) and by holding at least `offset` bytes. A cursor of an empty
// file (fp_len 0) cannot be told apart from any other file and matches nothing compressed.
// Decompression: LogStream (agent/sources/log_stream.h).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agent/monitor/file_tailer.h"
#include "agent/sources/log_stream.h"
#include "common/status.h"

namespace rampart::agent {

bool IsCompressedLog(std::string_view path);  // by name: .gz, .xz, .zst, .bz2

// At most this many rotated siblings (newest first) are examined for a cursor's file.
inline constexpr std::size_t kMaxRotatedCandidates = 64;

// Every rotated sibling of `path` in its directory, newest first: the numbered ones
// `path.N[.gz|.xz|.zst|.bz2]` by N ascending (any N, not only up to 9), then logrotate's dateext
// ones `path-DATE[.ext]` (DATE: digits, '-', '_'; e.g. 20261207, 2026-12-07, 20261207-1765065600)
// by DATE descending; for the same N or DATE the uncompressed file first. Other names
// (auth.log.old, auth.log-backup) are not rotations of `path`.
std::vector<std::string> ListRotatedSiblings(const std::string& path);

// The parts to read before the file at `path` itself, oldest first; empty when the cursor's file is
// not among the siblings (or the cursor has no identity).
std::vector<RotatedPart> FindRotatedBacklog(const std::string& path, const FileCursor& cursor);

// Delivers the lines (record_size 0; a last line without '\n' too, as is, cut at kMaxLineBytes)
// or the whole records of `part` after its offset. Returns the number delivered.
Result<std::uint64_t> ReadRotatedPart(const RotatedPart& part, std::size_t record_size,
                                      const std::function<void(std::string_view)>& fn);

}  // namespace rampart::agent
