#include "agent/collectors/proc_maps.h"

#include <unordered_map>

namespace rampart::agent {
namespace {

constexpr std::string_view kDeleted = " (deleted)";

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool AllOf(std::string_view s, bool (*pred)(char)) {
  if (s.empty()) return false;
  for (const char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The next space-separated field of `rest`, which is advanced past it and the spaces after it.
std::string_view NextField(std::string_view& rest) {
  const std::size_t end = rest.find(' ');
  const std::string_view field = rest.substr(0, end);
  rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
  const std::size_t next = rest.find_first_not_of(' ');
  rest.remove_prefix(next == std::string_view::npos ? rest.size() : next);
  return field;
}

bool ValidAddress(std::string_view a) {
  const std::size_t dash = a.find('-');
  return dash != std::string_view::npos && AllOf(a.substr(0, dash), IsHex) &&
         AllOf(a.substr(dash + 1), IsHex);
}

bool ValidPerms(std::string_view p) {
  return p.size() == 4 && (p[0] == 'r' || p[0] == '-') && (p[1] == 'w' || p[1] == '-') &&
         (p[2] == 'x' || p[2] == '-') && (p[3] == 'p' || p[3] == 's');
}

bool ValidDev(std::string_view d) {
  const std::size_t colon = d.find(':');
  return colon != std::string_view::npos && AllOf(d.substr(0, colon), IsHex) &&
         AllOf(d.substr(colon + 1), IsHex);
}

}  // namespace

std::optional<MapsEntry> ParseProcMapsLine(std::string_view line) {
  std::string_view rest = line;
  const std::string_view address = NextField(rest);
  const std::string_view perms = NextField(rest);
  const std::string_view offset = NextField(rest);
  const std::string_view dev = NextField(rest);
  const std::string_view inode = NextField(rest);
  if (!ValidAddress(address) || !ValidPerms(perms) || !AllOf(offset, IsHex) || !ValidDev(dev) ||
      !AllOf(inode, IsDigit)) {
    return std::nullopt;
  }
  // `rest` is the pathname: everything after the padding, spaces inside the name kept.
  if (rest.empty() || rest.front() != '/') return std::nullopt;
  MapsEntry e;
  e.executable = perms[2] == 'x';
  if (rest.size() > kDeleted.size() && rest.ends_with(kDeleted)) {
    rest.remove_suffix(kDeleted.size());
    e.deleted = true;
  }
  e.path = rest;
  return e;
}

std::vector<MappedFile> ParseProcMaps(std::string_view text, std::size_t max_files) {
  std::vector<MappedFile> files;
  std::unordered_map<std::string_view, std::size_t> seen;  // path -> index in files
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    const auto e = ParseProcMapsLine(line);
    if (!e) continue;
    if (auto it = seen.find(e->path); it != seen.end()) {
      MappedFile& f = files[it->second];
      f.deleted = f.deleted || e->deleted;
      f.executable = f.executable || e->executable;
      continue;
    }
    if (files.size() >= max_files) continue;
    seen.emplace(e->path, files.size());
    files.push_back({std::string(e->path), e->deleted, e->executable});
  }
  return files;
}

}  // namespace rampart::agent
