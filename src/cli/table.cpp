#include "cli/table.h"

#include <algorithm>

#include "common/strings.h"

namespace rampart::cli {
namespace {

// Display width: counts UTF-8 code points, not bytes.
std::size_t Width(std::string_view s) {
  std::size_t w = 0;
  for (const char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++w;
  }
  return w;
}

std::string Cut(std::string s, std::size_t max) {
  if (Width(s) <= max) return s;
  std::size_t w = 0;
  std::size_t i = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (w == max - 1) break;
      ++w;
    }
  }
  s.resize(i);
  return s + "\xE2\x80\xA6";
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

}  // namespace

std::string CellText(const Json& v) {
  switch (v.type()) {
    case Json::Type::kNull:
      return "-";
    case Json::Type::kBool:
      return v.as_bool() ? "yes" : "no";
    case Json::Type::kString:
      return Printable(v.as_string());
    case Json::Type::kArray: {
      std::string out;
      for (const auto& e : v.as_array()) {
        if (!out.empty()) out += ",";
        out += e.is_object() ? e.Dump() : CellText(e);
      }
      return out;
    }
    default:
      return v.Dump();
  }
}

std::string RenderObject(const Json& obj) {
  std::string out;
  if (!obj.is_object()) return out;
  std::size_t kw = 0;
  for (const auto& [k, v] : obj.as_object()) kw = std::max(kw, k.size());
  for (const auto& [k, v] : obj.as_object()) {
    out += k;
    out.append(kw - k.size() + 2, ' ');
    if (v.is_array() && !v.as_array().empty() && v.as_array().front().is_object()) {
      out += "\n";
      for (const auto& e : v.as_array()) {
        out += "  - ";
        std::string line;
        for (const auto& [ek, ev] : e.as_object()) {
          if (!line.empty()) line += "  ";
          line += ek + "=" + CellText(ev);
        }
        out += line + "\n";
      }
      continue;
    }
    out += CellText(v) + "\n";
  }
  return out;
}

std::string RenderTable(const Json& rows, std::span<const agent::Field> schema,
                        std::size_t max_cell) {
  std::vector<std::string_view> cols;
  for (const auto& f : schema) {
    if (f.table) cols.push_back(f.name);
  }
  if (cols.empty() || !rows.is_array()) return {};
  std::vector<std::vector<std::string>> cells;
  std::vector<std::size_t> widths;
  widths.reserve(cols.size());
  for (auto c : cols) widths.push_back(c.size());
  for (const auto& row : rows.as_array()) {
    std::vector<std::string> line;
    for (std::size_t i = 0; i < cols.size(); ++i) {
      const Json* v = row.Find(cols[i]);
      std::string text = Cut(v != nullptr ? CellText(*v) : "-", max_cell);
      widths[i] = std::max(widths[i], Width(text));
      line.push_back(std::move(text));
    }
    cells.push_back(std::move(line));
  }
  std::string out;
  auto emit = [&](const std::vector<std::string>& line) {
    std::string text;
    for (std::size_t i = 0; i < line.size(); ++i) {
      text += line[i];
      if (i + 1 < line.size()) text.append(widths[i] - Width(line[i]) + 2, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text + "\n";
  };
  std::vector<std::string> header;
  header.reserve(cols.size());
  for (auto c : cols) header.push_back(Upper(c));
  emit(header);
  for (const auto& line : cells) emit(line);
  return out;
}

}  // namespace rampart::cli
