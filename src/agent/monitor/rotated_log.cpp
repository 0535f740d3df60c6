#include "agent/monitor/rotated_log.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/hash.h"
#include "common/logging.h"
#include "common/strings.h"

namespace rampart::agent {
namespace {

constexpr std::size_t kChunk = 64 * 1024;
constexpr int kMaxRotationNumber = 9;

// Whether the decompressed content starts with the cursor's fingerprinted bytes and holds at
// least `offset` bytes.
bool CompressedMatches(const std::string& path, const FileCursor& c) {
  if (c.fp_len == 0) return false;
  auto stream = LogStream::Open(path);
  if (!stream) return false;
  std::string head;
  std::uint64_t total = 0;
  char buf[kChunk];
  bool checked = false;
  while (true) {
    auto n = (*stream)->Read(buf, sizeof buf);
    if (!n) return false;
    if (*n == 0) break;
    if (head.size() < c.fp_len) head.append(buf, std::min<std::size_t>(*n, c.fp_len - head.size()));
    total += *n;
    if (!checked && head.size() >= c.fp_len) {
      if (Sha256Hex(head) != c.fingerprint) return false;
      checked = true;
    }
    if (checked && total >= c.offset) return true;
  }
  return false;
}

bool PlainMatches(const std::string& path, const FileCursor& c) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  if (static_cast<std::uint64_t>(st.st_dev) != c.dev ||
      static_cast<std::uint64_t>(st.st_ino) != c.ino ||
      static_cast<std::uint64_t>(st.st_size) < c.offset) {
    return false;
  }
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool same = c.fp_len == 0 || FingerprintOf(fd, c.fp_len) == c.fingerprint;
  close(fd);
  return same;
}

bool Exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Rotated siblings of `path`, newest first: path.0, path.1, ... (each plain or compressed), then
// logrotate dateext names path-SUFFIX, newest (greatest name) first.
std::vector<std::string> RotatedSiblings(const std::string& path) {
  std::vector<std::string> out;
  for (int n = 0; n <= kMaxRotationNumber; ++n) {
    for (const char* ext : {"", ".gz", ".xz", ".zst"}) {
      std::string p = path + "." + std::to_string(n) + ext;
      if (Exists(p)) out.push_back(std::move(p));
    }
  }
  const std::size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  std::vector<std::string> dated;
  if (DIR* d = opendir(dir.c_str())) {
    while (const dirent* e = readdir(d)) {
      const std::string_view name(e->d_name);
      if (name.size() > base.size() + 1 && name.starts_with(base) && name[base.size()] == '-') {
        dated.push_back(dir + "/" + std::string(name));
      }
    }
    closedir(d);
  }
  std::sort(dated.begin(), dated.end(),
            [](const std::string& a, const std::string& b) { return a > b; });
  for (auto& p : dated) {
    if (Exists(p)) out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

bool IsCompressedLog(std::string_view path) {
  return EndsWith(path, ".gz") || EndsWith(path, ".xz") || EndsWith(path, ".zst");
}

std::vector<RotatedPart> FindRotatedBacklog(const std::string& path, const FileCursor& cursor) {
  if (cursor.dev == 0 && cursor.ino == 0) return {};
  const std::vector<std::string> siblings = RotatedSiblings(path);
  for (std::size_t k = 0; k < siblings.size(); ++k) {
    const bool match = IsCompressedLog(siblings[k]) ? CompressedMatches(siblings[k], cursor)
                                                    : PlainMatches(siblings[k], cursor);
    if (!match) continue;
    std::vector<RotatedPart> parts;
    parts.push_back({siblings[k], cursor.offset});
    for (std::size_t j = k; j-- > 0;) parts.push_back({siblings[j], 0});
    return parts;
  }
  return {};
}

Result<std::uint64_t> ReadRotatedPart(const RotatedPart& part, std::size_t record_size,
                                      const std::function<void(std::string_view)>& fn) {
  auto opened = LogStream::Open(part.path);
  if (!opened) return opened.error();
  LogStream& stream = **opened;
  std::uint64_t skip = part.offset;
  std::uint64_t delivered = 0;
  std::string pending;
  std::vector<char> buf(kChunk);
  for (;;) {
    auto got = stream.Read(buf.data(), buf.size());
    if (!got) return got.error();
    if (*got == 0) break;
    std::string_view data(buf.data(), *got);
    if (skip > 0) {
      const auto drop = static_cast<std::size_t>(std::min<std::uint64_t>(skip, data.size()));
      data.remove_prefix(drop);
      skip -= drop;
    }
    if (record_size > 0) {
      pending.append(data);
      std::size_t off = 0;
      for (; off + record_size <= pending.size(); off += record_size) {
        fn(std::string_view(pending).substr(off, record_size));
        ++delivered;
      }
      pending.erase(0, off);
      continue;
    }
    while (!data.empty()) {
      const std::size_t nl = data.find('\n');
      if (nl == std::string_view::npos) {
        if (pending.size() < kMaxLineBytes) {
          pending.append(data.substr(0, kMaxLineBytes - pending.size()));
        }
        break;
      }
      std::string_view line = data.substr(0, nl);
      if (!pending.empty()) {
        if (pending.size() < kMaxLineBytes) {
          pending.append(line.substr(0, kMaxLineBytes - pending.size()));
        }
        fn(pending);
        pending.clear();
      } else {
        fn(line.substr(0, kMaxLineBytes));
      }
      ++delivered;
      data.remove_prefix(nl + 1);
    }
  }
  if (record_size == 0 && !pending.empty()) {
    fn(pending);
    ++delivered;
  }
  return delivered;
}

}  // namespace rampart::agent
