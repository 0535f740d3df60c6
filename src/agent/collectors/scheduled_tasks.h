#pragma once
// scheduled_tasks: what the host runs on a schedule. One row per
//  - cron entry: /etc/crontab and /etc/cron.d/* (with a user field); user crontabs in
//    /var/spool/cron/crontabs/<user> (Debian), /var/spool/cron/<user> (RPM),
//    /var/spool/cron/tabs/<user> (SUSE), /etc/crontabs/<user> (busybox/Alpine); /etc/anacrontab
//    jobs;
//  - run-parts script in /etc/cron.{hourly,daily,weekly,monthly} and Alpine's /etc/periodic/*;
//  - systemd .timer unit (with the service it activates);
//  - at job in /var/spool/cron/atjobs (Debian) or /var/spool/at (RPM).
// Field contract: docs/inventory.d/scheduled_tasks.md.

#include <span>

#include "agent/collectors/collector.h"
#include "common/host_view.h"
#include "common/json.h"

namespace rampart::agent {

std::span<const Field> ScheduledTasksSchema();

// The rows for `host` (never fails: unreadable sources are skipped with a debug log).
Json CollectScheduledTasks(const HostView& host);

}  // namespace rampart::agent
