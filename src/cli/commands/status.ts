import { allServices, requireField } from "../../operations/deployment";
import { EXIT } from "../../operations/exit-codes";
import { alarmsInAlarm, isHealthy, serviceStatus, type ServiceStatus } from "../../operations/service-status";
import { defineCommand } from "../command";
import type { Reporter } from "../reporter";
import { resolveTarget, TARGET_HELP, TARGET_OPTIONS, withClients } from "../target";

export const statusCommand = defineCommand({
  name: "status",
  summary: "a service's tasks, deployments, latest events, firing alarms and token expiry",
  usage: `ghcr-ecs status [options]

Prints, per service: running / desired / pending tasks, each deployment with its rollout state, the latest
events, the alarms on the service that are in ALARM (its metrics or its deployment alarms), and the token expiry
that \`credentials set\` / \`rotate\` recorded on the secret. Exit 0 whatever the state; --json has \`healthy\`.
  --all                 every service of the stack
  --cluster NAME        default: the cluster_name output
${TARGET_HELP}`,
  options: { ...TARGET_OPTIONS, all: { type: "boolean" }, cluster: { type: "string" } },
  async run(flags, { out }) {
    const target = await resolveTarget(flags, { all: flags.all === true });
    const cluster = requireField(target, "clusterName", "--cluster");
    const services = flags.all ? allServices(target).map(([, service]) => service) : [target];
    const statuses = await withClients(target.region, async (c) => {
      const inAlarm = await alarmsInAlarm(c.cloudWatch);
      return Promise.all(
        services.map((service) =>
          serviceStatus(
            c,
            { cluster, service: requireField(service, "serviceName", "--service"), ...(service.secretArn ? { secretArn: service.secretArn } : {}) },
            inAlarm,
          ),
        ),
      );
    });
    for (const status of statuses) reportStatus(out, status);
    const documents = statuses.map((s) => ({ healthy: isHealthy(s), ...s }));
    out.result(flags.all ? { healthy: documents.every((d) => d.healthy), services: documents } : documents[0]);
    return EXIT.ok;
  },
});

function reportStatus(out: Reporter, status: ServiceStatus): void {
  out.line(
    `${status.service}: ${status.status}, ${status.running} of ${status.desired} running, ${status.pending} pending${isHealthy(status) ? "" : " — needs attention"}`,
  );
  for (const d of status.deployments) {
    out.line(
      `  deployment ${d.id} ${d.status} ${d.rolloutState}: ${d.running}/${d.desired} running, ${d.failedTasks} failed${d.createdAt ? `, since ${d.createdAt}` : ""}`,
    );
  }
  for (const alarm of status.alarms) out.line(`  ALARM "${alarm.name}" since ${alarm.since}${alarm.reason ? ` — ${alarm.reason}` : ""}`);
  if (status.tokenExpires) out.line(`  registry token expires ${status.tokenExpires} (recorded on the secret)`);
  if (status.events.length > 0) out.line("  latest events:");
  for (const event of status.events) out.line(`    ${event.at} ${event.message}`);
}
