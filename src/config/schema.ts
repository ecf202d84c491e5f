import { z } from "zod";
import { DEFAULTS } from "./defaults";
import { parseImageReference, ImageReferenceError } from "../registry/image-reference";
import { parseCidr } from "../aws/cidr";
import { policyWaiversSchema } from "../policy-gate/waivers";
import { backendSchema, backendStackProblems } from "../backend/schema";
import { nearestName } from "../util/nearest-name";
import { instanceTypeArchitecture } from "../ec2/instance-types";
import { IMAGE_PULL_BEHAVIORS, extraSettingProblem } from "../ec2/ecs-config";

/** Task-level vCPU units Fargate accepts, and the task memory (MiB) each allows. */
export const FARGATE_MEMORY_BY_CPU: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};

/** The retention periods CloudWatch Logs accepts (0, never expire, is deliberately not offered). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

function range(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let v = from; v <= to; v += step) values.push(v);
  return values;
}

const PARTITION = "arn:aws(?:-cn|-us-gov)?";
const REGION = "[a-z]{2}(?:-gov)?-[a-z]+-\\d";
const SECRET_ARN = `${PARTITION}:secretsmanager:${REGION}:\\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}`;
const SECRET_ARN_HINT =
  "the full secret ARN including the 6-character suffix AWS appends, e.g. arn:aws:secretsmanager:us-east-1:123456789012:secret:ghcr/orders-AbC123 (aws secretsmanager describe-secret --secret-id NAME --query ARN)";

/**
 * A strict object whose unknown-key error lists the allowed keys and the nearest one, so a typo like `helthCheck`
 * is an error that points at `healthCheck` instead of a silently ignored key.
 */
function strictObject<T extends z.core.$ZodLooseShape>(shape: T) {
  const allowed = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== "unrecognized_keys") return undefined;
      const keys = issue.keys as string[];
      const hints = keys.map((key) => {
        const nearest = nearestName(key, allowed);
        return nearest ? `"${key}" (did you mean "${nearest}"?)` : `"${key}"`;
      });
      return `unknown key ${hints.join(", ")}; allowed keys: ${allowed.join(", ")}`;
    },
  });
}

const int = (min: number, max: number) =>
  z.number({ error: `must be a whole number from ${min} to ${max}` }).int(`must be a whole number from ${min} to ${max}`)
    .min(min, `must be a whole number from ${min} to ${max}`).max(max, `must be a whole number from ${min} to ${max}`);

const pattern = (regex: string, hint: string) =>
  z.string({ error: `must be a string: ${hint}` }).regex(new RegExp(`^(?:${regex})$`), `must be ${hint}`);

const cidr = z.string({ error: "must be an IPv4 CIDR block such as 10.0.0.0/16" }).superRefine((value, ctx) => {
  try {
    parseCidr(value);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: (error as Error).message, input: value });
  }
});

const secretArn = pattern(SECRET_ARN, SECRET_ARN_HINT);
const kmsKeyArn = pattern(
  `${PARTITION}:kms:${REGION}:\\d{12}:key/[a-f0-9-]{36}|${PARTITION}:kms:${REGION}:\\d{12}:key/mrk-[a-f0-9]{32}`,
  "a KMS key ARN, e.g. arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias)",
);
const containerSecretSource = pattern(
  `${SECRET_ARN}(?::[^:]*:[^:]*:[^:]*)?|${PARTITION}:ssm:${REGION}:\\d{12}:parameter/[A-Za-z0-9/_.-]+`,
  "a Secrets Manager secret ARN (full, with its 6-character suffix, optionally followed by :json-key:version-stage:version-id) or an SSM parameter ARN (arn:aws:ssm:REGION:ACCOUNT:parameter/NAME)",
);
const envName = pattern("[A-Za-z_][A-Za-z0-9_]*", "an environment variable name (letters, digits and _, not starting with a digit)");

const healthCheck = strictObject({
  path: z
    .string({ error: "must be a URL path starting with /" })
    .regex(/^\/[A-Za-z0-9\-._~%!$&'()*+,;=:@/?]{0,1023}$/, "must be a URL path starting with / (at most 1024 characters)")
    .default(DEFAULTS.healthCheck.path),
  matcher: pattern(
    "[1-5]\\d\\d(?:-[1-5]\\d\\d)?(?:,[1-5]\\d\\d(?:-[1-5]\\d\\d)?)*",
    'HTTP codes like "200", "200,204" or "200-299" (keep "200": actuator answers 503 when DOWN)',
  ).default(DEFAULTS.healthCheck.matcher),
  intervalSeconds: int(5, 300).default(DEFAULTS.healthCheck.intervalSeconds),
  timeoutSeconds: int(2, 120).default(DEFAULTS.healthCheck.timeoutSeconds),
  healthyThreshold: int(2, 10).default(DEFAULTS.healthCheck.healthyThreshold),
  unhealthyThreshold: int(2, 10).default(DEFAULTS.healthCheck.unhealthyThreshold),
  gracePeriodSeconds: int(0, 2147483647).default(DEFAULTS.healthCheck.gracePeriodSeconds),
}).superRefine((check, ctx) => {
  if (check.timeoutSeconds >= check.intervalSeconds) {
    ctx.addIssue({
      code: "custom",
      path: ["timeoutSeconds"],
      input: check.timeoutSeconds,
      message: `must be less than intervalSeconds (${check.intervalSeconds})`,
    });
  }
});

const deployment = strictObject({
  minimumHealthyPercent: int(0, 100).default(DEFAULTS.deployment.minimumHealthyPercent),
  maximumPercent: int(100, 200).default(DEFAULTS.deployment.maximumPercent),
  waitForSteadyState: z.boolean({ error: "must be true or false" }).default(DEFAULTS.deployment.waitForSteadyState),
});

const credentials = z.discriminatedUnion(
  "mode",
  [
    strictObject({
      mode: z.literal("managed"),
      username: z
        .string({ error: "must be the registry user name (for ghcr.io, the GitHub user or bot that owns the token)" })
        .regex(/^[^\s:]{1,256}$/, "must be 1-256 characters without spaces or ':' (the registry user name)"),
      version: int(1, 2147483647).default(DEFAULTS.credentials.version),
      recoveryWindowInDays: z
        .number({ error: "must be 0 (delete at once) or a whole number from 7 to 30" })
        .int()
        .refine((days) => days === 0 || (days >= 7 && days <= 30), "must be 0 (delete at once) or a whole number from 7 to 30")
        .default(DEFAULTS.credentials.recoveryWindowInDays),
    }),
    strictObject({
      mode: z.literal("existing"),
      existingSecretArn: secretArn,
      kmsKeyArn: kmsKeyArn.optional(),
    }),
  ],
  { error: 'must have "mode": "managed" (with "username") or "mode": "existing" (with "existingSecretArn")' },
);

const encryption = z.discriminatedUnion(
  "mode",
  [
    strictObject({ mode: z.literal("aws-managed") }),
    strictObject({
      mode: z.literal("create-cmk"),
      deletionWindowInDays: int(7, 30).default(DEFAULTS.encryption.keyDeletionWindowInDays),
    }),
    strictObject({ mode: z.literal("existing-key"), keyArn: kmsKeyArn }),
  ],
  { error: 'must have "mode": "aws-managed", "create-cmk" or "existing-key" (with "keyArn")' },
);

const subnetId = pattern("subnet-[0-9a-f]{8,17}", "a subnet ID like subnet-0123456789abcdef0");
const network = z.discriminatedUnion(
  "mode",
  [
    strictObject({
      mode: z.literal("create"),
      cidr: cidr
        .refine((block) => {
          const prefix = Number(block.split("/")[1]);
          return prefix >= 16 && prefix <= 22;
        }, "must be a /16 to /22 block (a VPC may not be larger than /16; smaller than /22 leaves no room for the subnets)")
        .default(DEFAULTS.network.cidr),
      azCount: int(2, 6).default(DEFAULTS.network.azCount),
      natGateways: z
        .enum(["single", "per-az", "none"], {
          error: '"single" (one shared NAT gateway), "per-az" (one per AZ, survives an AZ outage) or "none" (tasks in public subnets with public IPs, no NAT cost)',
        })
        .default(DEFAULTS.network.natGateways),
    }),
    strictObject({
      mode: z.literal("existing"),
      vpcId: pattern("vpc-[0-9a-f]{8,17}", "a VPC ID like vpc-0123456789abcdef0"),
      loadBalancerSubnetIds: z.array(subnetId).min(2, "must list at least 2 subnets in different AZs (an ALB needs two)"),
      serviceSubnetIds: z.array(subnetId).min(1, "must list at least 1 subnet for the tasks"),
      assignPublicIp: z.boolean({ error: "must be true or false" }).default(false),
    }),
  ],
  { error: 'must have "mode": "create" or "mode": "existing" (with vpcId, loadBalancerSubnetIds, serviceSubnetIds)' },
);

const loadBalancer = strictObject({
  scheme: z
    .enum(["internet-facing", "internal"], { error: 'must be "internet-facing" or "internal"' })
    .default(DEFAULTS.loadBalancer.scheme),
  ingressCidrs: z.array(cidr).min(1, "must list at least one CIDR allowed to reach the load balancer")
    .default([...DEFAULTS.loadBalancer.ingressCidrs]),
  certificateArn: pattern(
    `${PARTITION}:acm:${REGION}:\\d{12}:certificate/[a-f0-9-]{36}`,
    "an ACM certificate ARN, e.g. arn:aws:acm:us-east-1:123456789012:certificate/1234abcd-12ab-34cd-56ef-1234567890ab",
  ).optional(),
  sslPolicy: pattern("ELBSecurityPolicy-(?:TLS13-1-[23]-[0-9A-Za-z-]+|FS-1-2-[0-9A-Za-z-]+|TLS-1-2-[0-9A-Za-z-]+)", "a TLS 1.2+ ELB policy such as ELBSecurityPolicy-TLS13-1-2-2021-06")
    .default(DEFAULTS.loadBalancer.sslPolicy),
  idleTimeoutSeconds: int(1, 4000).default(DEFAULTS.loadBalancer.idleTimeoutSeconds),
  deletionProtection: z.boolean({ error: "must be true or false" }).default(DEFAULTS.loadBalancer.deletionProtection),
});

const tagMap = z
  .record(
    z.string().regex(/^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u, "tag keys are 1-128 characters, must not start with aws:"),
    z.string().regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u, "tag values are at most 256 characters of letters, digits, spaces and _ . : / = + - @"),
  )
  .refine((tags) => Object.keys(tags).length <= 40, "at most 40 tags (AWS allows 50 and we add our own)");

/** Why agent auth with the credential in user data is refused, naming the two safe modes. */
export const PLAINTEXT_AGENT_AUTH_PROBLEM =
  'is plaintext agent auth (ECS_ENGINE_AUTH_TYPE=docker): the username and token would be written into user data, so they would sit in the launch template, every Terraform plan and the state, readable by anyone allowed ec2:DescribeLaunchTemplateVersions; use "task" (repositoryCredentials on the task definition, the default) or "agent-dockercfg" (each instance builds the agent\'s auth from the Secrets Manager secret at boot)';

const instanceTypeName = pattern("[a-z][a-z0-9-]*\\.[a-z0-9-]+", "an EC2 instance type such as t3.medium or m7g.large");

const ec2 = strictObject({
  instanceType: instanceTypeName.optional(),
  amiId: pattern("ami-[0-9a-f]{8,17}", "an AMI ID like ami-0123456789abcdef0 (leave it out to follow AWS's recommended ECS-optimized Amazon Linux 2023 AMI)").optional(),
  minSize: int(0, 1000).default(DEFAULTS.ec2.minSize),
  maxSize: int(1, 1000).default(DEFAULTS.ec2.maxSize),
  desiredCapacity: int(0, 1000).optional(),
  rootVolumeGiB: z
    .number({ error: "must be a whole number of GiB from 30 to 16384 (the ECS-optimized AMI's snapshot is 30 GiB)" })
    .int("must be a whole number of GiB from 30 to 16384 (the ECS-optimized AMI's snapshot is 30 GiB)")
    .min(30, "must be a whole number of GiB from 30 to 16384 (the ECS-optimized AMI's snapshot is 30 GiB)")
    .max(16384, "must be a whole number of GiB from 30 to 16384 (the ECS-optimized AMI's snapshot is 30 GiB)")
    .default(DEFAULTS.ec2.rootVolumeGiB),
  targetCapacityPercent: int(1, 100).default(DEFAULTS.ec2.targetCapacityPercent),
  minHealthyPercentage: int(0, 100).default(DEFAULTS.ec2.minHealthyPercentage),
  spot: strictObject({
    onDemandBaseCapacity: int(0, 1000).default(DEFAULTS.ec2.spot.onDemandBaseCapacity),
    onDemandPercentageAboveBaseCapacity: int(0, 100).default(DEFAULTS.ec2.spot.onDemandPercentageAboveBaseCapacity),
    allocationStrategy: z
      .enum(["price-capacity-optimized", "capacity-optimized", "lowest-price"], {
        error: '"price-capacity-optimized" (AWS\'s recommendation), "capacity-optimized" or "lowest-price"',
      })
      .default(DEFAULTS.ec2.spot.allocationStrategy),
    instanceTypes: z.array(instanceTypeName).default([]),
  }).optional(),
  networkMode: z
    .enum(["awsvpc", "bridge"], { error: '"awsvpc" (each task its own ENI, target type ip) or "bridge" (dynamic host ports, target type instance)' })
    .default(DEFAULTS.ec2.networkMode),
  registryAuth: z
    .enum(["task", "agent-dockercfg"], {
      error: (issue) =>
        typeof issue.input === "string" && /docker|plain|basic|passw|user|token/i.test(issue.input) && issue.input !== "agent-dockercfg"
          ? PLAINTEXT_AGENT_AUTH_PROBLEM
          : 'must be "task" (repositoryCredentials, the default) or "agent-dockercfg" (the agent\'s auth built from Secrets Manager at boot)',
    })
    .default(DEFAULTS.ec2.registryAuth),
  ecsConfig: z
    .record(z.string(), z.string({ error: "ecs.config values must be strings, as they appear in the file" }))
    .superRefine((settings, ctx) => {
      for (const [key, value] of Object.entries(settings)) {
        const problem = extraSettingProblem(key, value);
        if (problem) ctx.addIssue({ code: "custom", path: [key], input: key, message: problem });
      }
    })
    .default({}),
  containerStopTimeoutSeconds: int(1, 3600).default(DEFAULTS.ec2.containerStopTimeoutSeconds),
  imagePullBehavior: z
    .enum(IMAGE_PULL_BEHAVIORS, { error: `must be one of ${IMAGE_PULL_BEHAVIORS.map((b) => `"${b}"`).join(", ")}` })
    .default(DEFAULTS.ec2.imagePullBehavior),
}).superRefine((settings, ctx) => {
  if (settings.minSize > settings.maxSize) {
    ctx.addIssue({ code: "custom", path: ["minSize"], input: settings.minSize, message: `must not exceed maxSize (${settings.maxSize})` });
  }
  const desired = settings.desiredCapacity;
  if (desired !== undefined && (desired < settings.minSize || desired > settings.maxSize)) {
    ctx.addIssue({
      code: "custom",
      path: ["desiredCapacity"],
      input: desired,
      message: `must be within minSize and maxSize (${settings.minSize} to ${settings.maxSize})`,
    });
  }
});

export const configSchema = strictObject({
  $schema: z.string().optional(),
  name: pattern("[a-z][a-z0-9-]{0,22}[a-z0-9]", "2-24 lowercase letters, digits and -, starting with a letter (it prefixes every resource name)"),
  region: pattern(REGION, "an AWS region such as us-east-1").refine(
    (region) => !region.startsWith("cn-"),
    "is in the AWS China partition, which is not supported yet (its service DNS names differ)",
  ),
  image: z.string({ error: "must be an image reference such as ghcr.io/acme/orders:1.4.2" }).superRefine((value, ctx) => {
    try {
      parseImageReference(value);
    } catch (error) {
      if (!(error instanceof ImageReferenceError)) throw error;
      ctx.addIssue({ code: "custom", message: error.message, input: value });
    }
  }),
  containerPort: int(1, 65535).default(DEFAULTS.containerPort),
  cpu: z.literal(Object.keys(FARGATE_MEMORY_BY_CPU).map(Number) as [number, ...number[]], {
    error: `must be one of the Fargate CPU sizes ${Object.keys(FARGATE_MEMORY_BY_CPU).join(", ")} (1024 = 1 vCPU)`,
  }),
  memory: int(512, 122880),
  containerMemory: int(6, 122880).optional(),
  cpuArchitecture: z.enum(["X86_64", "ARM64"], { error: 'must be "X86_64" or "ARM64" (the image\'s platform)' })
    .default(DEFAULTS.cpuArchitecture),
  desiredCount: int(0, 1000).default(DEFAULTS.desiredCount),
  healthCheck: healthCheck.default(() => healthCheck.parse({})),
  deregistrationDelaySeconds: int(0, 3600).default(DEFAULTS.deregistrationDelaySeconds),
  deployment: deployment.default(() => deployment.parse({})),
  credentials,
  encryption: encryption.default({ mode: "aws-managed" }),
  network: network.default(() => network.parse({ mode: "create" })),
  loadBalancer: loadBalancer.default(() => loadBalancer.parse({})),
  environment: z.record(envName, z.string({ error: "environment values must be strings" })).default({}),
  secrets: z.record(envName, containerSecretSource).default({}),
  logRetentionDays: z
    .literal([...LOG_RETENTION_DAYS], { error: `must be one of ${LOG_RETENTION_DAYS.join(", ")} (days)` })
    .default(DEFAULTS.logRetentionDays),
  containerInsights: z.boolean({ error: "must be true or false" }).default(DEFAULTS.containerInsights),
  readOnlyRootFilesystem: z.boolean({ error: "must be true or false" }).default(DEFAULTS.readOnlyRootFilesystem),
  policyWaivers: policyWaiversSchema,
  backend: backendSchema,
  tags: tagMap.default({}),
  launchType: z
    .enum(["fargate", "ec2", "both"], { error: '"fargate", "ec2" (container instances in an Auto Scaling group) or "both" (two stacks side by side)' })
    .default(DEFAULTS.launchType),
  ec2: ec2.optional(),
}).superRefine((config, ctx) => {
  const stacks = [...(config.launchType !== "ec2" ? [config.name] : []), ...(config.launchType !== "fargate" ? [`${config.name}-ec2`] : [])];
  for (const problem of backendStackProblems(config.backend, stacks)) {
    ctx.addIssue({ code: "custom", path: ["backend", problem.field], input: problem.input, message: problem.message });
  }
  const memories = FARGATE_MEMORY_BY_CPU[config.cpu];
  if (memories && !memories.includes(config.memory)) {
    ctx.addIssue({
      code: "custom",
      path: ["memory"],
      input: config.memory,
      message: `is not a Fargate size for cpu ${config.cpu}; allowed: ${describeSizes(memories)}`,
    });
  }
  if (config.containerMemory !== undefined && config.containerMemory > config.memory) {
    ctx.addIssue({
      code: "custom",
      path: ["containerMemory"],
      input: config.containerMemory,
      message: `must not exceed the task memory (${config.memory} MiB)`,
    });
  }
  for (const name of Object.keys(config.secrets)) {
    if (name in config.environment) {
      ctx.addIssue({
        code: "custom",
        path: ["secrets", name],
        input: name,
        message: "is also set in environment; a variable comes from one place only",
      });
    }
  }
  if (config.network.mode === "create" && config.network.natGateways === "none" && config.loadBalancer.scheme === "internal") {
    // Without NAT the tasks need public IPs to reach the registry; that is the explicit cost-saving mode only.
    ctx.addIssue({
      code: "custom",
      path: ["network", "natGateways"],
      input: "none",
      message: 'cannot be "none" with an internal load balancer: tasks would sit in public subnets; use "single" or "per-az"',
    });
  }
  checkEc2(config.ec2, config, ctx);
});

function checkEc2(config: z.output<typeof ec2> | undefined, root: RootForEc2, ctx: z.core.$RefinementCtx): void {
  if (root.launchType === "fargate") {
    if (config !== undefined) {
      ctx.addIssue({ code: "custom", path: ["launchType"], input: "fargate", message: 'is "fargate" but an ec2 block is set; set launchType to "ec2" or "both", or remove ec2' });
    }
    return;
  }
  const architecture = root.cpuArchitecture;
  const checkType = (type: string, path: (string | number)[]) => {
    if (instanceTypeArchitecture(type) !== architecture) {
      ctx.addIssue({
        code: "custom",
        path: ["ec2", ...path],
        input: type,
        message: `is an ${instanceTypeArchitecture(type)} instance type but cpuArchitecture is ${architecture}; use ${architecture === "ARM64" ? "a Graviton type such as t4g.medium or m7g.large" : "an x86_64 type such as t3.medium or m7i.large"}`,
      });
    }
  };
  if (config?.instanceType) checkType(config.instanceType, ["instanceType"]);
  config?.spot?.instanceTypes.forEach((type, i) => checkType(type, ["spot", "instanceTypes", i]));
}

type RootForEc2 = Pick<z.output<typeof configSchema>, "launchType" | "cpuArchitecture">;

/** The EC2 settings with every default applied and the instance type resolved for the CPU architecture. */
export type Ec2Settings = z.output<typeof ec2> & { readonly instanceType: string; readonly desiredCapacity: number };

/** The config's `ec2` block with defaults (also when the block is left out). */
export function ec2Settings(config: Config): Ec2Settings {
  const settings = config.ec2 ?? ec2.parse({});
  return {
    ...settings,
    instanceType: settings.instanceType ?? DEFAULTS.ec2.instanceType[config.cpuArchitecture],
    desiredCapacity: settings.desiredCapacity ?? settings.minSize,
  };
}

function describeSizes(sizes: readonly number[]): string {
  return sizes.length > 4 ? `${sizes[0]} to ${sizes[sizes.length - 1]} in steps of ${sizes[1] - sizes[0]}` : sizes.join(", ");
}

/** The configuration as written in the JSON file (defaults optional). */
export type ConfigInput = z.input<typeof configSchema>;
/** The configuration with every default applied. */
export type Config = z.output<typeof configSchema>;
