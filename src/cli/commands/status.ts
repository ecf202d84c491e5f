import { allServices, requireField } from "../../operations/deployment";
import { EXIT } from "../../operations/exit-codes";
import { ageOf, alarmsInAlarm, serviceStatus, steadinessProblems, type ServiceStatus } from "../../operations/service-status";
import { defineCommand } from "../command";
import type { Reporter } from "../reporter";
import { resolveTarget, TARGET_HELP, TARGET_OPTIONS, withClients } from "../target";

export const statusCommand = defineCommand({
  name: "status",
  summary: "a service's deployments, tasks, targets, firing alarms, credential age and latest events; exit 24 unless steady",
  usage: `ghcr-ecs status [options]

Prints, per service: running / desired / pending tasks, each deployment with its rollout state and age, each
running task with its health, the target group's view of each target (and why one is not healthy), the alarms on
the service that are in ALARM (its metrics or its deployment alarms), when the credential was written and the
token expiry that \`credentials set\` / \`rotate\` recorded on the secret, and the latest events.
Exit 0 when every service is steady (one completed deployment, every desired task running, every target healthy,
no alarm firing), 24 otherwise, with the reasons; --json has \`steady\` and \`problems\`.
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
    const now = Date.now();
    for (const status of statuses) reportStatus(out, status, now);
    const documents = statuses.map((s) => {
      const problems = steadinessProblems(s);
      return { steady: problems.length === 0, problems, ...s };
    });
    out.result(flags.all ? { steady: documents.every((d) => d.steady), services: documents } : documents[0]);
    return documents.every((d) => d.steady) ? EXIT.ok : EXIT.notSteady;
  },
});

function reportStatus(out: Reporter, status: ServiceStatus, now: number): void {
  const problems = steadinessProblems(status);
  out.line(
    `${status.service}: ${status.status}, ${status.running} of ${status.desired} running, ${status.pending} pending${problems.length === 0 ? ", steady" : " — not steady"}`,
  );
  for (const problem of problems) out.line(`  ! ${problem}`);
  for (const d of status.deployments) {
    const since = d.createdAt ? `, since ${d.createdAt} (${ageOf(d.createdAt, now)} ago)` : "";
    out.line(`  deployment ${d.id} ${d.status} ${d.rolloutState}: ${d.running}/${d.desired} running, ${d.failedTasks} failed${since}`);
  }
  for (const task of status.tasks) {
    out.line(`  task ${task.id} ${task.lastStatus}, health ${task.healthStatus}${task.startedAt ? `, started ${ageOf(task.startedAt, now)} ago` : ""}`);
  }
  for (const target of status.targets)
    out.line(`  target ${target.target} (${target.targetGroup}) ${target.state}${target.reason ? ` — ${target.reason}` : ""}`);
  for (const alarm of status.alarms) out.line(`  ALARM "${alarm.name}" since ${alarm.since}${alarm.reason ? ` — ${alarm.reason}` : ""}`);
  if (status.credentialChanged) out.line(`  registry credential written ${status.credentialChanged} (${ageOf(status.credentialChanged, now)} ago)`);
  if (status.tokenExpires) out.line(`  registry token expires ${status.tokenExpires} (recorded on the secret)`);
  if (status.events.length > 0) out.line("  latest events:");
  for (const event of status.events) out.line(`    ${event.at} ${event.message}`);
}
