#include "server/api/host_json.h"

#include "server/api/request.h"

namespace rampart::server::api {

Json HostJson(const Host& host) {
  Json risk = Json::MakeObject();
  risk.Set("vulnerabilities", host.risk.vulnerabilities);
  risk.Set("baseline_failures", host.risk.baseline_failures);
  risk.Set("events", host.risk.events);
  risk.Set("malware", host.risk.malware);

  Json out = Json::MakeObject();
  out.Set("id", host.id);
  out.Set("hostname", host.hostname);
  out.Set("ips", Json::StringArray(host.ips));
  out.Set("os_name", host.os_name);
  out.Set("os_version", host.os_version);
  out.Set("machine_type", host.machine_type);
  out.Set("agent_version", host.agent_version);
  out.Set("installed_at", TimeJson(host.installed_at));
  out.Set("last_seen", TimeJson(host.last_seen));
  out.Set("status", HostStatusName(host.status));
  out.Set("plan", host.plan);
  out.Set("risk", std::move(risk));
  return out;
}

}  // namespace rampart::server::api
