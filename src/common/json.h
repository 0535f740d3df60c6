#pragma once
// Json: a small JSON value (null, bool, int64, double, string, array, object with insertion order
// kept). It is what collectors, detectors and the API exchange; only json.cpp includes a JSON
// library, so this header stays cheap to compile. Not thread-safe for concurrent mutation;
// concurrent const access is fine.

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "common/status.h"

namespace rampart {

class Json {
 public:
  enum class Type { kNull, kBool, kInt, kDouble, kString, kArray, kObject };
  using Array = std::vector<Json>;
  using Member = std::pair<std::string, Json>;
  using Object = std::vector<Member>;

  Json() = default;
  Json(std::nullptr_t) {}  // NOLINT: implicit like a literal
  Json(bool b) : v_(b) {}  // NOLINT
  template <typename I,
            std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>, int> = 0>
  Json(I i) : v_(static_cast<std::int64_t>(i)) {}   // NOLINT
  Json(double d) : v_(d) {}                         // NOLINT
  Json(std::string s) : v_(std::move(s)) {}         // NOLINT
  Json(std::string_view s) : v_(std::string(s)) {}  // NOLINT
  Json(const char* s) : v_(std::string(s)) {}       // NOLINT
  Json(Array a) : v_(std::move(a)) {}               // NOLINT
  Json(Object o) : v_(std::move(o)) {}              // NOLINT

  static Json MakeArray() { return Json(Array{}); }
  static Json MakeObject() { return Json(Object{}); }
  // An array of strings.
  static Json StringArray(const std::vector<std::string>& items);

  Type type() const { return static_cast<Type>(v_.index()); }
  bool is_null() const { return type() == Type::kNull; }
  bool is_bool() const { return type() == Type::kBool; }
  bool is_int() const { return type() == Type::kInt; }
  bool is_double() const { return type() == Type::kDouble; }
  bool is_number() const { return is_int() || is_double(); }
  bool is_string() const { return type() == Type::kString; }
  bool is_array() const { return type() == Type::kArray; }
  bool is_object() const { return type() == Type::kObject; }

  // Accessors. REQUIRES: the matching type (checked with assert).
  bool as_bool() const { return std::get<bool>(v_); }
  std::int64_t as_int() const { return std::get<std::int64_t>(v_); }
  double as_double() const;  // also converts an int
  const std::string& as_string() const { return std::get<std::string>(v_); }
  const Array& as_array() const { return std::get<Array>(v_); }
  Array& as_array() { return std::get<Array>(v_); }
  const Object& as_object() const { return std::get<Object>(v_); }
  Object& as_object() { return std::get<Object>(v_); }

  // Object member access: returns the member, appending a null member if absent (turns null into an
  // object).
  Json& operator[](std::string_view key);
  // Returns the member or nullptr when absent or when this is not an object.
  const Json* Find(std::string_view key) const;
  // Sets or replaces a member. Turns null into an object.
  Json& Set(std::string_view key, Json value);
  // Appends to an array. Turns null into an array.
  void Push(Json value);
  // Number of array elements or object members; 0 otherwise.
  std::size_t size() const;

  // Typed lookups with a fallback for absent or mistyped members.
  std::string GetString(std::string_view key, std::string_view fallback = {}) const;
  std::int64_t GetInt(std::string_view key, std::int64_t fallback = 0) const;

  // Serialises. indent < 0: compact; otherwise pretty with that many spaces. Doubles print with up
  // to 17 significant digits; non-finite doubles print as null; strings are escaped as JSON
  // requires (invalid UTF-8 bytes are replaced with U+FFFD so the output is always valid JSON).
  std::string Dump(int indent = -1) const;

  // Parses one JSON document. Errors are kInvalidArgument with "line L, column C: what was
  // expected". max_depth bounds nesting so hostile input cannot exhaust the stack.
  static Result<Json> Parse(std::string_view text, int max_depth = 128);

  friend bool operator==(const Json& a, const Json& b) { return a.v_ == b.v_; }

 private:
  std::variant<std::monostate, bool, std::int64_t, double, std::string, Array, Object> v_;
};

}  // namespace rampart
