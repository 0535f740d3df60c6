// ScanAuthLogFile: the I/O half of auth-log parsing. Reads a file (or stdin) in large blocks,
// splits it into lines and feeds an AuthLogParser; rotated archives (gzip, xz, zstd, bzip2,
// recognised by their first bytes) are decompressed by LogStream.
#include <sys/stat.h>

#include <ctime>
#include <string>
#include <vector>

#include "agent/sources/auth_log.h"
#include "agent/sources/log_stream.h"

namespace rampart::agent {

Status ScanAuthLogFile(const std::string& path, AuthLogOptions options,
                       const std::function<void(LoginEvent&&)>& fn) {
  const bool is_stdin = path == "-";
  auto opened = LogStream::Open(path);
  if (!opened) return opened.error();
  LogStream& stream = **opened;
  struct stat st {};
  if (options.reference_time == 0) {
    options.reference_time = !is_stdin && stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)
                                 ? st.st_mtime
                                 : std::time(nullptr);
  }
  if (options.file.empty()) options.file = path;

  AuthLogParser parser(std::move(options));
  std::vector<LoginEvent> events;
  auto deliver = [&events, &fn] {
    for (auto& e : events) fn(std::move(e));
    events.clear();
  };
  std::string buf(std::size_t{1} << 20, '\0');
  std::string carry;  // a line cut by the block boundary
  std::uint64_t line_no = 0;
  Status status;
  while (true) {
    auto n = stream.Read(buf.data(), buf.size());
    if (!n) {
      status = Status(n.error().code(),
                      n.error().message() + " (after line " + std::to_string(line_no) + ")");
      break;
    }
    if (*n == 0) break;
    std::string_view block(buf.data(), *n);
    while (!block.empty()) {
      const std::size_t nl = block.find('\n');
      if (nl == std::string_view::npos) {
        carry.append(block);
        break;
      }
      std::string_view line = block.substr(0, nl);
      block.remove_prefix(nl + 1);
      if (!carry.empty()) {
        carry.append(line);
        line = carry;
      }
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      parser.ParseLine(line, ++line_no, &events);
      carry.clear();
      if (!events.empty()) deliver();
    }
  }
  if (status.ok() && !carry.empty()) parser.ParseLine(carry, ++line_no, &events);
  parser.Flush(&events);
  deliver();
  return status;
}

}  // namespace rampart::agent
