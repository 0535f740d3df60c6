#include "server/api/request.h"

#include <chrono>
#include <initializer_list>

#include "common/strings.h"

namespace rampart::server::api {

bool IsJsonContentType(std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  const std::string lower = ToLower(TrimView(media));
  return lower == "application/json" ||
         (StartsWith(lower, "application/") && EndsWith(lower, "+json"));
}

Result<Json> ParseJsonBody(const net::HttpRequest& request, bool allow_empty) {
  if (request.body.size() > kMaxJsonBodyBytes) {
    return ResourceExhausted("request body: " + std::to_string(request.body.size()) +
                             " bytes, the limit is " + std::to_string(kMaxJsonBodyBytes));
  }
  if (TrimView(request.body).empty()) {
    if (allow_empty) return Json::MakeObject();
    return InvalidArgument("request body: expected a JSON object, got an empty body");
  }
  auto parsed = Json::Parse(request.body, kMaxJsonDepth);
  if (!parsed.ok()) return parsed.error().WithContext("request body");
  return parsed;
}

Result<PageRequest> PageFromQuery(const net::HttpRequest& request) {
  PageRequest page;
  page.limit = kDefaultPageLimit;
  if (auto limit = request.Query("limit")) {
    auto value = ParseInt<std::int64_t>(*limit);
    if (!value || *value < 1) {
      return InvalidArgument("query parameter 'limit': expected an integer from 1 to " +
                             std::to_string(kMaxPageLimit) + ", got '" + Printable(*limit) + "'");
    }
    page.limit = static_cast<int>(std::min<std::int64_t>(*value, kMaxPageLimit));
  }
  if (auto cursor = request.Query("cursor")) {
    if (cursor->size() > kMaxCursorBytes) {
      return InvalidArgument("query parameter 'cursor': longer than " +
                             std::to_string(kMaxCursorBytes) + " bytes");
    }
    page.cursor = *cursor;
  }
  return page;
}

Status RequireObject(const Json& body, std::string_view what) {
  if (!body.is_object()) return InvalidArgument(std::string(what) + ": expected a JSON object");
  return Status::Ok();
}

Status CheckKnownFields(const Json& body, std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : body.as_object()) {
    bool known = false;
    for (std::string_view a : allowed) known = known || key == a;
    if (!known) {
      std::vector<std::string> names(allowed.begin(), allowed.end());
      return InvalidArgument("unknown field '" + Printable(key) +
                             "' (accepted: " + Join(names, ", ") + ")");
    }
  }
  return Status::Ok();
}

Result<std::optional<std::string>> OptionalString(const Json& body, std::string_view field) {
  const Json* value = body.Find(field);
  if (value == nullptr || value->is_null()) return std::optional<std::string>();
  if (!value->is_string())
    return InvalidArgument("field '" + std::string(field) + "': expected a string");
  return std::optional<std::string>(value->as_string());
}

Result<std::string> RequiredString(const Json& body, std::string_view field) {
  RAMPART_ASSIGN_OR_RETURN(std::optional<std::string> value, OptionalString(body, field));
  if (!value) return InvalidArgument("field '" + std::string(field) + "': required");
  return std::move(*value);
}

Result<std::optional<std::int64_t>> OptionalInt(const Json& body, std::string_view field,
                                                std::int64_t min, std::int64_t max) {
  const Json* value = body.Find(field);
  if (value == nullptr || value->is_null()) return std::optional<std::int64_t>();
  if (!value->is_int() || value->as_int() < min || value->as_int() > max) {
    return InvalidArgument("field '" + std::string(field) + "': expected an integer from " +
                           std::to_string(min) + " to " + std::to_string(max));
  }
  return std::optional<std::int64_t>(value->as_int());
}

Json TimeJson(std::int64_t unix_seconds) {
  if (unix_seconds == 0) return Json();
  return Json(FormatIso8601(unix_seconds));
}

std::int64_t UnixNow(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::seconds>(clock.Now().time_since_epoch()).count();
}

net::HttpResponse JsonResponse(int status, const Json& body) {
  net::HttpResponse response;
  response.status = status;
  response.body = body.Dump();
  response.headers.Add("cache-control", "no-store");
  return response;
}

net::HttpResponse NoContent() {
  net::HttpResponse response;
  response.status = 204;
  response.content_type.clear();
  response.headers.Add("cache-control", "no-store");
  return response;
}

}  // namespace rampart::server::api
