#include "agent/detectors/abnormal_login.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdlib>

namespace rampart::agent {
namespace {

int HourOf(std::int64_t t) {
  std::int64_t s = t % 86400;
  if (s < 0) s += 86400;
  return static_cast<int>(s / 3600);
}

}  // namespace

std::string SourceNetwork(std::string_view source) {
  const auto addr = ParseIpAddress(source);
  if (!addr) return std::string(source);
  const auto& a = *addr;
  const bool v4 = std::all_of(a.begin(), a.begin() + 10, [](std::uint8_t b) { return b == 0; }) &&
                  a[10] == 0xff && a[11] == 0xff;
  if (v4) {
    return std::to_string(a[12]) + "." + std::to_string(a[13]) + "." + std::to_string(a[14]) +
           ".0/24";
  }
  in6_addr net{};
  std::copy(a.begin(), a.begin() + 8, net.s6_addr);
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(AF_INET6, &net, buf, sizeof buf);
  return std::string(buf) + "/64";
}

AbnormalLoginDetector::AbnormalLoginDetector(AbnormalLoginSettings settings, Whitelist whitelist,
                                             AbnormalLoginOptions options)
    : settings_(settings), whitelist_(std::move(whitelist)), options_(options) {}

void AbnormalLoginDetector::Learn(const LoginEvent& e) {
  if (e.outcome != LoginOutcome::kSuccess || e.source.empty()) return;
  baseline_ = true;
  LearnImpl(e);
}

void AbnormalLoginDetector::Seed(const LoginEvent& e) {
  if (e.outcome != LoginOutcome::kSuccess || e.source.empty()) return;
  LearnImpl(e);
}

void AbnormalLoginDetector::LearnImpl(const LoginEvent& e) {
  auto it = profiles_.find(e.user);
  if (it == profiles_.end()) {
    if (profiles_.size() >= options_.max_users) return;
    it = profiles_.emplace(e.user, Profile{}).first;
  }
  Profile& p = it->second;
  p.hours |= 1u << HourOf(e.time);
  std::string net = SourceNetwork(e.source);
  if (std::find(p.networks.begin(), p.networks.end(), net) == p.networks.end() &&
      p.networks.size() < options_.max_networks_per_user) {
    p.networks.push_back(std::move(net));
  }
  if (options_.country_of) {
    std::string country = options_.country_of(e.source);
    if (!country.empty() &&
        std::find(p.countries.begin(), p.countries.end(), country) == p.countries.end() &&
        p.countries.size() < options_.max_networks_per_user) {
      p.countries.push_back(std::move(country));
    }
  }
}

bool AbnormalLoginDetector::UsualHour(const Profile& p, int hour) const {
  for (int h = 0; h < 24; ++h) {
    if ((p.hours & (1u << h)) == 0) continue;
    const int d = std::abs(h - hour);
    if (std::min(d, 24 - d) <= settings_.hour_tolerance) return true;
  }
  return false;
}

void AbnormalLoginDetector::Process(const LoginEvent& e, std::vector<std::size_t>* changed) {
  if (!settings_.enabled) return;
  if (!started_) {
    started_ = true;
    learning_ends_ = baseline_ ? e.time : e.time + settings_.learning_seconds;
  }
  if (e.outcome != LoginOutcome::kSuccess || e.source.empty()) return;
  if (whitelist_.Suppresses(e, options_.country_of)) return;
  if (!baseline_ && e.time < learning_ends_) {
    LearnImpl(e);
    return;
  }
  const std::string net = SourceNetwork(e.source);
  const std::string country = options_.country_of ? options_.country_of(e.source) : std::string();
  std::string reason;
  auto it = profiles_.find(e.user);
  if (it == profiles_.end()) {
    reason = "new_user";
  } else {
    const Profile& p = it->second;
    if (!country.empty() &&
        std::find(p.countries.begin(), p.countries.end(), country) == p.countries.end()) {
      reason = "new_country";
    }
    if (std::find(p.networks.begin(), p.networks.end(), net) == p.networks.end()) {
      reason += reason.empty() ? "new_network" : ",new_network";
    }
    if (!UsualHour(p, HourOf(e.time))) reason += reason.empty() ? "unusual_hour" : ",unusual_hour";
  }
  if (reason.empty()) return;
  const AlertLevel level =
      reason.find("new_country") != std::string::npos ? AlertLevel::kHigh : AlertLevel::kSuspicious;

  const std::string key = e.user + '\n' + net;
  if (auto r = raised_.find(key); r != raised_.end()) {
    Alert& a = alerts_[r->second];
    ++a.count;
    a.last_seen = std::max(a.last_seen, e.time);
    a.source = e.source;
    a.service = e.service;
    if (AlertLevelRank(level) > AlertLevelRank(a.level)) a.level = level;
    if (!country.empty()) a.country = country;
    for (std::string_view part : {"new_country", "new_network", "unusual_hour"}) {
      if (reason.find(part) != std::string::npos && a.reason.find(part) == std::string::npos) {
        a.reason += a.reason.empty() ? "" : ",";
        a.reason += part;
      }
    }
    if (changed != nullptr) changed->push_back(r->second);
    return;
  }
  Alert a;
  a.type = "abnormal_login";
  a.rule = "abnormal_login";
  a.level = level;
  a.country = country;
  a.service = e.service;
  a.source = e.source;
  a.user = e.user;
  a.AddUser(e.user);
  a.count = 1;
  a.first_seen = e.time;
  a.last_seen = e.time;
  a.reason = std::move(reason);
  a.network = net;
  alerts_.push_back(std::move(a));
  raised_.emplace(key, alerts_.size() - 1);
  if (changed != nullptr) changed->push_back(alerts_.size() - 1);
}

}  // namespace rampart::agent
