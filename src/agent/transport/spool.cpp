#include "agent/transport/spool.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>

#include "agent/transport/durable_file.h"
#include "common/files.h"
#include "common/host_view.h"
#include "common/logging.h"
#include "common/strings.h"

namespace rampart::agent {
namespace {

constexpr std::string_view kMagic = "RSPOOL1";
constexpr std::string_view kBatchSuffix = ".batch";
constexpr std::string_view kTmpSuffix = ".tmp";
constexpr std::size_t kMaxHeaderBytes = 512;
constexpr std::size_t kMaxBadFiles = 100;

// CRC-32 (IEEE 802.3, as zlib): catches a torn or bit-rotted file; the rename protocol already
// prevents half-written batches, so a cryptographic hash would only cost time.
std::uint32_t Crc32(std::string_view data) {
  static const std::array<std::uint32_t, 256> kTable = [] {
    std::array<std::uint32_t, 256> table{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1U) != 0 ? 0xEDB88320U ^ (c >> 1) : c >> 1;
      table[i] = c;
    }
    return table;
  }();
  std::uint32_t crc = 0xFFFFFFFFU;
  for (char ch : data) {
    crc = kTable[(crc ^ static_cast<unsigned char>(ch)) & 0xFFU] ^ (crc >> 8);
  }
  return crc ^ 0xFFFFFFFFU;
}

std::string Hex32(std::uint32_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(8, '0');
  for (int i = 7; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = kDigits[v & 0xFU];
    v >>= 4;
  }
  return out;
}

std::string SeqName(std::uint64_t seq) {
  std::string digits = std::to_string(seq);
  return std::string(20 - std::min<std::size_t>(20, digits.size()), '0') + digits +
         std::string(kBatchSuffix);
}

// Sequence number of "<20 digits>.batch", or nullopt for any other name.
std::optional<std::uint64_t> ParseSeqName(std::string_view name) {
  if (!ConsumeSuffix(&name, kBatchSuffix) || name.size() != 20) return std::nullopt;
  auto seq = ParseInt<std::uint64_t>(name);
  if (!seq || *seq == 0) return std::nullopt;
  return seq;
}

Result<std::vector<std::string>> ListDir(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return ErrnoStatus(errno, dir);
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

bool IsValidSpoolName(std::string_view name) {
  if (name.empty() || name.size() > 200) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == ':' || c == '-';
  });
}

std::string EncodeSpoolFile(std::string_view kind, std::string_view key, std::string_view payload) {
  std::string out;
  out.reserve(payload.size() + 64 + kind.size() + key.size());
  out.append(kMagic).append(" ").append(kind).append(" ").append(key).append(" ");
  out.append(std::to_string(payload.size())).append(" ").append(Hex32(Crc32(payload)));
  out.push_back('\n');
  out.append(payload);
  return out;
}

Result<SpoolBatch> DecodeSpoolFile(std::string_view content) {
  const auto nl = content.find('\n');
  if (nl == std::string_view::npos || nl > kMaxHeaderBytes) {
    return DataLoss("spool batch: no header line (expected \"RSPOOL1 kind key length crc32\")");
  }
  const auto fields = Split(content.substr(0, nl), ' ');
  if (fields.size() != 5 || fields[0] != kMagic) {
    return DataLoss("spool batch: header is not \"RSPOOL1 kind key length crc32\"");
  }
  if (!IsValidSpoolName(fields[1]) || !IsValidSpoolName(fields[2])) {
    return DataLoss("spool batch: invalid kind or key in the header");
  }
  const auto length = ParseInt<std::uint64_t>(fields[3]);
  const auto crc = ParseInt<std::uint32_t>(fields[4], 16);
  if (!length || !crc || fields[4].size() != 8) {
    return DataLoss("spool batch: invalid length or checksum field in the header");
  }
  const std::string_view payload = content.substr(nl + 1);
  if (payload.size() != *length) {
    return DataLoss("spool batch: payload is " + std::to_string(payload.size()) +
                    " bytes, header says " + std::to_string(*length));
  }
  if (Crc32(payload) != *crc) return DataLoss("spool batch: payload checksum mismatch");
  SpoolBatch batch;
  batch.kind = std::string(fields[1]);
  batch.key = std::string(fields[2]);
  batch.payload = std::string(payload);
  return batch;
}

Result<std::unique_ptr<Spool>> Spool::Open(const std::string& dir, SpoolOptions options) {
  RAMPART_RETURN_IF_ERROR(MakeDirs(dir, 0700));
  std::unique_ptr<Spool> spool(new Spool(dir, options));
  RAMPART_RETURN_IF_ERROR(spool->Recover());
  return spool;
}

std::string Spool::PathOf(std::uint64_t seq) const { return dir_ + "/" + SeqName(seq); }

Status Spool::Recover() {
  RAMPART_ASSIGN_OR_RETURN(auto names, ListDir(dir_));
  std::lock_guard lock(mu_);
  for (const auto& name : names) {
    const std::string path = dir_ + "/" + name;
    if (EndsWith(name, kTmpSuffix)) {
      // A batch whose Enqueue never completed: it was never reported as queued.
      ::unlink(path.c_str());
      continue;
    }
    const auto seq = ParseSeqName(name);
    if (!seq) {
      if (name != "bad") log::Warn("spool: ignoring unexpected file {}", path);
      continue;
    }
    auto content = ReadLocalFile(path);
    if (!content) {
      SetAside(name, content.error().ToString());
      continue;
    }
    auto batch = DecodeSpoolFile(*content);
    if (!batch) {
      SetAside(name, batch.error().message());
      continue;
    }
    if (by_key_.count(batch->key) != 0) {
      SetAside(name, "duplicate key " + batch->key);
      continue;
    }
    entries_[*seq] = SpoolEntry{*seq, batch->kind, batch->key, content->size()};
    by_key_[batch->key] = *seq;
    total_bytes_ += content->size();
    next_seq_ = std::max(next_seq_, *seq + 1);
  }
  if (!entries_.empty()) {
    log::Info("spool: recovered {} batches ({} bytes) from {}", entries_.size(), total_bytes_,
              dir_);
  }
  return Status::Ok();
}

void Spool::SetAside(const std::string& name, const std::string& why) {
  const std::string bad_dir = dir_ + "/bad";
  const auto stamp = std::chrono::system_clock::now().time_since_epoch().count();
  const std::string target = bad_dir + "/" + std::to_string(stamp) + "-" + name;
  Status made = MakeDirs(bad_dir, 0700);
  if (made.ok() && ::rename((dir_ + "/" + name).c_str(), target.c_str()) == 0) {
    log::Warn("spool: corrupt batch {}/{} moved to {}: {}", dir_, name, target, why);
  } else {
    ::unlink((dir_ + "/" + name).c_str());
    log::Warn("spool: corrupt batch {}/{} deleted (could not move it aside): {}", dir_, name, why);
  }
  // Keep the newest few for diagnosis; bad/ must not grow without bound either.
  if (auto names = ListDir(bad_dir); names && names->size() > kMaxBadFiles) {
    for (std::size_t i = 0; i + kMaxBadFiles < names->size(); ++i) {
      ::unlink((bad_dir + "/" + (*names)[i]).c_str());
    }
  }
}

Result<std::uint64_t> Spool::Enqueue(std::string_view kind, std::string_view key,
                                     std::string_view payload) {
  if (!IsValidSpoolName(kind) || !IsValidSpoolName(key)) {
    return InvalidArgument("spool: kind and key must be 1..200 characters of [A-Za-z0-9_.:-]");
  }
  const std::string content = EncodeSpoolFile(kind, key, payload);
  std::lock_guard lock(mu_);
  if (by_key_.count(std::string(key)) != 0) {
    return Status(Code::kAlreadyExists, "spool: key " + std::string(key) + " is already queued");
  }
  if (entries_.size() + 1 > options_.max_files ||
      total_bytes_ + content.size() > options_.max_bytes) {
    return ResourceExhausted("spool full: " + std::to_string(entries_.size()) + " batches, " +
                             std::to_string(total_bytes_) + " bytes (limits " +
                             std::to_string(options_.max_files) + " batches, " +
                             std::to_string(options_.max_bytes) + " bytes); batch of " +
                             std::to_string(content.size()) + " bytes refused");
  }
  const std::uint64_t seq = next_seq_;
  const std::string path = PathOf(seq);
  const std::string tmp =
      path.substr(0, path.size() - kBatchSuffix.size()) + std::string(kTmpSuffix);
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd.valid()) return ErrnoStatus(errno, tmp);
  auto fail = [&tmp](int err, std::string_view what) {
    ::unlink(tmp.c_str());
    return ErrnoStatus(err, std::string(what) + " " + tmp);
  };
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(errno, "write");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return fail(errno, "fsync");
  fd = UniqueFd();
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail(errno, "rename");
  // Only a durable name counts as queued; if this fails the batch is withdrawn again.
  if (Status synced = SyncDirectory(dir_); !synced.ok()) {
    ::unlink(path.c_str());
    return synced;
  }
  next_seq_ = seq + 1;
  entries_[seq] = SpoolEntry{seq, std::string(kind), std::string(key), content.size()};
  by_key_[std::string(key)] = seq;
  total_bytes_ += content.size();
  return seq;
}

void Spool::EraseLocked(std::uint64_t seq) {
  auto it = entries_.find(seq);
  if (it == entries_.end()) return;
  total_bytes_ -= it->second.bytes;
  by_key_.erase(it->second.key);
  entries_.erase(it);
}

Result<std::optional<SpoolBatch>> Spool::ReadLocked(std::uint64_t seq) {
  const std::string name = SeqName(seq);
  auto content = ReadLocalFile(dir_ + "/" + name);
  Result<SpoolBatch> batch =
      content ? DecodeSpoolFile(*content) : Result<SpoolBatch>(content.error());
  const SpoolEntry& entry = entries_.at(seq);
  if (batch && (batch->key != entry.key || batch->kind != entry.kind)) {
    batch = DataLoss("spool batch: header changed since it was queued");
  }
  if (!batch) {
    if (content || content.error().code() != Code::kNotFound) {
      SetAside(name, batch.error().message());
    } else {
      log::Warn("spool: batch {}/{} disappeared", dir_, name);
    }
    EraseLocked(seq);
    return std::optional<SpoolBatch>();
  }
  batch->seq = seq;
  return std::optional<SpoolBatch>(std::move(*batch));
}

Result<std::optional<SpoolBatch>> Spool::Peek(std::uint64_t after_seq) {
  std::lock_guard lock(mu_);
  for (;;) {
    auto it = entries_.upper_bound(after_seq);
    if (it == entries_.end()) return std::optional<SpoolBatch>();
    RAMPART_ASSIGN_OR_RETURN(auto batch, ReadLocked(it->first));
    if (batch) return batch;
    // The file was bad and has been dropped from the index: try the next one.
  }
}

Result<std::optional<SpoolBatch>> Spool::Get(std::string_view key) {
  std::lock_guard lock(mu_);
  auto it = by_key_.find(std::string(key));
  if (it == by_key_.end()) return std::optional<SpoolBatch>();
  return ReadLocked(it->second);
}

std::optional<SpoolEntry> Spool::Find(std::string_view key) const {
  std::lock_guard lock(mu_);
  auto it = by_key_.find(std::string(key));
  if (it == by_key_.end()) return std::nullopt;
  return entries_.at(it->second);
}

Status Spool::Remove(std::string_view key) {
  std::lock_guard lock(mu_);
  auto it = by_key_.find(std::string(key));
  if (it == by_key_.end()) return NotFound("spool: no batch queued under key " + std::string(key));
  const std::uint64_t seq = it->second;
  const std::string path = PathOf(seq);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoStatus(errno, path);
  EraseLocked(seq);
  return Status::Ok();
}

std::size_t Spool::RemoveKind(std::string_view kind) {
  std::lock_guard lock(mu_);
  std::vector<std::uint64_t> doomed;
  for (const auto& [seq, entry] : entries_) {
    if (entry.kind == kind) doomed.push_back(seq);
  }
  for (std::uint64_t seq : doomed) {
    const std::string path = PathOf(seq);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      log::Warn("spool: cannot delete {}: {}", path, ErrnoStatus(errno, path).message());
    }
    EraseLocked(seq);
  }
  return doomed.size();
}

std::vector<SpoolEntry> Spool::List() const {
  std::lock_guard lock(mu_);
  std::vector<SpoolEntry> out;
  out.reserve(entries_.size());
  for (const auto& [seq, entry] : entries_) out.push_back(entry);
  return out;
}

std::size_t Spool::CountUpTo(std::uint64_t seq) const {
  std::lock_guard lock(mu_);
  return static_cast<std::size_t>(std::distance(entries_.begin(), entries_.upper_bound(seq)));
}

std::size_t Spool::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

std::uint64_t Spool::bytes() const {
  std::lock_guard lock(mu_);
  return total_bytes_;
}

}  // namespace rampart::agent
