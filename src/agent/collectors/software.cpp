#include "agent/collectors/software.h"

#include <algorithm>
#include <tuple>

#include "agent/collectors/registry.h"
#include "agent/collectors/software_apk.h"
#include "agent/collectors/software_dpkg.h"
#include "agent/collectors/software_lang.h"
#include "agent/collectors/software_rpm.h"
#include "common/clock.h"

namespace rampart::agent {
namespace {

constexpr Field kSchema[] = {
    {.name = "type", .type = FieldType::kString, .table = true},
    {.name = "name", .type = FieldType::kString, .table = true},
    {.name = "version", .type = FieldType::kString, .table = true},
    {.name = "source_name", .type = FieldType::kString},
    {.name = "source_version", .type = FieldType::kString},
    {.name = "arch", .type = FieldType::kString, .table = true},
    {.name = "install_time", .type = FieldType::kString, .nullable = true},
    {.name = "path", .type = FieldType::kString},
    {.name = "epoch", .type = FieldType::kInt, .nullable = true},
    {.name = "size", .type = FieldType::kInt, .nullable = true},
};

Json OptionalInt(const std::optional<std::int64_t>& v) { return v ? Json(*v) : Json(nullptr); }

void SetIfNotEmpty(Json& row, std::string_view key, const std::string& value) {
  if (!value.empty()) row[key] = value;
}

class SoftwareCollector final : public Collector {
 public:
  std::string_view name() const override { return "software"; }
  Shape shape() const override { return Shape::kRows; }
  std::span<const Field> schema() const override { return SoftwareSchema(); }

  Result<Json> Collect(const CollectContext& ctx) override {
    Json rows = Json::MakeArray();
    using Reader = std::vector<SoftwarePackage> (*)(const HostView&);
    const Reader readers[] = {
        [](const HostView& h) { return ReadDpkgPackages(h); },
        &ReadRpmPackages,
        &ReadApkPackages,
        &ReadPythonPackages,
        &ReadNpmPackages,
    };
    for (Reader read : readers) {
      std::vector<SoftwarePackage> pkgs = read(ctx.host);
      SortSoftwarePackages(pkgs);
      for (const SoftwarePackage& p : pkgs) rows.Push(SoftwareRow(p));
    }
    return rows;
  }
};

}  // namespace

std::span<const Field> SoftwareSchema() { return kSchema; }

Json SoftwareRow(const SoftwarePackage& pkg) {
  Json row = Json::MakeObject();
  row["type"] = pkg.type;
  row["name"] = pkg.name;
  row["version"] = pkg.version;
  row["source_name"] = pkg.source_name;
  row["source_version"] = pkg.source_version;
  row["arch"] = pkg.arch;
  row["install_time"] = pkg.install_time ? Json(FormatIso8601(*pkg.install_time)) : Json(nullptr);
  row["path"] = pkg.path;
  row["epoch"] = OptionalInt(pkg.epoch);
  row["size"] = OptionalInt(pkg.size);
  if (pkg.build_time) row["build_time"] = FormatIso8601(*pkg.build_time);
  SetIfNotEmpty(row, "status", pkg.status);
  SetIfNotEmpty(row, "maintainer", pkg.maintainer);
  SetIfNotEmpty(row, "vendor", pkg.vendor);
  SetIfNotEmpty(row, "license", pkg.license);
  SetIfNotEmpty(row, "normalized_name", pkg.normalized_name);
  return row;
}

void SortSoftwarePackages(std::vector<SoftwarePackage>& pkgs) {
  std::sort(pkgs.begin(), pkgs.end(), [](const SoftwarePackage& a, const SoftwarePackage& b) {
    return std::tie(a.name, a.arch, a.version, a.path) <
           std::tie(b.name, b.arch, b.version, b.path);
  });
}

std::unique_ptr<Collector> MakeSoftwareCollector() { return std::make_unique<SoftwareCollector>(); }

}  // namespace rampart::agent
