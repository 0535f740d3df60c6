// The only translation unit that includes librpm.
#include "agent/collectors/software_rpm.h"

#include <rpm/header.h>
#include <rpm/rpmdb.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmlog.h>
#include <rpm/rpmmacro.h>
#include <rpm/rpmtag.h>
#include <rpm/rpmts.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <set>
#include <tuple>

#include "common/logging.h"
#include "common/strings.h"

namespace rampart::agent {
namespace {

constexpr std::size_t kMaxRpmPackages = 200'000;

// librpm's global state (macros, log callback, rc files) is guarded by this mutex.
std::mutex& RpmMutex() {
  static std::mutex mu;
  return mu;
}

// librpm would print its warnings and errors to stderr; inventory output must stay clean.
int RpmLogToDebug(rpmlogRec rec, rpmlogCallbackData /*data*/) {
  const char* msg = rpmlogRecMessage(rec);
  std::string_view text = msg != nullptr ? std::string_view(msg) : std::string_view();
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  log::Debug("software: librpm: {}", text);
  return 0;  // not RPMLOG_DEFAULT: librpm prints nothing itself
}

// REQUIRES: RpmMutex() held.
void InitRpmOnce() {
  static bool done = false;
  if (done) return;
  done = true;
  rpmlogSetCallback(RpmLogToDebug, nullptr);
  // Missing rc/macro files (a host without rpm installed) are not fatal: we set the macros we need.
  if (rpmReadConfigFiles(nullptr, nullptr) != 0) {
    log::Debug("software: rpmReadConfigFiles failed; using built-in defaults");
  }
}

std::string HeaderString(Header h, rpmTagVal tag) {
  const char* s = headerGetString(h, tag);
  return s != nullptr ? std::string(s) : std::string();
}

std::optional<std::int64_t> HeaderNumber(Header h, rpmTagVal tag) {
  if (headerIsEntry(h, tag) == 0) return std::nullopt;
  const std::uint64_t v = headerGetNumber(h, tag);
  if (v > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<std::int64_t>(v);
}

SoftwarePackage FromHeader(Header h, const std::string& db_file) {
  SoftwarePackage pkg;
  pkg.type = "rpm";
  pkg.name = HeaderString(h, RPMTAG_NAME);
  pkg.epoch = HeaderNumber(h, RPMTAG_EPOCH);
  const std::string version = HeaderString(h, RPMTAG_VERSION);
  const std::string release = HeaderString(h, RPMTAG_RELEASE);
  pkg.version = RpmEvr(pkg.epoch, version, release);
  pkg.arch = HeaderString(h, RPMTAG_ARCH);
  const std::string sourcerpm = HeaderString(h, RPMTAG_SOURCERPM);
  const RpmSourceRpm src = ParseSourceRpm(sourcerpm);
  pkg.source_name = src.name.empty() ? pkg.name : std::string(src.name);
  pkg.source_version =
      src.version.empty() ? RpmEvr(std::nullopt, version, release) : std::string(src.version);
  if (auto t = HeaderNumber(h, RPMTAG_INSTALLTIME); t && *t > 0) pkg.install_time = t;
  if (auto t = HeaderNumber(h, RPMTAG_BUILDTIME); t && *t > 0) pkg.build_time = t;
  // LONGSIZE is an extension tag that falls back to SIZE for packages under 4 GiB.
  if (headerIsEntry(h, RPMTAG_SIZE) != 0 || headerIsEntry(h, RPMTAG_LONGSIZE) != 0) {
    const std::uint64_t size = headerGetNumber(h, RPMTAG_LONGSIZE);
    if (size <= static_cast<std::uint64_t>(INT64_MAX)) pkg.size = static_cast<std::int64_t>(size);
  }
  pkg.path = db_file;
  pkg.vendor = HeaderString(h, RPMTAG_VENDOR);
  pkg.maintainer = HeaderString(h, RPMTAG_PACKAGER);
  pkg.license = HeaderString(h, RPMTAG_LICENSE);
  return pkg;
}

// Databases librpm failed to open, by identity and version of the file. librpm 4.18 leaks its
// sqlite connection (~40 KB) each time it fails to open a damaged database, so a long-running agent
// must not retry the same damaged file on every inventory; a changed file (repaired, rebuilt) is
// tried again. REQUIRES: RpmMutex() held for every access.
using DbIdentity = std::tuple<std::string, std::uint64_t, std::uint64_t, std::uint64_t,
                              std::int64_t, std::int64_t>;
std::set<DbIdentity>& FailedDatabases() {
  static std::set<DbIdentity> failed;
  return failed;
}

std::optional<DbIdentity> IdentityOf(const HostView& host, const std::string& file) {
  auto st = host.Stat(file);
  if (!st) return std::nullopt;
  return DbIdentity{host.RealPath(file), st->dev, st->ino, st->size, st->mtime, st->mtime_nsec};
}

// The host root as an absolute, symlink-free directory, as librpm wants it.
std::string RpmRootDir(const HostView& host) {
  if (host.is_live()) return "/";
  char buf[PATH_MAX];
  if (::realpath(host.root().c_str(), buf) != nullptr) return buf;
  return host.root();
}

std::uint32_t BigEndian32(const unsigned char* p) {
  return static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 |
         static_cast<std::uint32_t>(p[2]) << 8 | static_cast<std::uint32_t>(p[3]);
}

// An sqlite file with the right magic that is not shorter than its header says (a cut copy is).
// The header's page count is only meaningful when "version-valid-for" (offset 92) equals the change
// counter (offset 24); otherwise only the magic is checked.
bool SqliteHeaderIsWhole(const unsigned char* head, int fd) {
  if (std::memcmp(head, "SQLite format 3", 16) != 0) return false;
  std::uint32_t page_size = static_cast<std::uint32_t>(head[16]) << 8 | head[17];
  if (page_size == 1) page_size = 65536;
  if (page_size < 512 || (page_size & (page_size - 1)) != 0) return false;
  if (BigEndian32(head + 92) != BigEndian32(head + 24)) return true;
  struct stat st {};
  if (::fstat(fd, &st) != 0) return false;
  const std::uint64_t want = std::uint64_t{BigEndian32(head + 28)} * page_size;
  return static_cast<std::uint64_t>(st.st_size) >= want;
}

// The file starts like a database of its backend. librpm 4.18 leaks its sqlite connection when
// sqlite3_open fails on a file that is not a database, and a garbage file is not worth a library
// call.
bool LooksLikeDatabase(const HostView& host, const std::string& file, std::string_view backend) {
  auto fd = host.OpenFile(file);
  if (!fd) return false;
  unsigned char head[100] = {};
  if (::pread(fd->get(), head, sizeof head, 0) != static_cast<ssize_t>(sizeof head)) return false;
  if (backend == "sqlite") return SqliteHeaderIsWhole(head, fd->get());
  // Berkeley DB: the hash (0x061561) or btree (0x053162) magic at offset 12, in either byte order.
  const std::uint32_t le =
      static_cast<std::uint32_t>(head[12]) | static_cast<std::uint32_t>(head[13]) << 8 |
      static_cast<std::uint32_t>(head[14]) << 16 | static_cast<std::uint32_t>(head[15]) << 24;
  const std::uint32_t be =
      static_cast<std::uint32_t>(head[15]) | static_cast<std::uint32_t>(head[14]) << 8 |
      static_cast<std::uint32_t>(head[13]) << 16 | static_cast<std::uint32_t>(head[12]) << 24;
  for (std::uint32_t magic : {le, be}) {
    if (magic == 0x061561 || magic == 0x053162) return true;
  }
  return false;
}

}  // namespace

RpmSourceRpm ParseSourceRpm(std::string_view sourcerpm) {
  RpmSourceRpm out;
  std::string_view s = TrimView(sourcerpm);
  for (std::string_view suffix : {std::string_view(".src.rpm"), std::string_view(".nosrc.rpm")}) {
    if (s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix) {
      s.remove_suffix(suffix.size());
      break;
    }
  }
  const std::size_t rel_dash = s.rfind('-');
  if (rel_dash == std::string_view::npos || rel_dash == 0) {
    out.name = s;
    return out;
  }
  const std::size_t ver_dash = s.rfind('-', rel_dash - 1);
  if (ver_dash == std::string_view::npos || ver_dash == 0) {
    out.name = s;
    return out;
  }
  out.name = s.substr(0, ver_dash);
  out.version = s.substr(ver_dash + 1);
  return out;
}

std::string RpmEvr(std::optional<std::int64_t> epoch, std::string_view version,
                   std::string_view release) {
  std::string out;
  if (epoch) out = std::to_string(*epoch) + ":";
  out += version;
  if (!release.empty()) {
    out += '-';
    out += release;
  }
  return out;
}

std::optional<RpmDbLocation> FindRpmDb(const HostView& host) {
  static constexpr struct {
    const char* dbpath;
    const char* file;
    const char* backend;
  } kCandidates[] = {
      {"/var/lib/rpm", "rpmdb.sqlite", "sqlite"},
      {"/usr/lib/sysimage/rpm", "rpmdb.sqlite", "sqlite"},
      {"/var/lib/rpm", "Packages", "bdb_ro"},
      {"/usr/lib/sysimage/rpm", "Packages", "bdb_ro"},
  };
  for (const auto& c : kCandidates) {
    const std::string file = std::string(c.dbpath) + "/" + c.file;
    auto st = host.Stat(file);
    if (st && st->is_regular() && st->size > 0) return RpmDbLocation{c.dbpath, file, c.backend};
  }
  for (const char* ndb : {"/var/lib/rpm/Packages.db", "/usr/lib/sysimage/rpm/Packages.db"}) {
    if (host.Exists(ndb)) log::Debug("software: {} is an ndb RPM database, not supported", ndb);
  }
  return std::nullopt;
}

std::vector<SoftwarePackage> ReadRpmPackages(const HostView& host) {
  std::vector<SoftwarePackage> out;
  const auto loc = FindRpmDb(host);
  if (!loc) return out;
  if (!LooksLikeDatabase(host, loc->file, loc->backend)) {
    log::Debug("software: {} is not a {} RPM database", loc->file, loc->backend);
    return out;
  }
  const std::string root = RpmRootDir(host);

  const auto identity = IdentityOf(host, loc->file);
  if (!identity) return out;

  std::lock_guard<std::mutex> lock(RpmMutex());
  if (FailedDatabases().count(*identity) != 0) {
    log::Debug("software: skipping {}: librpm could not open it before", loc->file);
    return out;
  }
  InitRpmOnce();
  // The database location is a global macro; push ours and pop it afterwards so the next call
  // (maybe for another root) starts clean.
  rpmPushMacro(nullptr, "_dbpath", nullptr, loc->dbpath.c_str(), RMIL_CMDLINE);
  rpmPushMacro(nullptr, "_db_backend", nullptr, loc->backend.c_str(), RMIL_CMDLINE);
  std::unique_ptr<rpmts_s, decltype(&rpmtsFree)> ts(rpmtsCreate(), &rpmtsFree);
  if (ts && rpmtsSetRootDir(ts.get(), root.c_str()) == 0) {
    // Headers come from our own database: skip digest and signature checks (they double the time).
    rpmtsSetVSFlags(ts.get(), static_cast<rpmVSFlags>(_RPMVSF_NOSIGNATURES | _RPMVSF_NODIGESTS));
    rpmdbMatchIterator mi = rpmtsInitIterator(ts.get(), RPMDBI_PACKAGES, nullptr, 0);
    if (mi == nullptr) {
      log::Debug("software: cannot open RPM database {} under {}", loc->file, root);
      if (FailedDatabases().size() >= 64) FailedDatabases().clear();
      FailedDatabases().insert(*identity);
    } else {
      Header h = nullptr;
      while ((h = rpmdbNextIterator(mi)) != nullptr && out.size() < kMaxRpmPackages) {
        SoftwarePackage pkg = FromHeader(h, loc->file);
        if (!pkg.name.empty()) out.push_back(std::move(pkg));
      }
      rpmdbFreeIterator(mi);
    }
  } else {
    log::Debug("software: librpm refused root {}", root);
  }
  ts.reset();
  rpmPopMacro(nullptr, "_db_backend");
  rpmPopMacro(nullptr, "_dbpath");
  return out;
}

}  // namespace rampart::agent
