#include "agent/monitor/rotated_log.h"

#include <dirent.h>
#include <fcntl.h>
#include <lzma.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/hash.h"
#include "common/logging.h"
#include "common/strings.h"

namespace rampart::agent {
namespace {

constexpr std::size_t kChunk = 64 * 1024;
constexpr int kMaxRotationNumber = 9;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Result<std::size_t> ReadFd(int fd, char* data, std::size_t size, const std::string& path) {
  for (;;) {
    const ssize_t n = read(fd, data, size);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) return ErrnoStatus(errno, path + ": read");
  }
}

class PlainStream final : public LogStream {
 public:
  PlainStream(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  Result<std::size_t> Read(char* data, std::size_t size) override {
    return ReadFd(fd_.get(), data, size, path_);
  }

 private:
  Fd fd_;
  std::string path_;
};

class GzipStream final : public LogStream {
 public:
  GzipStream(int fd, std::string path) : fd_(fd), path_(std::move(path)) {
    // 16 + MAX_WBITS: gzip framing; concatenated members are handled in Read.
    ok_ = inflateInit2(&z_, 16 + MAX_WBITS) == Z_OK;
  }
  ~GzipStream() override { inflateEnd(&z_); }
  Result<std::size_t> Read(char* data, std::size_t size) override {
    if (!ok_) return DataLoss(path_ + ": zlib init failed");
    z_.next_out = reinterpret_cast<Bytef*>(data);
    z_.avail_out = static_cast<uInt>(size);
    while (z_.avail_out == size && !done_) {
      if (z_.avail_in == 0) {
        auto n = ReadFd(fd_.get(), in_, sizeof in_, path_);
        if (!n) return n.error();
        if (*n == 0) {
          if (!ended_member_) return DataLoss(path_ + ": truncated gzip data");
          done_ = true;
          break;
        }
        z_.next_in = reinterpret_cast<Bytef*>(in_);
        z_.avail_in = static_cast<uInt>(*n);
      }
      ended_member_ = false;
      const int rc = inflate(&z_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        ended_member_ = true;
        inflateReset(&z_);  // another member may follow
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return DataLoss(path_ + ": corrupt gzip data (" + (z_.msg ? z_.msg : "zlib error") + ")");
      }
    }
    return size - z_.avail_out;
  }

 private:
  Fd fd_;
  std::string path_;
  z_stream z_{};
  char in_[kChunk];
  bool ok_ = false;
  bool done_ = false;
  bool ended_member_ = false;
};

class XzStream final : public LogStream {
 public:
  XzStream(int fd, std::string path) : fd_(fd), path_(std::move(path)) {
    ok_ = lzma_stream_decoder(&s_, UINT64_MAX, LZMA_CONCATENATED) == LZMA_OK;
  }
  ~XzStream() override { lzma_end(&s_); }
  Result<std::size_t> Read(char* data, std::size_t size) override {
    if (!ok_) return DataLoss(path_ + ": liblzma init failed");
    s_.next_out = reinterpret_cast<std::uint8_t*>(data);
    s_.avail_out = size;
    while (s_.avail_out == size && !done_) {
      lzma_action action = LZMA_RUN;
      if (s_.avail_in == 0 && !eof_) {
        auto n = ReadFd(fd_.get(), in_, sizeof in_, path_);
        if (!n) return n.error();
        eof_ = *n == 0;
        s_.next_in = reinterpret_cast<const std::uint8_t*>(in_);
        s_.avail_in = *n;
      }
      if (eof_) action = LZMA_FINISH;
      const lzma_ret rc = lzma_code(&s_, action);
      if (rc == LZMA_STREAM_END) {
        done_ = true;
      } else if (rc != LZMA_OK) {
        return DataLoss(path_ + ": corrupt or truncated xz data (liblzma error " +
                        std::to_string(static_cast<int>(rc)) + ")");
      }
    }
    return size - s_.avail_out;
  }

 private:
  Fd fd_;
  std::string path_;
  lzma_stream s_ = LZMA_STREAM_INIT;
  char in_[kChunk];
  bool ok_ = false;
  bool eof_ = false;
  bool done_ = false;
};

class ZstdStream final : public LogStream {
 public:
  ZstdStream(int fd, std::string path) : fd_(fd), path_(std::move(path)), d_(ZSTD_createDStream()) {
    ok_ = d_ != nullptr && !ZSTD_isError(ZSTD_initDStream(d_));
  }
  ~ZstdStream() override { ZSTD_freeDStream(d_); }
  Result<std::size_t> Read(char* data, std::size_t size) override {
    if (!ok_) return DataLoss(path_ + ": libzstd init failed");
    ZSTD_outBuffer out{data, size, 0};
    while (out.pos == 0) {
      if (in_.pos == in_.size) {
        auto n = ReadFd(fd_.get(), buf_, sizeof buf_, path_);
        if (!n) return n.error();
        if (*n == 0) {
          if (pending_) return DataLoss(path_ + ": truncated zstd data");
          break;
        }
        in_ = {buf_, *n, 0};
      }
      const std::size_t rc = ZSTD_decompressStream(d_, &out, &in_);
      if (ZSTD_isError(rc)) {
        return DataLoss(path_ + ": corrupt zstd data (" + ZSTD_getErrorName(rc) + ")");
      }
      pending_ = rc != 0;  // 0: a frame ended
    }
    return out.pos;
  }

 private:
  Fd fd_;
  std::string path_;
  ZSTD_DStream* d_;
  ZSTD_inBuffer in_{nullptr, 0, 0};
  char buf_[kChunk];
  bool ok_ = false;
  bool pending_ = false;
};

// Whether the decompressed content starts with the cursor's fingerprinted bytes and holds at
// least `offset` bytes.
bool CompressedMatches(const std::string& path, const FileCursor& c) {
  if (c.fp_len == 0) return false;
  auto stream = LogStream::Open(path);
  if (!stream) return false;
  std::string head;
  std::uint64_t total = 0;
  char buf[kChunk];
  bool checked = false;
  while (true) {
    auto n = (*stream)->Read(buf, sizeof buf);
    if (!n) return false;
    if (*n == 0) break;
    if (head.size() < c.fp_len) head.append(buf, std::min<std::size_t>(*n, c.fp_len - head.size()));
    total += *n;
    if (!checked && head.size() >= c.fp_len) {
      if (Sha256Hex(head) != c.fingerprint) return false;
      checked = true;
    }
    if (checked && total >= c.offset) return true;
  }
  return false;
}

bool PlainMatches(const std::string& path, const FileCursor& c) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  if (static_cast<std::uint64_t>(st.st_dev) != c.dev ||
      static_cast<std::uint64_t>(st.st_ino) != c.ino ||
      static_cast<std::uint64_t>(st.st_size) < c.offset) {
    return false;
  }
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool same = c.fp_len == 0 || FingerprintOf(fd, c.fp_len) == c.fingerprint;
  close(fd);
  return same;
}

bool Exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Rotated siblings of `path`, newest first: path.0, path.1, ... (each plain or compressed), then
// logrotate dateext names path-SUFFIX, newest (greatest name) first.
std::vector<std::string> RotatedSiblings(const std::string& path) {
  std::vector<std::string> out;
  for (int n = 0; n <= kMaxRotationNumber; ++n) {
    for (const char* ext : {"", ".gz", ".xz", ".zst"}) {
      std::string p = path + "." + std::to_string(n) + ext;
      if (Exists(p)) out.push_back(std::move(p));
    }
  }
  const std::size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  std::vector<std::string> dated;
  if (DIR* d = opendir(dir.c_str())) {
    while (const dirent* e = readdir(d)) {
      const std::string_view name(e->d_name);
      if (name.size() > base.size() + 1 && name.starts_with(base) && name[base.size()] == '-') {
        dated.push_back(dir + "/" + std::string(name));
      }
    }
    closedir(d);
  }
  std::sort(dated.begin(), dated.end(),
            [](const std::string& a, const std::string& b) { return a > b; });
  for (auto& p : dated) {
    if (Exists(p)) out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

bool IsCompressedLog(std::string_view path) {
  return EndsWith(path, ".gz") || EndsWith(path, ".xz") || EndsWith(path, ".zst");
}

Result<std::unique_ptr<LogStream>> LogStream::Open(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, path);
  std::unique_ptr<LogStream> s;
  if (EndsWith(path, ".gz")) {
    s = std::make_unique<GzipStream>(fd, path);
  } else if (EndsWith(path, ".xz")) {
    s = std::make_unique<XzStream>(fd, path);
  } else if (EndsWith(path, ".zst")) {
    s = std::make_unique<ZstdStream>(fd, path);
  } else {
    s = std::make_unique<PlainStream>(fd, path);
  }
  return s;
}

std::vector<RotatedPart> FindRotatedBacklog(const std::string& path, const FileCursor& cursor) {
  if (cursor.dev == 0 && cursor.ino == 0) return {};
  const std::vector<std::string> siblings = RotatedSiblings(path);
  for (std::size_t k = 0; k < siblings.size(); ++k) {
    const bool match = IsCompressedLog(siblings[k]) ? CompressedMatches(siblings[k], cursor)
                                                    : PlainMatches(siblings[k], cursor);
    if (!match) continue;
    std::vector<RotatedPart> parts;
    parts.push_back({siblings[k], cursor.offset});
    for (std::size_t j = k; j-- > 0;) parts.push_back({siblings[j], 0});
    return parts;
  }
  return {};
}

Result<std::uint64_t> ReadRotatedPart(const RotatedPart& part, std::size_t record_size,
                                      const std::function<void(std::string_view)>& fn) {
  auto opened = LogStream::Open(part.path);
  if (!opened) return opened.error();
  LogStream& stream = **opened;
  std::uint64_t skip = part.offset;
  std::uint64_t delivered = 0;
  std::string pending;
  std::vector<char> buf(kChunk);
  for (;;) {
    auto got = stream.Read(buf.data(), buf.size());
    if (!got) return got.error();
    if (*got == 0) break;
    std::string_view data(buf.data(), *got);
    if (skip > 0) {
      const auto drop = static_cast<std::size_t>(std::min<std::uint64_t>(skip, data.size()));
      data.remove_prefix(drop);
      skip -= drop;
    }
    if (record_size > 0) {
      pending.append(data);
      std::size_t off = 0;
      for (; off + record_size <= pending.size(); off += record_size) {
        fn(std::string_view(pending).substr(off, record_size));
        ++delivered;
      }
      pending.erase(0, off);
      continue;
    }
    while (!data.empty()) {
      const std::size_t nl = data.find('\n');
      if (nl == std::string_view::npos) {
        if (pending.size() < kMaxLineBytes) {
          pending.append(data.substr(0, kMaxLineBytes - pending.size()));
        }
        break;
      }
      std::string_view line = data.substr(0, nl);
      if (!pending.empty()) {
        if (pending.size() < kMaxLineBytes) {
          pending.append(line.substr(0, kMaxLineBytes - pending.size()));
        }
        fn(pending);
        pending.clear();
      } else {
        fn(line.substr(0, kMaxLineBytes));
      }
      ++delivered;
      data.remove_prefix(nl + 1);
    }
  }
  if (record_size == 0 && !pending.empty()) {
    fn(pending);
    ++delivered;
  }
  return delivered;
}

}  // namespace rampart::agent
