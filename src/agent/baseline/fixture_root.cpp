#include "agent/baseline/fixture_root.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace rampart::agent::baseline {

Status BuildFixtureRoot(const std::string& dir, const std::vector<FixtureFile>& base,
                        const std::vector<FixtureFile>& files, bool* needs_root) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  if (ec) return Internal(dir + ": " + ec.message());
  std::map<std::string, const FixtureFile*> merged;
  for (const auto& f : base) merged[f.path] = &f;
  for (const auto& f : files) merged[f.path] = &f;
  const bool root = ::geteuid() == 0;
  *needs_root = false;
  for (const auto& [path, f] : merged) {
    const std::string full = dir + path;
    fs::create_directories(fs::path(full).parent_path(), ec);
    if (ec) return Internal(full + ": " + ec.message());
    if (!f->symlink.empty()) {
      fs::create_symlink(f->symlink, full, ec);
      if (ec) return Internal(full + ": " + ec.message());
      continue;
    }
    if (f->dir) {
      fs::create_directories(full, ec);
      if (ec) return Internal(full + ": " + ec.message());
    } else if (!f->copy.empty()) {
      fs::copy_file(f->copy, full, fs::copy_options::overwrite_existing, ec);
      if (ec) return Internal(full + ": copy of " + f->copy + ": " + ec.message());
    } else {
      std::ofstream out(full, std::ios::binary | std::ios::trunc);
      out << f->content;
      if (!out) return Internal(full + ": cannot write");
    }
    if (::chmod(full.c_str(), f->mode.value_or(f->dir ? 0755 : 0644)) != 0) {
      return Internal(full + ": chmod failed");
    }
    if (f->uid || f->gid) {
      const uid_t uid = f->uid.value_or(::geteuid());
      const gid_t gid = f->gid.value_or(::getegid());
      if (root) {
        if (::lchown(full.c_str(), uid, gid) != 0) return Internal(full + ": chown failed");
      } else if (uid != ::geteuid() || gid != ::getegid()) {
        *needs_root = true;
      }
    }
  }
  return Status::Ok();
}

}  // namespace rampart::agent::baseline
