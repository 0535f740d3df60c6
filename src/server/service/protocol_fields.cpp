#include "server/service/protocol_fields.h"

#include "common/strings.h"

namespace rampart::server {

std::string Shown(const Json& value) {
  std::string text = value.Dump();
  if (text.size() > 48) text = text.substr(0, 45) + "...";
  return text;
}

bool HasControl(std::string_view s) {
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

Status OptionalText(const Json& object, std::string_view name, std::size_t max, std::string* out) {
  const Json* value = object.Find(name);
  if (value == nullptr || value->is_null()) return Status::Ok();
  if (!value->is_string() || value->as_string().size() > max || HasControl(value->as_string())) {
    return InvalidArgument(std::string(name) + ": expected a string of at most " +
                           std::to_string(max) + " bytes without control characters, got " +
                           Shown(*value));
  }
  *out = value->as_string();
  return Status::Ok();
}

Result<std::int64_t> IntegerField(const Json& object, std::string_view name, bool required,
                                  std::int64_t min, std::int64_t max, std::int64_t fallback) {
  const Json* value = object.Find(name);
  if (value == nullptr || value->is_null()) {
    if (required) return InvalidArgument(std::string(name) + ": required");
    return fallback;
  }
  if (!value->is_int() || value->as_int() < min || value->as_int() > max) {
    return InvalidArgument(std::string(name) + ": expected an integer from " + std::to_string(min) +
                           " to " + std::to_string(max) + ", got " + Shown(*value));
  }
  return value->as_int();
}

Result<std::string> ChoiceField(const Json& object, std::string_view name, std::string_view choices,
                                std::string_view fallback) {
  const Json* value = object.Find(name);
  if (value == nullptr || value->is_null()) {
    if (fallback.empty()) return InvalidArgument(std::string(name) + ": required");
    return std::string(fallback);
  }
  if (value->is_string()) {
    for (std::string_view choice : Split(choices, '|')) {
      if (choice == value->as_string()) return value->as_string();
    }
  }
  return InvalidArgument(std::string(name) + ": expected one of " + std::string(choices) +
                         ", got " + Shown(*value));
}

}  // namespace rampart::server
