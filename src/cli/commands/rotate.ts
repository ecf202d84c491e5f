import { allServices, requireField } from "../../operations/deployment";
import { EXIT, OperationError } from "../../operations/exit-codes";
import { rotateCredentials, type RotationStep } from "../../operations/rotate";
import { checkGithubApiFlag } from "../../operations/token-facts";
import { isRegistryAuthMode } from "../../ec2/registry-auth";
import { defineCommand } from "../command";
import { readNewCredential, TOKEN_HELP, TOKEN_OPTIONS } from "../credential-input";
import { percentFlag, secondsFlag } from "../flags";
import type { Reporter } from "../reporter";
import { describeRolloutEvent, reportRollouts } from "../rollout-report";
import { resolveTarget, TARGET_HELP, TARGET_OPTIONS, withClients } from "../target";
import { reportExpiryRecord } from "../token-report";

export const rotateCommand = defineCommand({
  name: "rotate",
  summary: "set a new credential, prove it pulls, then roll the service (refuses to roll on failure)",
  usage: `ghcr-ecs rotate (--token-stdin | --token-env NAME | --from-docker-config) [options]

1. proves the new credential can pull the image — nothing is written if it cannot;
2. writes it into the secret and proves the stored value from Secrets Manager;
3. agent-dockercfg (EC2) deployments: replaces the instances (instance refresh), whose agents read the secret at boot;
4. rolls every service of the stack that pulls with this secret, in parallel, following each like \`ghcr-ecs rollout\`.
  --secret-arn ARN, --image REF, --cluster NAME   default: the stack's outputs (of --service)
  --autoscaling-group NAME   default: the autoscaling_group_name output (agent-dockercfg only)
  --min-healthy-percent N    instance refresh (default 90)
  --check-timeout SECONDS    default 20
  --timeout SECONDS          rollout bound (default 900)
  --poll-interval SECONDS    default 5
${TOKEN_HELP}
${TARGET_HELP}`,
  options: {
    ...TARGET_OPTIONS,
    ...TOKEN_OPTIONS,
    "secret-arn": { type: "string" },
    image: { type: "string" },
    cluster: { type: "string" },
    "autoscaling-group": { type: "string" },
    "min-healthy-percent": { type: "string" },
    "check-timeout": { type: "string" },
    timeout: { type: "string" },
    "poll-interval": { type: "string" },
  },
  async run(flags, { out, stdin }) {
    checkGithubApiFlag(flags["github-api"]);
    const target = await resolveTarget(flags);
    const secretArn = requireField(target, "secretArn", "--secret-arn");
    const image = requireField(target, "image", "--image");
    const cluster = requireField(target, "clusterName", "--cluster");
    const service = requireField(target, "serviceName", "--service");
    // Every service of the stack that pulls with the same secret is rolled: they all use the new credential.
    const services = [
      service,
      ...allServices(await resolveTarget({ ...flags, service: undefined }, { all: true }))
        .map(([, other]) => other)
        .filter((other) => other.secretArn === secretArn && other.serviceName !== undefined && other.serviceName !== service)
        .map((other) => other.serviceName!),
    ];
    const mode = target.registryAuthMode ?? "task";
    if (!isRegistryAuthMode(mode) && mode !== "ecr-pull-through-cache") {
      throw new OperationError(EXIT.usage, `registry_auth_mode output "${mode}" is not task, agent-dockercfg or ecr-pull-through-cache`);
    }
    const checkTimeoutMs = secondsFlag(flags["check-timeout"], "check-timeout", 20, 600);
    const rolloutTimeoutMs = secondsFlag(flags.timeout, "timeout", 900, 86400);
    const pollIntervalMs = secondsFlag(flags["poll-interval"], "poll-interval", 5, 300);
    const minHealthyPercentage = percentFlag(flags["min-healthy-percent"], "min-healthy-percent");
    const { credential } = await readNewCredential(flags, target, image, out, stdin);
    const results = await withClients(target.region, (c) =>
      rotateCredentials(c, {
        secretId: secretArn,
        image,
        credential,
        cluster,
        services,
        registryAuthMode: mode,
        autoscalingGroupName: target.autoscalingGroupName,
        checkTimeoutMs,
        rolloutTimeoutMs,
        pollIntervalMs,
        minHealthyPercentage,
        githubApi: flags["github-api"],
        onStep: (step) => reportStep(out, step, { image, secretArn, several: services.length > 1 }),
      }),
    );
    return reportRollouts(out, results);
  },
});

function reportStep(out: Reporter, step: RotationStep, names: { image: string; secretArn: string; several: boolean }): void {
  switch (step.step) {
    case "checked-new-credential":
      return out.line(`1/4 the new credential for ${step.proof.username} can pull ${names.image} (${step.proof.digest})`);
    case "wrote-secret":
      return out.line(`2/4 wrote it to ${names.secretArn} as version ${step.versionId}`);
    case "verified-secret":
      return out.line(`3/4 the stored secret pulls ${step.proof.digest}`);
    case "token-expiry":
      return reportExpiryRecord(out, step.record, "    ");
    case "instance-refresh-started":
      return out.line(`    replacing the instances of ${step.autoscalingGroupName} (instance refresh ${step.refreshId})`);
    case "instance-refresh-finished":
      return out.line(`    instance refresh ${step.status}`);
    case "rollout":
      if (step.event.type === "started") out.line(`4/4 rolling ${step.service}: ${describeRolloutEvent(step.event)}`);
      else out.progress(`${names.several ? `${step.service}: ` : ""}${describeRolloutEvent(step.event)}`);
  }
}
