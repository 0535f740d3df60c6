#pragma once
// Request and response helpers shared by the handlers: JSON bodies, pagination parameters,
// body-field readers whose errors name the field, and JSON responses.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/json.h"
#include "common/status.h"
#include "net/http.h"
#include "server/model.h"

namespace rampart::server::api {

inline constexpr std::size_t kMaxJsonBodyBytes = 1 << 20;
inline constexpr int kMaxJsonDepth = 32;
inline constexpr int kDefaultPageLimit = 50;
inline constexpr int kMaxPageLimit = 500;
inline constexpr std::size_t kMaxCursorBytes = 1024;

// True for "application/json" (any case, optional parameters such as "; charset=utf-8") and for
// "application/<anything>+json".
bool IsJsonContentType(std::string_view content_type);

// Parses the request body as one JSON document. An empty body is `{}` when allow_empty, else
// InvalidArgument. Errors: ResourceExhausted over kMaxJsonBodyBytes; InvalidArgument
// "request body: line L, column C: ..." for malformed JSON or nesting over kMaxJsonDepth.
Result<Json> ParseJsonBody(const net::HttpRequest& request, bool allow_empty);

// limit (1..kMaxPageLimit, default kDefaultPageLimit; larger values are clamped to the maximum,
// zero/negative/non-numeric is InvalidArgument) and cursor (opaque, at most kMaxCursorBytes).
Result<PageRequest> PageFromQuery(const net::HttpRequest& request);

// Body-field readers. `body` must be an object (RequireObject); errors name the field.
Status RequireObject(const Json& body, std::string_view what);
// InvalidArgument naming the first member not in `allowed` (and listing the accepted ones).
Status CheckKnownFields(const Json& body, std::initializer_list<std::string_view> allowed);
Result<std::string> RequiredString(const Json& body, std::string_view field);
Result<std::optional<std::string>> OptionalString(const Json& body, std::string_view field);
// An integer in [min, max]; absent or null is nullopt.
Result<std::optional<std::int64_t>> OptionalInt(const Json& body, std::string_view field,
                                                std::int64_t min, std::int64_t max);

// ISO 8601 UTC text, or null for 0 (never / not yet).
Json TimeJson(std::int64_t unix_seconds);
std::int64_t UnixNow(const Clock& clock);

net::HttpResponse JsonResponse(int status, const Json& body);
net::HttpResponse NoContent();

}  // namespace rampart::server::api
