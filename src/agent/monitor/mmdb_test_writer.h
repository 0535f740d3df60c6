#pragma once
// A minimal MaxMind DB (.mmdb, format 2.0) writer for tests: an IPv4 database (ip_version 4,
// 24-bit records) mapping networks to {"country": {"iso_code": CC}} or {"country_code": CC}, so
// the GeoIP tests build their own tiny database instead of downloading one. Header-only, tests
// only. Format: the search tree (one node per prefix bit, two records each), 16 zero bytes, the
// data section, then "\xAB\xCD\xEFMaxMind.com" and the metadata map.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace rampart::agent::testing {

class MmdbWriter {
 public:
  // `layout_country_code`: {"country_code": CC} (ip-location-db) instead of GeoIP2's layout.
  explicit MmdbWriter(bool layout_country_code = false) : flat_(layout_country_code) {}

  // Maps a.b.c.d/prefix (prefix 1..32) to `country`.
  void Add(std::uint32_t address, int prefix, const std::string& country) {
    const std::uint32_t offset = static_cast<std::uint32_t>(data_.size());
    if (flat_) {
      Control(7, 1);
      String("country_code");
      String(country);
    } else {
      Control(7, 1);
      String("country");
      Control(7, 1);
      String("iso_code");
      String(country);
    }
    if (nodes_.empty()) nodes_.push_back({kEmpty, kEmpty});
    std::size_t node = 0;
    for (int bit = 0; bit < prefix; ++bit) {
      const bool one = ((address >> (31 - bit)) & 1U) != 0;
      std::uint32_t& record = one ? nodes_[node].second : nodes_[node].first;
      if (bit == prefix - 1) {
        record = kData | offset;
        break;
      }
      if (record == kEmpty) {
        nodes_.push_back({kEmpty, kEmpty});
        // `record` may dangle after push_back: index again.
        (one ? nodes_[node].second : nodes_[node].first) =
            static_cast<std::uint32_t>(nodes_.size() - 1);
      }
      node = one ? nodes_[node].second : nodes_[node].first;
    }
  }

  std::string Build() const {
    std::string out;
    const auto node_count = static_cast<std::uint32_t>(nodes_.size());
    auto value = [&](std::uint32_t r) -> std::uint32_t {
      if (r == kEmpty) return node_count;
      if ((r & kData) != 0) return node_count + 16 + (r & ~kData);
      return r;
    };
    for (const auto& [left, right] : nodes_) {
      for (std::uint32_t r : {value(left), value(right)}) {
        out.push_back(static_cast<char>((r >> 16) & 0xff));
        out.push_back(static_cast<char>((r >> 8) & 0xff));
        out.push_back(static_cast<char>(r & 0xff));
      }
    }
    out.append(16, '\0');
    out += data_;
    out += "\xAB\xCD\xEFMaxMind.com";
    MmdbWriter meta;
    meta.Control(7, 9);
    meta.String("node_count");
    meta.Uint(6, node_count);
    meta.String("record_size");
    meta.Uint(5, 24);
    meta.String("ip_version");
    meta.Uint(5, 4);
    meta.String("database_type");
    meta.String("Rampart-Test-Country");
    meta.String("languages");
    meta.Control(11, 0);
    meta.String("binary_format_major_version");
    meta.Uint(5, 2);
    meta.String("binary_format_minor_version");
    meta.Uint(5, 0);
    meta.String("build_epoch");
    meta.Uint(9, 1700000000);
    meta.String("description");
    meta.Control(7, 0);
    out += meta.data_;
    return out;
  }

 private:
  static constexpr std::uint32_t kEmpty = 0xffffffffU;
  static constexpr std::uint32_t kData = 0x80000000U;

  void Control(int type, std::size_t size) {
    if (type <= 7) {
      data_.push_back(static_cast<char>((type << 5) | static_cast<int>(size)));
    } else {
      data_.push_back(static_cast<char>(size));
      data_.push_back(static_cast<char>(type - 7));
    }
  }
  void String(const std::string& s) {
    Control(2, s.size());
    data_ += s;
  }
  void Uint(int type, std::uint64_t v) {
    std::string bytes;
    while (v != 0) {
      bytes.insert(bytes.begin(), static_cast<char>(v & 0xff));
      v >>= 8;
    }
    Control(type, bytes.size());
    data_ += bytes;
  }

  bool flat_;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> nodes_;
  std::string data_;
};

constexpr std::uint32_t Ipv4(int a, int b, int c, int d) {
  return (static_cast<std::uint32_t>(a) << 24) | (static_cast<std::uint32_t>(b) << 16) |
         (static_cast<std::uint32_t>(c) << 8) | static_cast<std::uint32_t>(d);
}

}  // namespace rampart::agent::testing
