#include "cli/table.h"

#include <gtest/gtest.h>

namespace rampart::cli {
namespace {

constexpr agent::Field kSchema[] = {
    {.name = "name", .type = agent::FieldType::kString, .table = true},
    {.name = "secret", .type = agent::FieldType::kString},
    {.name = "port", .type = agent::FieldType::kInt, .table = true},
};

TEST(Table, RendersOnlyTableColumnsAligned) {
  Json rows = Json::MakeArray();
  Json a;
  a["name"] = "sshd";
  a["secret"] = "x";
  a["port"] = 22;
  Json b;
  b["name"] = "redis-server";
  b["secret"] = "y";
  b["port"] = 6379;
  rows.Push(a);
  rows.Push(b);
  EXPECT_EQ(RenderTable(rows, kSchema),
            "NAME          PORT\n"
            "sshd          22\n"
            "redis-server  6379\n");
}

TEST(Table, CutsLongCellsAndReplacesControlCharacters) {
  Json rows = Json::MakeArray();
  Json a;
  a["name"] = std::string("evil\x1b[2Jname-that-is-long");
  a["port"] = nullptr;
  rows.Push(a);
  const std::string out = RenderTable(rows, kSchema, 10);
  EXPECT_EQ(out.find('\x1b'), std::string::npos);
  EXPECT_NE(out.find("evil?[2Jn\xE2\x80\xA6"), std::string::npos) << out;
  EXPECT_NE(out.find("  -"), std::string::npos);
}

TEST(Table, RendersObjectsAsKeyValueLines) {
  Json o;
  o["hostname"] = "web01";
  o["ips"] = Json::StringArray({"10.0.0.5", "fe80::1"});
  EXPECT_EQ(RenderObject(o), "hostname  web01\nips       10.0.0.5,fe80::1\n");
}

}  // namespace
}  // namespace rampart::cli
