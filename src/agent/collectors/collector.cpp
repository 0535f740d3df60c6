#include "agent/collectors/collector.h"

namespace rampart::agent {
namespace {

bool TypeMatches(const Json& v, FieldType t) {
  switch (t) {
    case FieldType::kString:
      return v.is_string();
    case FieldType::kInt:
      return v.is_int();
    case FieldType::kDouble:
      return v.is_number();
    case FieldType::kBool:
      return v.is_bool();
    case FieldType::kStringArray:
      if (!v.is_array()) return false;
      for (const auto& e : v.as_array()) {
        if (!e.is_string()) return false;
      }
      return true;
    case FieldType::kObjectArray:
      if (!v.is_array()) return false;
      for (const auto& e : v.as_array()) {
        if (!e.is_object()) return false;
      }
      return true;
    case FieldType::kObject:
      return v.is_object();
  }
  return false;
}

std::string_view TypeName(FieldType t) {
  switch (t) {
    case FieldType::kString:
      return "string";
    case FieldType::kInt:
      return "integer";
    case FieldType::kDouble:
      return "number";
    case FieldType::kBool:
      return "boolean";
    case FieldType::kStringArray:
      return "array of strings";
    case FieldType::kObjectArray:
      return "array of objects";
    case FieldType::kObject:
      return "object";
  }
  return "?";
}

}  // namespace

Status ValidateRow(const Json& row, std::span<const Field> schema) {
  if (!row.is_object()) return InvalidArgument("row is not an object");
  for (const Field& f : schema) {
    const Json* v = row.Find(f.name);
    if (v == nullptr) return InvalidArgument("missing field '" + std::string(f.name) + "'");
    if (v->is_null()) {
      if (f.nullable) continue;
      return InvalidArgument("field '" + std::string(f.name) + "' is null");
    }
    if (!TypeMatches(*v, f.type)) {
      return InvalidArgument("field '" + std::string(f.name) + "' is not a " +
                             std::string(TypeName(f.type)) + ": " + v->Dump());
    }
    if (f.type == FieldType::kObjectArray) {
      for (const auto& e : v->as_array()) {
        RAMPART_RETURN_IF_ERROR(ValidateRow(e, f.fields).WithContext(std::string(f.name)));
      }
    }
    if (f.type == FieldType::kObject) {
      RAMPART_RETURN_IF_ERROR(ValidateRow(*v, f.fields).WithContext(std::string(f.name)));
    }
  }
  return Status::Ok();
}

}  // namespace rampart::agent
