#include "agent/collectors/exe_hash_cache.h"

#include <sys/stat.h>

#include "common/files.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/logging.h"

namespace rampart::agent {
namespace {

constexpr std::size_t kMaxCacheFileBytes = std::size_t{16} << 20;

bool IsSha256Hex(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::size_t FileKeyHash::operator()(const FileKey& k) const {
  std::size_t h = std::hash<std::uint64_t>{}(k.dev);
  auto mix = [&h](std::uint64_t v) {
    h ^= std::hash<std::uint64_t>{}(v) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  };
  mix(k.ino);
  mix(k.size);
  mix(static_cast<std::uint64_t>(k.mtime));
  mix(static_cast<std::uint64_t>(k.mtime_nsec));
  return h;
}

std::optional<std::string> ExeHashCache::Hash(const HostView& host, std::string_view path) {
  // Look before opening: in an image, a link to a device or FIFO must not be opened at all.
  if (auto info = host.Stat(path); !info.ok() || !info->is_regular()) return std::nullopt;
  auto fd = host.OpenFile(path);
  if (!fd.ok()) return std::nullopt;
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  const FileKey key{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
                    static_cast<std::uint64_t>(st.st_size),
                    static_cast<std::int64_t>(st.st_mtim.tv_sec),
                    static_cast<std::int64_t>(st.st_mtim.tv_nsec)};
  if (auto it = entries_.find(key); it != entries_.end()) {
    it->second.used = true;
    return it->second.sha256;
  }
  if (key.size > kMaxHashBytes) return std::nullopt;
  auto sha = Sha256HexFd(fd->get());
  ++files_hashed_;
  if (!sha.ok()) {
    log::Debug("processes: hashing {}: {}", host.RealPath(path), sha.status().ToString());
    return std::nullopt;
  }
  if (entries_.size() < kMaxEntries) {
    entries_[key] = Entry{*sha, true};
    dirty_ = true;
  }
  return std::move(*sha);
}

void ExeHashCache::Load(const std::string& dir) {
  entries_.clear();
  dirty_ = false;
  if (dir.empty()) return;
  const std::string path = dir + "/" + std::string(kFileName);
  auto text = ReadLocalFile(path, kMaxCacheFileBytes);
  if (!text.ok()) {
    log::Debug("processes: no hash cache: {}", text.status().ToString());
    return;
  }
  auto doc = Json::Parse(*text, 8);
  const Json* list = doc.ok() ? doc->Find("entries") : nullptr;
  if (list == nullptr || !list->is_array()) {
    log::Debug("processes: ignoring malformed hash cache {}", path);
    return;
  }
  for (const Json& e : list->as_array()) {
    if (entries_.size() >= kMaxEntries) break;
    const std::string sha = e.GetString("sha256");
    if (!IsSha256Hex(sha)) continue;
    const FileKey key{
        static_cast<std::uint64_t>(e.GetInt("dev")), static_cast<std::uint64_t>(e.GetInt("ino")),
        static_cast<std::uint64_t>(e.GetInt("size")), e.GetInt("mtime"), e.GetInt("mtime_nsec")};
    entries_[key] = Entry{sha, false};
  }
}

void ExeHashCache::Save(const std::string& dir) {
  // Entries loaded but not used in this run are dropped from the file, which also counts as a
  // change.
  bool stale = false;
  for (const auto& [key, entry] : entries_) stale = stale || !entry.used;
  if (!dir.empty() && (dirty_ || stale)) Write(dir);
  // Start the next run's usage tracking; entries of binaries no process runs any more age out.
  std::erase_if(entries_, [](const auto& kv) { return !kv.second.used; });
  for (auto& [key, entry] : entries_) entry.used = false;
  dirty_ = false;
}

void ExeHashCache::Write(const std::string& dir) const {
  Json list = Json::MakeArray();
  for (const auto& [key, entry] : entries_) {
    if (!entry.used) continue;
    Json e = Json::MakeObject();
    // JSON integers are int64: dev/ino/size fit (ino and dev are < 2^63 on Linux file systems).
    e["dev"] = static_cast<std::int64_t>(key.dev);
    e["ino"] = static_cast<std::int64_t>(key.ino);
    e["size"] = static_cast<std::int64_t>(key.size);
    e["mtime"] = key.mtime;
    e["mtime_nsec"] = key.mtime_nsec;
    e["sha256"] = entry.sha256;
    list.Push(std::move(e));
  }
  Json doc = Json::MakeObject();
  doc["version"] = 1;
  doc["entries"] = std::move(list);
  if (Status st = MakeDirs(dir); !st.ok()) {
    log::Debug("processes: hash cache dir: {}", st.ToString());
    return;
  }
  if (Status st = WriteFileAtomic(dir + "/" + std::string(kFileName), doc.Dump()); !st.ok()) {
    log::Debug("processes: writing hash cache: {}", st.ToString());
  }
}

}  // namespace rampart::agent
