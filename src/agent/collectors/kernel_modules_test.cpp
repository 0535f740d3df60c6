// The kernel_modules category: /proc/modules, modules.dep, ELF .modinfo and module-signature
// parsers on real-shaped and hostile input, and the collector on the three fixture roots.
#include "agent/collectors/kernel_modules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "agent/collectors/kernel_module_parsers.h"

namespace rampart::agent {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

std::string Root(const char* name) {
  return std::string(RAMPART_SOURCE_DIR) + "/tests/testdata/" + name;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

const std::string kExt4Ko =
    Root("root-debian") + "/lib/modules/6.1.0-18-amd64/kernel/fs/ext4/ext4.ko";
const std::string kVboxKo =
    Root("root-debian") + "/lib/modules/6.1.0-18-amd64/updates/dkms/vboxdrv.ko";

Json CollectModules(const char* root) {
  auto host = HostView::Open(Root(root));
  EXPECT_TRUE(host) << host.error().ToString();
  FakeClock clock(std::chrono::system_clock::from_time_t(1764400000));
  KernelModulesCollector c;
  auto out = c.Collect(CollectContext{*host, clock, {}});
  EXPECT_TRUE(out) << out.error().ToString();
  for (const auto& row : out->as_array()) {
    const Status s = ValidateRow(row, c.schema());
    EXPECT_TRUE(s.ok()) << s.message() << "\n" << row.Dump();
  }
  return *out;
}

const Json& Row(const Json& rows, std::string_view name) {
  for (const auto& r : rows.as_array()) {
    if (r.GetString("name") == name) return r;
  }
  static const Json kNone;
  ADD_FAILURE() << "no row " << name;
  return kNone;
}

std::vector<std::string> Strings(const Json* arr) {
  std::vector<std::string> out;
  if (arr == nullptr || !arr->is_array()) return out;
  for (const auto& e : arr->as_array()) out.push_back(e.as_string());
  return out;
}

TEST(KernelModuleParsers, ProcModulesReadsEveryColumn) {
  const auto m = ParseProcModules(
      "nf_tables 344064 10 nft_chain_nat,nft_compat, Live 0xffffffffc0a1b000\n"
      "nvidia 56807424 2 - Live 0x0000000000000000 (POE)\n"
      "kvm 1142784 - - Unloading 0x0000000000000000\n");
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].name, "nf_tables");
  EXPECT_EQ(m[0].size, 344064);
  EXPECT_EQ(m[0].refcount, 10);
  EXPECT_THAT(m[0].used_by, ElementsAre("nft_chain_nat", "nft_compat"));
  EXPECT_EQ(m[0].state, "Live");
  EXPECT_EQ(m[0].taint, "");
  EXPECT_EQ(m[1].taint, "POE");
  EXPECT_THAT(m[1].used_by, IsEmpty());
  EXPECT_EQ(m[2].refcount, -1);
  EXPECT_EQ(m[2].state, "Unloading");
}

TEST(KernelModuleParsers, ProcModulesSkipsTruncatedHostileAndPathLikeLines) {
  const auto m = ParseProcModules(
      "ext4 1003520 2\nbig 99999999999999999999 1 - Live 0x0\n../../etc 10 1 - Live 0x0\n"
      "x 10 1 - Dancing 0x0\n\xff\xfe garbage\nok 16384 0 - Live 0x0 (O\n");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].name, "ok");
  EXPECT_EQ(m[0].taint, "");
}

TEST(KernelModuleParsers, ModulesDepMapsNormalisedNamesToPathsAndDependencies) {
  EXPECT_EQ(ModuleNameFromPath("kernel/drivers/nvme/host/nvme-core.ko.xz"), "nvme_core");
  EXPECT_EQ(ModuleNameFromPath("ext4.ko"), "ext4");
  const auto deps = ParseModulesDep(
      "kernel/fs/ext4/ext4.ko: kernel/lib/crc16.ko kernel/fs/mbcache.ko kernel/fs/jbd2/jbd2.ko\n"
      "kernel/fs/mbcache.ko:\nnot a dep line\n: orphan\nextra/ext4.ko: other.ko\n");
  ASSERT_EQ(deps.size(), 2u);
  EXPECT_EQ(deps.at("ext4").path, "kernel/fs/ext4/ext4.ko");  // the first line for a name wins
  EXPECT_THAT(deps.at("ext4").depends, ElementsAre("crc16", "mbcache", "jbd2"));
  EXPECT_THAT(deps.at("mbcache").depends, IsEmpty());
}

TEST(KernelModuleParsers, ModinfoComesFromTheElfSection) {
  const auto info = ParseElfModinfo(Slurp(kVboxKo));
  ASSERT_GE(info.size(), 3u);
  EXPECT_THAT(info[0], Pair("version", "7.0.14 r161095 (0x00330004)"));
  EXPECT_THAT(info[1], Pair("license", "GPL"));
  EXPECT_THAT(info[2], Pair("description", "Oracle VM VirtualBox Support Driver"));
}

TEST(KernelModuleParsers, ModinfoOfTruncatedOrCorruptElfIsEmpty) {
  const std::string ko = Slurp(kVboxKo);
  EXPECT_THAT(ParseElfModinfo(ko.substr(0, 100)), IsEmpty());  // section table cut off
  EXPECT_THAT(ParseElfModinfo(ko.substr(0, 40)), IsEmpty());
  std::string bad = ko;
  bad[0x3C] = '\xff';  // e_shnum 0xff.. : table beyond the file
  bad[0x3D] = '\xff';
  EXPECT_THAT(ParseElfModinfo(bad), IsEmpty());
  std::string huge_section = ko;
  // .modinfo's sh_size (section 1 at e_shoff + 64, size at +0x20) set to 2^63.
  const std::size_t shoff =
      static_cast<unsigned char>(ko[0x28]) | (static_cast<unsigned char>(ko[0x29]) << 8);
  huge_section[shoff + 64 + 0x20 + 7] = '\x80';
  EXPECT_THAT(ParseElfModinfo(huge_section), IsEmpty());
  EXPECT_THAT(ParseElfModinfo("not an elf at all, just text"), IsEmpty());
}

TEST(KernelModuleParsers, Pkcs7SignatureNamesTheSignerAndKey) {
  const auto sig = ParseModuleSignature(Slurp(kExt4Ko));
  ASSERT_TRUE(sig);
  EXPECT_EQ(sig->id_type, "PKCS#7");
  EXPECT_EQ(sig->signer, "Debian Secure Boot CA");
  EXPECT_EQ(sig->key_id, "4A:1C:0F:4E:8D:2B:6C:97");
  EXPECT_EQ(sig->hash_algo, "sha256");
  EXPECT_FALSE(ParseModuleSignature(Slurp(kVboxKo)));  // unsigned
}

TEST(KernelModuleParsers, TruncatedOrLyingSignaturesAreSafe) {
  const std::string ko = Slurp(kExt4Ko);
  // Only the trailer was read: the type is known, the signer is not.
  const auto tail_only = ParseModuleSignature(ko.substr(ko.size() - kModuleSigTrailer));
  ASSERT_TRUE(tail_only);
  EXPECT_EQ(tail_only->id_type, "PKCS#7");
  EXPECT_EQ(tail_only->signer, "");
  // sig_len claims 4 GiB.
  std::string lying = ko;
  for (std::size_t i = 0; i < 4; ++i) lying[lying.size() - kModuleSigTrailer + 8 + i] = '\xff';
  ASSERT_TRUE(ParseModuleSignature(lying));
  EXPECT_EQ(ParseModuleSignature(lying)->signer, "");
  // The PKCS#7 blob replaced by garbage of the same length.
  std::string garbage = ko;
  const std::size_t trailer = ko.size() - kModuleSigTrailer;
  const std::size_t sig_len =
      (static_cast<std::size_t>(static_cast<unsigned char>(ko[trailer + 10])) << 8) |
      static_cast<unsigned char>(ko[trailer + 11]);  // low 16 bits of be32 sig_len
  for (std::size_t i = 0; i < sig_len; ++i)
    garbage[garbage.size() - kModuleSigTrailer - 1 - i] = '\x30';
  ASSERT_TRUE(ParseModuleSignature(garbage));
  EXPECT_EQ(ParseModuleSignature(garbage)->signer, "");
}

TEST(KernelModuleParsers, LegacyX509SignatureCarriesSignerNameAndKeyId) {
  std::string tail = "MODULE-BYTES";
  tail += "Magrathea: Glacier signing key";    // signer, 30 bytes
  tail += std::string("\x01\x02\xab\xcd", 4);  // key id
  tail += std::string(16, 's');                // signature
  tail +=
      std::string("\x01\x04\x01\x1e\x04\0\0\0\0\0\0\x10", 12);  // sha256, X.509, lens, sig_len=16
  tail += kModuleSigMagic;
  const auto sig = ParseModuleSignature(tail);
  ASSERT_TRUE(sig);
  EXPECT_EQ(sig->id_type, "X.509");
  EXPECT_EQ(sig->signer, "Magrathea: Glacier signing key");
  EXPECT_EQ(sig->key_id, "01:02:AB:CD");
  EXPECT_EQ(sig->hash_algo, "sha256");
}

TEST(KernelModules, ListsTheDebianFixtureModulesJoinedWithFilesAndSysfs) {
  const Json rows = CollectModules("root-debian");
  ASSERT_EQ(rows.size(), 8u);
  EXPECT_EQ(rows.as_array()[0].GetString("name"), "vboxnetflt");

  const Json& ext4 = Row(rows, "ext4");
  EXPECT_EQ(ext4.GetInt("size"), 1003520);
  EXPECT_EQ(ext4.GetInt("refcount"), 2);
  EXPECT_THAT(Strings(ext4.Find("used_by")), IsEmpty());
  EXPECT_EQ(ext4.GetString("state"), "Live");
  EXPECT_EQ(ext4.GetString("path"), "/lib/modules/6.1.0-18-amd64/kernel/fs/ext4/ext4.ko");
  EXPECT_EQ(ext4.GetString("version"), "");
  EXPECT_EQ(ext4.GetString("srcversion"), "8B1A7C3B33E64D2F4D64F6B");  // from .modinfo
  EXPECT_EQ(ext4.GetString("signer"), "Debian Secure Boot CA");
  EXPECT_EQ(ext4.GetString("sig_key"), "4A:1C:0F:4E:8D:2B:6C:97");
  EXPECT_EQ(ext4.GetString("sig_hashalgo"), "sha256");
  EXPECT_EQ(ext4.GetString("taint"), "");
  EXPECT_THAT(Strings(ext4.Find("depends")), ElementsAre("crc16", "mbcache", "jbd2"));
  EXPECT_EQ(ext4.GetString("license"), "GPL");
  EXPECT_EQ(ext4.GetString("description"), "Fourth Extended Filesystem");

  const Json& vboxdrv = Row(rows, "vboxdrv");
  EXPECT_EQ(vboxdrv.GetInt("refcount"), 1);
  EXPECT_THAT(Strings(vboxdrv.Find("used_by")), ElementsAre("vboxnetflt"));
  EXPECT_EQ(vboxdrv.GetString("path"), "/lib/modules/6.1.0-18-amd64/updates/dkms/vboxdrv.ko");
  EXPECT_EQ(vboxdrv.GetString("version"),
            "7.0.14 r161095 (0x00330004)");  // .modinfo: no sysfs file
  EXPECT_EQ(vboxdrv.GetString("srcversion"), "E1C6A2D49A3B0F5D8C7B6A5");
  EXPECT_EQ(vboxdrv.GetString("signer"), "");
  EXPECT_EQ(vboxdrv.GetString("taint"), "OE");

  const Json& netflt = Row(rows, "vboxnetflt");  // .ko absent: sysfs answers
  EXPECT_EQ(netflt.GetString("version"), "7.0.14 r161095 (0x00330004)");
  EXPECT_EQ(netflt.GetString("taint"), "OE");
  EXPECT_THAT(Strings(netflt.Find("depends")), ElementsAre("vboxdrv"));

  const Json& nf_nat = Row(rows, "nf_nat");
  EXPECT_THAT(Strings(nf_nat.Find("used_by")), ElementsAre("nft_chain_nat"));
  EXPECT_EQ(nf_nat.GetString("path"), "/lib/modules/6.1.0-18-amd64/kernel/net/netfilter/nf_nat.ko");
  EXPECT_EQ(nf_nat.GetString("signer"), "");
}

TEST(KernelModules, ListsTheRockyFixtureWithCompressedModulePaths) {
  const Json rows = CollectModules("root-rpm");
  ASSERT_EQ(rows.size(), 6u);
  const Json& xfs = Row(rows, "xfs");
  EXPECT_EQ(xfs.GetString("path"),
            "/lib/modules/5.14.0-362.8.1.el9_3.aarch64/kernel/fs/xfs/xfs.ko.xz");
  EXPECT_EQ(xfs.GetString("srcversion"), "A1B1C5F9E2D4C0B7A9E3F12");
  EXPECT_EQ(xfs.GetString("signer"), "");  // .ko.xz is not decompressed
  EXPECT_EQ(Row(rows, "nvme_core").GetString("path"),
            "/lib/modules/5.14.0-362.8.1.el9_3.aarch64/kernel/drivers/nvme/host/nvme-core.ko.xz");
  EXPECT_THAT(Strings(Row(rows, "nvme_core").Find("used_by")), ElementsAre("nvme"));
  EXPECT_EQ(Row(rows, "ena").GetString("version"), "2.8.3g");
  EXPECT_EQ(Row(rows, "sunrpc").GetString("state"), "Loading");
}

TEST(KernelModules, ListsTheAlpineFixtureIncludingAnOutOfTreeModule) {
  const Json rows = CollectModules("root-alpine");
  ASSERT_EQ(rows.size(), 5u);
  const Json& rootkit = Row(rows, "hello_rootkit");
  EXPECT_EQ(rootkit.GetInt("refcount"), -1);
  EXPECT_EQ(rootkit.GetString("path"), "");  // insmod'ed from elsewhere: not in modules.dep
  EXPECT_EQ(rootkit.GetString("taint"), "POE");
  EXPECT_EQ(Row(rows, "virtio_net").GetString("path"),
            "/lib/modules/6.6.14-0-virt/kernel/drivers/net/virtio_net.ko.gz");
  EXPECT_THAT(Strings(Row(rows, "net_failover").Find("used_by")), ElementsAre("virtio_net"));
}

TEST(KernelModules, NoProcModulesMeansNoRows) {
  auto host = HostView::Open(Root("root-debian") + "/etc");
  ASSERT_TRUE(host);
  FakeClock clock(std::chrono::system_clock::from_time_t(0));
  auto out = KernelModulesCollector().Collect(CollectContext{*host, clock, {}});
  ASSERT_TRUE(out);
  EXPECT_EQ(out->size(), 0u);
}

}  // namespace
}  // namespace rampart::agent
