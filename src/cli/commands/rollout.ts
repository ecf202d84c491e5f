import { allServices, requireField } from "../../operations/deployment";
import { rollout } from "../../operations/rollout";
import { defineCommand } from "../command";
import { secondsFlag } from "../flags";
import { describeRolloutEvent, reportRollouts } from "../rollout-report";
import { resolveTarget, TARGET_HELP, TARGET_OPTIONS, withClients } from "../target";

export const rolloutCommand = defineCommand({
  name: "rollout",
  summary: "force a new deployment and follow it to COMPLETED or FAILED, diagnosing stopped tasks",
  usage: `ghcr-ecs rollout [options]

Forces a new deployment of the service and follows it until ECS reports COMPLETED (exit 0), FAILED or a
rollback by the circuit breaker or a deployment alarm (exit 20), or --timeout passes (exit 21). Stopped tasks
are translated into a diagnosis (CannotPullContainerError 401/403/404/timeout, ResourceInitializationError
secret access, …); a deployment alarm that stopped the deployment is named, with when it fired and why.
  --all                 every service of the stack, in parallel (exit: the worst outcome)
  --cluster NAME        default: the cluster_name output
  --timeout SECONDS     default 900
  --poll-interval SECONDS  default 5
${TARGET_HELP}`,
  options: { ...TARGET_OPTIONS, all: { type: "boolean" }, cluster: { type: "string" }, timeout: { type: "string" }, "poll-interval": { type: "string" } },
  async run(flags, { out }) {
    const target = await resolveTarget(flags, { all: flags.all === true });
    const cluster = requireField(target, "clusterName", "--cluster");
    const services = flags.all
      ? allServices(target).map(([, service]) => requireField(service, "serviceName", "--service"))
      : [requireField(target, "serviceName", "--service")];
    const timeoutMs = secondsFlag(flags.timeout, "timeout", 900, 86400);
    const pollIntervalMs = secondsFlag(flags["poll-interval"], "poll-interval", 5, 300);
    const label = (service: string) => (services.length > 1 ? `${service}: ` : "");
    const results = await withClients(target.region, (c) =>
      Promise.all(
        services.map((service) =>
          rollout(c.ecs, {
            cluster,
            service,
            timeoutMs,
            pollIntervalMs,
            cloudWatch: c.cloudWatch,
            onEvent: (event) => out.progress(`${label(service)}${describeRolloutEvent(event)}`),
          }),
        ),
      ),
    );
    return reportRollouts(out, results, { asList: flags.all === true });
  },
});
