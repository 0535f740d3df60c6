#include "agent/scan/scanner.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <openssl/evp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "common/host_view.h"
#include "common/logging.h"

namespace rampart::agent::scan {
namespace {

constexpr int kMaxDepth = 128;
constexpr std::size_t kQueueLimit = 4096;
constexpr std::size_t kMaxErrorsListed = 100;
constexpr std::size_t kHashChunk = std::size_t{1} << 20;
// Files at least this big are read with drop-behind (see DigestAndScan), so their mapping does
// not count whole in the resident set.
constexpr std::uint64_t kLargeFileBytes = std::uint64_t{16} << 20;

std::string Hex(const std::uint8_t* p, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[p[i] >> 4];
    out[2 * i + 1] = kDigits[p[i] & 15];
  }
  return out;
}

int SeverityRank(std::string_view s) {
  if (s == "critical") return 4;
  if (s == "high") return 3;
  if (s == "medium") return 2;
  if (s == "low") return 1;
  return 0;
}

FileIdentity IdentityOf(const struct stat& st) {
  return FileIdentity{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
                      static_cast<std::uint64_t>(st.st_size),
                      std::int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec,
                      std::int64_t{st.st_ctim.tv_sec} * 1'000'000'000 + st.st_ctim.tv_nsec};
}

// Opens a file to read without following a symlink at the last component and without updating
// its access time when we may.
int OpenForScan(int dirfd, const char* name) {
  const int flags = O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC;
  int fd = ::openat(dirfd, name, flags | O_NOATIME);
  if (fd < 0 && errno == EPERM) fd = ::openat(dirfd, name, flags);
  return fd;
}

struct EvpDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

// Reads the open regular file once (mmap), hashing and scanning the same bytes.
Result<CachedResult> DigestAndScan(int fd, std::uint64_t size, bool want_md5,
                                   RuleScanner& scanner) {
  static const std::uint8_t kEmpty = 0;
  const std::uint8_t* data = &kEmpty;
  void* map = nullptr;
  const bool large = size >= kLargeFileBytes;
  if (size > 0) {
    // Small files: MAP_POPULATE maps the (usually cached) pages in one go instead of one fault per
    // page. Large ones are faulted in as they are read, so the drop-behind below bounds them.
    map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | (large ? 0 : MAP_POPULATE), fd, 0);
    if (map == MAP_FAILED) return ErrnoStatus(errno, "mmap");
    ::madvise(map, size, MADV_SEQUENTIAL);
    data = static_cast<const std::uint8_t*>(map);
  }
  // Drop-behind for large files: a mapped page stays resident until unmapped, so a 100 MB library
  // would add 100 MB to the resident set while it is scanned. Every few milliseconds the pages are
  // released from this mapping (MADV_DONTNEED); the file is never written through the mapping, so
  // a page read again simply faults back in from the page cache with the same bytes. Reads stay
  // correct whatever the timing; the resident set stays near what is read in one interval.
  std::atomic<bool> done{false};
  std::thread reaper;
  if (large) {
    reaper = std::thread([map, size, &done] {
      while (!done.load(std::memory_order_relaxed)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        ::madvise(map, size, MADV_DONTNEED);
      }
    });
  }
  struct Unmap {
    void* p;
    std::size_t n;
    std::atomic<bool>* done;
    std::thread* reaper;
    ~Unmap() {
      done->store(true);
      if (reaper->joinable()) reaper->join();
      if (p != nullptr) ::munmap(p, n);
    }
  } unmap{map, size, &done, &reaper};

  CachedResult res;
  std::unique_ptr<EVP_MD_CTX, EvpDeleter> sha(EVP_MD_CTX_new());
  std::unique_ptr<EVP_MD_CTX, EvpDeleter> md5(want_md5 ? EVP_MD_CTX_new() : nullptr);
  if (!sha || EVP_DigestInit_ex(sha.get(), EVP_sha256(), nullptr) != 1) {
    return Internal("OpenSSL: SHA-256 init failed");
  }
  if (want_md5 && (!md5 || EVP_DigestInit_ex(md5.get(), EVP_md5(), nullptr) != 1)) {
    return Internal("OpenSSL: MD5 init failed");
  }
  // Hash chunk by chunk so both digests read each chunk while it is in cache; a read error on the
  // mapping (truncated file) would raise SIGBUS, which is why the size comes from fstat just
  // before.
  for (std::uint64_t off = 0; off < size; off += kHashChunk) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(kHashChunk, size - off));
    EVP_DigestUpdate(sha.get(), data + off, n);
    if (want_md5) EVP_DigestUpdate(md5.get(), data + off, n);
  }
  unsigned len = 0;
  EVP_DigestFinal_ex(sha.get(), res.sha256.data(), &len);
  if (want_md5) {
    EVP_DigestFinal_ex(md5.get(), res.md5.data(), &len);
    res.has_md5 = true;
  }
  RAMPART_ASSIGN_OR_RETURN(res.rules, scanner.Scan(data, static_cast<std::size_t>(size)));
  return res;
}

double CpuSeconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct WorkItem {
  std::string path;
  std::uint64_t size = 0;
};

// The state shared by the walker, the workers and the monitor of one Run.
class RunState {
 public:
  RunState(Scanner& scanner, const RuleSet& rules, const HashIntel* intel, ResultCache* cache,
           const ScanOptions& opts)
      : scanner_(scanner), rules_(rules), intel_(intel), cache_(cache), opts_(opts) {}

  void Walk(const std::vector<std::string>& roots);
  void Worker();
  void Monitor();
  ScanReport Finish();

  std::atomic<bool> stop{false};

 private:
  void WalkDir(int dirfd, const std::string& path, std::uint64_t parent_dev, int depth);
  void Enqueue(WorkItem item);
  void ScanOne(RuleScanner& scanner, const WorkItem& item);
  void AddError(const std::string& path, const Status& st);
  void Throttle();

  Scanner& scanner_;
  const RuleSet& rules_;
  const HashIntel* intel_;
  ResultCache* cache_;
  const ScanOptions& opts_;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  const double cpu_start_ = CpuSeconds();

  std::mutex mu_;
  std::condition_variable not_empty_, not_full_, done_cv_;
  std::deque<WorkItem> queue_;  // GUARDED_BY(mu_)
  bool walk_done_ = false;      // GUARDED_BY(mu_)
  int workers_left_ = 0;        // GUARDED_BY(mu_)

  std::mutex out_mu_;
  ScanReport report_;  // GUARDED_BY(out_mu_) (findings, errors, counters below)

  std::atomic<std::uint64_t> files_{0}, bytes_{0}, bytes_read_{0}, cached_{0}, skipped_{0},
      errors_{0}, bytes_found_{0};

 public:
  void SetWorkers(int n) { workers_left_ = n; }
};

double Elapsed(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void RunState::AddError(const std::string& path, const Status& st) {
  errors_.fetch_add(1, std::memory_order_relaxed);
  log::Debug("scan: {}: {}", path, st.ToString());
  std::lock_guard lock(out_mu_);
  if (report_.errors.size() < kMaxErrorsListed)
    report_.errors.push_back(path + ": " + st.message());
}

void RunState::Enqueue(WorkItem item) {
  bytes_found_.fetch_add(item.size, std::memory_order_relaxed);
  std::unique_lock lock(mu_);
  not_full_.wait(lock, [&] { return queue_.size() < kQueueLimit || stop.load(); });
  if (stop.load()) return;
  queue_.push_back(std::move(item));
  not_empty_.notify_one();
}

void RunState::Walk(const std::vector<std::string>& roots) {
  for (const std::string& root : roots) {
    if (stop.load()) break;
    struct stat st {};
    if (::lstat(root.c_str(), &st) != 0) {
      AddError(root, ErrnoStatus(errno, "lstat"));
      continue;
    }
    if (S_ISREG(st.st_mode)) {
      if (intel_ != nullptr && intel_->TrustedPath(root)) {
        skipped_.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      Enqueue(WorkItem{root, static_cast<std::uint64_t>(st.st_size)});
    } else if (S_ISDIR(st.st_mode)) {
      const int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) {
        AddError(root, ErrnoStatus(errno, "open"));
        continue;
      }
      std::string base = root;
      while (base.size() > 1 && base.back() == '/') base.pop_back();
      WalkDir(fd, base, static_cast<std::uint64_t>(st.st_dev), 0);  // closes fd
    } else {
      skipped_.fetch_add(1, std::memory_order_relaxed);  // a symlink, FIFO, device or socket
    }
  }
  std::lock_guard lock(mu_);
  walk_done_ = true;
  not_empty_.notify_all();
}

// Takes ownership of dirfd.
void RunState::WalkDir(int dirfd, const std::string& path, std::uint64_t parent_dev, int depth) {
  DIR* dir = ::fdopendir(dirfd);
  if (dir == nullptr) {
    ::close(dirfd);
    AddError(path, ErrnoStatus(errno, "opendir"));
    return;
  }
  const std::string prefix = path == "/" ? "/" : path + "/";
  while (const dirent* e = ::readdir(dir)) {
    if (stop.load(std::memory_order_relaxed)) break;
    const std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    if (e->d_type == DT_LNK || e->d_type == DT_FIFO || e->d_type == DT_CHR || e->d_type == DT_BLK ||
        e->d_type == DT_SOCK) {
      skipped_.fetch_add(e->d_type == DT_LNK ? 0 : 1, std::memory_order_relaxed);
      continue;
    }
    std::string child = prefix;
    child += name;
    if (intel_ != nullptr && intel_->TrustedPath(child)) {
      skipped_.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    if (std::find(opts_.exclude_dirs.begin(), opts_.exclude_dirs.end(), child) !=
        opts_.exclude_dirs.end()) {
      continue;
    }
    struct stat st {};
    if (::fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno != ENOENT) AddError(child, ErrnoStatus(errno, "stat"));
      continue;
    }
    if (S_ISREG(st.st_mode)) {
      Enqueue(WorkItem{std::move(child), static_cast<std::uint64_t>(st.st_size)});
    } else if (S_ISDIR(st.st_mode)) {
      if (depth + 1 >= kMaxDepth) {
        AddError(child, FailedPrecondition("deeper than " + std::to_string(kMaxDepth) + " levels"));
        continue;
      }
      // Never descend into /proc or /sys, and check the type of every file system we cross into.
      if (child == "/proc" || child == "/sys" || child == "/dev") continue;
      if (static_cast<std::uint64_t>(st.st_dev) != parent_dev) {
        struct statfs sfs {};
        if (::statfs(child.c_str(), &sfs) == 0 && IsSkippedFilesystem(sfs.f_type)) {
          log::Debug("scan: not crossing into {} (file system type {:#x})", child,
                     static_cast<std::uint64_t>(sfs.f_type));
          continue;
        }
      }
      const int fd = ::openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) {
        AddError(child, ErrnoStatus(errno, "open"));
        continue;
      }
      WalkDir(fd, child, static_cast<std::uint64_t>(st.st_dev), depth + 1);
    } else {
      skipped_.fetch_add(S_ISLNK(st.st_mode) ? 0 : 1, std::memory_order_relaxed);
    }
  }
  ::closedir(dir);
}

void RunState::Throttle() {
  if (opts_.cpu_percent <= 0) return;
  const double budget = opts_.cpu_percent / 100.0;
  const double cpu = CpuSeconds() - cpu_start_;
  const double wall = Elapsed(start_);
  // Sleep until the process's CPU time fits the budget over the wall time so far.
  const double ahead = cpu / budget - wall;
  if (ahead > 0.001)
    std::this_thread::sleep_for(std::chrono::duration<double>(std::min(ahead, 1.0)));
}

void RunState::ScanOne(RuleScanner& scanner, const WorkItem& item) {
  const int fd = OpenForScan(AT_FDCWD, item.path.c_str());
  if (fd < 0) {
    if (errno != ENOENT) AddError(item.path, ErrnoStatus(errno, "open"));
    return;
  }
  UniqueFd hold(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    AddError(item.path, ErrnoStatus(errno, "fstat"));
    return;
  }
  if (!S_ISREG(st.st_mode)) {
    skipped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (size > opts_.max_file_size) {
    skipped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  const FileIdentity id = IdentityOf(st);
  const bool want_md5 = intel_ != nullptr && intel_->needs_md5();
  std::optional<CachedResult> result;
  if (cache_ != nullptr) {
    result = cache_->Lookup(id);
    if (result && want_md5 && !result->has_md5) result.reset();
  }
  if (result) {
    cached_.fetch_add(1, std::memory_order_relaxed);
  } else {
    auto scanned = DigestAndScan(fd, size, want_md5, scanner);
    if (!scanned.ok()) {
      AddError(item.path, scanned.error());
      return;
    }
    bytes_read_.fetch_add(size, std::memory_order_relaxed);
    if (cache_ != nullptr) cache_->Store(id, *scanned);
    result = std::move(*scanned);
  }
  files_.fetch_add(1, std::memory_order_relaxed);
  bytes_.fetch_add(size, std::memory_order_relaxed);
  if (auto finding = scanner_.MakeFinding(item.path, size, *result)) {
    std::lock_guard lock(out_mu_);
    if (opts_.on_finding) opts_.on_finding(*finding);
    report_.findings.push_back(std::move(*finding));
  }
}

void RunState::Worker() {
  auto scanner = rules_.NewScanner(opts_.per_file_timeout_seconds);
  while (true) {
    WorkItem item;
    {
      std::unique_lock lock(mu_);
      not_empty_.wait(lock, [&] { return !queue_.empty() || walk_done_ || stop.load(); });
      if (queue_.empty() || stop.load()) break;
      item = std::move(queue_.front());
      queue_.pop_front();
      not_full_.notify_one();
    }
    if (!scanner.ok()) {
      AddError(item.path, scanner.error());
      continue;
    }
    ScanOne(**scanner, item);
    Throttle();
  }
  std::lock_guard lock(mu_);
  if (--workers_left_ == 0) done_cv_.notify_all();
}

void RunState::Monitor() {
  std::unique_lock lock(mu_);
  while (workers_left_ > 0) {
    done_cv_.wait_for(lock, std::chrono::milliseconds(250));
    if (workers_left_ == 0) break;
    const double t = Elapsed(start_);
    if (opts_.timeout_seconds > 0 && t > opts_.timeout_seconds && !stop.load()) {
      stop.store(true);
      std::lock_guard out(out_mu_);
      report_.stats.timed_out = true;
      not_empty_.notify_all();
      not_full_.notify_all();
    }
    if (opts_.on_progress) {
      ScanProgress p{files_.load(), bytes_.load(), bytes_found_.load(), walk_done_, t};
      lock.unlock();
      opts_.on_progress(p);
      lock.lock();
    }
  }
}

ScanReport RunState::Finish() {
  std::lock_guard lock(out_mu_);
  ScanReport out = std::move(report_);
  out.stats.files = files_.load();
  out.stats.bytes = bytes_.load();
  out.stats.bytes_read = bytes_read_.load();
  out.stats.cached = cached_.load();
  out.stats.skipped = skipped_.load();
  out.stats.errors = errors_.load();
  out.stats.seconds = Elapsed(start_);
  std::sort(out.findings.begin(), out.findings.end(),
            [](const Finding& a, const Finding& b) { return a.path < b.path; });
  return out;
}

}  // namespace

bool IsSkippedFilesystem(std::int64_t f_type) {
  switch (static_cast<std::uint64_t>(f_type)) {
    case PROC_SUPER_MAGIC:
    case SYSFS_MAGIC:
    case CGROUP_SUPER_MAGIC:
    case CGROUP2_SUPER_MAGIC:
    case DEVPTS_SUPER_MAGIC:
    case DEBUGFS_MAGIC:
    case TRACEFS_MAGIC:
    case SECURITYFS_MAGIC:
    case BPF_FS_MAGIC:
    case PSTOREFS_MAGIC:
    case EFIVARFS_MAGIC:
    case NSFS_MAGIC:
    case HUGETLBFS_MAGIC:
    case 0x19800202:  // mqueue
    case 0x62656570:  // configfs
    case 0x42494e4d:  // binfmt_misc
    case 0x0187:      // autofs
    case NFS_SUPER_MAGIC:
    case SMB_SUPER_MAGIC:
    case 0xff534d42:  // cifs
    case 0xfe534d42:  // smb2
    case 0x00c36400:  // ceph
    case 0x01021997:  // 9p (v9fs)
    case 0x65735546:  // fuse
    case 0x65735543:  // fusectl
    case 0x6b414653:  // afs
    case 0x564c:      // ncp
      return true;
    default:
      return false;
  }
}

Result<std::uint64_t> ParseSize(std::string_view text) {
  if (text.empty()) return InvalidArgument("empty size");
  std::uint64_t mult = 1;
  std::string_view num = text;
  switch (text.back()) {
    case 'K':
    case 'k':
      mult = std::uint64_t{1} << 10;
      num.remove_suffix(1);
      break;
    case 'M':
    case 'm':
      mult = std::uint64_t{1} << 20;
      num.remove_suffix(1);
      break;
    case 'G':
    case 'g':
      mult = std::uint64_t{1} << 30;
      num.remove_suffix(1);
      break;
    default:
      break;
  }
  if (num.empty() || num.size() > 12)
    return InvalidArgument("bad size '" + std::string(text) + "'");
  std::uint64_t v = 0;
  for (char c : num) {
    if (c < '0' || c > '9') {
      return InvalidArgument("bad size '" + std::string(text) + "' (expected e.g. 512K, 100M, 2G)");
    }
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v * mult;
}

std::optional<Finding> Scanner::MakeFinding(const std::string& path, std::uint64_t size,
                                            const CachedResult& result) const {
  const std::string sha = Hex(result.sha256.data(), 32);
  const std::string md5 = result.has_md5 ? Hex(result.md5.data(), 16) : std::string();
  const BlockEntry* blocked = intel_ != nullptr ? intel_->Blocked(sha, md5) : nullptr;
  if (result.rules.empty() && blocked == nullptr) return std::nullopt;
  if (intel_ != nullptr && intel_->TrustedHash(sha)) return std::nullopt;
  Finding f;
  f.path = path;
  f.sha256 = sha;
  f.md5 = md5;
  f.size = size;
  int best = -1;
  for (std::uint32_t idx : result.rules) {
    if (idx >= rules_.rules().size()) continue;  // cache written by another build; ignored
    const RuleInfo& r = rules_.rules()[idx];
    f.rules.push_back(r.name);
    if (SeverityRank(r.severity) > best) {
      best = SeverityRank(r.severity);
      f.severity = r.severity;
      f.family = r.family;
      f.description = r.description;
    }
  }
  if (blocked != nullptr) {
    f.rules.push_back("blocklist:" + blocked->name);
    if (SeverityRank(blocked->severity) > best) {
      f.severity = blocked->severity;
      f.family = blocked->family;
      f.description = "hash on a blocklist";
    }
  }
  if (f.rules.empty()) return std::nullopt;
  return f;
}

Result<std::optional<Finding>> Scanner::ScanFile(const std::string& path,
                                                 std::uint64_t max_file_size, int timeout_seconds) {
  const int fd = OpenForScan(AT_FDCWD, path.c_str());
  if (fd < 0) return ErrnoStatus(errno, path);
  UniqueFd hold(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return ErrnoStatus(errno, path);
  if (!S_ISREG(st.st_mode)) return FailedPrecondition(path + ": not a regular file");
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (size > max_file_size) return FailedPrecondition(path + ": larger than the size limit");
  if (intel_ != nullptr && intel_->TrustedPath(path)) return std::optional<Finding>();
  const FileIdentity id = IdentityOf(st);
  const bool want_md5 = intel_ != nullptr && intel_->needs_md5();
  std::optional<CachedResult> result;
  if (cache_ != nullptr) {
    result = cache_->Lookup(id);
    if (result && want_md5 && !result->has_md5) result.reset();
  }
  if (!result) {
    RAMPART_ASSIGN_OR_RETURN(auto scanner, rules_.NewScanner(timeout_seconds));
    RAMPART_ASSIGN_OR_RETURN(CachedResult r, DigestAndScan(fd, size, want_md5, *scanner));
    if (cache_ != nullptr) cache_->Store(id, r);
    result = std::move(r);
  }
  return MakeFinding(path, size, *result);
}

Result<ScanReport> Scanner::Run(const ScanOptions& options) {
  if (options.paths.empty()) return InvalidArgument("nothing to scan");
  for (const std::string& p : options.paths) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) return ErrnoStatus(errno, p);
  }
  int threads = options.threads;
  if (threads <= 0) threads = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  threads = std::min(threads, 32);  // libyara's limit of concurrent scanners
  RunState state(*this, rules_, intel_, cache_, options);
  state.SetWorkers(threads);
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(threads) + 2);
  for (int i = 0; i < threads; ++i) pool.emplace_back([&state] { state.Worker(); });
  std::thread walker([&state, &options] { state.Walk(options.paths); });
  state.Monitor();
  walker.join();
  for (auto& t : pool) t.join();
  return state.Finish();
}

}  // namespace rampart::agent::scan
