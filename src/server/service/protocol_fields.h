#pragma once
// Field readers for the agents' batch items (events, malware findings and scans, command
// results, baseline results): each checks one member of a JSON object and names it in the error,
// e.g. "severity: expected one of low|medium|high|critical, got \"urgent\"".

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/json.h"
#include "common/status.h"

namespace rampart::server {

// A short rendering of an offending value for error messages (cut at 48 bytes).
std::string Shown(const Json& value);

// True when `s` holds an ASCII control character (0x00-0x1f, 0x7f).
bool HasControl(std::string_view s);

// An optional string member of at most `max` bytes without control characters; absent or null
// leaves `out` as it is.
Status OptionalText(const Json& object, std::string_view name, std::size_t max, std::string* out);

// An integer member in [min, max]; when absent or null: an error if `required`, else `fallback`.
Result<std::int64_t> IntegerField(const Json& object, std::string_view name, bool required,
                                  std::int64_t min, std::int64_t max, std::int64_t fallback = 0);

// A string member equal to one of the '|'-separated `choices`; when absent or null: an error if
// `fallback` is empty, else `fallback`.
Result<std::string> ChoiceField(const Json& object, std::string_view name, std::string_view choices,
                                std::string_view fallback = {});

}  // namespace rampart::server
