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

// Whether `path` is an archive: by its name, else by its first bytes (a rotated file compressed
// without a new extension).
bool IsArchive(const std::string& path) {
  if (IsCompressedLog(path)) return true;
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char head[10];
  const ssize_t n = read(fd, head, sizeof head);
  close(fd);
  return n > 0 && DetectCompression(std::string_view(head, static_cast<std::size_t>(n))) !=
                      Compression::kNone;
}

// `rest` without a trailing compression extension; *compressed tells whether there was one.
std::string_view StripArchiveExtension(std::string_view rest, bool* compressed) {
  for (std::string_view ext : {".gz", ".xz", ".zst", ".bz2"}) {
    if (rest.size() > ext.size() && rest.ends_with(ext)) {
      *compressed = true;
      return rest.substr(0, rest.size() - ext.size());
    }
  }
  *compressed = false;
  return rest;
}

bool AllOf(std::string_view s, std::string_view allowed) {
  return !s.empty() && s.find_first_not_of(allowed) == std::string_view::npos;
}

}  // namespace

std::vector<std::string> ListRotatedSiblings(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  struct Sibling {
    bool dated;            // dateext name (after every numbered one)
    std::uint64_t number;  // numbered: N (smaller is newer)
    std::string date;      // dated: the suffix (greater is newer)
    bool compressed;       // the plain one first when both exist
    std::string path;
  };
  std::vector<Sibling> found;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return {};
  while (const dirent* e = readdir(d)) {
    const std::string_view name(e->d_name);
    if (name.size() <= base.size() + 1 || !name.starts_with(base)) continue;
    const char sep = name[base.size()];
    bool compressed = false;
    const std::string_view rest = StripArchiveExtension(name.substr(base.size() + 1), &compressed);
    Sibling s{false, 0, {}, compressed, dir + "/" + std::string(name)};
    if (sep == '.' && AllOf(rest, "0123456789") && rest.size() <= 9) {
      s.number = std::stoull(std::string(rest));
    } else if (sep == '-' && AllOf(rest, "0123456789-_") && rest.front() >= '0' &&
               rest.front() <= '9') {
      // logrotate's dateext (-%Y%m%d by default; -%Y%m%d%H, -%Y-%m-%d, -%Y%m%d-%s too).
      s.dated = true;
      s.date = std::string(rest);
    } else {
      continue;
    }
    found.push_back(std::move(s));
  }
  closedir(d);
  std::sort(found.begin(), found.end(), [](const Sibling& a, const Sibling& b) {
    if (a.dated != b.dated) return !a.dated;
    if (!a.dated && a.number != b.number) return a.number < b.number;
    if (a.dated && a.date != b.date) return a.date > b.date;
    if (a.compressed != b.compressed) return !a.compressed;
    return a.path < b.path;
  });
  std::vector<std::string> out;
  for (auto& s : found) {
    if (Exists(s.path)) out.push_back(std::move(s.path));
  }
  return out;
}

bool IsCompressedLog(std::string_view path) {
  return CompressionByName(path) != Compression::kNone;
}

std::vector<RotatedPart> FindRotatedBacklog(const std::string& path, const FileCursor& cursor) {
  if (cursor.dev == 0 && cursor.ino == 0) return {};
  const std::vector<std::string> siblings = ListRotatedSiblings(path);
  // Newest first, so the usual case (the saved file is auth.log.1 or .1.gz) costs one check; the
  // cap bounds a restart's work in a directory holding years of rotated logs.
  const std::size_t limit = std::min(siblings.size(), kMaxRotatedCandidates);
  for (std::size_t k = 0; k < limit; ++k) {
    const bool match = IsArchive(siblings[k]) ? CompressedMatches(siblings[k], cursor)
                                              : PlainMatches(siblings[k], cursor);
    if (!match) continue;
    std::vector<RotatedPart> parts;
    parts.push_back({siblings[k], cursor.offset});
    for (std::size_t j = k; j-- > 0;) parts.push_back({siblings[j], 0});
    return parts;
  }
  if (siblings.size() > limit) {
    log::Warn(
        "{}: the saved position's file is not among its {} newest rotated files ({} in all); "
        "older ones are not searched",
        path, limit, siblings.size());
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
