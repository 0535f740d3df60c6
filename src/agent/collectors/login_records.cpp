#include "agent/collectors/login_records.h"

#include <arpa/inet.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utmp.h>

#include <cstddef>
#include <cstring>

namespace rampart::agent {
namespace {

// Fixed-width, NUL-padded C string field.
std::string Field(const char* p, std::size_t width) {
  std::size_t n = 0;
  while (n < width && p[n] != '\0') ++n;
  return std::string(p, n);
}

template <typename T>
T Load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

std::string AddrText(const char* p) {
  std::uint32_t w[4];
  std::memcpy(w, p, sizeof w);
  if (w[0] == 0 && w[1] == 0 && w[2] == 0 && w[3] == 0) return {};
  char buf[INET6_ADDRSTRLEN] = {};
  if (w[1] == 0 && w[2] == 0 && w[3] == 0) {
    ::inet_ntop(AF_INET, p, buf, sizeof buf);
  } else {
    ::inet_ntop(AF_INET6, p, buf, sizeof buf);
  }
  return buf;
}

// The layout the parsers assume is the one glibc writes (checked where it can be: on glibc the
// on-disk struct utmp/lastlog keeps 32-bit times for compatibility on every 64-bit ABI).
#if defined(__GLIBC__) && (defined(__x86_64__) || defined(__aarch64__))
static_assert(sizeof(struct utmp) == kUtmpRecordSize);
static_assert(offsetof(struct utmp, ut_line) == 8);
static_assert(offsetof(struct utmp, ut_user) == 44);
static_assert(offsetof(struct utmp, ut_host) == 76);
static_assert(offsetof(struct utmp, ut_tv) == 340);
static_assert(offsetof(struct utmp, ut_addr_v6) == 348);
static_assert(sizeof(struct lastlog) == kLastlogRecordSize);
static_assert(offsetof(struct lastlog, ll_host) == 36);
#endif

}  // namespace

std::optional<LoginRecord> ParseUtmpRecord(std::string_view record) {
  // Offsets of struct utmp: type 0, pid 4, line 8 (32), id 40 (4), user 44 (32), host 76 (256),
  // exit 332, session 336, tv_sec 340 (int32), tv_usec 344, addr_v6 348 (16), unused 364 (20).
  if (record.size() != kUtmpRecordSize) return std::nullopt;
  const char* r = record.data();
  const auto type = Load<std::int16_t>(r);
  if (type < 0 || type > 9) return std::nullopt;
  LoginRecord rec;
  rec.type = static_cast<UtmpType>(type);
  rec.pid = Load<std::int32_t>(r + 4);
  rec.line = Field(r + 8, 32);
  rec.user = Field(r + 44, 32);
  rec.host = Field(r + 76, 256);
  rec.time = Load<std::int32_t>(r + 340);
  rec.usec = Load<std::int32_t>(r + 344);
  rec.ip = AddrText(r + 348);
  return rec;
}

std::vector<LoginRecord> ParseUtmp(std::string_view data) {
  std::vector<LoginRecord> out;
  out.reserve(data.size() / kUtmpRecordSize);
  for (std::size_t off = 0; off + kUtmpRecordSize <= data.size(); off += kUtmpRecordSize) {
    if (auto rec = ParseUtmpRecord(data.substr(off, kUtmpRecordSize))) {
      out.push_back(std::move(*rec));
    }
  }
  return out;
}

std::vector<LastlogEntry> ParseLastlog(std::string_view data) {
  std::vector<LastlogEntry> out;
  for (std::size_t off = 0; off + kLastlogRecordSize <= data.size(); off += kLastlogRecordSize) {
    const char* r = data.data() + off;
    const auto t = Load<std::int32_t>(r);
    if (t == 0) continue;
    LastlogEntry e;
    e.uid = static_cast<std::uint32_t>(off / kLastlogRecordSize);
    e.time = t;
    e.line = Field(r + 4, 32);
    e.host = Field(r + 36, 256);
    out.push_back(std::move(e));
  }
  return out;
}

std::optional<LoginRecord> LastLogin(const HostView& host, std::size_t max_bytes) {
  auto fd = host.OpenFile("/var/log/wtmp");
  if (!fd) return std::nullopt;
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  const auto size = static_cast<std::size_t>(st.st_size);
  std::size_t want = size < max_bytes ? size : max_bytes;
  want -= want % kUtmpRecordSize;
  std::string buf(want, '\0');
  const auto start = static_cast<off_t>((size - size % kUtmpRecordSize) - want);
  const ssize_t n = ::pread(fd->get(), buf.data(), want, start);
  if (n <= 0) return std::nullopt;
  buf.resize(static_cast<std::size_t>(n));
  std::optional<LoginRecord> best;
  for (auto& r : ParseUtmp(buf)) {
    if (r.type != UtmpType::kUserProcess || r.user.empty()) continue;
    if (!best || r.time >= best->time) best = std::move(r);
  }
  return best;
}

}  // namespace rampart::agent
