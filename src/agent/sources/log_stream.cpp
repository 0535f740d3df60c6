#include "agent/sources/log_stream.h"

#include <fcntl.h>
#include <lzma.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <vector>

#include "common/strings.h"

extern char** environ;

namespace rampart::agent {

// The raw bytes under a stream: the bytes peeked for the magic first, then the descriptor (or the
// memory). `offset` counts every byte handed out, so decoders can say where they stopped.
struct LogStream::Input {
  std::string name;
  int fd = -1;
  bool own_fd = false;
  std::string_view memory;
  std::string head;  // peeked bytes not yet handed out
  std::size_t head_pos = 0;
  std::uint64_t offset = 0;
  pid_t child = -1;  // bzip2 -dc

  ~Input() {
    if (own_fd && fd >= 0) close(fd);
    if (child > 0) {
      kill(child, SIGTERM);
      Reap();
    }
  }
  int Reap() {
    int ws = 0;
    while (waitpid(child, &ws, 0) < 0 && errno == EINTR) {
    }
    child = -1;
    return ws;
  }
  Result<std::size_t> Raw(char* data, std::size_t size) {
    if (fd < 0) {
      const std::size_t n = std::min(size, memory.size());
      if (n == 0) return n;  // an empty view may have no data pointer
      std::memcpy(data, memory.data(), n);
      memory.remove_prefix(n);
      return n;
    }
    for (;;) {
      const ssize_t n = read(fd, data, size);
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno != EINTR) {
        return ErrnoStatus(errno, name + ": read failed at byte " + std::to_string(offset));
      }
    }
  }
  Result<std::size_t> Read(char* data, std::size_t size) {
    if (head_pos < head.size()) {
      const std::size_t n = std::min(size, head.size() - head_pos);
      std::memcpy(data, head.data() + head_pos, n);
      head_pos += n;
      offset += n;
      return n;
    }
    auto n = Raw(data, size);
    if (n) offset += *n;
    return n;
  }
  // Reads up to `want` bytes into `head` without consuming them (short only at the end).
  Status Peek(std::size_t want) {
    head.resize(want);
    std::size_t got = 0;
    while (got < want) {
      auto n = Raw(head.data() + got, want - got);
      if (!n) return n.error();
      if (*n == 0) break;
      got += *n;
    }
    head.resize(got);
    return Status::Ok();
  }
};

namespace {

constexpr std::size_t kChunk = 64 * 1024;
constexpr std::size_t kMagicBytes = 10;

std::string Hex(std::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i > 0) out += ' ';
    const auto b = static_cast<unsigned char>(bytes[i]);
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

class PlainStream final : public LogStream {
 public:
  explicit PlainStream(std::unique_ptr<Input> in) : LogStream(std::move(in), Compression::kNone) {}
  Result<std::size_t> Read(char* data, std::size_t size) override { return in_->Read(data, size); }
};

class GzipStream final : public LogStream {
 public:
  explicit GzipStream(std::unique_ptr<Input> in) : LogStream(std::move(in), Compression::kGzip) {
    // 16 + MAX_WBITS: gzip framing; concatenated members are handled in Read.
    ok_ = inflateInit2(&z_, 16 + MAX_WBITS) == Z_OK;
  }
  ~GzipStream() override { inflateEnd(&z_); }

  Result<std::size_t> Read(char* data, std::size_t size) override {
    if (!ok_) return DataLoss(in_->name + ": zlib could not be initialised");
    z_.next_out = reinterpret_cast<Bytef*>(data);
    z_.avail_out = static_cast<uInt>(std::min<std::size_t>(size, UINT32_MAX));
    const uInt wanted = z_.avail_out;
    while (z_.avail_out == wanted && !done_) {
      if (z_.avail_in == 0) {
        auto n = in_->Read(in_buf_, sizeof in_buf_);
        if (!n) return n.error();
        if (*n == 0) {
          if (!between_members_) {
            return DataLoss(in_->name + ": truncated gzip archive: it ends at byte " +
                            std::to_string(in_->offset) +
                            " inside a compressed member (expected more deflate data and the "
                            "8-byte gzip trailer)");
          }
          done_ = true;
          break;
        }
        z_.next_in = reinterpret_cast<Bytef*>(in_buf_);
        z_.avail_in = static_cast<uInt>(*n);
      }
      if (between_members_) {
        // gzip(1) ignores zero padding after the last member (tape blocks); so do we.
        if (std::all_of(z_.next_in, z_.next_in + z_.avail_in, [](Bytef b) { return b == 0; })) {
          z_.avail_in = 0;
          continue;
        }
        between_members_ = false;
      }
      const int rc = inflate(&z_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        between_members_ = true;
        member_start_ = in_->offset - z_.avail_in;
        inflateReset(&z_);  // another member may follow
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        if (member_start_ > 0 && z_.total_in <= 10) {
          // Not even a member header after the previous member: trailing data.
          return DataLoss(in_->name + ": corrupt gzip archive at byte " +
                          std::to_string(member_start_) +
                          ": data after the last member is not a gzip member (expected a gzip "
                          "member header 1f 8b 08, or the end of the file)");
        }
        const std::uint64_t at = in_->offset - z_.avail_in;
        return DataLoss(in_->name + ": corrupt gzip archive at byte " + std::to_string(at) + ": " +
                        (z_.msg != nullptr ? z_.msg : "zlib error") +
                        " (expected a gzip member header 1f 8b 08 or deflate data)");
      }
    }
    return static_cast<std::size_t>(wanted - z_.avail_out);
  }

 private:
  z_stream z_{};
  char in_buf_[kChunk];
  bool ok_ = false;
  bool done_ = false;
  bool between_members_ = false;
  std::uint64_t member_start_ = 0;  // where the current member began (0: the first)
};

class XzStream final : public LogStream {
 public:
  explicit XzStream(std::unique_ptr<Input> in) : LogStream(std::move(in), Compression::kXz) {
    ok_ = lzma_stream_decoder(&s_, UINT64_MAX, LZMA_CONCATENATED) == LZMA_OK;
  }
  ~XzStream() override { lzma_end(&s_); }

  Result<std::size_t> Read(char* data, std::size_t size) override {
    if (!ok_) return DataLoss(in_->name + ": liblzma could not be initialised");
    s_.next_out = reinterpret_cast<std::uint8_t*>(data);
    s_.avail_out = size;
    while (s_.avail_out == size && !done_) {
      if (s_.avail_in == 0 && !eof_) {
        auto n = in_->Read(in_buf_, sizeof in_buf_);
        if (!n) return n.error();
        eof_ = *n == 0;
        s_.next_in = reinterpret_cast<const std::uint8_t*>(in_buf_);
        s_.avail_in = *n;
      }
      const lzma_ret rc = lzma_code(&s_, eof_ ? LZMA_FINISH : LZMA_RUN);
      if (rc == LZMA_STREAM_END) {
        done_ = true;
      } else if (rc == LZMA_BUF_ERROR && eof_) {
        return DataLoss(in_->name + ": truncated xz archive: it ends at byte " +
                        std::to_string(in_->offset) +
                        " inside a block (expected more compressed data and the stream footer)");
      } else if (rc != LZMA_OK) {
        return DataLoss(in_->name + ": corrupt xz archive at byte " +
                        std::to_string(in_->offset - s_.avail_in) + ": " + LzmaError(rc));
      }
    }
    return size - s_.avail_out;
  }

 private:
  static std::string LzmaError(lzma_ret rc) {
    switch (rc) {
      case LZMA_FORMAT_ERROR:
        return "not an xz stream header (expected fd 37 7a 58 5a 00)";
      case LZMA_OPTIONS_ERROR:
        return "unsupported xz options";
      case LZMA_DATA_ERROR:
        return "invalid compressed data";
      case LZMA_MEM_ERROR:
      case LZMA_MEMLIMIT_ERROR:
        return "out of memory";
      default:
        return "liblzma error " + std::to_string(static_cast<int>(rc));
    }
  }
  lzma_stream s_ = LZMA_STREAM_INIT;
  char in_buf_[kChunk];
  bool ok_ = false;
  bool eof_ = false;
  bool done_ = false;
};

class ZstdStream final : public LogStream {
 public:
  explicit ZstdStream(std::unique_ptr<Input> in)
      : LogStream(std::move(in), Compression::kZstd), d_(ZSTD_createDStream()) {
    ok_ = d_ != nullptr && !ZSTD_isError(ZSTD_initDStream(d_));
  }
  ~ZstdStream() override { ZSTD_freeDStream(d_); }

  Result<std::size_t> Read(char* data, std::size_t size) override {
    if (!ok_) return DataLoss(in_->name + ": libzstd could not be initialised");
    ZSTD_outBuffer out{data, size, 0};
    while (out.pos == 0) {
      if (in_pos_.pos == in_pos_.size) {
        auto n = in_->Read(in_buf_, sizeof in_buf_);
        if (!n) return n.error();
        if (*n == 0) {
          if (pending_) {
            return DataLoss(in_->name + ": truncated zstd archive: it ends at byte " +
                            std::to_string(in_->offset) +
                            " inside a frame (expected more compressed data)");
          }
          break;
        }
        in_pos_ = {in_buf_, *n, 0};
      }
      const std::size_t rc = ZSTD_decompressStream(d_, &out, &in_pos_);
      if (ZSTD_isError(rc)) {
        return DataLoss(in_->name + ": corrupt zstd archive near byte " +
                        std::to_string(in_->offset - (in_pos_.size - in_pos_.pos)) + ": " +
                        ZSTD_getErrorName(rc));
      }
      pending_ = rc != 0;  // 0: a frame ended
    }
    return out.pos;
  }

 private:
  ZSTD_DStream* d_;
  ZSTD_inBuffer in_pos_{nullptr, 0, 0};
  char in_buf_[kChunk];
  bool ok_ = false;
  bool pending_ = false;
};

// bzip2 through `bzip2 -dc` reading our descriptor (libbz2 is not linked). Its exit status tells a
// corrupt archive; it cannot say where.
class Bzip2Stream final : public LogStream {
 public:
  explicit Bzip2Stream(std::unique_ptr<Input> in) : LogStream(std::move(in), Compression::kBzip2) {}
  Status Start() {
    // The tool reads the file itself from the start (the peeked bytes are ours), so reopen by
    // descriptor position 0: for a regular file lseek works; stdin bzip2 is refused by Open.
    if (lseek(in_->fd, 0, SEEK_SET) != 0) return ErrnoStatus(errno, in_->name + ": seek");
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0) return ErrnoStatus(errno, "pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in_->fd, STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, pipefd[1], STDOUT_FILENO);
    // Its complaints become our DataLoss status instead of stray stderr text.
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    std::string tool = "bzip2";
    std::string dc = "-dc";
    char* argv[] = {tool.data(), dc.data(), nullptr};
    const int rc = posix_spawnp(&in_->child, "bzip2", &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pipefd[1]);
    if (rc != 0) {
      in_->child = -1;
      close(pipefd[0]);
      return ErrnoStatus(rc, in_->name + ": cannot run bzip2 to decompress it");
    }
    out_fd_ = pipefd[0];
    return Status::Ok();
  }
  ~Bzip2Stream() override {
    if (out_fd_ >= 0) close(out_fd_);
  }
  Result<std::size_t> Read(char* data, std::size_t size) override {
    if (out_fd_ < 0) return std::size_t{0};
    for (;;) {
      const ssize_t n = read(out_fd_, data, size);
      if (n > 0) return static_cast<std::size_t>(n);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return ErrnoStatus(errno, in_->name + ": reading bzip2's output");
      close(out_fd_);
      out_fd_ = -1;
      const int ws = in_->Reap();
      if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
        return DataLoss(in_->name +
                        ": corrupt or truncated bzip2 archive (bzip2 -dc failed; expected a "
                        "complete bzip2 stream)");
      }
      return std::size_t{0};
    }
  }

 private:
  int out_fd_ = -1;
};

Result<std::unique_ptr<LogStream>> Make(std::unique_ptr<LogStream::Input>& in, Compression by_name);

}  // namespace

LogStream::LogStream(std::unique_ptr<Input> in, Compression c)
    : in_(std::move(in)), compression_(c) {}
LogStream::~LogStream() = default;

std::uint64_t LogStream::input_offset() const { return in_->offset; }

const char* CompressionName(Compression c) {
  switch (c) {
    case Compression::kGzip:
      return "gzip";
    case Compression::kXz:
      return "xz";
    case Compression::kZstd:
      return "zstd";
    case Compression::kBzip2:
      return "bzip2";
    case Compression::kNone:
      break;
  }
  return "plain";
}

Compression DetectCompression(std::string_view h) {
  const auto b = [&h](std::size_t i) { return static_cast<unsigned char>(h[i]); };
  // gzip: magic, method 8 (deflate), reserved flag bits clear. The method and flags make a
  // false match on a binary lastlog (whose first bytes are a time) practically impossible.
  if (h.size() >= 4 && b(0) == 0x1f && b(1) == 0x8b && b(2) == 8 && (b(3) & 0xe0) == 0) {
    return Compression::kGzip;
  }
  if (h.size() >= 6 && h.substr(0, 6) == std::string_view("\xfd"
                                                          "7zXZ\0",
                                                          6)) {
    return Compression::kXz;
  }
  if (h.size() >= 4 && b(0) == 0x28 && b(1) == 0xb5 && b(2) == 0x2f && b(3) == 0xfd) {
    return Compression::kZstd;
  }
  // bzip2: "BZh" + block size, then a block (pi) or the end-of-stream (sqrt(pi)) magic.
  if (h.size() >= 10 && h.starts_with("BZh") && b(3) >= '1' && b(3) <= '9' &&
      (h.substr(4, 6) == "\x31\x41\x59\x26\x53\x59" ||
       h.substr(4, 6) == "\x17\x72\x45\x38\x50\x90")) {
    return Compression::kBzip2;
  }
  return Compression::kNone;
}

Compression CompressionByName(std::string_view path) {
  if (EndsWith(path, ".gz")) return Compression::kGzip;
  if (EndsWith(path, ".xz")) return Compression::kXz;
  if (EndsWith(path, ".zst")) return Compression::kZstd;
  if (EndsWith(path, ".bz2")) return Compression::kBzip2;
  return Compression::kNone;
}

namespace {

Result<std::unique_ptr<LogStream>> Make(std::unique_ptr<LogStream::Input>& in,
                                        Compression by_name) {
  if (Status s = in->Peek(kMagicBytes); !s.ok()) return s;
  const Compression c = DetectCompression(in->head);
  if (by_name != Compression::kNone && c != by_name) {
    const std::string found = in->head.empty()
                                  ? "the file is empty"
                                  : "found " + Hex(std::string_view(in->head).substr(0, 6));
    return DataLoss(in->name + ": not a " + CompressionName(by_name) +
                    " archive: expected its magic bytes at byte 0, " + found);
  }
  switch (c) {
    case Compression::kGzip:
      return std::unique_ptr<LogStream>(new GzipStream(std::move(in)));
    case Compression::kXz:
      return std::unique_ptr<LogStream>(new XzStream(std::move(in)));
    case Compression::kZstd:
      return std::unique_ptr<LogStream>(new ZstdStream(std::move(in)));
    case Compression::kBzip2: {
      if (in->fd < 0) return std::unique_ptr<LogStream>(new PlainStream(std::move(in)));
      if (!in->own_fd) {
        return InvalidArgument(in->name +
                               ": bzip2 data on standard input is not read; give the file or "
                               "decompress it first (bzip2 -dc)");
      }
      auto s = std::make_unique<Bzip2Stream>(std::move(in));
      if (Status st = s->Start(); !st.ok()) return st;
      return std::unique_ptr<LogStream>(std::move(s));
    }
    case Compression::kNone:
      break;
  }
  return std::unique_ptr<LogStream>(new PlainStream(std::move(in)));
}

}  // namespace

Result<std::unique_ptr<LogStream>> LogStream::Open(const std::string& path) {
  auto in = std::make_unique<Input>();
  const bool is_stdin = path == "-";
  in->name = is_stdin ? "standard input" : path;
  if (is_stdin) {
    in->fd = STDIN_FILENO;
  } else {
    in->fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (in->fd < 0) return ErrnoStatus(errno, path);
    in->own_fd = true;
  }
  struct stat st {};
  if (fstat(in->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    return InvalidArgument(path + ": is a directory, expected a log file");
  }
  return Make(in, is_stdin ? Compression::kNone : CompressionByName(path));
}

std::unique_ptr<LogStream> LogStream::FromMemory(std::string_view data, std::string name) {
  auto in = std::make_unique<Input>();
  in->name = std::move(name);
  in->memory = data;
  auto made = Make(in, Compression::kNone);
  // Memory peeks cannot fail and no name is checked, so Make always yields a stream.
  return made ? std::move(made).value() : nullptr;
}

}  // namespace rampart::agent
