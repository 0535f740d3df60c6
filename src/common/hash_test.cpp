#include "common/hash.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

namespace rampart {
namespace {

TEST(Hash, Sha256OfKnownStrings) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Hash, Sha256OfFileMatchesBuffer) {
  char path[] = "/tmp/rampart_hash_XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  std::string data(300000, 'z');
  ASSERT_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
  ::lseek(fd, 0, SEEK_SET);
  auto h = Sha256HexFd(fd);
  ::close(fd);
  ::unlink(path);
  ASSERT_TRUE(h);
  EXPECT_EQ(*h, Sha256Hex(data));
}

}  // namespace
}  // namespace rampart
