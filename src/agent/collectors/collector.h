#pragma once
// The collector plug-in interface: one class per fingerprint category, listed in registry.cpp.
// A collector reads the host only through CollectContext::host (so fixtures and mounted images
// work) and degrades instead of failing: a missing or unreadable file means fewer rows and a debug
// log, not an error.

#include <chrono>
#include <span>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/host_view.h"
#include "common/json.h"
#include "common/status.h"

namespace rampart::agent {

// kObject is a nested object whose members are described by Field::fields (usually nullable).
enum class FieldType { kString, kInt, kDouble, kBool, kStringArray, kObjectArray, kObject };

// One field of a category's schema (the contract documented in docs/inventory.md).
struct Field {
  std::string_view name;
  FieldType type = FieldType::kString;
  bool nullable = false;            // null allowed when the value is unknown on this host
  bool table = false;               // shown as a column in the human-readable table
  std::span<const Field> fields{};  // element schema of a kObjectArray, members of a kObject
};

// host and resources are single objects; every other category is a list of rows.
enum class Shape { kObject, kRows };

struct CollectOptions {
  // Interval between the two samples of rates (CPU %) on a live host; 0 = since boot.
  std::chrono::milliseconds sample_interval{250};
  // Directory for on-disk caches (e.g. executable hashes); empty = in-memory only.
  std::string cache_dir;
};

struct CollectContext {
  const HostView& host;
  Clock& clock;
  CollectOptions options;
};

class Collector {
 public:
  virtual ~Collector() = default;
  // The category name used by --category and as the JSON key.
  virtual std::string_view name() const = 0;
  virtual Shape shape() const = 0;
  virtual std::span<const Field> schema() const = 0;
  // Returns a Json object (Shape::kObject) or array of objects (Shape::kRows), each matching
  // schema(). Errors only when nothing at all can be said about the category.
  virtual Result<Json> Collect(const CollectContext& ctx) = 0;
};

// Checks that `row` is an object holding every schema field with its type (null only where
// nullable), recursing into object arrays and objects. Extra fields are allowed. Error messages
// name the field.
Status ValidateRow(const Json& row, std::span<const Field> schema);

}  // namespace rampart::agent
