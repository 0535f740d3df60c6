#pragma once
// The explicit list of collectors. A test runs every one of them on the fixture roots and validates
// the rows against their schemas, so a collector missing here fails a test.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/collector.h"

namespace rampart::agent {

std::unique_ptr<Collector> MakeHostCollector();
std::unique_ptr<Collector> MakeResourcesCollector();
std::unique_ptr<Collector> MakeAccountsCollector();
std::unique_ptr<Collector> MakePortsCollector();
std::unique_ptr<Collector> MakeProcessesCollector();
std::unique_ptr<Collector> MakeSoftwareCollector();
std::unique_ptr<Collector> MakeStartupServicesCollector();
std::unique_ptr<Collector> MakeScheduledTasksCollector();
std::unique_ptr<Collector> MakeEnvVarsCollector();
std::unique_ptr<Collector> MakeKernelModulesCollector();
std::unique_ptr<Collector> MakeWebSitesCollector();
std::unique_ptr<Collector> MakeWebServicesCollector();

// Every collector, in the order categories are printed.
std::vector<std::unique_ptr<Collector>> AllCollectors();

// Parses "host,ports" into collectors; empty = all. Error kInvalidArgument names the unknown
// category and lists the valid ones.
Result<std::vector<std::unique_ptr<Collector>>> SelectCollectors(std::string_view csv);

}  // namespace rampart::agent
