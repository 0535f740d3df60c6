#include "agent/monitor/file_tailer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "agent/monitor/rotated_log.h"
#include "common/hash.h"
#include "common/logging.h"

namespace rampart::agent {

std::string FingerprintOf(int fd, std::size_t len) {
  if (len == 0) return {};
  std::string buf(len, '\0');
  std::size_t got = 0;
  while (got < len) {
    const ssize_t n = pread(fd, buf.data() + got, len - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return {};
    got += static_cast<std::size_t>(n);
  }
  return Sha256Hex(buf);
}

FileTailer::FileTailer(std::string path, std::optional<FileCursor> resume, bool from_start,
                       std::size_t record_size)
    : path_(std::move(path)),
      resume_(std::move(resume)),
      from_start_(from_start),
      record_size_(record_size) {}

FileTailer::~FileTailer() { Close(); }

void FileTailer::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

bool FileTailer::FingerprintMatches(int fd, const FileCursor& c) const {
  if (c.fp_len == 0) return true;
  return FingerprintOf(fd, c.fp_len) == c.fingerprint;
}

void FileTailer::UpdateFingerprint() {
  struct stat st {};
  if (fstat(fd_, &st) != 0) return;
  const auto len = static_cast<std::uint32_t>(
      std::min<std::uint64_t>(kFingerprintBytes, static_cast<std::uint64_t>(st.st_size)));
  if (len == fp_len_) return;
  std::string fp = FingerprintOf(fd_, len);
  if (len > 0 && fp.empty()) return;
  fingerprint_ = std::move(fp);
  fp_len_ = len;
}

bool FileTailer::OpenPath(bool at_start) {
  const int fd = open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return false;
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return false;
  }
  fd_ = fd;
  dev_ = st.st_dev;
  ino_ = st.st_ino;
  pos_ = 0;
  partial_.clear();
  fingerprint_.clear();
  fp_len_ = 0;
  const bool first = first_open_;
  first_open_ = false;
  if (first && !at_start) {
    if (resume_) {
      const FileCursor c = *resume_;
      resume_.reset();
      if (c.dev == dev_ && c.ino == ino_) {
        if (static_cast<std::uint64_t>(st.st_size) >= c.offset && FingerprintMatches(fd, c)) {
          pos_ = line_end_ = c.offset;
          UpdateFingerprint();
          return true;
        }
        // Same identity, other content: rewritten in place, or a new file that reuses the inode
        // of the old one, which was rotated and compressed (the compressed copy is looked for).
        if (!TakeBacklog(c)) {
          log::Warn(
              "{}: the file was truncated or replaced while the agent was stopped; reading it "
              "from the start",
              path_);
        }
      } else {
        // Rotated while we were stopped: finish the old file first when it is still around.
        for (const char* suffix : {".1", ".0"}) {
          const std::string sibling = path_ + suffix;
          const int sfd = open(sibling.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
          if (sfd < 0) continue;
          struct stat sst {};
          if (fstat(sfd, &sst) == 0 && sst.st_dev == c.dev && sst.st_ino == c.ino &&
              static_cast<std::uint64_t>(sst.st_size) >= c.offset && FingerprintMatches(sfd, c)) {
            close(fd_);
            fd_ = sfd;
            dev_ = sst.st_dev;
            ino_ = sst.st_ino;
            pos_ = line_end_ = c.offset;
            UpdateFingerprint();
            log::Info("{}: rotated while the agent was stopped; finishing {} first", path_,
                      sibling);
            return true;
          }
          close(sfd);
        }
        if (!TakeBacklog(c) && (c.dev != 0 || c.ino != 0)) {
          log::Warn(
              "{}: rotated while the agent was stopped and the old file is gone; reading the new "
              "file from the start",
              path_);
        }
      }
    } else if (!from_start_) {
      pos_ = static_cast<std::uint64_t>(st.st_size);
      if (record_size_ > 0) pos_ -= pos_ % record_size_;
    }
  }
  line_end_ = pos_;
  UpdateFingerprint();
  return true;
}

bool FileTailer::TakeBacklog(const FileCursor& c) {
  backlog_ = FindRotatedBacklog(path_, c);
  if (backlog_.empty()) return false;
  backlog_cursor_ = c;
  std::string names;
  for (const auto& part : backlog_) names += (names.empty() ? "" : ", ") + part.path;
  log::Info("{}: rotated while the agent was stopped; reading {} first (from byte {})", path_,
            names, c.offset);
  return true;
}

void FileTailer::Deliver(const LineFn& fn, std::string_view line) {
  ++stats_.lines;
  fn(line);
}

void FileTailer::FlushPartial(const LineFn& fn) {
  if (record_size_ > 0) {
    partial_.clear();  // a cut record is not a record
    return;
  }
  if (!partial_.empty()) {
    Deliver(fn, partial_);
    line_end_ += partial_.size();
    partial_.clear();
  }
}

ssize_t FileTailer::ReadSome(const LineFn& fn, std::size_t limit) {
  char buf[64 * 1024];
  const std::size_t want = std::min(limit, sizeof buf);
  ssize_t n;
  do {
    n = pread(fd_, buf, want, static_cast<off_t>(pos_));
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return n;
  pos_ += static_cast<std::uint64_t>(n);
  std::string_view data(buf, static_cast<std::size_t>(n));
  // The offset in the file of data[0].
  std::uint64_t base = pos_ - static_cast<std::uint64_t>(n);
  if (record_size_ > 0) {
    SplitRecords(fn, data, base);
    return n;
  }
  while (!data.empty()) {
    const std::size_t nl = data.find('\n');
    if (nl == std::string_view::npos) {
      const std::size_t room =
          kMaxLineBytes > partial_.size() ? kMaxLineBytes - partial_.size() : 0;
      partial_.append(data.substr(0, room));
      // Bytes past the cap are dropped; the line is delivered cut when its '\n' comes.
      break;
    }
    std::string_view segment = data.substr(0, nl);
    if (partial_.empty()) {
      Deliver(fn, segment.substr(0, kMaxLineBytes));
    } else {
      const std::size_t room =
          kMaxLineBytes > partial_.size() ? kMaxLineBytes - partial_.size() : 0;
      partial_.append(segment.substr(0, room));
      Deliver(fn, partial_);
      partial_.clear();
    }
    line_end_ = base + nl + 1;
    base += nl + 1;
    data.remove_prefix(nl + 1);
  }
  return n;
}

void FileTailer::SplitRecords(const LineFn& fn, std::string_view data, std::uint64_t base) {
  if (!partial_.empty()) {
    const std::size_t need = record_size_ - partial_.size();
    if (data.size() < need) {
      partial_.append(data);
      return;
    }
    partial_.append(data.substr(0, need));
    data.remove_prefix(need);
    base += need;
    Deliver(fn, partial_);
    partial_.clear();
    line_end_ = base;
  }
  while (data.size() >= record_size_) {
    Deliver(fn, data.substr(0, record_size_));
    data.remove_prefix(record_size_);
    base += record_size_;
    line_end_ = base;
  }
  partial_.assign(data);
}

void FileTailer::Restart(const LineFn& fn) {
  (void)fn;
  // What was read after the last '\n' belonged to the old content.
  partial_.clear();
  pos_ = line_end_ = 0;
  fingerprint_.clear();
  fp_len_ = 0;
  UpdateFingerprint();
  ++stats_.truncations;
}

bool FileTailer::Replaced() {
  struct stat st {};
  if (fstat(fd_, &st) != 0) return false;
  return static_cast<std::uint64_t>(st.st_size) < pos_ ||
         (fp_len_ > 0 && FingerprintOf(fd_, fp_len_) != fingerprint_);
}

void FileTailer::Prime() {
  if (fd_ >= 0) return;
  OpenPath(false);
  // Only the first attempt may start at the end: a file that appears later is new.
  first_open_ = false;
}

Result<bool> FileTailer::Poll(const LineFn& fn, std::size_t max_bytes) {
  if (fd_ < 0) {
    Prime();
    if (fd_ < 0) return false;
  }
  if (!backlog_.empty()) {
    // The lines rotated away while the agent was stopped come before the new file's. Read in one
    // go: the cursor moves to the new file only once they are all delivered.
    for (const auto& part : backlog_) {
      auto n = ReadRotatedPart(part, record_size_, [&](std::string_view line) {
        ++stats_.backlog_lines;
        Deliver(fn, line);
      });
      if (!n) log::Warn("{}; the rest of it is skipped", n.error().ToString());
    }
    backlog_.clear();
  }
  // copytruncate (or content replaced in place) is checked before reading, so no line is read
  // from the middle of the new content.
  if (Replaced()) Restart(fn);
  std::size_t total = 0;
  while (total < max_bytes) {
    const ssize_t n = ReadSome(fn, max_bytes - total);
    if (n < 0) return ErrnoStatus(errno, path_ + ": read");
    if (n == 0) break;
    total += static_cast<std::size_t>(n);
  }
  if (total >= max_bytes) return true;

  struct stat now {};
  if (stat(path_.c_str(), &now) != 0) {
    // Deleted, or renamed and not recreated yet: the writer may still append to the old file.
    return false;
  }
  if (static_cast<std::uint64_t>(now.st_dev) != dev_ ||
      static_cast<std::uint64_t>(now.st_ino) != ino_) {
    // Rotated: finish the old file (the writer may have appended since our last read), then
    // switch. A partial last line of the old file will never be completed: deliver it as is.
    ssize_t n;
    while ((n = ReadSome(fn, std::size_t{1} << 20)) > 0) {
    }
    FlushPartial(fn);
    Close();
    ++stats_.rotations;
    if (!OpenPath(true)) return false;
    return true;
  }
  struct stat st {};
  if (fstat(fd_, &st) != 0) return ErrnoStatus(errno, path_ + ": stat");
  if (Replaced()) {
    Restart(fn);
    return true;
  }
  if (fp_len_<kFingerprintBytes&& static_cast<std::uint64_t>(st.st_size)> fp_len_) {
    UpdateFingerprint();
  }
  return false;
}

FileCursor FileTailer::cursor() const {
  if (fd_ < 0 && resume_) return *resume_;
  if (!backlog_.empty()) return backlog_cursor_;  // stopped before reading it: read it next time
  FileCursor c;
  c.path = path_;
  if (fd_ < 0) return c;
  c.dev = dev_;
  c.ino = ino_;
  c.offset = line_end_;
  c.fingerprint = fingerprint_;
  c.fp_len = fp_len_;
  return c;
}

}  // namespace rampart::agent
