#include "agent/scan/vault.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <memory>

#include "common/files.h"
#include "common/hash.h"
#include "common/host_view.h"
#include "common/json.h"
#include "common/logging.h"

namespace rampart::agent::scan {
namespace {

constexpr std::string_view kBlobMagic = "RMPQV1";
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;
constexpr std::size_t kKeyBytes = 32;

std::string RandomHex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes));
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (char ch : raw) {
    const auto c = static_cast<unsigned char>(ch);
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::int64_t Ns(const timespec& ts) { return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec; }
timespec Ts(std::int64_t ns) {
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
  ts.tv_nsec = static_cast<long>(ns % 1'000'000'000);
  return ts;
}

struct CipherDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

Result<std::string> Encrypt(const std::string& key, const std::string& aad,
                            std::string_view plain) {
  std::string out(kBlobMagic);
  std::string nonce(kNonceBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), kNonceBytes) != 1) {
    return Internal("OpenSSL: no random bytes for the nonce");
  }
  out += nonce;
  std::unique_ptr<EVP_CIPHER_CTX, CipherDeleter> ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  const auto* k = reinterpret_cast<const unsigned char*>(key.data());
  const auto* iv = reinterpret_cast<const unsigned char*>(nonce.data());
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, k, iv) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) != 1) {
    return Internal("OpenSSL: AES-256-GCM init failed");
  }
  const std::size_t header = out.size();
  out.resize(header + plain.size() + kTagBytes);
  auto* dst = reinterpret_cast<unsigned char*>(out.data() + header);
  std::size_t done = 0;
  // EVP lengths are int: feed at most 256 MiB at a time.
  while (done < plain.size()) {
    const int n = static_cast<int>(std::min<std::size_t>(plain.size() - done, 256u << 20));
    if (EVP_EncryptUpdate(ctx.get(), dst + done, &len,
                          reinterpret_cast<const unsigned char*>(plain.data() + done), n) != 1) {
      return Internal("OpenSSL: encryption failed");
    }
    done += static_cast<std::size_t>(len);
  }
  if (EVP_EncryptFinal_ex(ctx.get(), dst + done, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, dst + plain.size()) != 1) {
    return Internal("OpenSSL: encryption finalisation failed");
  }
  return out;
}

Result<std::string> Decrypt(const std::string& key, const std::string& aad, std::string_view blob) {
  if (blob.size() < kBlobMagic.size() + kNonceBytes + kTagBytes ||
      blob.substr(0, kBlobMagic.size()) != kBlobMagic) {
    return DataLoss("vault blob: bad header");
  }
  const std::string_view nonce = blob.substr(kBlobMagic.size(), kNonceBytes);
  const std::string_view body = blob.substr(
      kBlobMagic.size() + kNonceBytes, blob.size() - kBlobMagic.size() - kNonceBytes - kTagBytes);
  std::string tag(blob.substr(blob.size() - kTagBytes));
  std::unique_ptr<EVP_CIPHER_CTX, CipherDeleter> ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                         reinterpret_cast<const unsigned char*>(key.data()),
                         reinterpret_cast<const unsigned char*>(nonce.data())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) != 1) {
    return Internal("OpenSSL: AES-256-GCM init failed");
  }
  std::string out(body.size(), '\0');
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  std::size_t done = 0;
  while (done < body.size()) {
    const int n = static_cast<int>(std::min<std::size_t>(body.size() - done, 256u << 20));
    if (EVP_DecryptUpdate(ctx.get(), dst + done, &len,
                          reinterpret_cast<const unsigned char*>(body.data() + done), n) != 1) {
      return DataLoss("vault blob: decryption failed");
    }
    done += static_cast<std::size_t>(len);
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), dst + done, &len) != 1) {
    return DataLoss("vault blob: authentication failed (wrong key or tampered file)");
  }
  return out;
}

// An absolute path without ".", ".." or empty components, split into parent and last name.
Result<std::pair<std::string, std::string>> SplitCleanPath(const std::string& path) {
  if (path.size() < 2 || path.front() != '/' || path.back() == '/') {
    return InvalidArgument("not an absolute file path: " + path);
  }
  for (std::size_t start = 1; start <= path.size();) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const std::string_view comp(path.data() + start, end - start);
    if (comp.empty() || comp == "." || comp == "..") {
      return InvalidArgument("path has an empty, '.' or '..' component: " + path);
    }
    start = end + 1;
  }
  const std::size_t slash = path.rfind('/');
  return std::make_pair(slash == 0 ? std::string("/") : path.substr(0, slash),
                        path.substr(slash + 1));
}

// Opens a directory without following any symlink on the way (openat2 RESOLVE_NO_SYMLINKS; on
// kernels without openat2, one component at a time with O_NOFOLLOW).
Result<UniqueFd> OpenDirNoSymlinks(const std::string& dir) {
  open_how how{};
  how.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
  how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  const long fd = ::syscall(SYS_openat2, AT_FDCWD, dir.c_str(), &how, sizeof how);
  if (fd >= 0) return UniqueFd(static_cast<int>(fd));
  if (errno == ELOOP)
    return PermissionDenied(dir + ": a symlink in the path; refusing to follow it");
  if (errno != ENOSYS) return ErrnoStatus(errno, dir);
  UniqueFd cur(::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!cur.valid()) return ErrnoStatus(errno, "/");
  std::size_t start = 1;
  while (start < dir.size()) {
    std::size_t end = dir.find('/', start);
    if (end == std::string::npos) end = dir.size();
    const std::string comp = dir.substr(start, end - start);
    const int next =
        ::openat(cur.get(), comp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0) {
      if (errno == ELOOP || errno == ENOTDIR) {
        return PermissionDenied(dir + ": a symlink in the path; refusing to follow it");
      }
      return ErrnoStatus(errno, dir);
    }
    cur = UniqueFd(next);
    start = end + 1;
  }
  return cur;
}

std::string AbsolutePath(const std::string& path) {
  if (!path.empty() && path.front() == '/') return path;
  char buf[4096];
  if (::getcwd(buf, sizeof buf) == nullptr) return path;
  std::string out = buf;
  std::string_view rest = path;
  while (rest.starts_with("./")) rest.remove_prefix(2);
  return out + (out == "/" ? "" : "/") + std::string(rest);
}

Json ToJson(const QuarantineItem& it) {
  Json j = Json::MakeObject();
  j["id"] = it.id;
  j["original_path"] = it.original_path;
  j["sha256"] = it.sha256;
  j["size"] = static_cast<std::int64_t>(it.size);
  j["uid"] = static_cast<std::int64_t>(it.uid);
  j["gid"] = static_cast<std::int64_t>(it.gid);
  j["mode"] = static_cast<std::int64_t>(it.mode);
  j["atime_ns"] = it.atime_ns;
  j["mtime_ns"] = it.mtime_ns;
  j["quarantined_at"] = it.quarantined_at;
  j["rules"] = Json::StringArray(it.rules);
  j["severity"] = it.severity;
  j["family"] = it.family;
  Json pids = Json::MakeArray();
  for (int p : it.killed_pids) pids.Push(p);
  j["killed_pids"] = std::move(pids);
  return j;
}

Result<QuarantineItem> FromJson(const Json& j) {
  QuarantineItem it;
  it.id = j.GetString("id");
  it.original_path = j.GetString("original_path");
  it.sha256 = j.GetString("sha256");
  if (it.id.empty() || it.original_path.empty() || it.sha256.size() != 64) {
    return DataLoss("vault metadata: missing id, original_path or sha256");
  }
  it.size = static_cast<std::uint64_t>(j.GetInt("size"));
  it.uid = static_cast<std::uint32_t>(j.GetInt("uid"));
  it.gid = static_cast<std::uint32_t>(j.GetInt("gid"));
  it.mode = static_cast<std::uint32_t>(j.GetInt("mode")) & 07777;
  it.atime_ns = j.GetInt("atime_ns");
  it.mtime_ns = j.GetInt("mtime_ns");
  it.quarantined_at = j.GetInt("quarantined_at");
  if (const Json* r = j.Find("rules"); r != nullptr && r->is_array()) {
    for (const Json& x : r->as_array()) {
      if (x.is_string()) it.rules.push_back(x.as_string());
    }
  }
  it.severity = j.GetString("severity");
  it.family = j.GetString("family");
  if (const Json* p = j.Find("killed_pids"); p != nullptr && p->is_array()) {
    for (const Json& x : p->as_array()) {
      if (x.is_int()) it.killed_pids.push_back(static_cast<int>(x.as_int()));
    }
  }
  return it;
}

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "write");
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return Status::Ok();
}

}  // namespace

std::vector<int> ProcessesUsingFile(std::uint64_t dev, std::uint64_t ino) {
  std::vector<int> pids;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return pids;
  const int self = ::getpid();
  auto same = [&](const std::string& link) {
    struct stat st {};
    return ::stat(link.c_str(), &st) == 0 && static_cast<std::uint64_t>(st.st_dev) == dev &&
           static_cast<std::uint64_t>(st.st_ino) == ino;
  };
  while (const dirent* e = ::readdir(proc)) {
    char* end = nullptr;
    const long pid = std::strtol(e->d_name, &end, 10);
    if (pid <= 0 || *end != '\0' || pid == self) continue;
    const std::string base = "/proc/" + std::string(e->d_name);
    bool uses = same(base + "/exe");
    if (!uses) {
      if (DIR* fds = ::opendir((base + "/fd").c_str())) {
        while (const dirent* f = ::readdir(fds)) {
          if (f->d_name[0] == '.') continue;
          if (same(base + "/fd/" + f->d_name)) {
            uses = true;
            break;
          }
        }
        ::closedir(fds);
      }
    }
    if (uses) pids.push_back(static_cast<int>(pid));
  }
  ::closedir(proc);
  std::sort(pids.begin(), pids.end());
  return pids;
}

Result<Vault> Vault::Open(const std::string& dir) {
  RAMPART_RETURN_IF_ERROR(MakeDirs(dir, 0700));
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) return ErrnoStatus(errno, dir);
  if (!S_ISDIR(st.st_mode) || st.st_uid != ::geteuid()) {
    return FailedPrecondition(dir + ": vault is not a directory owned by this user");
  }
  if ((st.st_mode & 077) != 0 && ::chmod(dir.c_str(), 0700) != 0) {
    return ErrnoStatus(errno, "chmod " + dir);
  }
  const std::string key_path = dir + "/vault.key";
  const int fd =
      ::open(key_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd >= 0) {
    UniqueFd hold(fd);
    std::string key(kKeyBytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), kKeyBytes) != 1) {
      ::unlink(key_path.c_str());
      return Internal("OpenSSL: no random bytes for the vault key");
    }
    if (Status s = WriteAll(fd, key); !s.ok() || ::fsync(fd) != 0) {
      ::unlink(key_path.c_str());
      return s.ok() ? ErrnoStatus(errno, key_path) : s;
    }
    return Vault(dir, std::move(key));
  }
  if (errno != EEXIST) return ErrnoStatus(errno, key_path);
  struct stat ks {};
  if (::lstat(key_path.c_str(), &ks) != 0) return ErrnoStatus(errno, key_path);
  if (!S_ISREG(ks.st_mode) || ks.st_uid != ::geteuid() || (ks.st_mode & 077) != 0) {
    return FailedPrecondition(key_path + ": key must be a regular file of this user, mode 0600");
  }
  RAMPART_ASSIGN_OR_RETURN(std::string key, ReadLocalFile(key_path, 64));
  if (key.size() != kKeyBytes) return DataLoss(key_path + ": not a 32-byte key");
  return Vault(dir, std::move(key));
}

Status Vault::CheckId(const std::string& id) const {
  if (id.size() != 18 || !id.starts_with("q_") ||
      id.find_first_not_of("0123456789abcdef", 2) != std::string::npos) {
    return InvalidArgument("bad quarantine id '" + id + "' (expected q_ and 16 hex digits)");
  }
  return Status::Ok();
}

Result<QuarantineItem> Vault::Quarantine(const std::string& path_in,
                                         const std::vector<std::string>& rules,
                                         const std::string& severity, const std::string& family,
                                         bool kill_holders) {
  const std::string path = AbsolutePath(path_in);
  RAMPART_ASSIGN_OR_RETURN(auto parts, SplitCleanPath(path));
  RAMPART_ASSIGN_OR_RETURN(UniqueFd dirfd, OpenDirNoSymlinks(parts.first));
  UniqueFd fd(::openat(dirfd.get(), parts.second.c_str(),
                       O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus(errno, path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus(errno, path);
  if (!S_ISREG(st.st_mode)) return FailedPrecondition(path + ": not a regular file");
  if (static_cast<std::uint64_t>(st.st_size) > kMaxFileBytes) {
    return FailedPrecondition(path + ": larger than the vault's 1 GiB limit");
  }
  QuarantineItem item;
  if (kill_holders) {
    item.killed_pids = ProcessesUsingFile(st.st_dev, st.st_ino);
    for (int pid : item.killed_pids) {
      if (::kill(pid, SIGKILL) != 0)
        log::Warn("quarantine: kill {}: {}", pid, std::strerror(errno));
    }
  }
  std::string data;
  data.resize(static_cast<std::size_t>(st.st_size));
  std::size_t got = 0;
  while (got < data.size()) {
    const ssize_t n =
        ::pread(fd.get(), data.data() + got, data.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(errno, "read " + path);
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  data.resize(got);

  item.id = "q_" + RandomHex(8);
  item.original_path = path;
  item.sha256 = Sha256Hex(data);
  item.size = data.size();
  item.uid = st.st_uid;
  item.gid = st.st_gid;
  item.mode = st.st_mode & 07777;
  item.atime_ns = Ns(st.st_atim);
  item.mtime_ns = Ns(st.st_mtim);
  item.quarantined_at = static_cast<std::int64_t>(std::time(nullptr));
  item.rules = rules;
  item.severity = severity;
  item.family = family;

  RAMPART_ASSIGN_OR_RETURN(std::string blob, Encrypt(key_, item.id, data));
  const std::string bin = dir_ + "/" + item.id + ".bin";
  const std::string meta = dir_ + "/" + item.id + ".json";
  RAMPART_RETURN_IF_ERROR(WriteFileAtomic(bin, blob, 0600));
  if (Status s = WriteFileAtomic(meta, ToJson(item).Dump(2) + "\n", 0600); !s.ok()) {
    ::unlink(bin.c_str());
    return s;
  }
  // Unlink only the inode we copied: if the name was replaced meanwhile, keep both and fail.
  struct stat now {};
  if (::fstatat(dirfd.get(), parts.second.c_str(), &now, AT_SYMLINK_NOFOLLOW) != 0 ||
      now.st_dev != st.st_dev || now.st_ino != st.st_ino ||
      ::unlinkat(dirfd.get(), parts.second.c_str(), 0) != 0) {
    const int err = errno;
    ::unlink(meta.c_str());
    ::unlink(bin.c_str());
    return ErrnoStatus(err == 0 ? EBUSY : err, "remove " + path + " after copying it to the vault");
  }
  ::fsync(dirfd.get());
  return item;
}

Result<QuarantineItem> Vault::Get(const std::string& id) const {
  RAMPART_RETURN_IF_ERROR(CheckId(id));
  auto text = ReadLocalFile(dir_ + "/" + id + ".json", 1 << 20);
  if (!text.ok()) {
    if (text.error().code() == Code::kNotFound) return NotFound("no quarantined item " + id);
    return text.error();
  }
  RAMPART_ASSIGN_OR_RETURN(Json j, Json::Parse(*text, 8));
  RAMPART_ASSIGN_OR_RETURN(QuarantineItem it, FromJson(j));
  if (it.id != id) return DataLoss("vault metadata " + id + ": id does not match its file name");
  return it;
}

Result<std::vector<QuarantineItem>> Vault::List() const {
  std::vector<QuarantineItem> out;
  DIR* d = ::opendir(dir_.c_str());
  if (d == nullptr) return ErrnoStatus(errno, dir_);
  std::vector<std::string> ids;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name.size() == 23 && name.starts_with("q_") && name.ends_with(".json")) {
      ids.push_back(name.substr(0, 18));
    }
  }
  ::closedir(d);
  for (const std::string& id : ids) {
    auto it = Get(id);
    if (!it.ok()) {
      log::Warn("quarantine: skipping {}: {}", id, it.error().ToString());
      continue;
    }
    out.push_back(std::move(*it));
  }
  std::sort(out.begin(), out.end(), [](const QuarantineItem& a, const QuarantineItem& b) {
    return a.quarantined_at != b.quarantined_at ? a.quarantined_at > b.quarantined_at : a.id < b.id;
  });
  return out;
}

Status Vault::Restore(const std::string& id, bool force) {
  RAMPART_ASSIGN_OR_RETURN(QuarantineItem it, Get(id));
  RAMPART_ASSIGN_OR_RETURN(std::string blob,
                           ReadLocalFile(dir_ + "/" + id + ".bin", kMaxFileBytes + 64));
  RAMPART_ASSIGN_OR_RETURN(std::string data, Decrypt(key_, id, blob));
  if (Sha256Hex(data) != it.sha256) return DataLoss(id + ": decrypted bytes do not match the hash");
  RAMPART_ASSIGN_OR_RETURN(auto parts, SplitCleanPath(it.original_path));
  RAMPART_ASSIGN_OR_RETURN(UniqueFd dirfd, OpenDirNoSymlinks(parts.first));
  struct stat existing {};
  const bool exists =
      ::fstatat(dirfd.get(), parts.second.c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0;
  if (exists && !force) {
    return Status(Code::kAlreadyExists, it.original_path + " exists" +
                                            (S_ISLNK(existing.st_mode) ? " (a symlink)" : "") +
                                            "; restore with --force to replace it");
  }
  if (exists && S_ISDIR(existing.st_mode)) {
    return FailedPrecondition(it.original_path + " is a directory; not replacing it");
  }
  const std::string tmp = ".rampart-restore-" + RandomHex(6);
  UniqueFd out(::openat(dirfd.get(), tmp.c_str(),
                        O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!out.valid()) return ErrnoStatus(errno, "create in " + parts.first);
  auto fail = [&](Status s) {
    ::unlinkat(dirfd.get(), tmp.c_str(), 0);
    return s;
  };
  if (Status s = WriteAll(out.get(), data); !s.ok()) return fail(s);
  if (::fchown(out.get(), it.uid, it.gid) != 0) return fail(ErrnoStatus(errno, "chown"));
  if (::fchmod(out.get(), it.mode) != 0) return fail(ErrnoStatus(errno, "chmod"));
  const timespec times[2] = {Ts(it.atime_ns), Ts(it.mtime_ns)};
  if (::futimens(out.get(), times) != 0) return fail(ErrnoStatus(errno, "set times"));
  if (::fsync(out.get()) != 0) return fail(ErrnoStatus(errno, "fsync"));
  // rename never follows a symlink at the target name; it replaces the link itself. Without
  // --force, RENAME_NOREPLACE closes the race with a name created since the check above.
  const unsigned flags = force ? 0 : RENAME_NOREPLACE;
  if (::renameat2(dirfd.get(), tmp.c_str(), dirfd.get(), parts.second.c_str(), flags) != 0) {
    const int err = errno;
    if (err == EEXIST) return fail(Status(Code::kAlreadyExists, it.original_path + " exists"));
    return fail(ErrnoStatus(err, "rename into " + it.original_path));
  }
  ::fsync(dirfd.get());
  return Delete(id);
}

Status Vault::Delete(const std::string& id) {
  RAMPART_RETURN_IF_ERROR(CheckId(id));
  const std::string meta = dir_ + "/" + id + ".json";
  const std::string bin = dir_ + "/" + id + ".bin";
  if (::access(meta.c_str(), F_OK) != 0) return NotFound("no quarantined item " + id);
  // The blob first: an item whose metadata remains can still be listed and deleted again.
  if (::unlink(bin.c_str()) != 0 && errno != ENOENT) return ErrnoStatus(errno, bin);
  if (::unlink(meta.c_str()) != 0) return ErrnoStatus(errno, meta);
  return Status::Ok();
}

}  // namespace rampart::agent::scan
