// The only file of src/common that includes nlohmann/json; it is used for parsing (with a SAX
// handler so depth is bounded and positions are reported). Serialisation is our own, so insertion
// order is kept.
#include "common/json.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace rampart {

Json Json::StringArray(const std::vector<std::string>& items) {
  Array a;
  a.reserve(items.size());
  for (const auto& s : items) a.emplace_back(s);
  return Json(std::move(a));
}

double Json::as_double() const {
  if (is_int()) return static_cast<double>(as_int());
  return std::get<double>(v_);
}

Json& Json::operator[](std::string_view key) {
  if (is_null()) v_ = Object{};
  auto& obj = std::get<Object>(v_);
  for (auto& m : obj) {
    if (m.first == key) return m.second;
  }
  obj.emplace_back(std::string(key), Json());
  return obj.back().second;
}

const Json* Json::Find(std::string_view key) const {
  if (!is_object()) return nullptr;
  for (const auto& m : std::get<Object>(v_)) {
    if (m.first == key) return &m.second;
  }
  return nullptr;
}

Json& Json::Set(std::string_view key, Json value) {
  Json& slot = (*this)[key];
  slot = std::move(value);
  return slot;
}

void Json::Push(Json value) {
  if (is_null()) v_ = Array{};
  std::get<Array>(v_).push_back(std::move(value));
}

std::size_t Json::size() const {
  if (is_array()) return as_array().size();
  if (is_object()) return as_object().size();
  return 0;
}

std::string Json::GetString(std::string_view key, std::string_view fallback) const {
  const Json* j = Find(key);
  return (j != nullptr && j->is_string()) ? j->as_string() : std::string(fallback);
}

std::int64_t Json::GetInt(std::string_view key, std::int64_t fallback) const {
  const Json* j = Find(key);
  if (j == nullptr) return fallback;
  if (j->is_int()) return j->as_int();
  if (j->is_double()) return static_cast<std::int64_t>(j->as_double());
  return fallback;
}

namespace {

// Length of a valid UTF-8 sequence starting at s[i], or 0 if invalid.
std::size_t Utf8SeqLen(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    cp = c & 0x1Fu;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    cp = c & 0x0Fu;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    cp = c & 0x07u;
  } else
    return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3Fu);
  }
  // Reject overlong forms, surrogates and values past U+10FFFF.
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000)) return 0;
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return 0;
  return n;
}

void DumpString(std::string_view s, std::string& out) {
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        ++i;
        continue;
      case '\\':
        out += "\\\\";
        ++i;
        continue;
      case '\n':
        out += "\\n";
        ++i;
        continue;
      case '\r':
        out += "\\r";
        ++i;
        continue;
      case '\t':
        out += "\\t";
        ++i;
        continue;
      case '\b':
        out += "\\b";
        ++i;
        continue;
      case '\f':
        out += "\\f";
        ++i;
        continue;
      default:
        break;
    }
    if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
      ++i;
      continue;
    }
    const std::size_t n = Utf8SeqLen(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD for a byte that is not valid UTF-8
      ++i;
      continue;
    }
    out.append(s.substr(i, n));
    i += n;
  }
  out += '"';
}

void DumpDouble(double d, std::string& out) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  // Prefer the shortest representation that round-trips.
  for (int prec = 1; prec <= 17; ++prec) {
    char shortbuf[32];
    std::snprintf(shortbuf, sizeof shortbuf, "%.*g", prec, d);
    if (std::strtod(shortbuf, nullptr) == d) {
      out += shortbuf;
      return;
    }
  }
  out += buf;
}

void Newline(std::string& out, int indent, int depth) {
  if (indent < 0) return;
  out += '\n';
  out.append(static_cast<std::size_t>(indent * depth), ' ');
}

void DumpValue(const Json& j, std::string& out, int indent, int depth) {
  switch (j.type()) {
    case Json::Type::kNull:
      out += "null";
      return;
    case Json::Type::kBool:
      out += j.as_bool() ? "true" : "false";
      return;
    case Json::Type::kInt:
      out += std::to_string(j.as_int());
      return;
    case Json::Type::kDouble:
      DumpDouble(j.as_double(), out);
      return;
    case Json::Type::kString:
      DumpString(j.as_string(), out);
      return;
    case Json::Type::kArray: {
      const auto& a = j.as_array();
      if (a.empty()) {
        out += "[]";
        return;
      }
      out += '[';
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (i > 0) out += ',';
        Newline(out, indent, depth + 1);
        DumpValue(a[i], out, indent, depth + 1);
      }
      Newline(out, indent, depth);
      out += ']';
      return;
    }
    case Json::Type::kObject: {
      const auto& o = j.as_object();
      if (o.empty()) {
        out += "{}";
        return;
      }
      out += '{';
      for (std::size_t i = 0; i < o.size(); ++i) {
        if (i > 0) out += ',';
        Newline(out, indent, depth + 1);
        DumpString(o[i].first, out);
        out += indent < 0 ? ":" : ": ";
        DumpValue(o[i].second, out, indent, depth + 1);
      }
      Newline(out, indent, depth);
      out += '}';
      return;
    }
  }
}

// Builds a Json from nlohmann's SAX events, keeping member order and bounding depth.
class Builder : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit Builder(int max_depth) : max_depth_(max_depth) {}

  bool null() override { return Add(Json()); }
  bool boolean(bool v) override { return Add(Json(v)); }
  bool number_integer(number_integer_t v) override { return Add(Json(v)); }
  bool number_unsigned(number_unsigned_t v) override {
    if (v > static_cast<number_unsigned_t>(INT64_MAX)) return Add(Json(static_cast<double>(v)));
    return Add(Json(static_cast<std::int64_t>(v)));
  }
  bool number_float(number_float_t v, const string_t& /*raw*/) override { return Add(Json(v)); }
  bool string(string_t& v) override { return Add(Json(std::move(v))); }
  bool binary(binary_t& /*v*/) override { return false; }
  bool start_object(std::size_t /*n*/) override { return Open(Json::MakeObject()); }
  bool key(string_t& k) override {
    keys_.push_back(std::move(k));
    return true;
  }
  bool end_object() override { return Close(); }
  bool start_array(std::size_t /*n*/) override { return Open(Json::MakeArray()); }
  bool end_array() override { return Close(); }
  bool parse_error(std::size_t pos, const std::string& /*token*/,
                   const nlohmann::detail::exception& ex) override {
    error_pos_ = pos;
    error_ = ex.what();
    return false;
  }

  Json root;
  std::size_t error_pos_ = 0;
  std::string error_;
  bool too_deep_ = false;

 private:
  bool Add(Json v) {
    if (stack_.empty()) {
      root = std::move(v);
      return true;
    }
    Json& top = *stack_.back();
    if (top.is_array()) {
      top.Push(std::move(v));
    } else {
      top.as_object().emplace_back(std::move(keys_.back()), std::move(v));
      keys_.pop_back();
    }
    return true;
  }
  bool Open(Json container) {
    if (static_cast<int>(stack_.size()) >= max_depth_) {
      too_deep_ = true;
      return false;
    }
    if (stack_.empty()) {
      root = std::move(container);
      stack_.push_back(&root);
      return true;
    }
    Json& top = *stack_.back();
    Json* child = nullptr;
    if (top.is_array()) {
      top.Push(std::move(container));
      child = &top.as_array().back();
    } else {
      top.as_object().emplace_back(std::move(keys_.back()), std::move(container));
      keys_.pop_back();
      child = &top.as_object().back().second;
    }
    stack_.push_back(child);
    return true;
  }
  bool Close() {
    stack_.pop_back();
    return true;
  }

  int max_depth_;
  std::vector<Json*>
      stack_;  // pointers stay valid: a container only grows while it is the innermost one
  std::vector<std::string> keys_;
};

// 1-based line and column of byte offset pos in text.
std::pair<std::size_t, std::size_t> LineCol(std::string_view text, std::size_t pos) {
  std::size_t line = 1;
  std::size_t col = 1;
  for (std::size_t i = 0; i < pos && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

}  // namespace

std::string Json::Dump(int indent) const {
  std::string out;
  DumpValue(*this, out, indent, 0);
  return out;
}

Result<Json> Json::Parse(std::string_view text, int max_depth) {
  Builder b(max_depth);
  const bool ok = nlohmann::json::sax_parse(text.begin(), text.end(), &b,
                                            nlohmann::json::input_format_t::json, true);
  if (ok) return std::move(b.root);
  if (b.too_deep_) {
    return InvalidArgument("JSON nested deeper than " + std::to_string(max_depth) + " levels");
  }
  // nlohmann reports the byte position just past the offending token.
  const std::size_t pos = b.error_pos_ > 0 ? b.error_pos_ - 1 : 0;
  auto [line, col] = LineCol(text, pos);
  std::string what = b.error_;
  // Drop nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 2: " prefix.
  if (auto p = what.find(": "); p != std::string::npos && what.rfind("[json.exception", 0) == 0) {
    what = what.substr(p + 2);
  }
  return InvalidArgument("line " + std::to_string(line) + ", column " + std::to_string(col) + ": " +
                         what);
}

}  // namespace rampart
