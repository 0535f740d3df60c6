#pragma once
// GeoIp: the country of an IP address from a MaxMind-format database (.mmdb, libmaxminddb), for
// abnormal-login detection. Reads "country.iso_code" (GeoLite2/GeoIP2 Country and City layout)
// and falls back to "country_code" (the layout of the CC0 ip-location-db country databases that
// `make run` installs). Only geoip.cpp includes maxminddb.h. Lookups are thread-safe.

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace rampart::agent {

class GeoIp {
 public:
  // Opens the database (memory-mapped). Errors: kNotFound, or kInvalidArgument naming the file
  // and libmaxminddb's reason for a file that is not a valid database.
  static Result<std::unique_ptr<GeoIp>> Open(const std::string& path);
  ~GeoIp();
  GeoIp(const GeoIp&) = delete;
  GeoIp& operator=(const GeoIp&) = delete;

  // The two-letter country code of `address` (IPv4, IPv6), "" when the address does not parse,
  // is not in the database or has no country. Host names are not resolved.
  std::string Country(std::string_view address) const;
  const std::string& path() const { return path_; }

 private:
  struct Db;
  GeoIp(std::string path, std::unique_ptr<Db> db);
  std::string path_;
  std::unique_ptr<Db> db_;
};

// The database the agent uses when --geoip-db is not given: the first of these that exists.
// "" when none does.
std::string DefaultGeoIpDatabase();

}  // namespace rampart::agent
