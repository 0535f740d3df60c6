#pragma once
// Test helpers: struct utmp / struct lastlog records written byte by byte at glibc's offsets (see
// agent/collectors/login_records.cpp), so tests make real binary fixtures without a real wtmp.

#include <arpa/inet.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "agent/collectors/login_records.h"

namespace rampart::agent::testing {

inline std::string UtmpRecord(std::int16_t type, std::string_view tty, std::string_view user,
                              std::string_view host, std::int32_t sec, std::int32_t usec = 0,
                              std::string_view ip = {}) {
  std::string r(kUtmpRecordSize, '\0');
  std::memcpy(r.data(), &type, 2);
  const std::int32_t pid = 4242;
  std::memcpy(r.data() + 4, &pid, 4);
  std::memcpy(r.data() + 8, tty.data(), std::min<std::size_t>(tty.size(), 32));
  std::memcpy(r.data() + 44, user.data(), std::min<std::size_t>(user.size(), 32));
  std::memcpy(r.data() + 76, host.data(), std::min<std::size_t>(host.size(), 256));
  std::memcpy(r.data() + 340, &sec, 4);
  std::memcpy(r.data() + 344, &usec, 4);
  if (!ip.empty()) {
    const std::string s(ip);
    ::inet_pton(s.find(':') != std::string::npos ? AF_INET6 : AF_INET, s.c_str(), r.data() + 348);
  }
  return r;
}

inline std::string LastlogRecord(std::int32_t sec, std::string_view tty, std::string_view host) {
  std::string r(kLastlogRecordSize, '\0');
  std::memcpy(r.data(), &sec, 4);
  std::memcpy(r.data() + 4, tty.data(), std::min<std::size_t>(tty.size(), 32));
  std::memcpy(r.data() + 36, host.data(), std::min<std::size_t>(host.size(), 256));
  return r;
}

}  // namespace rampart::agent::testing
