/** The EC2 variant's settings: container instances, their ECS agent and how it authenticates to the registry. */
import { z } from "zod";
import { AMI_ID_SOURCE, INSTANCE_TYPE_SOURCE } from "../aws/patterns";
import { IMAGE_PULL_BEHAVIORS, extraSettingProblem } from "../ec2/ecs-config";
import { instanceTypeArchitecture } from "../ec2/instance-types";
import { PLAINTEXT_AGENT_AUTH_PROBLEM, REGISTRY_AUTH_MODES } from "../ec2/registry-auth";
import { DEFAULTS } from "./defaults";
import { addProblem, described, int, pattern, strictObject } from "./primitives";

const instanceTypeName = pattern(INSTANCE_TYPE_SOURCE, "an EC2 instance type such as t3.medium or m7g.large");
const rootVolumeMessage = "must be a whole number of GiB from 30 to 16384 (the ECS-optimized AMI's snapshot is 30 GiB)";

const spot = strictObject({
  onDemandBaseCapacity: described(int(0, 1000).default(DEFAULTS.ec2.spot.onDemandBaseCapacity), "On-demand instances before any Spot."),
  onDemandPercentageAboveBaseCapacity: described(
    int(0, 100).default(DEFAULTS.ec2.spot.onDemandPercentageAboveBaseCapacity),
    "Percentage of on-demand instances above the base.",
  ),
  allocationStrategy: described(
    z
      .enum(["price-capacity-optimized", "capacity-optimized", "lowest-price"], {
        error: '"price-capacity-optimized" (AWS\'s recommendation), "capacity-optimized" or "lowest-price"',
      })
      .default(DEFAULTS.ec2.spot.allocationStrategy),
    "How Spot capacity is chosen.",
  ),
  instanceTypes: described(
    z.array(instanceTypeName, { error: "must be a list of EC2 instance types such as m7i.large" }).default([]),
    "Instance types besides `instanceType` the group may launch (more types, fewer interruptions).",
  ),
});

export const ec2Schema = strictObject({
  instanceType: described(
    instanceTypeName.optional(),
    "Instance type of the container instances; must match cpuArchitecture. Default: `t3.medium`, or `t4g.medium` for ARM64.",
  ),
  amiId: described(
    pattern(AMI_ID_SOURCE, "an AMI ID like ami-0123456789abcdef0 (leave it out to follow AWS's recommended ECS-optimized Amazon Linux 2023 AMI)").optional(),
    "A pinned AMI. Default: AWS's recommended ECS-optimized Amazon Linux 2023 AMI, read from its public SSM parameter at plan time.",
  ),
  minSize: described(int(0, 1000).default(DEFAULTS.ec2.minSize), "Fewest instances in the Auto Scaling group."),
  maxSize: described(int(1, 1000).default(DEFAULTS.ec2.maxSize), "Most instances in the Auto Scaling group."),
  desiredCapacity: described(int(0, 1000).optional(), "Instances at creation (the capacity provider manages it afterwards). Default: minSize."),
  rootVolumeGiB: described(
    z.number({ error: rootVolumeMessage }).int(rootVolumeMessage).min(30, rootVolumeMessage).max(16384, rootVolumeMessage).default(DEFAULTS.ec2.rootVolumeGiB),
    "Encrypted gp3 root volume size (with the CMK when there is one).",
  ),
  targetCapacityPercent: described(int(1, 100).default(DEFAULTS.ec2.targetCapacityPercent), "Managed scaling's target utilisation of the instances."),
  minHealthyPercentage: described(int(0, 100).default(DEFAULTS.ec2.minHealthyPercentage), "Share of instances an instance refresh keeps in service."),
  spot: described(spot.optional(), "Add Spot capacity with a mixed-instances policy. Default: on-demand only."),
  networkMode: described(
    z
      .enum(["awsvpc", "bridge"], { error: '"awsvpc" (each task its own ENI, target type ip) or "bridge" (dynamic host ports, target type instance)' })
      .default(DEFAULTS.ec2.networkMode),
    "`awsvpc`: each task its own ENI (target type ip); `bridge`: dynamic host ports (target type instance).",
  ),
  registryAuth: described(
    z
      .enum(REGISTRY_AUTH_MODES, {
        error: (issue) =>
          typeof issue.input === "string" && /docker|plain|basic|passw|user|token/i.test(issue.input) && issue.input !== "agent-dockercfg"
            ? PLAINTEXT_AGENT_AUTH_PROBLEM
            : 'must be "task" (repositoryCredentials, the default) or "agent-dockercfg" (the agent\'s auth built from Secrets Manager at boot)',
      })
      .default(DEFAULTS.ec2.registryAuth),
    "`task`: repositoryCredentials per task; `agent-dockercfg`: each instance builds the agent's auth from the secret at boot. Plaintext `docker` auth is refused.",
  ),
  ecsConfig: described(
    z
      .record(z.string(), z.string({ error: "ecs.config values must be strings, as they appear in the file" }))
      .superRefine((settings, ctx) => {
        for (const [key, value] of Object.entries(settings)) {
          const problem = extraSettingProblem(key, value);
          if (problem) addProblem(ctx, { path: [key], input: key, message: problem });
        }
      })
      .default({}),
    "More ECS agent settings for /etc/ecs/ecs.config, checked against the agent's documented keys and value forms.",
  ),
  containerStopTimeoutSeconds: described(
    int(1, 3600).default(DEFAULTS.ec2.containerStopTimeoutSeconds),
    "ECS_CONTAINER_STOP_TIMEOUT: seconds between SIGTERM and SIGKILL when a task stops.",
  ),
  imagePullBehavior: described(
    z.enum(IMAGE_PULL_BEHAVIORS, { error: `must be one of ${IMAGE_PULL_BEHAVIORS.map((b) => `"${b}"`).join(", ")}` }).default(DEFAULTS.ec2.imagePullBehavior),
    "ECS_IMAGE_PULL_BEHAVIOR: `default`, `always`, `once` or `prefer-cached`.",
  ),
}).superRefine((settings, ctx) => {
  if (settings.minSize > settings.maxSize) {
    addProblem(ctx, { path: ["minSize"], input: settings.minSize, message: `must not exceed maxSize (${settings.maxSize})` });
  }
  const desired = settings.desiredCapacity;
  if (desired !== undefined && (desired < settings.minSize || desired > settings.maxSize)) {
    addProblem(ctx, { path: ["desiredCapacity"], input: desired, message: `must be within minSize and maxSize (${settings.minSize} to ${settings.maxSize})` });
  }
});

export type Ec2Input = z.output<typeof ec2Schema>;

/** The instance types must run the image's architecture; an ec2 block needs a launch type that uses it. */
export function checkEc2(
  settings: Ec2Input | undefined,
  root: { readonly launchType: "fargate" | "ec2" | "both"; readonly cpuArchitecture: "X86_64" | "ARM64" },
  ctx: z.core.$RefinementCtx,
): void {
  if (root.launchType === "fargate") {
    if (settings !== undefined) {
      addProblem(ctx, {
        path: ["launchType"],
        input: "fargate",
        message: 'is "fargate" but an ec2 block is set; set launchType to "ec2" or "both", or remove ec2',
      });
    }
    return;
  }
  const architecture = root.cpuArchitecture;
  const checkType = (type: string, path: (string | number)[]) => {
    if (instanceTypeArchitecture(type) !== architecture) {
      addProblem(ctx, {
        path: ["ec2", ...path],
        input: type,
        message: `is an ${instanceTypeArchitecture(type)} instance type but cpuArchitecture is ${architecture}; use ${architecture === "ARM64" ? "a Graviton type such as t4g.medium or m7g.large" : "an x86_64 type such as t3.medium or m7i.large"}`,
      });
    }
  };
  if (settings?.instanceType) checkType(settings.instanceType, ["instanceType"]);
  settings?.spot?.instanceTypes.forEach((type, i) => checkType(type, ["spot", "instanceTypes", i]));
}
