// The console's pages. To add one (e.g. events, vulnerabilities, baselines): write
// pages/Events.tsx exporting a component taking PageProps, then add a line here. `nav` puts it in
// the navigation bar; `role` hides it (and its link) from users below that role.
import type { FunctionComponent } from "preact";
import type { Role } from "../api";
import type { RouteDef } from "../router";
import { Agents } from "./Agents";
import { BaselineCheckPage, BaselineIgnores, BaselinePolicyPage, Baselines } from "./Baselines";
import type { PageProps } from "./common";
import { Dashboard } from "./Dashboard";
import { Blocks, EventDetail, Events } from "./Events";
import { Fingerprints } from "./Fingerprints";
import { HostDetail } from "./HostDetail";
import { Malware, TrustedFiles } from "./Malware";
import { Hosts } from "./Hosts";
import { Settings } from "./Settings";
import { Users } from "./Users";
import { VulnRules } from "./VulnRules";
import { Vulnerabilities, VulnerabilityPage } from "./Vulnerabilities";

export interface ConsolePage {
  component: FunctionComponent<PageProps>;
  role: Role; // the least role that may open the page (the API's own role for its routes)
  title: string;
}

export const ROUTES: RouteDef<ConsolePage>[] = [
  { pattern: "/", nav: "Dashboard", page: { component: Dashboard, role: "viewer", title: "Dashboard" } },
  { pattern: "/hosts", nav: "Hosts", page: { component: Hosts, role: "viewer", title: "Hosts" } },
  { pattern: "/hosts/:id", page: { component: HostDetail, role: "viewer", title: "Host" } },
  { pattern: "/fingerprints", nav: "Fingerprints", page: { component: Fingerprints, role: "viewer", title: "Fingerprints" } },
  { pattern: "/fingerprints/:category", page: { component: Fingerprints, role: "viewer", title: "Fingerprints" } },
  { pattern: "/events", nav: "Events", page: { component: Events, role: "viewer", title: "Intrusion events" } },
  { pattern: "/events/:id", page: { component: EventDetail, role: "viewer", title: "Event" } },
  { pattern: "/blocks", page: { component: Blocks, role: "viewer", title: "Blocked sources" } },
  { pattern: "/vulnerabilities", nav: "Vulnerabilities", page: { component: Vulnerabilities, role: "viewer", title: "Vulnerabilities" } },
  { pattern: "/vulnerabilities/:id", page: { component: VulnerabilityPage, role: "viewer", title: "Vulnerability" } },
  { pattern: "/vulnerability-rules", page: { component: VulnRules, role: "viewer", title: "Ignore rules and emergencies" } },
  { pattern: "/baselines", nav: "Baselines", page: { component: Baselines, role: "viewer", title: "Security baselines" } },
  { pattern: "/baselines/:id", page: { component: BaselinePolicyPage, role: "viewer", title: "Baseline policy" } },
  { pattern: "/baselines/:id/checks/:check", page: { component: BaselineCheckPage, role: "viewer", title: "Baseline check" } },
  { pattern: "/baseline-ignores", page: { component: BaselineIgnores, role: "viewer", title: "Baseline ignores" } },
  { pattern: "/settings", nav: "Settings", page: { component: Settings, role: "viewer", title: "Settings" } },
  { pattern: "/users", nav: "Users & tokens", page: { component: Users, role: "admin", title: "Users and tokens" } },
  { pattern: "/agents", nav: "Agents", page: { component: Agents, role: "admin", title: "Agents" } },
  { pattern: "/malware", nav: "Malware", page: { component: Malware, role: "viewer", title: "Malware" } },
  { pattern: "/malware/trusted", page: { component: TrustedFiles, role: "viewer", title: "Trusted files" } },
];
