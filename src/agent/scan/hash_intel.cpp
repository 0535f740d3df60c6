#include "agent/scan/hash_intel.h"

#include <fnmatch.h>

#include "common/files.h"
#include "common/strings.h"

namespace rampart::agent::scan {
namespace {

constexpr std::size_t kMaxListBytes = std::size_t{256} << 20;

bool IsHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  }
  return !s.empty();
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view TrimView(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

Status LineError(std::string_view file, std::size_t line, std::string_view what) {
  return InvalidArgument(std::string(file) + ":" + std::to_string(line) + ": " + std::string(what));
}

// Calls fn(line_number, trimmed line) for every non-empty, non-comment line; stops at an error.
template <typename Fn>
Status ForEachDataLine(std::string_view text, Fn fn) {
  std::size_t line_no = 0;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    line = TrimView(line);
    if (line.empty() || line.front() == '#') continue;
    RAMPART_RETURN_IF_ERROR(fn(line_no, line));
  }
  return Status::Ok();
}

bool ValidSeverity(std::string_view s) {
  return s == "low" || s == "medium" || s == "high" || s == "critical";
}

}  // namespace

Result<std::vector<BlockEntry>> ParseBlocklist(std::string_view text, std::string_view file_name) {
  std::vector<BlockEntry> out;
  bool first = true;
  Status st = ForEachDataLine(text, [&](std::size_t n, std::string_view line) -> Status {
    const bool was_first = first;
    first = false;
    std::vector<std::string_view> fields;
    if (line.find(',') != std::string_view::npos) {
      std::size_t start = 0;
      while (true) {
        const std::size_t comma = line.find(',', start);
        fields.push_back(TrimView(line.substr(start, comma - start)));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
      }
    } else {
      const std::size_t sp = line.find_first_of(" \t");
      fields.push_back(line.substr(0, sp));
      if (sp != std::string_view::npos) fields.push_back(TrimView(line.substr(sp)));
    }
    const std::string_view hash = fields[0];
    if (!IsHex(hash) || (hash.size() != 64 && hash.size() != 32)) {
      const std::string h = Lower(hash);
      if (was_first && (h == "sha256" || h == "md5" || h == "hash" || h == "sha-256")) {
        return Status::Ok();  // a CSV header
      }
      return LineError(file_name, n,
                       "expected a SHA-256 (64 hex digits) or MD5 (32 hex digits) hash, got '" +
                           std::string(hash.substr(0, 80)) + "'");
    }
    BlockEntry e;
    (hash.size() == 64 ? e.sha256 : e.md5) = Lower(hash);
    if (fields.size() > 1) e.name = std::string(fields[1]);
    if (e.name.empty()) e.name = e.sha256.empty() ? e.md5 : e.sha256.substr(0, 16);
    if (fields.size() > 2 && !fields[2].empty()) {
      if (!ValidSeverity(fields[2])) {
        return LineError(file_name, n,
                         "severity must be low, medium, high or critical, got '" +
                             std::string(fields[2].substr(0, 40)) + "'");
      }
      e.severity = std::string(fields[2]);
    }
    if (fields.size() > 3) e.family = std::string(fields[3]);
    if (fields.size() > 4) return LineError(file_name, n, "expected at most 4 CSV fields");
    out.push_back(std::move(e));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<std::vector<TrustEntry>> ParseAllowlist(std::string_view text, std::string_view file_name) {
  std::vector<TrustEntry> out;
  Status st = ForEachDataLine(text, [&](std::size_t n, std::string_view line) -> Status {
    TrustEntry e;
    std::string_view value;
    if (line.starts_with("sha256:")) {
      e.kind = TrustEntry::Kind::kSha256;
      value = TrimView(line.substr(7));
    } else if (line.starts_with("path:")) {
      e.kind = TrustEntry::Kind::kPathGlob;
      value = TrimView(line.substr(5));
    } else if (line.starts_with("dir:")) {
      e.kind = TrustEntry::Kind::kDirectory;
      value = TrimView(line.substr(4));
    } else if (line.size() == 64 && IsHex(line)) {
      value = line;
    } else {
      return LineError(file_name, n,
                       "expected 'sha256:<hash>', 'path:<glob>' or 'dir:<directory>', got '" +
                           std::string(line.substr(0, 80)) + "'");
    }
    if (e.kind == TrustEntry::Kind::kSha256) {
      if (value.size() != 64 || !IsHex(value)) {
        return LineError(file_name, n, "expected 64 hex digits after 'sha256:'");
      }
      e.value = Lower(value);
    } else {
      if (value.empty() || value.front() != '/') {
        return LineError(file_name, n, "expected an absolute path after 'path:' or 'dir:'");
      }
      e.value = std::string(value);
      if (e.kind == TrustEntry::Kind::kDirectory) {
        while (e.value.size() > 1 && e.value.back() == '/') e.value.pop_back();
      }
    }
    out.push_back(std::move(e));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Status HashIntel::LoadBlocklist(const std::string& path) {
  RAMPART_ASSIGN_OR_RETURN(std::string text, ReadLocalFile(path, kMaxListBytes));
  RAMPART_ASSIGN_OR_RETURN(std::vector<BlockEntry> entries, ParseBlocklist(text, path));
  for (BlockEntry& e : entries) AddBlock(std::move(e));
  return Status::Ok();
}

Status HashIntel::LoadAllowlist(const std::string& path) {
  RAMPART_ASSIGN_OR_RETURN(std::string text, ReadLocalFile(path, kMaxListBytes));
  RAMPART_ASSIGN_OR_RETURN(std::vector<TrustEntry> entries, ParseAllowlist(text, path));
  for (TrustEntry& e : entries) AddTrust(std::move(e));
  return Status::Ok();
}

void HashIntel::AddBlock(BlockEntry e) {
  const std::size_t idx = blocks_.size();
  if (!e.sha256.empty()) by_sha256_.emplace(e.sha256, idx);
  if (!e.md5.empty()) by_md5_.emplace(e.md5, idx);
  blocks_.push_back(std::move(e));
}

void HashIntel::AddTrust(TrustEntry e) {
  switch (e.kind) {
    case TrustEntry::Kind::kSha256:
      trusted_sha256_.emplace(std::move(e.value), true);
      break;
    case TrustEntry::Kind::kPathGlob:
      trusted_globs_.push_back(std::move(e.value));
      break;
    case TrustEntry::Kind::kDirectory:
      trusted_dirs_.push_back(std::move(e.value));
      break;
  }
}

const BlockEntry* HashIntel::Blocked(std::string_view sha256, std::string_view md5) const {
  if (auto it = by_sha256_.find(std::string(sha256)); it != by_sha256_.end()) {
    return &blocks_[it->second];
  }
  if (!md5.empty()) {
    if (auto it = by_md5_.find(std::string(md5)); it != by_md5_.end()) return &blocks_[it->second];
  }
  return nullptr;
}

bool HashIntel::TrustedPath(std::string_view path) const {
  for (const std::string& dir : trusted_dirs_) {
    if (dir == "/") return true;
    if (path.size() > dir.size() && path.starts_with(dir) && path[dir.size()] == '/') return true;
    if (path == dir) return true;
  }
  if (trusted_globs_.empty()) return false;
  const std::string p(path);
  for (const std::string& glob : trusted_globs_) {
    if (::fnmatch(glob.c_str(), p.c_str(), 0) == 0) return true;
  }
  return false;
}

bool HashIntel::TrustedHash(std::string_view sha256) const {
  return trusted_sha256_.count(std::string(sha256)) > 0;
}

bool HashIntel::empty() const {
  return blocks_.empty() && trusted_sha256_.empty() && trusted_globs_.empty() &&
         trusted_dirs_.empty();
}

}  // namespace rampart::agent::scan
