#include "agent/transport/identity.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "agent/transport/durable_file.h"
#include "agent/transport/test_util.h"

namespace rampart::agent {
namespace {

using testing::DirNames;
using testing::FileMode;
using testing::MakeTempDir;
using testing::ReadAll;
using testing::WriteAll;

Identity Sample() {
  return Identity{"https://rampart.example:8443", "h_0123", "tn_42", "s3cret", std::string(64, 'a'),
                  "2026-11-29T05:00:00Z"};
}

TEST(Identity, IsSavedWithMode0600InA0700DataDirAndLoadsBack) {
  const std::string dir = MakeTempDir() + "/var/lib/rampart/agent";
  ASSERT_TRUE(SaveIdentity(dir, Sample()).ok());
  EXPECT_EQ(FileMode(dir), 0700u);
  EXPECT_EQ(FileMode(dir + "/identity.json"), 0600u);
  auto loaded = LoadIdentity(dir);
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  EXPECT_EQ(loaded->server_url, "https://rampart.example:8443");
  EXPECT_EQ(loaded->host_id, "h_0123");
  EXPECT_EQ(loaded->tenant_id, "tn_42");
  EXPECT_EQ(loaded->secret, "s3cret");
  EXPECT_EQ(loaded->cert_sha256, std::string(64, 'a'));
  EXPECT_EQ(loaded->enrolled_at, "2026-11-29T05:00:00Z");
}

TEST(Identity, RefusesAGroupOrWorldReadableFile) {
  const std::string dir = MakeTempDir();
  ASSERT_TRUE(SaveIdentity(dir, Sample()).ok());
  ASSERT_EQ(::chmod((dir + "/identity.json").c_str(), 0644), 0);
  auto loaded = LoadIdentity(dir);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code(), Code::kPermissionDenied);
  EXPECT_NE(loaded.error().message().find("mode 0644"), std::string::npos);
  EXPECT_NE(loaded.error().message().find("chmod 600"), std::string::npos);
  ASSERT_EQ(::chmod((dir + "/identity.json").c_str(), 0640), 0);
  EXPECT_EQ(LoadIdentity(dir).error().code(), Code::kPermissionDenied);
}

TEST(Identity, RewritingKeepsMode0600AndLeavesNoTemporaryFile) {
  const std::string dir = MakeTempDir();
  ASSERT_TRUE(SaveIdentity(dir, Sample()).ok());
  // A stale temporary file from a crash, world-readable: must neither survive nor leak its mode.
  WriteAll(dir + "/identity.json.tmp", "junk");
  ASSERT_EQ(::chmod((dir + "/identity.json.tmp").c_str(), 0666), 0);
  Identity next = Sample();
  next.secret = "rotated";
  ASSERT_TRUE(SaveIdentity(dir, next).ok());
  EXPECT_EQ(DirNames(dir), (std::vector<std::string>{"identity.json"}));
  EXPECT_EQ(FileMode(dir + "/identity.json"), 0600u);
  EXPECT_EQ(LoadIdentity(dir)->secret, "rotated");
}

TEST(Identity, MissingFileMeansNotEnrolled) {
  EXPECT_EQ(LoadIdentity(MakeTempDir()).error().code(), Code::kNotFound);
}

TEST(Identity, CorruptOrIncompleteFileIsDataLossNamingTheField) {
  const std::string dir = MakeTempDir();
  ASSERT_TRUE(WriteFileDurable(dir + "/identity.json", "{\"host_id\": 1}", 0600).ok());
  auto loaded = LoadIdentity(dir);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code(), Code::kDataLoss);
  EXPECT_NE(loaded.error().message().find("server_url"), std::string::npos);
  ASSERT_TRUE(WriteFileDurable(dir + "/identity.json", "{not json", 0600).ok());
  EXPECT_EQ(LoadIdentity(dir).error().code(), Code::kDataLoss);
}

TEST(Identity, DeleteRemovesTheFileAndIsIdempotent) {
  const std::string dir = MakeTempDir();
  ASSERT_TRUE(SaveIdentity(dir, Sample()).ok());
  ASSERT_TRUE(DeleteIdentity(dir).ok());
  EXPECT_EQ(LoadIdentity(dir).error().code(), Code::kNotFound);
  EXPECT_TRUE(DeleteIdentity(dir).ok());
}

TEST(MachineId, PrefersEtcMachineIdThenDbusThenDmi) {
  const std::string root = MakeTempDir();
  const std::string data = MakeTempDir();
  ASSERT_EQ(::mkdir((root + "/etc").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir((root + "/var").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir((root + "/var/lib").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir((root + "/var/lib/dbus").c_str(), 0755), 0);
  WriteAll(root + "/var/lib/dbus/machine-id", "dbus-id\n");
  EXPECT_EQ(*MachineId(data, root), "dbus-id");
  WriteAll(root + "/etc/machine-id", "0f1e2d3c4b5a69788796a5b4c3d2e1f0\n");
  EXPECT_EQ(*MachineId(data, root), "0f1e2d3c4b5a69788796a5b4c3d2e1f0");
}

TEST(MachineId, FallsBackToARandomIdPersistedInTheDataDir) {
  const std::string root = MakeTempDir();  // no machine-id files at all
  const std::string data = MakeTempDir();
  auto first = MachineId(data, root);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->rfind("m_", 0), 0u);
  EXPECT_EQ(FileMode(data + "/machine-id"), 0600u);
  EXPECT_EQ(*MachineId(data, root), *first);
}

TEST(DurableFile, WritesWithTheRequestedModeAndNoTemporaryLeftOver) {
  const std::string dir = MakeTempDir();
  ASSERT_TRUE(WriteFileDurable(dir + "/f", "hello", 0640).ok());
  EXPECT_EQ(ReadAll(dir + "/f"), "hello");
  EXPECT_EQ(FileMode(dir + "/f"), 0640u);
  EXPECT_EQ(DirNames(dir), (std::vector<std::string>{"f"}));
  EXPECT_EQ(WriteFileDurable(dir + "/missing/f", "x").code(), Code::kNotFound);
  EXPECT_EQ(ParentDirectory("/a/b/c"), "/a/b");
  EXPECT_EQ(ParentDirectory("c"), ".");
  EXPECT_EQ(ParentDirectory("/c"), "/");
}

}  // namespace
}  // namespace rampart::agent
