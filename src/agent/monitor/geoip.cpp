#include "agent/monitor/geoip.h"

#include <maxminddb.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace rampart::agent {

struct GeoIp::Db {
  MMDB_s mmdb{};
  bool open = false;
  ~Db() {
    if (open) MMDB_close(&mmdb);
  }
};

GeoIp::GeoIp(std::string path, std::unique_ptr<Db> db)
    : path_(std::move(path)), db_(std::move(db)) {}
GeoIp::~GeoIp() = default;

Result<std::unique_ptr<GeoIp>> GeoIp::Open(const std::string& path) {
  if (access(path.c_str(), R_OK) != 0) return ErrnoStatus(errno, path);
  auto db = std::make_unique<Db>();
  const int rc = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &db->mmdb);
  if (rc != MMDB_SUCCESS) {
    return InvalidArgument(path + ": not a MaxMind database: " + MMDB_strerror(rc));
  }
  db->open = true;
  return std::unique_ptr<GeoIp>(new GeoIp(path, std::move(db)));
}

std::string GeoIp::Country(std::string_view address) const {
  if (address.empty() || address.size() > 64) return {};
  const std::string text(address);
  int gai_error = 0;
  int mmdb_error = MMDB_SUCCESS;
  MMDB_lookup_result_s result =
      MMDB_lookup_string(&db_->mmdb, text.c_str(), &gai_error, &mmdb_error);
  if (gai_error != 0 || mmdb_error != MMDB_SUCCESS || !result.found_entry) return {};
  MMDB_entry_data_s data{};
  int rc = MMDB_get_value(&result.entry, &data, "country", "iso_code", nullptr);
  if (rc != MMDB_SUCCESS || !data.has_data || data.type != MMDB_DATA_TYPE_UTF8_STRING) {
    data = MMDB_entry_data_s{};
    rc = MMDB_get_value(&result.entry, &data, "country_code", nullptr);
  }
  if (rc != MMDB_SUCCESS || !data.has_data || data.type != MMDB_DATA_TYPE_UTF8_STRING ||
      data.data_size == 0 || data.data_size > 8) {
    return {};
  }
  return std::string(data.utf8_string, data.data_size);
}

std::string DefaultGeoIpDatabase() {
  for (const char* path : {
           "/var/lib/rampart/geoip/geo-whois-asn-country.mmdb",
           "/usr/share/rampart/geoip/geo-whois-asn-country.mmdb",
       }) {
    if (access(path, R_OK) == 0) return path;
  }
  return {};
}

}  // namespace rampart::agent
