#pragma once
// The "kernel_modules" category: one row per loaded module (/proc/modules), joined with its file
// from /lib/modules/<release>/modules.dep, its version/srcversion/taint from /sys/module/<name>/,
// and, read from the .ko itself, its .modinfo strings and the signer of its appended signature.
// Compressed modules
// (.ko.xz, .ko.zst, .ko.gz) are not decompressed: their version comes from /sys/module only and
// their signer is "".

#include <span>
#include <string_view>

#include "agent/collectors/collector.h"

namespace rampart::agent {

class KernelModulesCollector final : public Collector {
 public:
  std::string_view name() const override { return "kernel_modules"; }
  Shape shape() const override { return Shape::kRows; }
  std::span<const Field> schema() const override;
  // An empty array when /proc/modules is missing (a kernel without module support, or a container
  // that hides it); never an error.
  Result<Json> Collect(const CollectContext& ctx) override;
};

}  // namespace rampart::agent
