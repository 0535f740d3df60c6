// Every collector on a host whose files are damaged or hostile: each fixture file truncated
// mid-line, replaced by binary garbage, or grown to megabytes of garbage. Nothing may crash, hang
// or break its schema.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "agent/collectors/registry.h"

namespace rampart::agent {
namespace {

namespace fs = std::filesystem;

enum class Damage { kTruncate, kGarbage, kHugeGarbage };

class HostileRoot : public ::testing::TestWithParam<Damage> {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("rampart_hostile_" + std::to_string(::getpid()) + "_" +
                                         std::to_string(static_cast<int>(GetParam())));
    fs::remove_all(root_);
    fs::copy(std::string(RAMPART_SOURCE_DIR) + "/tests/testdata/root-debian", root_,
             fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    std::mt19937 rng(1234);
    for (const auto& e : fs::recursive_directory_iterator(root_)) {
      if (!e.is_regular_file() || e.is_symlink()) continue;
      Corrupt(e.path(), rng);
    }
  }
  void TearDown() override { fs::remove_all(root_); }

  void Corrupt(const fs::path& p, std::mt19937& rng) {
    const auto size = fs::file_size(p);
    switch (GetParam()) {
      case Damage::kTruncate:
        fs::resize_file(p, size / 2 + (size % 7));
        break;
      case Damage::kGarbage:
      case Damage::kHugeGarbage: {
        const std::size_t n = GetParam() == Damage::kGarbage ? size : (std::size_t{2} << 20);
        std::string bytes(n, '\0');
        for (auto& b : bytes) {
          // Mostly binary, with newlines, colons and spaces so line/field splitters get exercised.
          const auto r = rng() % 16;
          b = r == 0 ? '\n' : r == 1 ? ':' : r == 2 ? ' ' : static_cast<char>(rng() & 0xFF);
        }
        std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
        break;
      }
    }
  }

  fs::path root_;
};

TEST_P(HostileRoot, EveryCollectorSurvivesAndKeepsItsSchema) {
  auto host = HostView::Open(root_.string());
  ASSERT_TRUE(host);
  FakeClock clock(std::chrono::system_clock::from_time_t(1764400000));
  const CollectContext ctx{*host, clock, CollectOptions{}};
  for (const auto& c : AllCollectors()) {
    auto out = c->Collect(ctx);
    if (!out) continue;  // an error is an acceptable answer to garbage; a crash is not
    if (c->shape() == Shape::kObject) {
      EXPECT_TRUE(ValidateRow(*out, c->schema()).ok()) << c->name();
      continue;
    }
    ASSERT_TRUE(out->is_array()) << c->name();
    for (const auto& row : out->as_array()) {
      const Status s = ValidateRow(row, c->schema());
      EXPECT_TRUE(s.ok()) << c->name() << ": " << s.message();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Damages, HostileRoot,
                         ::testing::Values(Damage::kTruncate, Damage::kGarbage,
                                           Damage::kHugeGarbage));

}  // namespace
}  // namespace rampart::agent
