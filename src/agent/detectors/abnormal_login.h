#pragma once
// Abnormal-login detection: learns, per user, the source networks (/24 for IPv4, /64 for IPv6, a
// host name as logged) and the hours (UTC) of successful remote logins during a learning period
// that starts at the first event seen; afterwards a successful login of an unknown user, from a
// network the user never used, or at an hour further than `hour_tolerance` from every learned hour
// raises an `abnormal_login` alert (level suspicious). Alerts aggregate per (user, network).
// With a country lookup (AbnormalLoginOptions::country_of, e.g. agent/monitor/geoip.h) each user's
// countries are learned too, and a login from a country the user never logged in from raises
// reason "new_country" at level high (the other reasons stay suspicious).
// Event time drives the learning period (no Clock), so replays are deterministic. Not thread-safe.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "agent/detectors/alert.h"
#include "agent/detectors/rules.h"
#include "agent/sources/login_event.h"
#include "common/json.h"

namespace rampart::agent {

// "203.0.113.0/24" for IPv4 (also ::ffff:-mapped), "2001:db8:1:2::/64" for IPv6, the text itself
// for a host name, "" for "".
std::string SourceNetwork(std::string_view source);

struct AbnormalLoginOptions {
  std::size_t max_users = 10000;            // users learned beyond it are not profiled
  std::size_t max_networks_per_user = 256;  // further networks of a user are not learned
  // ISO country code of a source ("" when unknown); empty function: no location checks.
  std::function<std::string(std::string_view source)> country_of;
};

class AbnormalLoginDetector {
 public:
  AbnormalLoginDetector(AbnormalLoginSettings settings, Whitelist whitelist,
                        AbnormalLoginOptions options = {});

  // Learns from a baseline event (a successful remote login) unconditionally. Once a baseline has
  // been learned, Process() runs without its own learning period.
  void Learn(const LoginEvent& event);
  // Seeds a profile from login history (a lastlog entry: each user's last login) without ending
  // the learning period: one login per user is too little to judge by on its own.
  void Seed(const LoginEvent& event);
  // Feeds one event (in time order). During the learning period successes are learned; afterwards
  // they are checked. Appends the indices into alerts() of raised or updated alerts to *changed.
  void Process(const LoginEvent& event, std::vector<std::size_t>* changed = nullptr);

  const std::vector<Alert>& alerts() const { return alerts_; }
  std::size_t tracked_users() const { return profiles_.size(); }
  // The end of the learning period (seconds since the epoch); 0 before the first event.
  std::int64_t learning_ends() const { return learning_ends_; }

  // Persistence across agent restarts (detector_state.cpp): the learning state (whether learning
  // started, its end, a --learn baseline) and every user's learned networks, hours and countries.
  // Alerts are not part of it. ImportLearning replaces this detector's learning state (caps
  // apply); errors: kDataLoss naming the field.
  Json ExportLearning() const;
  Status ImportLearning(const Json& state);

 private:
  struct Profile {
    std::vector<std::string> networks;
    std::uint32_t hours = 0;  // bit h: a login seen at hour h (UTC)
    std::vector<std::string> countries;
  };
  void LearnImpl(const LoginEvent& e);
  bool UsualHour(const Profile& p, int hour) const;

  AbnormalLoginSettings settings_;
  Whitelist whitelist_;
  AbnormalLoginOptions options_;
  bool baseline_ = false;
  bool started_ = false;
  std::int64_t learning_ends_ = 0;
  std::unordered_map<std::string, Profile> profiles_;
  std::unordered_map<std::string, std::size_t> raised_;  // user + '\n' + network -> alert
  std::vector<Alert> alerts_;
};

}  // namespace rampart::agent
