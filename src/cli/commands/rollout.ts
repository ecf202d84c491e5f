import { requireField } from "../../operations/deployment";
import { rollout } from "../../operations/rollout";
import { defineCommand } from "../command";
import { secondsFlag } from "../flags";
import { describeRolloutEvent, reportRollout } from "../rollout-report";
import { resolveTarget, TARGET_HELP, TARGET_OPTIONS, withClients } from "../target";

export const rolloutCommand = defineCommand({
  name: "rollout",
  summary: "force a new deployment and follow it to COMPLETED or FAILED, diagnosing stopped tasks",
  usage: `ghcr-ecs rollout [options]

Forces a new deployment of the service and follows it until ECS reports COMPLETED (exit 0), FAILED or a
circuit-breaker rollback (exit 20), or --timeout passes (exit 21). Stopped tasks are translated into a
diagnosis (CannotPullContainerError 401/403/404/timeout, ResourceInitializationError secret access, …).
  --cluster NAME        default: the cluster_name output
  --service NAME        default: the service_name output
  --timeout SECONDS     default 900
  --poll-interval SECONDS  default 5
${TARGET_HELP}`,
  options: { ...TARGET_OPTIONS, cluster: { type: "string" }, service: { type: "string" }, timeout: { type: "string" }, "poll-interval": { type: "string" } },
  async run(flags, { out }) {
    const target = await resolveTarget(flags);
    const cluster = requireField(target, "clusterName", "--cluster");
    const service = requireField(target, "serviceName", "--service");
    const timeoutMs = secondsFlag(flags.timeout, "timeout", 900, 86400);
    const pollIntervalMs = secondsFlag(flags["poll-interval"], "poll-interval", 5, 300);
    const result = await withClients(target.region, (c) =>
      rollout(c.ecs, { cluster, service, timeoutMs, pollIntervalMs, onEvent: (event) => out.progress(describeRolloutEvent(event)) }),
    );
    return reportRollout(out, result);
  },
});
