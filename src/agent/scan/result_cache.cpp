#include "agent/scan/result_cache.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "common/files.h"
#include "common/hash.h"
#include "common/logging.h"

namespace rampart::agent::scan {
namespace {

constexpr std::string_view kMagic = "RMPSCAN1";
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kHeaderBytes = 8 + 4 + 4 + 32 + 4;
constexpr std::size_t kEntryFixedBytes = 8 * 5 + 4 + 32 + 16 + 1 + 2;
constexpr std::size_t kMaxCacheFiles = 4;

std::array<std::uint8_t, 32> HexToBytes32(std::string_view hex) {
  std::array<std::uint8_t, 32> out{};
  auto nib = [](char c) -> std::uint8_t {
    if (c >= '0' && c <= '9') return static_cast<std::uint8_t>(c - '0');
    if (c >= 'a' && c <= 'f') return static_cast<std::uint8_t>(c - 'a' + 10);
    if (c >= 'A' && c <= 'F') return static_cast<std::uint8_t>(c - 'A' + 10);
    return 0;
  };
  for (std::size_t i = 0; i < out.size() && 2 * i + 1 < hex.size(); ++i) {
    out[i] = static_cast<std::uint8_t>(nib(hex[2 * i]) << 4 | nib(hex[2 * i + 1]));
  }
  return out;
}

class Reader {
 public:
  explicit Reader(std::string_view b) : b_(b) {}
  bool Take(void* out, std::size_t n) {
    if (b_.size() - pos_ < n) return false;
    std::memcpy(out, b_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  template <typename T>
  bool Int(T* out) {
    std::uint8_t buf[sizeof(T)];
    if (!Take(buf, sizeof(T))) return false;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) v |= std::uint64_t{buf[i]} << (8 * i);
    *out = static_cast<T>(v);
    return true;
  }
  std::size_t pos() const { return pos_; }

 private:
  std::string_view b_;
  std::size_t pos_ = 0;
};

template <typename T>
void PutInt(std::string* out, T v) {
  const auto u = static_cast<std::uint64_t>(v);
  for (std::size_t i = 0; i < sizeof(T); ++i)
    out->push_back(static_cast<char>((u >> (8 * i)) & 0xff));
}

}  // namespace

Result<ParsedCache> ParseResultCache(std::string_view bytes) {
  if (bytes.size() < kHeaderBytes + 32) return DataLoss("scan cache: file too short");
  if (bytes.substr(0, kMagic.size()) != kMagic) return DataLoss("scan cache: bad magic");
  const std::string_view body = bytes.substr(0, bytes.size() - 32);
  const auto want = HexToBytes32(Sha256Hex(body));
  if (std::memcmp(want.data(), bytes.data() + body.size(), 32) != 0) {
    return DataLoss("scan cache: checksum mismatch");
  }
  Reader r(body);
  char magic[8];
  std::uint32_t version = 0, count = 0;
  ParsedCache out;
  (void)r.Take(magic, sizeof magic);
  if (!r.Int(&version) || version != kVersion) return DataLoss("scan cache: unknown version");
  if (!r.Int(&out.generation) || !r.Take(out.rules_hash.data(), 32) || !r.Int(&count)) {
    return DataLoss("scan cache: truncated header");
  }
  if (count > ResultCache::kMaxEntries) return DataLoss("scan cache: too many entries");
  if (count > (body.size() - kHeaderBytes) / kEntryFixedBytes) {
    return DataLoss("scan cache: count exceeds the file");
  }
  out.entries.reserve(count);
  out.last_used.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    FileIdentity id;
    CachedResult res;
    std::uint32_t used = 0;
    std::uint8_t flags = 0;
    std::uint16_t n = 0;
    if (!r.Int(&id.dev) || !r.Int(&id.ino) || !r.Int(&id.size) || !r.Int(&id.mtime_ns) ||
        !r.Int(&id.ctime_ns) || !r.Int(&used) || !r.Take(res.sha256.data(), 32) ||
        !r.Take(res.md5.data(), 16) || !r.Int(&flags) || !r.Int(&n)) {
      return DataLoss("scan cache: truncated entry " + std::to_string(i));
    }
    if ((flags & ~1U) != 0) return DataLoss("scan cache: bad flags in entry " + std::to_string(i));
    res.has_md5 = (flags & 1U) != 0;
    res.rules.resize(n);
    for (std::uint16_t k = 0; k < n; ++k) {
      if (!r.Int(&res.rules[k]))
        return DataLoss("scan cache: truncated entry " + std::to_string(i));
    }
    out.entries.emplace_back(id, std::move(res));
    out.last_used.push_back(used);
  }
  if (r.pos() != body.size()) return DataLoss("scan cache: trailing bytes");
  return out;
}

std::size_t ResultCache::IdHash::operator()(const FileIdentity& k) const {
  std::uint64_t h = k.dev * 0x9e3779b97f4a7c15ULL;
  for (std::uint64_t v : {k.ino, k.size, static_cast<std::uint64_t>(k.mtime_ns),
                          static_cast<std::uint64_t>(k.ctime_ns)}) {
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  }
  return static_cast<std::size_t>(h);
}

ResultCache::ResultCache(std::string dir, std::string rules_hash_hex)
    : dir_(std::move(dir)), rules_hash_(HexToBytes32(rules_hash_hex)) {
  if (!dir_.empty()) path_ = dir_ + "/scan-cache-" + rules_hash_hex.substr(0, 16) + ".bin";
}

void ResultCache::Load() {
  std::lock_guard lock(mu_);
  map_.clear();
  if (path_.empty()) return;
  auto bytes = ReadLocalFile(path_, kHeaderBytes + 32 + kMaxEntries * (kEntryFixedBytes + 64));
  if (!bytes.ok()) {
    if (bytes.error().code() != Code::kNotFound) {
      log::Warn("scan cache {}: {}; rebuilding it", path_, bytes.error().ToString());
      dirty_ = true;
    }
    return;
  }
  auto parsed = ParseResultCache(*bytes);
  if (!parsed.ok()) {
    log::Warn("scan cache {} is corrupt ({}); rebuilding it", path_, parsed.error().message());
    dirty_ = true;
    return;
  }
  if (parsed->rules_hash != rules_hash_) {
    log::Warn("scan cache {} belongs to other rules; rebuilding it", path_);
    dirty_ = true;
    return;
  }
  generation_ = parsed->generation + 1;
  map_.reserve(parsed->entries.size());
  for (std::size_t i = 0; i < parsed->entries.size(); ++i) {
    map_.emplace(parsed->entries[i].first,
                 Slot{std::move(parsed->entries[i].second), parsed->last_used[i]});
  }
}

std::optional<CachedResult> ResultCache::Lookup(const FileIdentity& id) {
  std::lock_guard lock(mu_);
  auto it = map_.find(id);
  if (it == map_.end()) return std::nullopt;
  if (it->second.last_used != generation_) {
    it->second.last_used = generation_;
    dirty_ = true;
  }
  return it->second.result;
}

void ResultCache::Store(const FileIdentity& id, CachedResult result) {
  std::lock_guard lock(mu_);
  if (map_.size() >= kMaxEntries && map_.find(id) == map_.end()) return;
  map_[id] = Slot{std::move(result), generation_};
  dirty_ = true;
}

std::size_t ResultCache::size() const {
  std::lock_guard lock(mu_);
  return map_.size();
}

Status ResultCache::Save() {
  std::lock_guard lock(mu_);
  if (path_.empty() || !dirty_) return Status::Ok();
  std::string out;
  out.reserve(kHeaderBytes + map_.size() * (kEntryFixedBytes + 8) + 32);
  out.append(kMagic);
  PutInt(&out, kVersion);
  PutInt(&out, generation_);
  out.append(reinterpret_cast<const char*>(rules_hash_.data()), 32);
  const std::size_t count_at = out.size();
  PutInt(&out, std::uint32_t{0});
  std::uint32_t count = 0;
  for (const auto& [id, slot] : map_) {
    if (generation_ - slot.last_used > kMaxAgeRuns) continue;  // not seen for many runs
    PutInt(&out, id.dev);
    PutInt(&out, id.ino);
    PutInt(&out, id.size);
    PutInt(&out, id.mtime_ns);
    PutInt(&out, id.ctime_ns);
    PutInt(&out, slot.last_used);
    out.append(reinterpret_cast<const char*>(slot.result.sha256.data()), 32);
    out.append(reinterpret_cast<const char*>(slot.result.md5.data()), 16);
    out.push_back(static_cast<char>(slot.result.has_md5 ? 1 : 0));
    const auto n =
        static_cast<std::uint16_t>(std::min<std::size_t>(slot.result.rules.size(), 65535));
    PutInt(&out, n);
    for (std::uint16_t k = 0; k < n; ++k) PutInt(&out, slot.result.rules[k]);
    ++count;
  }
  for (std::size_t i = 0; i < 4; ++i)
    out[count_at + i] = static_cast<char>((count >> (8 * i)) & 0xff);
  const auto sum = HexToBytes32(Sha256Hex(out));
  out.append(reinterpret_cast<const char*>(sum.data()), 32);
  RAMPART_RETURN_IF_ERROR(MakeDirs(dir_));
  RAMPART_RETURN_IF_ERROR(WriteFileAtomic(path_, out, 0600));
  dirty_ = false;

  // Bound the number of rule sets kept: drop the least recently written other cache files.
  std::vector<std::pair<std::int64_t, std::string>> files;
  if (DIR* d = ::opendir(dir_.c_str())) {
    while (const dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (!name.starts_with("scan-cache-") || !name.ends_with(".bin")) continue;
      struct stat st {};
      const std::string full = dir_ + "/" + name;
      if (::stat(full.c_str(), &st) == 0) files.emplace_back(st.st_mtim.tv_sec, full);
    }
    ::closedir(d);
  }
  if (files.size() > kMaxCacheFiles) {
    std::sort(files.begin(), files.end(), std::greater<>());
    for (std::size_t i = kMaxCacheFiles; i < files.size(); ++i) {
      if (files[i].second != path_) ::unlink(files[i].second.c_str());
    }
  }
  return Status::Ok();
}

}  // namespace rampart::agent::scan
