import type { Me } from "../api";
import type { Match } from "../router";

export interface PageProps {
  me: Me;
  match: Match;
}

export const CATEGORIES = [
  "host", "resources", "accounts", "ports", "processes", "software", "databases", "web_services",
  "web_sites", "web_apps", "web_frameworks", "jars", "startup_services", "scheduled_tasks", "env_vars",
  "kernel_modules",
] as const;

export function label(category: string): string {
  return category.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
}

/** Columns shown first for a category (the rest follow in row order). */
export const PREFERRED_COLUMNS: Record<string, string[]> = {
  ports: ["proto", "bind_ip", "port", "pid", "process", "user", "exe"],
  processes: ["pid", "ppid", "user", "name", "exe", "cmdline", "state"],
  software: ["name", "version", "source", "arch"],
  accounts: ["name", "uid", "gid", "shell", "home", "sudo", "login_type"],
  web_services: ["server", "pid", "version", "listen", "user", "exe", "config"],
  web_sites: ["server", "names", "listen", "tls", "root", "root_exists", "config"],
};
