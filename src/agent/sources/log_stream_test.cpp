// LogStream: archives recognised by their first bytes (gzip, xz, zstd; bzip2 through its tool),
// and errors that name the file, the byte offset and what was expected there.
#include "agent/sources/log_stream.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <lzma.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "agent/sources/log_stream_test_util.h"

namespace rampart::agent {
namespace {

using testing::GzipBytes;
using ::testing::HasSubstr;

std::string XzBytes(const std::string& data) {
  std::string out(data.size() + 1024, '\0');
  std::size_t pos = 0;
  EXPECT_EQ(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, nullptr,
                                    reinterpret_cast<const std::uint8_t*>(data.data()), data.size(),
                                    reinterpret_cast<std::uint8_t*>(out.data()), &pos, out.size()),
            LZMA_OK);
  out.resize(pos);
  return out;
}

std::string ZstdBytes(const std::string& data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  const std::size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

class LogStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rampart_logstream_XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { (void)std::system(("rm -rf '" + dir_ + "'").c_str()); }
  std::string Write(const std::string& name, const std::string& bytes) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    return path;
  }
  // Everything the stream yields, in reads of `chunk` bytes; the error (if any) in *status.
  static std::string ReadAll(LogStream& s, Status* status, std::size_t chunk = 4096) {
    std::string out;
    std::string buf(chunk, '\0');
    for (;;) {
      auto n = s.Read(buf.data(), buf.size());
      if (!n) {
        *status = n.error();
        return out;
      }
      if (*n == 0) break;
      out.append(buf.data(), *n);
    }
    *status = Status::Ok();
    return out;
  }
  static std::string ReadPath(const std::string& path, Status* status) {
    auto s = LogStream::Open(path);
    if (!s) {
      *status = s.error();
      return "";
    }
    return ReadAll(**s, status);
  }
  std::string dir_;
};

std::string Lines(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    out += "Dec  7 03:0" + std::to_string(i % 10) + ":00 h sshd[" + std::to_string(i) +
           "]: Failed password for root from 192.0.2." + std::to_string(i % 250) +
           " port 22 ssh2\n";
  }
  return out;
}

TEST(Compression, DetectsMagicBytesNotNames) {
  EXPECT_EQ(DetectCompression(GzipBytes("x")), Compression::kGzip);
  EXPECT_EQ(DetectCompression(XzBytes("x")), Compression::kXz);
  EXPECT_EQ(DetectCompression(ZstdBytes("x")), Compression::kZstd);
  EXPECT_EQ(DetectCompression("BZh91AY&SY"), Compression::kBzip2);
  EXPECT_EQ(DetectCompression("BZh9 is a log line"), Compression::kNone);
  EXPECT_EQ(DetectCompression("Nov 29 02:51:27 host sshd[1]: x"), Compression::kNone);
  EXPECT_EQ(DetectCompression(std::string("\x1f\x8b", 2)), Compression::kNone);  // too short
  // gzip magic with a method other than deflate, or reserved flags: not gzip (a lastlog time can
  // start with 1f 8b).
  EXPECT_EQ(DetectCompression(std::string("\x1f\x8b\x07\x00", 4)), Compression::kNone);
  EXPECT_EQ(DetectCompression(std::string("\x1f\x8b\x08\x69", 4)), Compression::kNone);
  EXPECT_EQ(CompressionByName("/var/log/auth.log.2.gz"), Compression::kGzip);
  EXPECT_EQ(CompressionByName("secure-20261201.zst"), Compression::kZstd);
  EXPECT_EQ(CompressionByName("/var/log/auth.log.1"), Compression::kNone);
}

TEST_F(LogStreamTest, GzipXzZstdAndPlainReadTheSameText) {
  const std::string text = Lines(5000);
  for (const auto& [name, bytes] :
       std::vector<std::pair<std::string, std::string>>{{"auth.log.2.gz", GzipBytes(text)},
                                                        {"secure-20261201.xz", XzBytes(text)},
                                                        {"messages.1.zst", ZstdBytes(text)},
                                                        {"auth.log.1", text}}) {
    Status st;
    EXPECT_EQ(ReadPath(Write(name, bytes), &st), text) << name;
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
}

TEST_F(LogStreamTest, AnArchiveWithoutAnArchiveNameIsStillDecompressed) {
  const std::string text = Lines(10);
  auto s = LogStream::Open(Write("auth.log.2", GzipBytes(text)));
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ((*s)->compression(), Compression::kGzip);
  Status st;
  EXPECT_EQ(ReadAll(**s, &st), text);
  EXPECT_TRUE(st.ok());
}

TEST_F(LogStreamTest, ConcatenatedGzipMembersAndZeroPadding) {
  Status st;
  EXPECT_EQ(
      ReadPath(Write("x.gz", GzipBytes("one\n") + GzipBytes("two\n") + std::string(512, '\0')),
               &st),
      "one\ntwo\n");
  EXPECT_TRUE(st.ok()) << st.ToString();
}

TEST_F(LogStreamTest, TruncatedGzipNamesTheFileAndTheByteOffset) {
  const std::string gz = GzipBytes(Lines(2000));
  const std::string cut = gz.substr(0, gz.size() / 2);
  const std::string path = Write("auth.log.2.gz", cut);
  Status st;
  const std::string got = ReadPath(path, &st);
  ASSERT_EQ(st.code(), Code::kDataLoss);
  EXPECT_THAT(st.message(), HasSubstr(path + ": truncated gzip archive: it ends at byte " +
                                      std::to_string(cut.size())));
  EXPECT_THAT(st.message(), HasSubstr("expected more deflate data"));
  EXPECT_FALSE(got.empty());  // what could be decoded came out first
  EXPECT_EQ(Lines(2000).compare(0, got.size(), got), 0);
}

TEST_F(LogStreamTest, CorruptGzipNamesTheByteWhereDecodingStopped) {
  std::string gz = GzipBytes(Lines(50));
  for (std::size_t i = 20; i < 40; ++i) gz[i] = static_cast<char>(0xff);
  const std::string path = Write("btmp.1.gz", gz);
  Status st;
  (void)ReadPath(path, &st);
  ASSERT_EQ(st.code(), Code::kDataLoss);
  EXPECT_THAT(st.message(), HasSubstr(path + ": corrupt gzip archive at byte "));
}

TEST_F(LogStreamTest, TrailingGarbageAfterAMemberIsAnError) {
  const std::string path = Write("x.gz", GzipBytes("one\n") + "garbage");
  Status st;
  EXPECT_EQ(ReadPath(path, &st), "one\n");
  ASSERT_EQ(st.code(), Code::kDataLoss);
  const std::size_t at = GzipBytes("one\n").size();
  EXPECT_THAT(st.message(), HasSubstr("corrupt gzip archive at byte " + std::to_string(at)));
  EXPECT_THAT(st.message(), HasSubstr("expected a gzip member header"));
}

TEST_F(LogStreamTest, AnArchiveNameOverOtherContentIsRefused) {
  Status st;
  const std::string path = Write("bad.gz", "not gzip at all");
  (void)ReadPath(path, &st);
  EXPECT_EQ(st.code(), Code::kDataLoss);
  EXPECT_EQ(st.message(), path +
                              ": not a gzip archive: expected its magic bytes at byte 0, found "
                              "6e 6f 74 20 67 7a");
  (void)ReadPath(Write("empty.xz", ""), &st);
  EXPECT_THAT(st.message(), HasSubstr("not a xz archive: expected its magic bytes at byte 0, the "
                                      "file is empty"));
  // A gzip file named .zst: the name's format is what was promised.
  (void)ReadPath(Write("wrong.zst", GzipBytes("x\n")), &st);
  EXPECT_THAT(st.message(), HasSubstr("not a zstd archive"));
}

TEST_F(LogStreamTest, TruncatedXzAndZstd) {
  const std::string text = Lines(3000);
  const std::string xz = XzBytes(text);
  Status st;
  (void)ReadPath(Write("a.xz", xz.substr(0, xz.size() - 20)), &st);
  EXPECT_EQ(st.code(), Code::kDataLoss);
  EXPECT_THAT(st.message(),
              HasSubstr("truncated xz archive: it ends at byte " + std::to_string(xz.size() - 20)));
  const std::string zst = ZstdBytes(text);
  (void)ReadPath(Write("a.zst", zst.substr(0, zst.size() - 10)), &st);
  EXPECT_EQ(st.code(), Code::kDataLoss);
  EXPECT_THAT(st.message(), HasSubstr("truncated zstd archive: it ends at byte " +
                                      std::to_string(zst.size() - 10)));
}

TEST_F(LogStreamTest, Bzip2ThroughItsTool) {
  if (std::system("command -v bzip2 >/dev/null 2>&1") != 0) GTEST_SKIP() << "no bzip2";
  const std::string text = Lines(100);
  const std::string plain = Write("auth.log.3", text);
  ASSERT_EQ(std::system(("bzip2 -k '" + plain + "'").c_str()), 0);
  Status st;
  EXPECT_EQ(ReadPath(plain + ".bz2", &st), text);
  EXPECT_TRUE(st.ok()) << st.ToString();
  std::ifstream in(plain + ".bz2", std::ios::binary);
  std::stringstream bz;
  bz << in.rdbuf();
  (void)ReadPath(Write("cut.bz2", bz.str().substr(0, bz.str().size() / 2)), &st);
  EXPECT_EQ(st.code(), Code::kDataLoss);
  EXPECT_THAT(st.message(), HasSubstr("corrupt or truncated bzip2 archive"));
}

TEST_F(LogStreamTest, SmallReadsAndMemoryStreams) {
  const std::string text = Lines(300);
  const std::string gz = GzipBytes(text);
  auto s = LogStream::FromMemory(gz, "mem");
  ASSERT_NE(s, nullptr);
  Status st;
  EXPECT_EQ(ReadAll(*s, &st, 7), text);
  EXPECT_TRUE(st.ok());
  EXPECT_EQ(s->input_offset(), gz.size());
  auto plain = LogStream::FromMemory("ab", "mem");  // shorter than the magic
  EXPECT_EQ(ReadAll(*plain, &st, 1), "ab");
}

TEST_F(LogStreamTest, DirectoryAndMissingFile) {
  auto s = LogStream::Open(dir_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Code::kInvalidArgument);
  auto m = LogStream::Open(dir_ + "/missing.gz");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code(), Code::kNotFound);
}

}  // namespace
}  // namespace rampart::agent
