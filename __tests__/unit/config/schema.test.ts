import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DEFAULTS } from "../../../src/config/defaults";
import { ConfigError, DEFAULT_CONFIG_PATH, configPathFromEnv, loadConfigFile, parseConfig } from "../../../src/config/load";
import { ec2Settings } from "../../../src/config/derive";
import type { ConfigInput } from "../../../src/config";
import type { JsonValue } from "../../../src/terraform/document";
import { match } from "../../helpers/matchers";

const REFERENCE_FILE = path.join(__dirname, "..", "..", "..", "config", "reference-app.json");

// The tests build configs by mutating plain JSON data, exactly as a user edits the file (into invalid shapes, too).
type JsonObject = { [key: string]: JsonValue };

/** A fresh, valid copy of the reference app's config file. */
function base(): JsonObject {
  return JSON.parse(readFileSync(REFERENCE_FILE, "utf8")) as JsonObject;
}

/** The object under `key` of a config, to edit in place; fails the test when there is no object there. */
function nested(config: JsonObject, key: string): JsonObject {
  const value = config[key];
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error(`expected an object at ${key}, got ${JSON.stringify(value)}`);
  return value;
}

/** Only the required keys: everything else must come from DEFAULTS. */
function minimal(): ConfigInput {
  return {
    name: "orders",
    region: "us-east-1",
    image: "ghcr.io/acme/orders:1.4.2",
    cpu: 512,
    memory: 1024,
    credentials: { mode: "managed", username: "acme-ci-bot" },
  };
}

function problemsOf(data: unknown): string[] {
  try {
    parseConfig(data);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error(`expected the config to be rejected, but it parsed: ${JSON.stringify(data)}`);
}

function mutated(mutate: (config: JsonObject) => void): JsonObject {
  const config = base();
  mutate(config);
  return config;
}

const SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ghcr/orders-AbC123";
const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const EXISTING_NETWORK = {
  mode: "existing",
  vpcId: "vpc-0123456789abcdef0",
  loadBalancerSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
  serviceSubnetIds: ["subnet-0123456789abcdef2"],
};

describe("the reference config", () => {
  it("loads config/reference-app.json with its own values and every unset key defaulted", () => {
    expect(loadConfigFile(REFERENCE_FILE)).toStrictEqual({
      $schema: "./ghcr-ecs.schema.json",
      name: "orders",
      region: "us-east-1",
      image: "ghcr.io/acme/orders-service:1.4.2",
      containerPort: 8098,
      cpu: 512,
      memory: 1024,
      containerMemory: 768,
      cpuArchitecture: "X86_64",
      desiredCount: 2,
      healthCheck: {
        path: "/actuator/health",
        matcher: "200",
        intervalSeconds: 10,
        timeoutSeconds: 5,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
        gracePeriodSeconds: 60,
      },
      deregistrationDelaySeconds: 30,
      deployment: { minimumHealthyPercent: 50, maximumPercent: 200, waitForSteadyState: true },
      autoscaling: { scaleOutCooldownSeconds: 60, scaleInCooldownSeconds: 300, schedules: [] },
      alarms: {
        enabled: true,
        rollback: true,
        targetErrorPercent: 5,
        unhealthyTargets: 1,
        p99ResponseSeconds: 2,
        cpuPercent: 90,
        memoryPercent: 90,
        evaluationMinutes: 3,
        tasksBelowDesiredMinutes: 5,
        notify: { emails: [] },
        loadBalancerErrorsPerMinute: 10,
      },
      credentials: { mode: "managed", username: "acme-ci-bot", version: 1, recoveryWindowInDays: 7 },
      encryption: { mode: "create-cmk", deletionWindowInDays: 30 },
      registry: { mode: "direct", keepImages: 30 },
      network: { mode: "create", cidr: "10.0.0.0/16", azCount: 2, natGateways: "single", egress: "nat" },
      loadBalancer: {
        scheme: "internet-facing",
        ingressCidrs: ["0.0.0.0/0"],
        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        idleTimeoutSeconds: 60,
        deletionProtection: false,
      },
      environment: {
        SPRING_PROFILES_ACTIVE: "prod",
        SERVER_PORT: "8098",
        MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED: "true",
      },
      secrets: {},
      logRetentionDays: 30,
      containerInsights: true,
      production: false,
      exec: false,
      readOnlyRootFilesystem: true,
      backend: { type: "local" },
      policyWaivers: (JSON.parse(readFileSync("config/reference-app.json", "utf8")) as { policyWaivers: unknown[] }).policyWaivers,
      tags: { app: "orders", team: "platform" },
      launchType: "both",
      ec2: {
        minSize: 2,
        maxSize: 4,
        rootVolumeGiB: 30,
        targetCapacityPercent: 100,
        minHealthyPercentage: 90,
        networkMode: "awsvpc",
        registryAuth: "task",
        ecsConfig: { ECS_RESERVED_MEMORY: "256" },
        containerStopTimeoutSeconds: 30,
        imagePullBehavior: "once",
      },
    });
  });

  it("is the file DEFAULT_CONFIG_PATH points at", () => {
    expect(DEFAULT_CONFIG_PATH).toBe(path.resolve(REFERENCE_FILE));
  });
});

describe("defaults", () => {
  it("fills every optional key of a minimal config with the exact documented default", () => {
    expect(parseConfig(minimal())).toStrictEqual({
      name: "orders",
      region: "us-east-1",
      image: "ghcr.io/acme/orders:1.4.2",
      cpu: 512,
      memory: 1024,
      containerPort: 8080,
      cpuArchitecture: "X86_64",
      desiredCount: 2,
      healthCheck: {
        path: "/actuator/health",
        matcher: "200",
        intervalSeconds: 10,
        timeoutSeconds: 5,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
        gracePeriodSeconds: 60,
      },
      deregistrationDelaySeconds: 30,
      deployment: { minimumHealthyPercent: 50, maximumPercent: 200, waitForSteadyState: true },
      autoscaling: { scaleOutCooldownSeconds: 60, scaleInCooldownSeconds: 300, schedules: [] },
      alarms: {
        enabled: true,
        rollback: true,
        targetErrorPercent: 5,
        unhealthyTargets: 1,
        p99ResponseSeconds: 2,
        cpuPercent: 90,
        memoryPercent: 90,
        evaluationMinutes: 3,
        tasksBelowDesiredMinutes: 5,
        notify: { emails: [] },
        loadBalancerErrorsPerMinute: 10,
      },
      credentials: { mode: "managed", username: "acme-ci-bot", version: 1, recoveryWindowInDays: 7 },
      encryption: { mode: "aws-managed" },
      registry: { mode: "direct", keepImages: 30 },
      network: { mode: "create", cidr: "10.0.0.0/16", azCount: 2, natGateways: "single", egress: "nat" },
      loadBalancer: {
        scheme: "internet-facing",
        ingressCidrs: ["0.0.0.0/0"],
        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        idleTimeoutSeconds: 60,
        deletionProtection: false,
      },
      environment: {},
      secrets: {},
      logRetentionDays: 30,
      containerInsights: true,
      production: false,
      exec: false,
      readOnlyRootFilesystem: true,
      policyWaivers: [],
      backend: { type: "local" },
      tags: {},
      launchType: "fargate",
    });
  });

  it("takes every default from DEFAULTS", () => {
    const config = parseConfig(minimal());
    expect(config.containerPort).toBe(DEFAULTS.containerPort);
    expect(config.desiredCount).toBe(DEFAULTS.desiredCount);
    expect(config.cpuArchitecture).toBe(DEFAULTS.cpuArchitecture);
    expect(config.healthCheck).toEqual(DEFAULTS.healthCheck);
    expect(config.deregistrationDelaySeconds).toBe(DEFAULTS.deregistrationDelaySeconds);
    expect(config.deployment).toEqual(DEFAULTS.deployment);
    expect(config.credentials).toEqual({ mode: "managed", username: "acme-ci-bot", ...DEFAULTS.credentials });
    expect(config.network).toEqual({ mode: "create", ...DEFAULTS.network });
    expect(config.loadBalancer).toEqual(DEFAULTS.loadBalancer);
    expect(config.logRetentionDays).toBe(DEFAULTS.logRetentionDays);
    expect(config.containerInsights).toBe(DEFAULTS.containerInsights);
  });

  it("defaults the CMK deletion window from DEFAULTS.encryption when a key is created", () => {
    const config = parseConfig({ ...minimal(), encryption: { mode: "create-cmk" } });
    expect(config.encryption).toStrictEqual({ mode: "create-cmk", deletionWindowInDays: DEFAULTS.encryption.keyDeletionWindowInDays });
    expect(DEFAULTS.encryption.keyDeletionWindowInDays).toBe(30);
  });

  it("keeps policy waivers with their reasons, and refuses one without a real reason or for an unknown rule", () => {
    const waiver = { rule: "CKV_AWS_150", resource: "aws_lb.*", reason: "dev stack, torn down nightly" };
    expect(parseConfig({ ...minimal(), policyWaivers: [waiver] }).policyWaivers).toStrictEqual([waiver]);
    expect(() => parseConfig({ ...minimal(), policyWaivers: [{ rule: "alb-not-public", reason: "ok" }] })).toThrow(
      /policyWaivers\[0\]\.reason: got "ok"; must say why the exception is accepted \(at least 10 characters\)/,
    );
    expect(() => parseConfig({ ...minimal(), policyWaivers: [{ rule: "CKV_AWS_999", reason: "because we said so" }] })).toThrow(
      /policyWaivers\[0\]\.rule: got "CKV_AWS_999"; unknown rule "CKV_AWS_999"/,
    );
  });

  it("refuses a backend that would make the Fargate and EC2 stacks share one state", () => {
    const both = { ...minimal(), launchType: "both" };
    expect(() => parseConfig({ ...both, backend: { type: "s3", bucket: "acme-tf-state", key: "orders.tfstate" } })).toThrow(
      /backend\.key: got "orders\.tfstate"; has no \{stack\} but the config has 2 stacks \(orders, orders-ec2\)/,
    );
    expect(parseConfig({ ...both, backend: { type: "cloud", organization: "acme", workspace: "{stack}-prod" } }).backend).toMatchObject({
      type: "cloud",
      workspace: "{stack}-prod",
    });
  });

  it("lets a config opt out of the read-only root filesystem, and only with a boolean", () => {
    expect(parseConfig({ ...minimal(), readOnlyRootFilesystem: false }).readOnlyRootFilesystem).toBe(false);
    expect(() => parseConfig({ ...minimal(), readOnlyRootFilesystem: "no" })).toThrow(/readOnlyRootFilesystem.*must be true or false/);
  });

  it("fills the rest of a partly given nested object with defaults", () => {
    const config = parseConfig({ ...minimal(), healthCheck: { path: "/health", intervalSeconds: 30 } });
    expect(config.healthCheck).toStrictEqual({
      path: "/health",
      matcher: "200",
      intervalSeconds: 30,
      timeoutSeconds: 5,
      healthyThreshold: 2,
      unhealthyThreshold: 3,
      gracePeriodSeconds: 60,
    });
  });

  it("resolves EC2 settings from DEFAULTS.ec2 when the ec2 block is left out, the instance type by architecture", () => {
    const x86 = ec2Settings(parseConfig({ ...minimal(), launchType: "ec2" }));
    expect(x86).toStrictEqual({
      instanceType: "t3.medium",
      minSize: 2,
      maxSize: 4,
      desiredCapacity: 2,
      rootVolumeGiB: 30,
      targetCapacityPercent: 100,
      minHealthyPercentage: 90,
      networkMode: "awsvpc",
      registryAuth: "task",
      ecsConfig: {},
      containerStopTimeoutSeconds: 30,
      imagePullBehavior: "default",
    });
    expect(x86.instanceType).toBe(DEFAULTS.ec2.instanceType.X86_64);
    expect(ec2Settings(parseConfig({ ...minimal(), launchType: "ec2", cpuArchitecture: "ARM64" })).instanceType).toBe(DEFAULTS.ec2.instanceType.ARM64);
    expect(ec2Settings(parseConfig({ ...minimal(), launchType: "ec2", ec2: { minSize: 3, maxSize: 5 } })).desiredCapacity).toBe(3);
    expect(parseConfig({ ...minimal(), launchType: "ec2", ec2: { spot: {} } }).ec2?.spot).toStrictEqual({ ...DEFAULTS.ec2.spot, instanceTypes: [] });
  });

  it("defaults assignPublicIp to false for an existing network", () => {
    const config = parseConfig({ ...minimal(), network: EXISTING_NETWORK });
    expect(config.network).toStrictEqual({ ...EXISTING_NETWORK, assignPublicIp: false });
  });

  it("gives each parsed config its own default objects and arrays", () => {
    const first = parseConfig(minimal());
    first.tags.added = "by-first";
    first.environment.ADDED = "by-first";
    first.loadBalancer.ingressCidrs.push("10.0.0.0/8");
    first.healthCheck.path = "/changed";
    const second = parseConfig(minimal());
    expect(second.tags).toEqual({});
    expect(second.environment).toEqual({});
    expect(second.loadBalancer.ingressCidrs).toEqual(["0.0.0.0/0"]);
    expect(second.healthCheck.path).toBe("/actuator/health");
    expect(DEFAULTS.loadBalancer.ingressCidrs).toEqual(["0.0.0.0/0"]);
  });
});

describe("valid variations", () => {
  it.each<[string, (config: JsonObject) => void]>([
    ["an existing secret with its key", (c) => (c.credentials = { mode: "existing", existingSecretArn: SECRET_ARN, kmsKeyArn: KEY_ARN })],
    ["an existing KMS key", (c) => (c.encryption = { mode: "existing-key", keyArn: KEY_ARN })],
    ["an existing network", (c) => (c.network = EXISTING_NETWORK)],
    ["a /22 VPC with 6 AZs and per-AZ NAT", (c) => (c.network = { mode: "create", cidr: "10.1.4.0/22", azCount: 6, natGateways: "per-az" })],
    ["an internal ALB with a NAT gateway", (c) => (c.loadBalancer = { scheme: "internal", ingressCidrs: ["10.0.0.0/8"] })],
    ["no NAT with an internet-facing ALB", (c) => (c.network = { mode: "create", natGateways: "none" })],
    ["a matcher list with ranges", (c) => (nested(c, "healthCheck").matcher = "200,204,300-399")],
    [
      "a Secrets Manager JSON key and an SSM parameter as container secrets",
      (c) =>
        (c.secrets = {
          DB_PASSWORD: `${SECRET_ARN}:password::`,
          API_KEY: "arn:aws:ssm:us-east-1:123456789012:parameter/orders/api-key",
        }),
    ],
    ["recoveryWindowInDays 0 (delete at once)", (c) => (nested(c, "credentials").recoveryWindowInDays = 0)],
    ["the smallest Fargate size", (c) => Object.assign(c, { cpu: 256, memory: 512, containerMemory: 512 })],
    ["a GovCloud region", (c) => (c.region = "us-gov-west-1")],
    ["a 24-character name", (c) => (c.name = "a23456789012345678901234")],
    ["40 tags", (c) => (c.tags = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, "v"])))],
    [
      "launchType ec2 without an ec2 block (all EC2 defaults)",
      (c) => {
        c.launchType = "ec2";
        delete c.ec2;
      },
    ],
    [
      "launchType fargate without an ec2 block",
      (c) => {
        c.launchType = "fargate";
        delete c.ec2;
      },
    ],
    [
      "ARM64 with a Graviton instance type and Spot types",
      (c) => {
        c.cpuArchitecture = "ARM64";
        c.ec2 = { instanceType: "m7g.large", spot: { instanceTypes: ["c7gn.large", "t4g.large", "a1.large"] } };
      },
    ],
    [
      "a pinned AMI, bridge mode, agent-dockercfg and documented agent settings",
      (c) =>
        (c.ec2 = {
          amiId: "ami-0123456789abcdef0",
          networkMode: "bridge",
          registryAuth: "agent-dockercfg",
          ecsConfig: { ECS_DYNAMIC_HOST_PORT_RANGE: "32768-60999", ECS_INSTANCE_ATTRIBUTES: '{"tier":"web"}', ECS_LOGLEVEL: "warn" },
        }),
    ],
    ["min = desired = max", (c) => (c.ec2 = { minSize: 3, desiredCapacity: 3, maxSize: 3 })],
    ["EC2 with no NAT (instances in public subnets with public IPs, the explicit cost mode)", (c) => (c.network = { mode: "create", natGateways: "none" })],
  ])("accepts %s", (_label, mutate) => {
    expect(() => parseConfig(mutated(mutate))).not.toThrow();
  });
});

/**
 * [label, mutation of the valid base config, field path, what the problem says about the input, fragment of the allowed values]
 * The problem line must start with `<field path>: ` and contain both the detail and the fragment.
 */
type InvalidCase = [string, (config: JsonObject) => void, string, string, string];

const INVALID: InvalidCase[] = [
  // unknown keys
  [
    "unknown top-level key",
    (c) => {
      c.helthCheck = c.healthCheck;
      delete c.healthCheck;
    },
    "(top level)",
    'unknown key "helthCheck" (did you mean "healthCheck"?)',
    "allowed keys: $schema, name, region, image,",
  ],
  [
    "unknown top-level key without a near match",
    (c) => (c.frobnicate = true),
    "(top level)",
    'unknown key "frobnicate";',
    "allowed keys: $schema, name, region",
  ],
  [
    "unknown healthCheck key",
    (c) => (nested(c, "healthCheck").pth = "/x"),
    "healthCheck",
    'unknown key "pth" (did you mean "path"?)',
    "allowed keys: path, matcher, intervalSeconds, timeoutSeconds",
  ],
  [
    "unknown loadBalancer key",
    (c) => (nested(c, "loadBalancer").schme = "internal"),
    "loadBalancer",
    'unknown key "schme" (did you mean "scheme"?)',
    "allowed keys: scheme, ingressCidrs, certificateArn, sslPolicy",
  ],
  [
    "key of the other credentials mode",
    (c) => (nested(c, "credentials").existingSecretArn = SECRET_ARN),
    "credentials",
    'unknown key "existingSecretArn"',
    "allowed keys: mode, username, version, recoveryWindowInDays",
  ],
  // required fields
  ["missing name", (c) => delete c.name, "name", "missing", "2-24 lowercase letters, digits and -"],
  ["missing region", (c) => delete c.region, "region", "missing", "an AWS region such as us-east-1"],
  ["missing image", (c) => delete c.image, "image", "missing", "an image reference such as ghcr.io/acme/orders:1.4.2"],
  ["missing cpu", (c) => delete c.cpu, "cpu", "missing", "Fargate CPU sizes 256, 512, 1024, 2048, 4096, 8192, 16384"],
  ["missing memory", (c) => delete c.memory, "memory", "missing", "whole number from 512 to 122880"],
  ["missing credentials", (c) => delete c.credentials, "credentials", "missing", '"mode": "managed" (with "username") or "mode": "existing"'],
  // name, region
  ["uppercase name", (c) => (c.name = "Orders"), "name", 'got "Orders"', "2-24 lowercase letters, digits and -, starting with a letter"],
  ["name ending in -", (c) => (c.name = "orders-"), "name", 'got "orders-"', "2-24 lowercase letters"],
  ["name of 25 characters", (c) => (c.name = "a234567890123456789012345"), "name", 'got "a234567890123456789012345"', "2-24 lowercase letters"],
  ["region without a number", (c) => (c.region = "us-east"), "region", 'got "us-east"', "an AWS region such as us-east-1"],
  // image
  [
    "image without registry host",
    (c) => (c.image = "acme/orders:1.4.2"),
    "image",
    'got "acme/orders:1.4.2"',
    '"acme" is not a registry host (it needs a dot, a port or to be localhost, like ghcr.io)',
  ],
  [
    "image without tag or digest",
    (c) => (c.image = "ghcr.io/acme/orders"),
    "image",
    'got "ghcr.io/acme/orders"',
    "has no tag or digest (expected registry/repository:tag or registry/repository@sha256:<64 hex>",
  ],
  [
    "image with a short digest",
    (c) => (c.image = "ghcr.io/acme/orders@sha256:abc"),
    "image",
    'got "ghcr.io/acme/orders@sha256:abc"',
    'digest "sha256:abc" is not sha256: followed by 64 lowercase hex characters',
  ],
  [
    "image with uppercase repository",
    (c) => (c.image = "ghcr.io/Acme/orders:1"),
    "image",
    'got "ghcr.io/Acme/orders:1"',
    'repository "Acme/orders" is not valid (lowercase letters, digits and separators',
  ],
  // sizes and counts
  ["containerPort above 65535", (c) => (c.containerPort = 70000), "containerPort", "got 70000", "whole number from 1 to 65535"],
  ["containerPort 0", (c) => (c.containerPort = 0), "containerPort", "got 0", "whole number from 1 to 65535"],
  ["non-integer containerPort", (c) => (c.containerPort = 8080.5), "containerPort", "got 8080.5", "whole number from 1 to 65535"],
  [
    "cpu that is not a Fargate size",
    (c) => (c.cpu = 300),
    "cpu",
    "got 300",
    "one of the Fargate CPU sizes 256, 512, 1024, 2048, 4096, 8192, 16384 (1024 = 1 vCPU)",
  ],
  ["cpu as a string", (c) => (c.cpu = "512"), "cpu", 'got "512"', "one of the Fargate CPU sizes 256, 512"],
  [
    "memory not valid for cpu 256",
    (c) => Object.assign(c, { cpu: 256, memory: 4096 }),
    "memory",
    "got 4096",
    "is not a Fargate size for cpu 256; allowed: 512, 1024, 2048",
  ],
  [
    "memory not valid for cpu 1024",
    (c) => Object.assign(c, { cpu: 1024, memory: 1024 }),
    "memory",
    "got 1024",
    "is not a Fargate size for cpu 1024; allowed: 2048 to 8192 in steps of 1024",
  ],
  ["containerMemory above the task memory", (c) => (c.containerMemory = 2048), "containerMemory", "got 2048", "must not exceed the task memory (1024 MiB)"],
  ["cpuArchitecture in lowercase", (c) => (c.cpuArchitecture = "arm64"), "cpuArchitecture", 'got "arm64"', '"X86_64" or "ARM64"'],
  ["negative desiredCount", (c) => (c.desiredCount = -1), "desiredCount", "got -1", "whole number from 0 to 1000"],
  // health check
  [
    "health check path without leading /",
    (c) => (nested(c, "healthCheck").path = "actuator/health"),
    "healthCheck.path",
    'got "actuator/health"',
    "a URL path starting with /",
  ],
  [
    "health check matcher with trailing garbage",
    (c) => (nested(c, "healthCheck").matcher = "200-399x"),
    "healthCheck.matcher",
    'got "200-399x"',
    'HTTP codes like "200", "200,204" or "200-299"',
  ],
  ["health check matcher with a 6xx code", (c) => (nested(c, "healthCheck").matcher = "600"), "healthCheck.matcher", 'got "600"', 'HTTP codes like "200"'],
  [
    "health check timeout equal to the interval",
    (c) => Object.assign(nested(c, "healthCheck"), { intervalSeconds: 10, timeoutSeconds: 10 }),
    "healthCheck.timeoutSeconds",
    "got 10",
    "must be less than intervalSeconds (10)",
  ],
  [
    "health check timeout above the interval",
    (c) => Object.assign(nested(c, "healthCheck"), { intervalSeconds: 6, timeoutSeconds: 7 }),
    "healthCheck.timeoutSeconds",
    "got 7",
    "must be less than intervalSeconds (6)",
  ],
  ["healthyThreshold 1", (c) => (nested(c, "healthCheck").healthyThreshold = 1), "healthCheck.healthyThreshold", "got 1", "whole number from 2 to 10"],
  ["unhealthyThreshold 11", (c) => (nested(c, "healthCheck").unhealthyThreshold = 11), "healthCheck.unhealthyThreshold", "got 11", "whole number from 2 to 10"],
  ["deregistration delay above 3600", (c) => (c.deregistrationDelaySeconds = 3601), "deregistrationDelaySeconds", "got 3601", "whole number from 0 to 3600"],
  [
    "deployment maximumPercent below 100",
    (c) => (c.deployment = { maximumPercent: 99 }),
    "deployment.maximumPercent",
    "got 99",
    "whole number from 100 to 200",
  ],
  // credentials and encryption
  [
    "unknown credentials mode",
    (c) => (c.credentials = { mode: "vault" }),
    "credentials.mode",
    '"vault"',
    'must have "mode": "managed" (with "username") or "mode": "existing" (with "existingSecretArn")',
  ],
  [
    "managed credentials without username",
    (c) => (c.credentials = { mode: "managed" }),
    "credentials.username",
    "missing",
    "the registry user name (for ghcr.io, the GitHub user or bot that owns the token)",
  ],
  [
    "username with a space",
    (c) => (nested(c, "credentials").username = "acme bot"),
    "credentials.username",
    'got "acme bot"',
    "1-256 characters without spaces or ':'",
  ],
  [
    "recovery window of 3 days",
    (c) => (nested(c, "credentials").recoveryWindowInDays = 3),
    "credentials.recoveryWindowInDays",
    "got 3",
    "0 (delete at once) or a whole number from 7 to 30",
  ],
  [
    "existing secret given as a partial ARN",
    (c) =>
      (c.credentials = {
        mode: "existing",
        existingSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:ghcr/orders",
      }),
    "credentials.existingSecretArn",
    'got "arn:aws:secretsmanager:us-east-1:123456789012:secret:ghcr/orders"',
    "the full secret ARN including the 6-character suffix AWS appends",
  ],
  [
    "existing-key encryption with an alias ARN",
    (c) => (c.encryption = { mode: "existing-key", keyArn: "arn:aws:kms:us-east-1:123456789012:alias/orders" }),
    "encryption.keyArn",
    'got "arn:aws:kms:us-east-1:123456789012:alias/orders"',
    "a KMS key ARN, e.g. arn:aws:kms:us-east-1:123456789012:key/",
  ],
  ["unknown encryption mode", (c) => (c.encryption = { mode: "kms" }), "encryption.mode", '"kms"', '"aws-managed", "create-cmk" or "existing-key"'],
  // network
  ["created network with a /8", (c) => (c.network = { mode: "create", cidr: "10.0.0.0/8" }), "network.cidr", 'got "10.0.0.0/8"', "must be a /16 to /22 block"],
  [
    "created network with host bits set",
    (c) => (c.network = { mode: "create", cidr: "10.0.0.1/16" }),
    "network.cidr",
    'got "10.0.0.1/16"',
    "has host bits set; the network address is 10.0.0.0/16",
  ],
  [
    "created network that is not a CIDR",
    (c) => (c.network = { mode: "create", cidr: "10.0.0.0" }),
    "network.cidr",
    'got "10.0.0.0"',
    "must be an IPv4 CIDR block such as 10.0.0.0/16",
  ],
  ["azCount 1", (c) => (nested(c, "network").azCount = 1), "network.azCount", "got 1", "whole number from 2 to 6"],
  ["invalid natGateways", (c) => (nested(c, "network").natGateways = "two"), "network.natGateways", 'got "two"', '"single" (one shared NAT gateway), "per-az"'],
  [
    "existing network with one ALB subnet",
    (c) => (c.network = { ...EXISTING_NETWORK, loadBalancerSubnetIds: ["subnet-0123456789abcdef0"] }),
    "network.loadBalancerSubnetIds",
    'got ["subnet-0123456789abcdef0"]',
    "at least 2 subnets in different AZs",
  ],
  [
    "existing network with a bad subnet ID",
    (c) => (c.network = { ...EXISTING_NETWORK, loadBalancerSubnetIds: ["subnet-0123456789abcdef0", "subnet-xyz"] }),
    "network.loadBalancerSubnetIds[1]",
    'got "subnet-xyz"',
    "a subnet ID like subnet-0123456789abcdef0",
  ],
  [
    "existing network with a bad VPC ID",
    (c) => (c.network = { ...EXISTING_NETWORK, vpcId: "vpc-1" }),
    "network.vpcId",
    'got "vpc-1"',
    "a VPC ID like vpc-0123456789abcdef0",
  ],
  [
    "natGateways none with an internal ALB",
    (c) => {
      nested(c, "network").natGateways = "none";
      nested(c, "loadBalancer").scheme = "internal";
    },
    "network.natGateways",
    'got "none"',
    'cannot be "none" with an internal load balancer',
  ],
  // load balancer
  [
    "invalid loadBalancer scheme",
    (c) => (nested(c, "loadBalancer").scheme = "public"),
    "loadBalancer.scheme",
    'got "public"',
    '"internet-facing" or "internal"',
  ],
  ["empty ingressCidrs", (c) => (nested(c, "loadBalancer").ingressCidrs = []), "loadBalancer.ingressCidrs", "got []", "at least one CIDR"],
  [
    "ingress CIDR without prefix",
    (c) => (nested(c, "loadBalancer").ingressCidrs = ["0.0.0.0/0", "1.2.3.4"]),
    "loadBalancer.ingressCidrs[1]",
    'got "1.2.3.4"',
    "an IPv4 CIDR block such as 10.0.0.0/16",
  ],
  [
    "malformed certificate ARN",
    (c) => (nested(c, "loadBalancer").certificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/abc"),
    "loadBalancer.certificateArn",
    'got "arn:aws:acm:us-east-1:123456789012:certificate/abc"',
    "an ACM certificate ARN, e.g. arn:aws:acm:",
  ],
  [
    "TLS 1.0 SSL policy",
    (c) => (nested(c, "loadBalancer").sslPolicy = "ELBSecurityPolicy-TLS-1-0-2015-04"),
    "loadBalancer.sslPolicy",
    'got "ELBSecurityPolicy-TLS-1-0-2015-04"',
    "a TLS 1.2+ ELB policy such as ELBSecurityPolicy-TLS13-1-2-2021-06",
  ],
  ["idle timeout 0", (c) => (nested(c, "loadBalancer").idleTimeoutSeconds = 0), "loadBalancer.idleTimeoutSeconds", "got 0", "whole number from 1 to 4000"],
  // environment, secrets
  [
    "environment value that is not a string",
    (c) => (nested(c, "environment").SERVER_PORT = 8098),
    "environment.SERVER_PORT",
    "got 8098",
    "environment values must be strings",
  ],
  [
    "secret value that is not an ARN",
    (c) => (c.secrets = { DB_PASSWORD: "hunter2" }),
    "secrets.DB_PASSWORD",
    'got "hunter2"',
    "a Secrets Manager secret ARN (full, with its 6-character suffix",
  ],
  [
    "secret given as a partial Secrets Manager ARN",
    (c) => (c.secrets = { DB_PASSWORD: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db" }),
    "secrets.DB_PASSWORD",
    'got "arn:aws:secretsmanager:us-east-1:123456789012:secret:db"',
    "or an SSM parameter ARN",
  ],
  [
    "same name in environment and secrets",
    (c) => (c.secrets = { SERVER_PORT: "arn:aws:ssm:us-east-1:123456789012:parameter/orders/port" }),
    "secrets.SERVER_PORT",
    'got "SERVER_PORT"',
    "is also set in environment; a variable comes from one place only",
  ],
  // logs, tags
  ["logRetentionDays 0", (c) => (c.logRetentionDays = 0), "logRetentionDays", "got 0", "one of 1, 3, 5, 7, 14, 30, 60"],
  ["logRetentionDays 13", (c) => (c.logRetentionDays = 13), "logRetentionDays", "got 13", "one of 1, 3, 5, 7, 14, 30"],
  ["tag value with #", (c) => (c.tags = { app: "orders#1" }), "tags.app", 'got "orders#1"', "tag values are at most 256 characters"],
  ["41 tags", (c) => (c.tags = Object.fromEntries(Array.from({ length: 41 }, (_, i) => [`k${i}`, "v"]))), "tags", 'got {"k0":"v",', "at most 40 tags"],
  // launch type and EC2
  [
    "unknown launchType",
    (c) => (c.launchType = "lambda"),
    "launchType",
    'got "lambda"',
    '"fargate", "ec2" (container instances in an Auto Scaling group) or "both"',
  ],
  [
    "an ec2 block with launchType fargate",
    (c) => (c.launchType = "fargate"),
    "launchType",
    'got "fargate"',
    'is "fargate" but an ec2 block is set; set launchType to "ec2" or "both", or remove ec2',
  ],
  [
    "unknown ec2 key",
    (c) => (nested(c, "ec2").instnceType = "t3.large"),
    "ec2",
    'unknown key "instnceType" (did you mean "instanceType"?)',
    "allowed keys: instanceType, amiId, minSize",
  ],
  [
    "plaintext docker agent auth",
    (c) => (nested(c, "ec2").registryAuth = "docker"),
    "ec2.registryAuth",
    'got "docker"',
    'would sit in the launch template, every Terraform plan and the state, readable by anyone allowed ec2:DescribeLaunchTemplateVersions; use "task" (repositoryCredentials on the task definition, the default) or "agent-dockercfg"',
  ],
  [
    "plaintext agent auth under another name",
    (c) => (nested(c, "ec2").registryAuth = "plaintext"),
    "ec2.registryAuth",
    'got "plaintext"',
    "is plaintext agent auth (ECS_ENGINE_AUTH_TYPE=docker)",
  ],
  [
    "an unknown registryAuth",
    (c) => (nested(c, "ec2").registryAuth = "iam"),
    "ec2.registryAuth",
    'got "iam"',
    'must be "task" (repositoryCredentials, the default) or "agent-dockercfg"',
  ],
  [
    "an instance type that is not one",
    (c) => (nested(c, "ec2").instanceType = "large"),
    "ec2.instanceType",
    'got "large"',
    "an EC2 instance type such as t3.medium or m7g.large",
  ],
  [
    "an x86 instance type for ARM64 images",
    (c) => {
      c.cpuArchitecture = "ARM64";
      nested(c, "ec2").instanceType = "m7i.large";
    },
    "ec2.instanceType",
    'got "m7i.large"',
    "is an X86_64 instance type but cpuArchitecture is ARM64; use a Graviton type such as t4g.medium or m7g.large",
  ],
  [
    "a Graviton Spot type for x86 images",
    (c) => (nested(c, "ec2").spot = { instanceTypes: ["t3.large", "c7g.large"] }),
    "ec2.spot.instanceTypes[1]",
    'got "c7g.large"',
    "is an ARM64 instance type but cpuArchitecture is X86_64",
  ],
  [
    "an AMI ID without the ami- prefix",
    (c) => (nested(c, "ec2").amiId = "0123456789abcdef0"),
    "ec2.amiId",
    'got "0123456789abcdef0"',
    "an AMI ID like ami-0123456789abcdef0",
  ],
  ["minSize above maxSize", (c) => Object.assign(nested(c, "ec2"), { minSize: 5, maxSize: 4 }), "ec2.minSize", "got 5", "must not exceed maxSize (4)"],
  [
    "desiredCapacity outside min and max",
    (c) => Object.assign(nested(c, "ec2"), { desiredCapacity: 9 }),
    "ec2.desiredCapacity",
    "got 9",
    "must be within minSize and maxSize (2 to 4)",
  ],
  ["maxSize 0", (c) => (nested(c, "ec2").maxSize = 0), "ec2.maxSize", "got 0", "whole number from 1 to 1000"],
  [
    "a root volume below the AMI's 30 GiB",
    (c) => (nested(c, "ec2").rootVolumeGiB = 20),
    "ec2.rootVolumeGiB",
    "got 20",
    "from 30 to 16384 (the ECS-optimized AMI's snapshot is 30 GiB)",
  ],
  ["targetCapacityPercent 0", (c) => (nested(c, "ec2").targetCapacityPercent = 0), "ec2.targetCapacityPercent", "got 0", "whole number from 1 to 100"],
  ["minHealthyPercentage 101", (c) => (nested(c, "ec2").minHealthyPercentage = 101), "ec2.minHealthyPercentage", "got 101", "whole number from 0 to 100"],
  [
    "unknown network mode",
    (c) => (nested(c, "ec2").networkMode = "host"),
    "ec2.networkMode",
    'got "host"',
    '"awsvpc" (each task its own ENI, target type ip) or "bridge"',
  ],
  [
    "unknown image pull behavior",
    (c) => (nested(c, "ec2").imagePullBehavior = "never"),
    "ec2.imagePullBehavior",
    'got "never"',
    'must be one of "default", "always", "once", "prefer-cached"',
  ],
  ["stop timeout 0", (c) => (nested(c, "ec2").containerStopTimeoutSeconds = 0), "ec2.containerStopTimeoutSeconds", "got 0", "whole number from 1 to 3600"],
  [
    "Spot on-demand percentage above 100",
    (c) => (nested(c, "ec2").spot = { onDemandPercentageAboveBaseCapacity: 150 }),
    "ec2.spot.onDemandPercentageAboveBaseCapacity",
    "got 150",
    "whole number from 0 to 100",
  ],
  [
    "unknown Spot allocation strategy",
    (c) => (nested(c, "ec2").spot = { allocationStrategy: "cheapest" }),
    "ec2.spot.allocationStrategy",
    'got "cheapest"',
    '"price-capacity-optimized" (AWS\'s recommendation)',
  ],
  [
    "an agent setting ghcr-ecs manages",
    (c) => (nested(c, "ec2").ecsConfig = { ECS_CLUSTER: "other" }),
    "ec2.ecsConfig.ECS_CLUSTER",
    'got "ECS_CLUSTER"',
    "is managed by ghcr-ecs and cannot be set here: it is always the stack's cluster",
  ],
  [
    "agent auth data as an extra",
    (c) => (nested(c, "ec2").ecsConfig = { ECS_ENGINE_AUTH_DATA: '{"ghcr.io":{"username":"u","password":"p"}}' }),
    "ec2.ecsConfig.ECS_ENGINE_AUTH_DATA",
    'got "ECS_ENGINE_AUTH_DATA"',
    'set ec2.registryAuth ("task" or "agent-dockercfg"); credentials never go into user data',
  ],
  [
    "the stop timeout as an extra",
    (c) => (nested(c, "ec2").ecsConfig = { ECS_CONTAINER_STOP_TIMEOUT: "1m" }),
    "ec2.ecsConfig.ECS_CONTAINER_STOP_TIMEOUT",
    'got "ECS_CONTAINER_STOP_TIMEOUT"',
    "set ec2.containerStopTimeoutSeconds instead",
  ],
  [
    "an unknown agent setting",
    (c) => (nested(c, "ec2").ecsConfig = { ECS_RESERVED_MEMROY: "256" }),
    "ec2.ecsConfig.ECS_RESERVED_MEMROY",
    'got "ECS_RESERVED_MEMROY"',
    "is not a documented ECS agent setting (did you mean ECS_RESERVED_MEMORY?)",
  ],
  [
    "a malformed agent setting",
    (c) => (nested(c, "ec2").ecsConfig = { ECS_RESERVED_PORTS: "22,80" }),
    "ec2.ecsConfig.ECS_RESERVED_PORTS",
    'got "ECS_RESERVED_PORTS"',
    '"22,80" must be JSON: an array of port numbers such as [22, 8080] (it does not parse)',
  ],
  [
    "an agent setting with a newline",
    (c) => (nested(c, "ec2").ecsConfig = { ECS_LOGLEVEL: "info\nECS_CLUSTER=evil" }),
    "ec2.ecsConfig.ECS_LOGLEVEL",
    'got "ECS_LOGLEVEL"',
    "contains a newline (U+000A), which ecs.config cannot carry: ecs-init splits the file into lines and trims each one",
  ],
  [
    "autoscaling minCount above desiredCount",
    (c) => Object.assign(c, { desiredCount: 2, autoscaling: { minCount: 3, maxCount: 6 } }),
    "autoscaling.minCount",
    "got 3",
    "must be at most desiredCount (2): a deploy starts desiredCount tasks, inside the scaler's range",
  ],
  [
    "autoscaling maxCount below desiredCount",
    (c) => Object.assign(c, { desiredCount: 4, autoscaling: { maxCount: 3, minCount: 1 } }),
    "autoscaling.maxCount",
    "got 3",
    "must be at least desiredCount (4)",
  ],
  [
    "an autoscaling CPU target out of range",
    (c) => (c.autoscaling = { cpuPercent: 100 }),
    "autoscaling.cpuPercent",
    "got 100",
    "must be a whole number from 10 to 95",
  ],
  [
    "an unknown autoscaling key",
    (c) => (c.autoscaling = { maxcount: 4 }),
    "autoscaling",
    'unknown key "maxcount" (did you mean "maxCount"?)',
    "allowed keys: enabled, minCount, maxCount, cpuPercent",
  ],
  [
    "a schedule that is not an Application Auto Scaling expression",
    (c) => (c.autoscaling = { schedules: [{ name: "workday", schedule: "0 7 * * MON-FRI", minCount: 4 }] }),
    "autoscaling.schedules[0].schedule",
    'got "0 7 * * MON-FRI"',
    'must be an Application Auto Scaling schedule: "cron(0 8 ? * MON-FRI *)"',
  ],
  [
    "a cron schedule of five fields",
    (c) => (c.autoscaling = { schedules: [{ name: "workday", schedule: "cron(0 7 * * MON-FRI)", minCount: 4 }] }),
    "autoscaling.schedules[0].schedule",
    'got "cron(0 7 * * MON-FRI)"',
    "(minutes hours day-of-month month day-of-week year)",
  ],
  [
    "a rate of 1 with a plural unit",
    (c) => (c.autoscaling = { schedules: [{ name: "hourly", schedule: "rate(1 hours)", maxCount: 4 }] }),
    "autoscaling.schedules[0].schedule",
    'got "rate(1 hours)"',
    "must be rate(1 hour): a rate of 1 takes the singular unit, any other the plural",
  ],
  [
    "a schedule time zone that does not exist",
    (c) => (c.autoscaling = { schedules: [{ name: "workday", schedule: "cron(0 7 ? * MON-FRI *)", timezone: "Europe/Londres", minCount: 4 }] }),
    "autoscaling.schedules[0].timezone",
    'got "Europe/Londres"',
    "must be an IANA time zone such as Europe/London or UTC",
  ],
  [
    "a scheduled action that changes nothing",
    (c) => (c.autoscaling = { schedules: [{ name: "workday", schedule: "cron(0 7 ? * MON-FRI *)" }] }),
    "autoscaling.schedules[0].minCount",
    "missing",
    "is missing, and so is maxCount; a scheduled action sets one or both",
  ],
  [
    "two scheduled actions of one name",
    (c) =>
      (c.autoscaling = {
        schedules: [
          { name: "peak", schedule: "cron(0 7 ? * MON-FRI *)", minCount: 4 },
          { name: "peak", schedule: "cron(0 19 ? * MON-FRI *)", minCount: 2 },
        ],
      }),
    "autoscaling.schedules[1].name",
    'got "peak"',
    "names another scheduled action too; names are unique",
  ],
  [
    "deployment percentages that let no deploy start at the minimum",
    (c) => Object.assign(c, { desiredCount: 2, autoscaling: { minCount: 1 }, deployment: { minimumHealthyPercent: 100, maximumPercent: 150 } }),
    "deployment.maximumPercent",
    "got 150",
    "with minimumHealthyPercent 100 lets no deployment start at 1 task (autoscaling.minCount): ECS could neither start a task beyond 1 nor stop one; raise maximumPercent (200 doubles) or lower minimumHealthyPercent",
  ],
  [
    "an agent setting that is not a string",
    (c) => (nested(c, "ec2").ecsConfig = { ECS_RESERVED_MEMORY: 256 }),
    "ec2.ecsConfig.ECS_RESERVED_MEMORY",
    "got 256",
    "ecs.config values must be strings, as they appear in the file",
  ],
  [
    "an alarm CPU threshold at the scaler's target",
    (c) => Object.assign(c, { autoscaling: { cpuPercent: 80 }, alarms: { cpuPercent: 80 } }),
    "alarms.cpuPercent",
    "got 80",
    "must be above autoscaling.cpuPercent (80): the scaler keeps the service at 80 %, so the alarm would fire whenever it is busy",
  ],
  [
    "an alarm memory threshold below the scaler's target",
    (c) => Object.assign(c, { autoscaling: { memoryPercent: 85 }, alarms: { memoryPercent: 75 } }),
    "alarms.memoryPercent",
    "got 75",
    "must be above autoscaling.memoryPercent (85)",
  ],
  [
    "emails for an existing topic",
    (c) => (c.alarms = { notify: { emails: ["oncall@example.com"], snsTopicArn: "arn:aws:sns:us-east-1:123456789012:pager" } }),
    "alarms.notify.emails",
    'got ["oncall@example.com"]',
    "cannot be subscribed to an existing topic (snsTopicArn); subscribe them to that topic where it is managed, or drop snsTopicArn",
  ],
  [
    "a FIFO topic for alarms",
    (c) => (c.alarms = { notify: { snsTopicArn: "arn:aws:sns:us-east-1:123456789012:pager.fifo" } }),
    "alarms.notify.snsTopicArn",
    'got "arn:aws:sns:us-east-1:123456789012:pager.fifo"',
    "must be a standard SNS topic ARN, e.g. arn:aws:sns:us-east-1:123456789012:oncall (CloudWatch cannot notify FIFO topics)",
  ],
  [
    "an email address listed twice",
    (c) => (c.alarms = { notify: { emails: ["oncall@example.com", "OnCall@example.com"] } }),
    "alarms.notify.emails[1]",
    'got "OnCall@example.com"',
    "is emails[0] again (oncall@example.com); list each address once (they are case-insensitive)",
  ],
  [
    "an email address without a domain",
    (c) => (c.alarms = { notify: { emails: ["oncall"] } }),
    "alarms.notify.emails[0]",
    'got "oncall"',
    "must be an email address such as oncall@example.com",
  ],
  [
    "a p99 threshold of zero",
    (c) => (c.alarms = { p99ResponseSeconds: 0 }),
    "alarms.p99ResponseSeconds",
    "got 0",
    "must be a number of seconds from 0.01 to 600",
  ],
  [
    "ECS Exec on a read-only root filesystem",
    (c) => (c.exec = true),
    "exec",
    "got true",
    "needs readOnlyRootFilesystem false: the ECS Exec agent writes to the container's root filesystem",
  ],
  [
    "a stop timeout shorter than the app's graceful shutdown",
    (c) => Object.assign(c, { stopTimeoutSeconds: 40, environment: { SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE: "45s" } }),
    "stopTimeoutSeconds",
    "got 40",
    "set stopTimeoutSeconds to at least 50",
  ],
  [
    "a graceful shutdown phase as long as ECS's default stop timeout",
    (c) => (c.environment = { SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE: "30s" }),
    "environment.SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE",
    'got "30s"',
    "ECS's default stop timeout 30 s would SIGKILL the application during its graceful shutdown",
  ],
  ["a stop timeout above Fargate's limit", (c) => (c.stopTimeoutSeconds = 121), "stopTimeoutSeconds", "got 121", "must be a whole number from 2 to 120"],
  [
    "an unknown alarm key",
    (c) => (c.alarms = { cpuPercnt: 95 }),
    "alarms",
    'unknown key "cpuPercnt" (did you mean "cpuPercent"?)',
    "allowed keys: enabled, rollback, targetErrorPercent",
  ],
];

describe("invalid configs", () => {
  it("has a table of at least 30 cases", () => {
    expect(INVALID.length).toBeGreaterThanOrEqual(30);
  });

  it.each(INVALID)("rejects %s", (_label, mutate, field, detail, allowed) => {
    const problems = problemsOf(mutated(mutate));
    const line = problems.find((problem) => problem.startsWith(`${field}: `));
    expect({ problems, line }).toEqual({ problems, line: match.any(String) });
    expect(line).toContain(detail);
    expect(line).toContain(allowed);
  });

  it("reports every problem at once, field checks and cross-field checks together", () => {
    const problems = problemsOf(
      mutated((c) => {
        c.name = "X";
        c.region = "useast1";
        nested(c, "healthCheck").matcher = "ok";
        Object.assign(c, { cpu: 256, memory: 4096 });
        c.secrets = { SERVER_PORT: "arn:aws:ssm:us-east-1:123456789012:parameter/orders/port" };
      }),
    );
    expect(problems.map((p) => p.slice(0, p.indexOf(":")))).toEqual(["name", "region", "healthCheck.matcher", "memory", "secrets.SERVER_PORT"]);
  });

  it("puts every problem into the error message, one per line", () => {
    let error: unknown;
    try {
      parseConfig(
        mutated((c) => Object.assign(c, { name: "X", desiredCount: -1 })),
        "orders.json",
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.name).toBe("ConfigError");
    expect(configError.file).toBe("orders.json");
    expect(configError.message).toBe(
      [
        "Invalid configuration in orders.json:",
        '  - name: got "X"; must be 2-24 lowercase letters, digits and -, starting with a letter (it prefixes every resource name)',
        "  - desiredCount: got -1; must be a whole number from 0 to 1000",
      ].join("\n"),
    );
  });

  it("rejects a config that is not an object", () => {
    expect(problemsOf([])).toEqual([expect.stringMatching(/^\(top level\): got \[\]; /)]);
  });

  it("shortens long offending values in the problem line", () => {
    const [line] = problemsOf(mutated((c) => (c.name = "a".repeat(200))));
    expect(line).toBe(
      `name: got "${"a".repeat(76)}...; must be 2-24 lowercase letters, digits and -, starting with a letter (it prefixes every resource name)`,
    );
  });
});

describe("invalid record keys", () => {
  // Keys of environment, secrets and tags are validated by z.record key schemas; the problem names the key.
  const cases: [string, (config: JsonObject) => void, string, string, string][] = [
    [
      "environment key starting with a digit",
      (c) => (nested(c, "environment")["1BAD"] = "x"),
      'environment["1BAD"]',
      'got "1BAD"',
      "an environment variable name (letters, digits and _, not starting with a digit)",
    ],
    [
      "environment key with a dash",
      (c) => (nested(c, "environment")["BAD-KEY"] = "x"),
      'environment["BAD-KEY"]',
      'got "BAD-KEY"',
      "an environment variable name",
    ],
    [
      "secrets key with a dot",
      (c) => (c.secrets = { "db.password": SECRET_ARN }),
      'secrets["db.password"]',
      'got "db.password"',
      "an environment variable name",
    ],
    ["tag key starting with aws:", (c) => (c.tags = { "aws:team": "platform" }), 'tags["aws:team"]', 'got "aws:team"', "must not start with aws:"],
  ];

  it.each(cases)("names the field and the offending key for %s", (_label, mutate, field, detail) => {
    const problems = problemsOf(mutated(mutate));
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^${escapeRegExp(`${field}: ${detail}; `)}`))]);
  });

  it.each(cases)("explains the allowed keys for %s", (_label, mutate, field, _detail, allowed) => {
    const line = problemsOf(mutated(mutate)).find((problem) => problem.startsWith(`${field}: `));
    expect(line).toContain(allowed);
  });
});

describe("unknown discriminator values", () => {
  it("shows the rejected mode value itself", () => {
    const problems = problemsOf(mutated((c) => (c.credentials = { username: "a-rather-long-user-name-for-the-bot-that-pulls-images", mode: "vault" })));
    expect(problems).toEqual([expect.stringMatching(/^credentials\.mode: got "vault"; /)]);
  });
});

describe("loadConfigFile", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-config-test-"));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function errorOf(file: string): ConfigError {
    try {
      loadConfigFile(file);
    } catch (error) {
      if (error instanceof ConfigError) return error;
      throw error;
    }
    throw new Error(`expected ${file} to be rejected`);
  }

  it("reports a missing file and how to choose another", () => {
    const file = path.join(dir, "does-not-exist.json");
    const error = errorOf(file);
    expect(error.file).toBe(file);
    expect(error.problems).toEqual(["the file does not exist (set GHCR_ECS_CONFIG to a config file, or unset it to use config/reference-app.json)"]);
    expect(error.message).toContain(`Invalid configuration in ${file}:`);
  });

  it("reports a file that cannot be read with the error code", () => {
    expect(errorOf(dir).problems).toEqual(["the file cannot be read: EISDIR"]);
  });

  it("reports invalid JSON as not valid JSON", () => {
    const file = path.join(dir, "broken.json");
    writeFileSync(file, '{ "name": "orders", }');
    const error = errorOf(file);
    expect(error.file).toBe(file);
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^not valid JSON: /);
  });

  it("names the file in schema problems", () => {
    const file = path.join(dir, "bad-port.json");
    writeFileSync(file, JSON.stringify(mutated((c) => (c.containerPort = 0))));
    const error = errorOf(file);
    expect(error.file).toBe(file);
    expect(error.problems).toEqual(["containerPort: got 0; must be a whole number from 1 to 65535"]);
  });

  it("loads a valid file", () => {
    const file = path.join(dir, "ok.json");
    writeFileSync(file, JSON.stringify(minimal()));
    expect(loadConfigFile(file)).toStrictEqual(parseConfig(minimal()));
  });
});

describe("configPathFromEnv", () => {
  it("resolves GHCR_ECS_CONFIG against the working directory", () => {
    expect(configPathFromEnv({ GHCR_ECS_CONFIG: "config/staging.json" })).toBe(path.join(process.cwd(), "config", "staging.json"));
  });

  it("keeps an absolute GHCR_ECS_CONFIG", () => {
    const file = path.join(os.tmpdir(), "prod.json");
    expect(configPathFromEnv({ GHCR_ECS_CONFIG: file })).toBe(file);
  });

  it("falls back to DEFAULT_CONFIG_PATH, which exists, when GHCR_ECS_CONFIG is unset", () => {
    expect(configPathFromEnv({})).toBe(DEFAULT_CONFIG_PATH);
    expect(existsSync(DEFAULT_CONFIG_PATH)).toBe(true);
    expect(path.basename(DEFAULT_CONFIG_PATH)).toBe("reference-app.json");
  });

  it("treats an empty GHCR_ECS_CONFIG as unset", () => {
    expect(configPathFromEnv({ GHCR_ECS_CONFIG: "" })).toBe(DEFAULT_CONFIG_PATH);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
