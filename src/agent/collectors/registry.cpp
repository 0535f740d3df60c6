#include "agent/collectors/registry.h"

#include "common/strings.h"

namespace rampart::agent {

std::vector<std::unique_ptr<Collector>> AllCollectors() {
  std::vector<std::unique_ptr<Collector>> all;
  all.push_back(MakeHostCollector());
  all.push_back(MakeResourcesCollector());
  all.push_back(MakeAccountsCollector());
  all.push_back(MakePortsCollector());
  all.push_back(MakeProcessesCollector());
  all.push_back(MakeSoftwareCollector());
  all.push_back(MakeStartupServicesCollector());
  all.push_back(MakeScheduledTasksCollector());
  all.push_back(MakeEnvVarsCollector());
  all.push_back(MakeKernelModulesCollector());
  all.push_back(MakeWebServicesCollector());
  all.push_back(MakeWebSitesCollector());
  return all;
}

Result<std::vector<std::unique_ptr<Collector>>> SelectCollectors(std::string_view csv) {
  auto all = AllCollectors();
  if (TrimView(csv).empty()) return all;
  std::vector<std::unique_ptr<Collector>> picked;
  for (std::string_view want : Split(csv, ',')) {
    want = TrimView(want);
    if (want.empty()) continue;
    bool found = false;
    for (auto& c : all) {
      if (c && c->name() == want) {
        picked.push_back(std::move(c));
        found = true;
        break;
      }
    }
    if (!found) {
      bool duplicate = false;
      for (const auto& p : picked) duplicate = duplicate || p->name() == want;
      if (duplicate) continue;
      std::string valid;
      for (const auto& c : AllCollectors()) {
        if (!valid.empty()) valid += ", ";
        valid += c->name();
      }
      return InvalidArgument("unknown category '" + std::string(want) + "' (valid: " + valid + ")");
    }
  }
  return picked;
}

}  // namespace rampart::agent
