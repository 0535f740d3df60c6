#include "agent/scan/reported_set.h"

#include <algorithm>
#include <optional>

#include "common/files.h"
#include "common/hash.h"
#include "common/strings.h"

namespace rampart::agent::scan {
namespace {

constexpr std::string_view kMagic = "rampart-malware-reported";
constexpr std::size_t kMaxFileBytes = std::size_t{64} << 20;

bool IsHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string Escape(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '%' || c < 0x21 || c == 0x7f) {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> Unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    const int hi = HexValue(s[i + 1]);
    const int lo = HexValue(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

Status LineError(std::size_t line, const std::string& what) {
  return InvalidArgument("line " + std::to_string(line) + ": " + what);
}

bool CoveredBy(const std::string& path, std::string root) {
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  if (root == "/") return !path.empty() && path.front() == '/';
  if (path == root) return true;
  return path.size() > root.size() && path.compare(0, root.size(), root) == 0 &&
         path[root.size()] == '/';
}

}  // namespace

std::string ReportDigest(std::vector<std::string> rules, std::string_view severity,
                         std::string_view family) {
  std::sort(rules.begin(), rules.end());
  std::string text;
  for (const std::string& r : rules) text.append(r).push_back('\n');
  text.append("severity=").append(severity).append("\nfamily=").append(family);
  return Sha256Hex(text).substr(0, 16);
}

ReportedSet ReportedSet::Open(std::string file, std::string host_id, std::string* warning) {
  ReportedSet empty;
  empty.file_ = file;
  empty.host_id_ = host_id;
  if (file.empty()) return empty;
  auto text = ReadLocalFile(file, kMaxFileBytes);
  if (!text.ok()) {
    if (text.error().code() != Code::kNotFound && warning != nullptr) {
      *warning = "cannot read " + file + " (" + text.error().message() +
                 "); already reported findings may be sent again";
    }
    return empty;
  }
  auto parsed = Parse(*text);
  if (!parsed.ok()) {
    if (warning != nullptr) {
      *warning = file + " is corrupt (" + parsed.error().message() +
                 "); starting empty, already reported findings may be sent again";
    }
    empty.dirty_ = true;
    return empty;
  }
  if (parsed->host_id_ != host_id) {
    if (warning != nullptr) {
      *warning = file + " was written for host " + parsed->host_id_ + ", this host is " + host_id +
                 "; starting empty";
    }
    empty.dirty_ = true;
    return empty;
  }
  parsed->file_ = std::move(file);
  return std::move(*parsed);
}

Result<ReportedSet> ReportedSet::Parse(std::string_view text) {
  const std::size_t end_at = text.rfind("\nend ");
  if (end_at == std::string_view::npos) {
    return InvalidArgument("no closing 'end' line (the file is truncated)");
  }
  const std::string_view body = text.substr(0, end_at + 1);
  std::string_view end_line = text.substr(end_at + 1);
  if (!end_line.empty() && end_line.back() == '\n') end_line.remove_suffix(1);
  const std::vector<std::string_view> lines = SplitLines(body);
  const std::size_t end_line_no = lines.size() + 1;
  const std::vector<std::string_view> end_fields = Split(end_line, ' ');
  if (end_fields.size() != 3 || end_fields[2].size() != 64 || !IsHex(end_fields[2])) {
    return LineError(end_line_no, "expected 'end <entries> <sha256>'");
  }
  if (Sha256Hex(body) != end_fields[2]) {
    return LineError(end_line_no, "checksum mismatch (the file was changed or damaged)");
  }
  auto count = ParseInt<std::int64_t>(end_fields[1]);
  if (!count || *count < 0) return LineError(end_line_no, "bad entry count");

  ReportedSet out;
  if (lines.empty()) return LineError(1, "missing header");
  const std::vector<std::string_view> header = Split(lines[0], ' ');
  if (header.size() != 3 || header[0] != kMagic) {
    return LineError(1, "expected '" + std::string(kMagic) + " <version> <host id>'");
  }
  auto version = ParseInt<int>(header[1]);
  if (!version || *version != kVersion) {
    return LineError(1, "unsupported version '" + std::string(header[1]) + "' (this agent reads " +
                            std::to_string(kVersion) + ")");
  }
  auto host = Unescape(header[2]);
  if (!host) return LineError(1, "bad escape in the host id");
  out.host_id_ = std::move(*host);

  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::size_t no = i + 1;
    const std::vector<std::string_view> f = Split(lines[i], ' ');
    if (f.size() != 5) {
      return LineError(no, "expected '<sha256> <digest> <status> <reported_at> <path>', got " +
                               std::to_string(f.size()) + " fields");
    }
    if (f[0].size() != 64 || !IsHex(f[0])) return LineError(no, "sha256: expected 64 hex digits");
    if (f[1].size() != 16 || !IsHex(f[1])) return LineError(no, "digest: expected 16 hex digits");
    if (f[2] != "pending" && f[2] != "quarantined") {
      return LineError(no, "status: expected pending or quarantined");
    }
    auto at = ParseInt<std::int64_t>(f[3]);
    if (!at || *at < 0) return LineError(no, "reported_at: expected Unix seconds");
    auto path = Unescape(f[4]);
    if (!path || path->empty() || path->front() != '/') {
      return LineError(no, "path: expected an escaped absolute path");
    }
    Entry& e = out.entries_[{std::move(*path), std::string(f[0])}];
    e.digest = std::string(f[1]);
    e.status = std::string(f[2]);
    e.reported_at = *at;
  }
  if (static_cast<std::size_t>(*count) != out.entries_.size() ||
      out.entries_.size() != lines.size() - 1) {
    return LineError(end_line_no, "entry count " + std::to_string(*count) + " does not match the " +
                                      std::to_string(lines.size() - 1) + " entries read");
  }
  return out;
}

std::string ReportedSet::Serialize() const {
  std::string out;
  out.append(kMagic).append(" ").append(std::to_string(kVersion)).append(" ");
  out.append(Escape(host_id_)).append("\n");
  for (const auto& [key, e] : entries_) {
    out.append(key.second).append(" ").append(e.digest).append(" ").append(e.status);
    out.append(" ").append(std::to_string(e.reported_at)).append(" ");
    out.append(Escape(key.first)).append("\n");
  }
  const std::string sum = Sha256Hex(out);
  out.append("end ").append(std::to_string(entries_.size())).append(" ").append(sum);
  out.append("\n");
  return out;
}

bool ReportedSet::Record(const std::string& path, const std::string& sha256,
                         const std::string& digest, std::string_view status, std::int64_t now) {
  auto [it, inserted] = entries_.try_emplace({path, sha256});
  Entry& e = it->second;
  const bool known =
      !inserted && status != "quarantined" && e.status == status && e.digest == digest;
  if (known) return false;
  e.digest = digest;
  e.status = std::string(status);
  e.reported_at = now;
  dirty_ = true;
  if (entries_.size() > max_entries_) Evict();
  return true;
}

bool ReportedSet::Forget(const std::string& path, const std::string& sha256) {
  if (entries_.erase({path, sha256}) == 0) return false;
  dirty_ = true;
  return true;
}

std::size_t ReportedSet::ForgetMissing(const std::vector<std::string>& roots,
                                       const std::set<Key>& found) {
  std::size_t n = 0;
  for (auto it = entries_.begin(); it != entries_.end();) {
    const bool covered = std::any_of(roots.begin(), roots.end(), [&](const std::string& root) {
      return CoveredBy(it->first.first, root);
    });
    if (covered && !found.contains(it->first)) {
      it = entries_.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  if (n > 0) dirty_ = true;
  return n;
}

void ReportedSet::Evict() {
  // Drop the oldest tenth in one go, so a full set does not sort on every new finding.
  const std::size_t keep = max_entries_ - max_entries_ / 10;
  if (entries_.size() <= keep) return;
  std::vector<std::pair<std::int64_t, Key>> by_age;
  by_age.reserve(entries_.size());
  for (const auto& [key, e] : entries_) by_age.emplace_back(e.reported_at, key);
  const std::size_t drop = entries_.size() - keep;
  std::nth_element(by_age.begin(), by_age.begin() + static_cast<std::ptrdiff_t>(drop - 1),
                   by_age.end());
  for (std::size_t i = 0; i < drop; ++i) entries_.erase(by_age[i].second);
  dirty_ = true;
}

Status ReportedSet::Save() {
  if (!dirty_ || file_.empty()) return Status::Ok();
  RAMPART_RETURN_IF_ERROR(WriteFileAtomic(file_, Serialize(), 0600));
  dirty_ = false;
  return Status::Ok();
}

}  // namespace rampart::agent::scan
