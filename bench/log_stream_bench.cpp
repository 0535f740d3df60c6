// Reading compressed rotated logs (LogStream, agent/sources/log_stream.h) on a generated 200k-line
// auth log (~19 MB) compressed at gzip -6 / xz -6 / zstd -3:
//   BM_LogStreamPlain/Gzip/Xz/Zstd  LogStream::Read over the bytes in memory (decompression only)
//   BM_ScanGzipFile                  ScanAuthLogFile on auth.log.2.gz (read + decompress + parse)
//   BM_ScanPlainFile                 the same log uncompressed, for the ratio
// Counters: bytes_per_second = decompressed MB/s; items_per_second = lines/s.
#include <benchmark/benchmark.h>
#include <lzma.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <fstream>
#include <string>

#include "agent/sources/auth_log.h"
#include "agent/sources/log_stream.h"

namespace rampart::agent {
namespace {

constexpr int kLines = 200000;

const std::string& Text() {
  static const std::string text = [] {
    std::string out;
    for (int i = 0; i < kLines; ++i) {
      const int s = i / 20;
      char line[256];
      const char* user = i % 7 == 0 ? "admin" : i % 5 == 0 ? "oracle" : "root";
      const int n =
          std::snprintf(line, sizeof line,
                        "Dec  %d %02d:%02d:%02d web1 sshd[%d]: Failed password for %s from "
                        "203.0.%d.%d port %d ssh2\n",
                        1 + s / 86400 % 6, s / 3600 % 24, s / 60 % 60, s % 60, 1000 + i % 30000,
                        user, i % 200, i % 251, 10000 + i % 50000);
      out.append(line, static_cast<std::size_t>(n));
      if (i % 10 == 0) {
        out += "Dec  1 00:00:00 web1 CRON[" + std::to_string(i) +
               "]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)\n";
      }
    }
    return out;
  }();
  return text;
}

std::string Gzip(const std::string& data) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string Xz(const std::string& data) {
  std::string out(data.size() + 4096, '\0');
  std::size_t pos = 0;
  lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, nullptr,
                          reinterpret_cast<const std::uint8_t*>(data.data()), data.size(),
                          reinterpret_cast<std::uint8_t*>(out.data()), &pos, out.size());
  out.resize(pos);
  return out;
}

std::string Zstd(const std::string& data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3));
  return out;
}

void RunStream(benchmark::State& state, const std::string& input) {
  std::string buf(1 << 20, '\0');
  std::size_t total = 0;
  for (auto _ : state) {
    auto s = LogStream::FromMemory(input, "bench");
    total = 0;
    for (;;) {
      auto n = s->Read(buf.data(), buf.size());
      if (!n) {
        state.SkipWithError(n.error().ToString().c_str());
        return;
      }
      if (*n == 0) break;
      total += *n;
    }
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(total));
  state.counters["ratio"] = static_cast<double>(total) / static_cast<double>(input.size());
}

void BM_LogStreamPlain(benchmark::State& state) { RunStream(state, Text()); }
void BM_LogStreamGzip(benchmark::State& state) {
  static const std::string gz = Gzip(Text());
  RunStream(state, gz);
}
void BM_LogStreamXz(benchmark::State& state) {
  static const std::string xz = Xz(Text());
  RunStream(state, xz);
}
void BM_LogStreamZstd(benchmark::State& state) {
  static const std::string zst = Zstd(Text());
  RunStream(state, zst);
}
BENCHMARK(BM_LogStreamPlain)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LogStreamGzip)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LogStreamXz)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LogStreamZstd)->Unit(benchmark::kMillisecond);

void RunScan(benchmark::State& state, const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  std::size_t events = 0;
  for (auto _ : state) {
    events = 0;
    AuthLogOptions o;
    o.reference_time = 1796601600;
    const Status s = ScanAuthLogFile(path, o, [&events](LoginEvent&&) { ++events; });
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
  }
  unlink(path.c_str());
  state.SetItemsProcessed(state.iterations() * (kLines + kLines / 10));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(Text().size()));
  state.counters["events"] = static_cast<double>(events);
}

void BM_ScanGzipFile(benchmark::State& state) {
  RunScan(state, "/tmp/rampart_log_stream_bench.log.2.gz", Gzip(Text()));
}
void BM_ScanPlainFile(benchmark::State& state) {
  RunScan(state, "/tmp/rampart_log_stream_bench.log", Text());
}
BENCHMARK(BM_ScanGzipFile)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ScanPlainFile)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rampart::agent
