#pragma once
// The "resources" category: one object with the host's current load: CPU busy %, load averages,
// memory and swap use, per-mount disk use and per-NIC traffic counters. Files are read through the
// HostView; statvfs() of mount points and the two-sample CPU measurement happen only on a live
// host.

#include <span>
#include <string_view>

#include "agent/collectors/collector.h"

namespace rampart::agent {

class ResourcesCollector final : public Collector {
 public:
  std::string_view name() const override { return "resources"; }
  Shape shape() const override { return Shape::kObject; }
  std::span<const Field> schema() const override;
  // cpu_percent: on a live host with options.sample_interval > 0, the busy share of CPU time
  // between two /proc/stat samples taken sample_interval apart (ctx.clock.SleepFor); otherwise
  // since boot from one sample. On a non-live root, disks list the storage mounts of its
  // /proc/mounts with size_bytes and used_bytes 0 (no statvfs of another machine's mounts). Never
  // fails; unknown numbers are 0 or null.
  Result<Json> Collect(const CollectContext& ctx) override;
};

}  // namespace rampart::agent
