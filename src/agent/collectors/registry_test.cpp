// Runs every registered collector on every fixture root and on this machine, and validates each row
// against the collector's schema: a collector that is not registered, or that breaks its contract,
// fails here.
#include "agent/collectors/registry.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace rampart::agent {
namespace {

const char* const kRoots[] = {"root-debian", "root-rpm", "root-alpine"};

std::string FixtureRoot(const char* name) {
  return std::string(RAMPART_SOURCE_DIR) + "/tests/testdata/" + name;
}

void ValidateOutput(const Collector& c, const Json& out, const std::string& where) {
  if (c.shape() == Shape::kObject) {
    ASSERT_TRUE(out.is_object()) << where << ": " << c.name() << " must return an object";
    const Status s = ValidateRow(out, c.schema());
    EXPECT_TRUE(s.ok()) << where << ": " << c.name() << ": " << s.message();
    return;
  }
  ASSERT_TRUE(out.is_array()) << where << ": " << c.name() << " must return an array";
  for (std::size_t i = 0; i < out.size(); ++i) {
    const Status s = ValidateRow(out.as_array()[i], c.schema());
    EXPECT_TRUE(s.ok()) << where << ": " << c.name() << " row " << i << ": " << s.message() << "\n"
                        << out.as_array()[i].Dump();
  }
}

TEST(Registry, ListsEveryContractCategoryOnce) {
  const std::set<std::string> want = {
      "host",      "resources",      "accounts",         "ports",
      "processes", "software",       "startup_services", "scheduled_tasks",
      "env_vars",  "kernel_modules", "web_services",     "web_sites"};
  std::set<std::string> got;
  for (const auto& c : AllCollectors()) {
    EXPECT_TRUE(got.insert(std::string(c->name())).second) << "duplicate " << c->name();
    const bool object = c->name() == "host" || c->name() == "resources";
    EXPECT_EQ(c->shape() == Shape::kObject, object) << c->name();
    EXPECT_FALSE(c->schema().empty()) << c->name();
  }
  EXPECT_EQ(got, want);
}

TEST(Registry, EveryCollectorMatchesItsSchemaOnEveryFixtureRoot) {
  FakeClock clock(std::chrono::system_clock::from_time_t(1764400000));
  for (const char* root : kRoots) {
    auto host = HostView::Open(FixtureRoot(root));
    ASSERT_TRUE(host) << host.error().ToString();
    const CollectContext ctx{*host, clock, CollectOptions{}};
    for (const auto& c : AllCollectors()) {
      auto out = c->Collect(ctx);
      ASSERT_TRUE(out) << root << ": " << c->name() << ": " << out.error().ToString();
      ValidateOutput(*c, *out, root);
      // Every fixture root is a whole host: each category has something to say (except that the
      // RPM root runs no web server: its httpd and Tomcat are configured, not started).
      const bool idle = std::string(root) == "root-rpm" && c->name() == "web_services";
      if (c->shape() == Shape::kRows && !idle) {
        EXPECT_GT(out->size(), 0u) << root << ": " << c->name();
      }
    }
  }
}

TEST(Registry, EveryCollectorMatchesItsSchemaOnThisMachine) {
  HostView live;
  CollectOptions options;
  options.sample_interval = std::chrono::milliseconds(0);
  const CollectContext ctx{live, SystemClock::Instance(), options};
  for (const auto& c : AllCollectors()) {
    auto out = c->Collect(ctx);
    ASSERT_TRUE(out) << c->name() << ": " << out.error().ToString();
    ValidateOutput(*c, *out, "live");
  }
}

TEST(Registry, SelectCollectorsParsesListsAndRejectsUnknownNames) {
  auto two = SelectCollectors("ports, host");
  ASSERT_TRUE(two);
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[0]->name(), "ports");
  EXPECT_EQ((*two)[1]->name(), "host");
  auto dup = SelectCollectors("ports,ports");
  ASSERT_TRUE(dup);
  EXPECT_EQ(dup->size(), 1u);
  auto all = SelectCollectors("");
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), AllCollectors().size());
  auto bad = SelectCollectors("host,portz");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), Code::kInvalidArgument);
  EXPECT_NE(bad.error().message().find("portz"), std::string::npos);
  EXPECT_NE(bad.error().message().find("kernel_modules"), std::string::npos);
}

}  // namespace
}  // namespace rampart::agent
