// Fuzzes LogStream, the decompressing reader of rotated logs (gzip via zlib, xz, zstd, or plain by
// the first bytes): it must never crash or hang on a hostile archive, never report reading past
// its input, and give the same bytes and the same verdict whatever the reader's buffer size.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "agent/sources/log_stream.h"

namespace {

// Decompression bombs are bounded here, not in LogStream (a real rotated log may be large).
constexpr std::size_t kMaxOutput = std::size_t{8} << 20;

struct Outcome {
  std::string bytes;
  bool ok = true;
  bool capped = false;
};

Outcome ReadAll(std::string_view input, std::size_t chunk) {
  using rampart::agent::LogStream;
  auto stream = LogStream::FromMemory(input, "fuzz");
  if (stream == nullptr) std::abort();
  Outcome out;
  std::string buf(chunk, '\0');
  while (out.bytes.size() < kMaxOutput) {
    auto n = stream->Read(buf.data(), buf.size());
    if (!n) {
      out.ok = false;
      if (n.error().message().find("fuzz") == std::string::npos) std::abort();  // names the input
      break;
    }
    if (*n > buf.size()) std::abort();
    if (*n == 0) break;
    out.bytes.append(buf.data(), *n);
  }
  out.capped = out.bytes.size() >= kMaxOutput;
  if (stream->input_offset() > input.size()) std::abort();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const Outcome big = ReadAll(input, 64 * 1024);
  if (big.capped) return 0;
  const Outcome small = ReadAll(input, 7);
  if (small.capped) return 0;
  // A verdict must not depend on how the caller slices its reads.
  if (big.ok != small.ok) std::abort();
  if (big.ok && big.bytes != small.bytes) std::abort();
  if (rampart::agent::DetectCompression(input) == rampart::agent::Compression::kNone &&
      big.bytes != input) {
    std::abort();  // plain data passes through unchanged
  }
  return 0;
}
