/**
 * The exact problem line each per-field check of the config prints: wrong types, patterns, limits at and one past
 * the boundary, and the checks that span fields (scheduled actions, autoscaling range, EC2 sizes, notify, registry).
 */
import { ConfigError, parseDeploymentConfig } from "../../../src/config/load";

type Json = Record<string, unknown>;

/** Only the required keys of a single-service config. */
function minimal(): Json {
  return {
    name: "orders",
    region: "us-east-1",
    image: "ghcr.io/acme/orders:1.4.2",
    cpu: 512,
    memory: 1024,
    credentials: { mode: "managed", username: "acme-ci-bot" },
  };
}

/** A minimal single-service config with top-level keys replaced. */
const config = (overrides: Json): Json => ({ ...minimal(), ...overrides });

/** A minimal config on EC2 with the given ec2 block. */
const onEc2 = (ec2: Json, overrides: Json = {}): Json => config({ launchType: "ec2", ec2, ...overrides });

/** A minimal config with one scheduled action (a workday cron unless `action` says otherwise). */
const withSchedule = (action: Json): Json => config({ autoscaling: { schedules: [{ name: "workday", schedule: "cron(0 7 ? * MON-FRI *)", ...action }] } });

/** A minimal config with a CI block for acme/shop-infra. */
const withCi = (ci: Json): Json => config({ ci: { repository: "acme/shop-infra", ...ci } });

/** A minimal app (the `services` form) on the ECR pull-through cache. */
const mirroredApp = (services: Json, overrides: Json = {}): Json => ({
  name: "shop",
  region: "us-east-1",
  registry: { mode: "ecr-pull-through-cache" },
  services,
  ...overrides,
});

/** The problem lines the user reads for a config, in order; none for a valid one. */
function problemsOf(data: unknown): string[] {
  try {
    parseDeploymentConfig(data, "config.json");
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
}

const SCHEDULE_FORMAT =
  'must be an Application Auto Scaling schedule: "cron(0 8 ? * MON-FRI *)" (minutes hours day-of-month month day-of-week year), "rate(6 hours)" or "at(2026-12-24T18:00:00)"';
const ROOT_VOLUME = "must be a whole number of GiB from 30 to 16384 (the ECS-optimized AMI's snapshot is 30 GiB)";
const RECOVERY_WINDOW = "must be 0 (delete at once) or a whole number from 7 to 30";
const P99 = "must be a number of seconds from 0.01 to 600";
const VPC_SIZE = "must be a /16 to /22 block (a VPC may not be larger than /16; smaller than /22 leaves no room for the subnets)";
const REGISTRY_AUTH_MODES = 'must be "task" (repositoryCredentials, the default) or "agent-dockercfg" (the agent\'s auth built from Secrets Manager at boot)';
const EXISTING_NETWORK = {
  mode: "existing",
  vpcId: "vpc-0123456789abcdef0",
  loadBalancerSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
  serviceSubnetIds: ["subnet-0123456789abcdef2"],
};
const TOPIC = "arn:aws:sns:us-east-1:123456789012:oncall";
const scheduledActions = (count: number) => Array.from({ length: count }, (_, i) => ({ name: `peak-${i}`, schedule: "rate(1 day)", minCount: 2 }));
const policyArns = (count: number) => Array.from({ length: count }, (_, i) => `arn:aws:iam::aws:policy/Policy${i}`);
const addresses = (count: number) => Array.from({ length: count }, (_, i) => `oncall${i}@example.com`);

describe("a field given a value of the wrong type", () => {
  it.each<[string, Json, string]>([
    ["healthCheck.path", config({ healthCheck: { path: 42 } }), "healthCheck.path: got 42; must be a URL path starting with /"],
    [
      "a schedule's timezone",
      withSchedule({ minCount: 1, timezone: 42 }),
      "autoscaling.schedules[0].timezone: got 42; must be an IANA time zone such as Europe/London or UTC",
    ],
    ["autoscaling.schedules", config({ autoscaling: { schedules: "workday" } }), 'autoscaling.schedules: got "workday"; must be a list of scheduled actions'],
    ["ec2.rootVolumeGiB", onEc2({ rootVolumeGiB: "30" }), `ec2.rootVolumeGiB: got "30"; ${ROOT_VOLUME}`],
    ["alarms.p99ResponseSeconds", config({ alarms: { p99ResponseSeconds: "2" } }), `alarms.p99ResponseSeconds: got "2"; ${P99}`],
    [
      "a load balancer ingress CIDR",
      config({ loadBalancer: { ingressCidrs: [42] } }),
      "loadBalancer.ingressCidrs[0]: got 42; must be an IPv4 CIDR block such as 10.0.0.0/16",
    ],
    [
      "credentials.recoveryWindowInDays",
      config({ credentials: { mode: "managed", username: "acme-ci-bot", recoveryWindowInDays: "7" } }),
      `credentials.recoveryWindowInDays: got "7"; ${RECOVERY_WINDOW}`,
    ],
    ["ci.deployManagedPolicyArns", withCi({ deployManagedPolicyArns: 42 }), "ci.deployManagedPolicyArns: got 42; must be a list of IAM policy ARNs"],
    // A list is not a mode, even when its text mentions docker.
    ["ec2.registryAuth", onEc2({ registryAuth: ["docker"] }), `ec2.registryAuth: got ["docker"]; ${REGISTRY_AUTH_MODES}`],
  ])("%s: says what the field must be", (_field, data, line) => {
    expect(problemsOf(data)).toEqual([line]);
  });
});

describe("a list given as a string", () => {
  it.each<[string, Json, string]>([
    [
      "loadBalancer.ingressCidrs",
      config({ loadBalancer: { ingressCidrs: "" } }),
      'loadBalancer.ingressCidrs: got ""; must be a list of IPv4 CIDR blocks such as 10.0.0.0/16',
    ],
    [
      "ci.deployManagedPolicyArns",
      withCi({ deployManagedPolicyArns: "arn:aws:iam::aws:policy/PowerUserAccess" }),
      'ci.deployManagedPolicyArns: got "arn:aws:iam::aws:policy/PowerUserAccess"; must be a list of IAM policy ARNs',
    ],
    [
      "alarms.notify.emails",
      config({ alarms: { notify: { emails: "oncall@example.com,team@example.com" } } }),
      'alarms.notify.emails: got "oncall@example.com,team@example.com"; must be a list of email addresses',
    ],
    [
      "network.serviceSubnetIds",
      config({ network: { ...EXISTING_NETWORK, serviceSubnetIds: "" } }),
      'network.serviceSubnetIds: got ""; must be a list of subnet IDs',
    ],
    [
      "network.loadBalancerSubnetIds",
      config({ network: { ...EXISTING_NETWORK, loadBalancerSubnetIds: "subnet-0123456789abcdef0" } }),
      'network.loadBalancerSubnetIds: got "subnet-0123456789abcdef0"; must be a list of subnet IDs',
    ],
    [
      "ec2.spot.instanceTypes",
      onEc2({ spot: { instanceTypes: "m7i.large" } }),
      'ec2.spot.instanceTypes: got "m7i.large"; must be a list of EC2 instance types such as m7i.large',
    ],
  ])("%s gets one line saying it must be a list, not its length checks too", (_field, data, line) => {
    expect(problemsOf(data)).toEqual([line]);
  });

  it("names a route's path patterns and host names as lists", () => {
    const app = (route: Json) => ({
      name: "shop",
      region: "us-east-1",
      credentials: { mode: "managed", username: "acme-ci-bot" },
      services: {
        web: { image: "ghcr.io/acme/web:1.0.0", cpu: 512, memory: 1024 },
        api: { image: "ghcr.io/acme/api:1.0.0", cpu: 512, memory: 1024, route },
      },
    });
    expect(problemsOf(app({ pathPatterns: "" }))).toEqual(['services.api.route.pathPatterns: got ""; must be a list of path patterns such as /api/*']);
    expect(problemsOf(app({ hostHeaders: "" }))).toEqual(['services.api.route.hostHeaders: got ""; must be a list of host names such as admin.example.com']);
  });
});

describe("a value outside a field's allowed form", () => {
  it.each<[string, Json, string]>([
    [
      "a health check path without a leading /",
      config({ healthCheck: { path: "health" } }),
      'healthCheck.path: got "health"; must be a URL path starting with / (at most 1024 characters)',
    ],
    [
      "a scheduled action name with capitals",
      withSchedule({ name: "Workday", minCount: 1 }),
      'autoscaling.schedules[0].name: got "Workday"; must be 2-32 lowercase letters, digits and -, starting with a letter',
    ],
    [
      "a time zone that does not exist",
      withSchedule({ minCount: 1, timezone: "Mars/Olympus" }),
      'autoscaling.schedules[0].timezone: got "Mars/Olympus"; must be an IANA time zone such as Europe/London or UTC',
    ],
    [
      "an unknown egress",
      config({ network: { mode: "create", egress: "none" } }),
      'network.egress: got "none"; "nat" (private subnets reach the internet through NAT) or "vpc-endpoints" (no NAT: private subnets reach only AWS, through VPC endpoints)',
    ],
    [
      "an unknown network mode",
      config({ network: { mode: "new" } }),
      'network.mode: got "new"; must have "mode": "create" or "mode": "existing" (with vpcId, loadBalancerSubnetIds, serviceSubnetIds)',
    ],
    [
      "an existing network without service subnets",
      config({ network: { ...EXISTING_NETWORK, serviceSubnetIds: [] } }),
      "network.serviceSubnetIds: got []; must list at least 1 subnet for the tasks",
    ],
    [
      "an unknown registry mode",
      config({ registry: { mode: "mirror" } }),
      'registry.mode: got "mirror"; "direct" (ECS pulls from the registry with the credential) or "ecr-pull-through-cache" (ECS pulls from ECR, which caches the registry)',
    ],
    ["an unknown registryAuth", onEc2({ registryAuth: "tasks" }), `ec2.registryAuth: got "tasks"; ${REGISTRY_AUTH_MODES}`],
    [
      "a CI repository without its owner",
      withCi({ repository: "shop-infra" }),
      'ci.repository: got "shop-infra"; must be a GitHub repository as owner/name, e.g. acme/shop-infra (spelled as GitHub spells it: the trust is case-sensitive)',
    ],
    [
      "a CI environment with a colon",
      withCi({ deployEnvironment: "prod:eu" }),
      'ci.deployEnvironment: got "prod:eu"; must be a GitHub environment name (letters, digits, space, _ . -; no ":" and no wildcard), e.g. production',
    ],
    [
      "a CI branch with a leading /",
      withCi({ defaultBranch: "/main" }),
      'ci.defaultBranch: got "/main"; must be a branch name such as main (no wildcard, no leading or trailing /)',
    ],
    [
      "a CI OIDC provider of another issuer",
      withCi({ oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/gitlab.com" }),
      'ci.oidcProviderArn: got "arn:aws:iam::123456789012:oidc-provider/gitlab.com"; must be the ARN of the account\'s GitHub OIDC provider, e.g. arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
    ],
    [
      "a CI policy given by name",
      withCi({ deployManagedPolicyArns: ["PowerUserAccess"] }),
      'ci.deployManagedPolicyArns[0]: got "PowerUserAccess"; must be an IAM policy ARN',
    ],
    [
      "no CI policy",
      withCi({ deployManagedPolicyArns: [] }),
      "ci.deployManagedPolicyArns: got []; must name at least one policy: the deploy role must be able to manage the stacks' resources",
    ],
    [
      "an instance tag value with #",
      onEc2({ ecsConfig: { ECS_CONTAINER_INSTANCE_TAGS: '{"team":"a#b"}' } }),
      'ec2.ecsConfig.ECS_CONTAINER_INSTANCE_TAGS: got "ECS_CONTAINER_INSTANCE_TAGS"; "{\\"team\\":\\"a#b\\"}" must have tag values of at most 256 letters, digits, spaces and _ . : / = + - @, not starting with aws: (ECS\'s rule); "a#b" (of "team") is not one',
    ],
  ])("%s", (_label, data, line) => {
    expect(problemsOf(data)).toEqual([line]);
  });

  it("accepts instance tags of any script's letters and spaces", () => {
    expect(problemsOf(onEc2({ ecsConfig: { ECS_CONTAINER_INSTANCE_TAGS: '{"team":"platform","owner":"Zoë Müller"}' } }))).toEqual([]);
  });
});

describe("limits, at the limit and one past it", () => {
  it.each<[string, Json]>([
    ["a health check path of 1024 characters", config({ healthCheck: { path: `/${"a".repeat(1023)}` } })],
    ["50 scheduled actions", config({ autoscaling: { schedules: scheduledActions(50) } })],
    ["a /16 VPC", config({ network: { mode: "create", cidr: "10.0.0.0/16" } })],
    ["a /22 VPC", config({ network: { mode: "create", cidr: "10.0.4.0/22" } })],
    ["a p99 of 0.01 s", config({ alarms: { p99ResponseSeconds: 0.01 } })],
    ["a p99 of 600 s", config({ alarms: { p99ResponseSeconds: 600 } })],
    ["20 alarm addresses", config({ alarms: { notify: { emails: addresses(20) } } })],
    ["a 30 GiB root volume", onEc2({ rootVolumeGiB: 30 })],
    ["desiredCapacity at minSize", onEc2({ minSize: 2, maxSize: 4, desiredCapacity: 2 })],
    ["desiredCapacity at maxSize", onEc2({ minSize: 2, maxSize: 4, desiredCapacity: 4 })],
    ["a recovery window of 0 days", config({ credentials: { mode: "managed", username: "acme-ci-bot", recoveryWindowInDays: 0 } })],
    ["a recovery window of 7 days", config({ credentials: { mode: "managed", username: "acme-ci-bot", recoveryWindowInDays: 7 } })],
    ["a recovery window of 30 days", config({ credentials: { mode: "managed", username: "acme-ci-bot", recoveryWindowInDays: 30 } })],
    ["10 CI policies", withCi({ deployManagedPolicyArns: policyArns(10) })],
  ])("accepts %s", (_label, data) => {
    expect(problemsOf(data)).toEqual([]);
  });

  it.each<[string, Json, string]>([
    [
      "a health check path of 1025 characters",
      config({ healthCheck: { path: `/${"a".repeat(1024)}` } }),
      `healthCheck.path: got "/${"a".repeat(75)}...; must be a URL path starting with / (at most 1024 characters)`,
    ],
    [
      "51 scheduled actions",
      config({ autoscaling: { schedules: scheduledActions(51) } }),
      'autoscaling.schedules: got [{"name":"peak-0","schedule":"rate(1 day)","minCount":2},{"name":"peak-1","sc...; must hold at most 50 scheduled actions',
    ],
    ["a /15 VPC", config({ network: { mode: "create", cidr: "10.0.0.0/15" } }), `network.cidr: got "10.0.0.0/15"; ${VPC_SIZE}`],
    ["a /23 VPC", config({ network: { mode: "create", cidr: "10.0.0.0/23" } }), `network.cidr: got "10.0.0.0/23"; ${VPC_SIZE}`],
    ["a p99 under 0.01 s", config({ alarms: { p99ResponseSeconds: 0.009 } }), `alarms.p99ResponseSeconds: got 0.009; ${P99}`],
    ["a p99 over 600 s", config({ alarms: { p99ResponseSeconds: 600.5 } }), `alarms.p99ResponseSeconds: got 600.5; ${P99}`],
    [
      "21 alarm addresses",
      config({ alarms: { notify: { emails: addresses(21) } } }),
      'alarms.notify.emails: got ["oncall0@example.com","oncall1@example.com","oncall2@example.com","oncall3@e...; must hold at most 20 addresses',
    ],
    ["a 29 GiB root volume", onEc2({ rootVolumeGiB: 29 }), `ec2.rootVolumeGiB: got 29; ${ROOT_VOLUME}`],
    [
      "desiredCapacity below minSize",
      onEc2({ minSize: 2, maxSize: 4, desiredCapacity: 1 }),
      "ec2.desiredCapacity: got 1; must be within minSize and maxSize (2 to 4)",
    ],
    [
      "desiredCapacity above maxSize",
      onEc2({ minSize: 2, maxSize: 4, desiredCapacity: 5 }),
      "ec2.desiredCapacity: got 5; must be within minSize and maxSize (2 to 4)",
    ],
    ["minSize above maxSize", onEc2({ minSize: 5, maxSize: 4 }), "ec2.minSize: got 5; must not exceed maxSize (4)"],
    [
      "a recovery window of 6 days",
      config({ credentials: { mode: "managed", username: "acme-ci-bot", recoveryWindowInDays: 6 } }),
      `credentials.recoveryWindowInDays: got 6; ${RECOVERY_WINDOW}`,
    ],
    [
      "a recovery window of 31 days",
      config({ credentials: { mode: "managed", username: "acme-ci-bot", recoveryWindowInDays: 31 } }),
      `credentials.recoveryWindowInDays: got 31; ${RECOVERY_WINDOW}`,
    ],
    [
      "11 CI policies",
      withCi({ deployManagedPolicyArns: policyArns(11) }),
      'ci.deployManagedPolicyArns: got ["arn:aws:iam::aws:policy/Policy0","arn:aws:iam::aws:policy/Policy1","arn:aws...; can attach at most 10 managed policies (IAM\'s quota per role)',
    ],
  ])("refuses %s", (_label, data, line) => {
    expect(problemsOf(data)).toEqual([line]);
  });
});

describe("scheduled actions", () => {
  it.each<[string, Json]>([
    ["only a minCount", { minCount: 1 }],
    ["only a maxCount", { maxCount: 6 }],
    ["minCount equal to maxCount", { minCount: 3, maxCount: 3 }],
    ["minCount below maxCount", { minCount: 1, maxCount: 3 }],
    ["a rate of 1 in the singular", { schedule: "rate(1 hour)", minCount: 1 }],
    ["a rate of 1 minute", { schedule: "rate(1 minute)", minCount: 1 }],
    ["a rate of 5 in the plural", { schedule: "rate(5 hours)", minCount: 1 }],
  ])("accept %s", (_label, action) => {
    expect(problemsOf(withSchedule(action))).toEqual([]);
  });

  it.each<[string, Json, string]>([
    ["no count", {}, "autoscaling.schedules[0].minCount: missing; is missing, and so is maxCount; a scheduled action sets one or both"],
    ["a minCount above the maxCount", { minCount: 3, maxCount: 2 }, "autoscaling.schedules[0].minCount: got 3; must be at most maxCount (2)"],
    [
      "a rate of 1 in the plural",
      { schedule: "rate(1 hours)", minCount: 1 },
      'autoscaling.schedules[0].schedule: got "rate(1 hours)"; must be rate(1 hour): a rate of 1 takes the singular unit, any other the plural',
    ],
    [
      "a rate of 10 in the singular",
      { schedule: "rate(10 minute)", minCount: 1 },
      'autoscaling.schedules[0].schedule: got "rate(10 minute)"; must be rate(10 minutes): a rate of 1 takes the singular unit, any other the plural',
    ],
    [
      "a rate of 5 days in the singular",
      { schedule: "rate(5 day)", minCount: 1 },
      'autoscaling.schedules[0].schedule: got "rate(5 day)"; must be rate(5 days): a rate of 1 takes the singular unit, any other the plural',
    ],
    // Text around a rate makes it no rate expression at all: one problem, not a singular/plural one besides.
    [
      "a rate with text before it",
      { schedule: "every rate(1 hours)", minCount: 1 },
      `autoscaling.schedules[0].schedule: got "every rate(1 hours)"; ${SCHEDULE_FORMAT}`,
    ],
    [
      "a rate with text after it",
      { schedule: "rate(1 hours) daily", minCount: 1 },
      `autoscaling.schedules[0].schedule: got "rate(1 hours) daily"; ${SCHEDULE_FORMAT}`,
    ],
    // A rate below 1 or above six digits is no rate either: no advice to write another invalid one.
    ["a rate of 0", { schedule: "rate(0 minute)", minCount: 1 }, `autoscaling.schedules[0].schedule: got "rate(0 minute)"; ${SCHEDULE_FORMAT}`],
    [
      "a rate of seven digits",
      { schedule: "rate(1000000 minute)", minCount: 1 },
      `autoscaling.schedules[0].schedule: got "rate(1000000 minute)"; ${SCHEDULE_FORMAT}`,
    ],
  ])("refuse %s", (_label, action, line) => {
    expect(problemsOf(withSchedule(action))).toEqual([line]);
  });
});

describe("the autoscaling range against desiredCount", () => {
  it("accepts a fixed count (autoscaling off)", () => {
    expect(problemsOf(config({ autoscaling: { enabled: false } }))).toEqual([]);
  });

  it("accepts a maxCount equal to desiredCount", () => {
    expect(problemsOf(config({ desiredCount: 2, autoscaling: { maxCount: 2 } }))).toEqual([]);
  });

  it("checks the range of a service scaled explicitly from a desiredCount of 0", () => {
    expect(problemsOf(config({ desiredCount: 0, autoscaling: { enabled: true, minCount: 2, maxCount: 3 } }))).toEqual([
      "autoscaling.minCount: got 2; must be at most desiredCount (0): a deploy starts desiredCount tasks, inside the scaler's range",
    ]);
  });

  it("names desiredCount as the floor of maxCount when minCount is not above it", () => {
    expect(problemsOf(config({ desiredCount: 2, autoscaling: { minCount: 2, maxCount: 1 } }))).toEqual([
      "autoscaling.maxCount: got 1; must be at least desiredCount (2)",
    ]);
  });

  it("names minCount as the floor of maxCount when minCount is above desiredCount", () => {
    expect(problemsOf(config({ desiredCount: 2, autoscaling: { minCount: 3, maxCount: 2 } }))).toEqual([
      "autoscaling.minCount: got 3; must be at most desiredCount (2): a deploy starts desiredCount tasks, inside the scaler's range",
      "autoscaling.maxCount: got 2; must be at least minCount (3)",
    ]);
  });

  it("explains a deployment that cannot start, in the plural for a fixed desiredCount", () => {
    expect(problemsOf(config({ desiredCount: 2, autoscaling: { enabled: false }, deployment: { minimumHealthyPercent: 100, maximumPercent: 100 } }))).toEqual([
      "deployment.maximumPercent: got 100; with minimumHealthyPercent 100 lets no deployment start at 2 tasks (desiredCount): ECS could neither start a task beyond 2 nor stop one; raise maximumPercent (200 doubles) or lower minimumHealthyPercent",
    ]);
  });

  it("explains a deployment that cannot start, in the singular for the scaler's minCount", () => {
    expect(problemsOf(config({ desiredCount: 1, deployment: { minimumHealthyPercent: 100, maximumPercent: 100 } }))).toEqual([
      "deployment.maximumPercent: got 100; with minimumHealthyPercent 100 lets no deployment start at 1 task (autoscaling.minCount): ECS could neither start a task beyond 1 nor stop one; raise maximumPercent (200 doubles) or lower minimumHealthyPercent",
    ]);
  });
});

describe("EC2 instance types against cpuArchitecture", () => {
  it("points an X86_64 config at x86_64 types", () => {
    expect(problemsOf(onEc2({ instanceType: "m7g.large" }))).toEqual([
      'ec2.instanceType: got "m7g.large"; is an ARM64 instance type but cpuArchitecture is X86_64; use an x86_64 type such as t3.medium or m7i.large',
    ]);
  });

  it("points an ARM64 config at Graviton types", () => {
    expect(problemsOf(onEc2({ instanceType: "t3.medium" }, { cpuArchitecture: "ARM64" }))).toEqual([
      'ec2.instanceType: got "t3.medium"; is an X86_64 instance type but cpuArchitecture is ARM64; use a Graviton type such as t4g.medium or m7g.large',
    ]);
  });
});

describe("alarm notification", () => {
  it("accepts addresses alone and a topic alone", () => {
    expect(problemsOf(config({ alarms: { notify: { emails: ["oncall@example.com"] } } }))).toEqual([]);
    expect(problemsOf(config({ alarms: { notify: { snsTopicArn: TOPIC, emails: [] } } }))).toEqual([]);
  });

  it("refuses addresses beside an existing topic", () => {
    expect(problemsOf(config({ alarms: { notify: { snsTopicArn: TOPIC, emails: ["oncall@example.com"] } } }))).toEqual([
      'alarms.notify.emails: got ["oncall@example.com"]; cannot be subscribed to an existing topic (snsTopicArn); subscribe them to that topic where it is managed, or drop snsTopicArn',
    ]);
  });

  it("compares addresses in lowercase: straße@ is not STRASSE@ again", () => {
    // "ß" upper-cases to "SS": compared in uppercase, the two would be taken for one address.
    expect(problemsOf(config({ alarms: { notify: { emails: ["straße@example.com", "STRASSE@example.com"] } } }))).toEqual([
      'alarms.notify.emails[0]: got "straße@example.com"; must be an email address such as oncall@example.com',
    ]);
  });
});

describe("unknown keys", () => {
  it("lists the allowed keys and the nearest one", () => {
    expect(problemsOf(config({ healthCheck: { pth: "/health" } }))).toEqual([
      'healthCheck: unknown key "pth" (did you mean "path"?); allowed keys: path, matcher, intervalSeconds, timeoutSeconds, healthyThreshold, unhealthyThreshold, gracePeriodSeconds',
    ]);
  });

  it("explains a credential-looking backend key instead of listing the allowed keys", () => {
    const backend = { type: "s3", bucket: "acme-tf-state", key: "{stack}.tfstate", region: "us-east-1", access_key: "AKIA0000" };
    expect(problemsOf(config({ backend }))).toEqual([
      'backend: unknown key "access_key": credentials are never read from the config (it is committed, and cdktf would copy them into cdk.tf.json); Terraform Cloud: set TF_TOKEN_<host> (TF_TOKEN_app_terraform_io) in the environment; S3: AWS credentials come from the environment (AWS_PROFILE, OIDC in CI)',
    ]);
  });
});

describe("the pull-through cache", () => {
  it("reports an unparsable image once, at the image", () => {
    expect(problemsOf(config({ image: "acme/orders:1.4.2", registry: { mode: "ecr-pull-through-cache" } }))).toEqual([
      'image: got "acme/orders:1.4.2"; "acme" is not a registry host (it needs a dot, a port or to be localhost, like ghcr.io) (expected registry/repository:tag or registry/repository@sha256:<64 hex>, e.g. ghcr.io/acme/orders:1.4.2)',
    ]);
  });

  it("names the upstreams of a mixed app in alphabetical order", () => {
    const app = mirroredApp(
      {
        api: { image: "quay.io/acme/api:1.0.0", cpu: 512, memory: 1024 },
        worker: { image: "ghcr.io/acme/worker:1.0.0", cpu: 256, memory: 512, loadBalanced: false },
      },
      { credentials: { mode: "managed", username: "acme-ci-bot" } },
    );
    expect(problemsOf(app)).toEqual([
      'registry.mode: got "ecr-pull-through-cache"; caches one upstream registry per stack, but the images are on ghcr.io and quay.io',
    ]);
  });

  it("refuses a service's own credential in an app without shared credentials", () => {
    const app = mirroredApp({ api: { image: "ghcr.io/acme/api:1.0.0", cpu: 512, memory: 1024, credentials: { mode: "managed", username: "api-bot" } } });
    expect(problemsOf(app)).toEqual([
      "services.api.credentials: got \"(a service's own credentials)\"; is not possible with the pull-through cache: ECR pulls the upstream with one credential, the app's credentials",
    ]);
  });

  it("names an existing secret without only its 6-character suffix, keeping dashes in the name", () => {
    const existingSecretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ghcr/orders-service-AbC123";
    expect(problemsOf(config({ registry: { mode: "ecr-pull-through-cache" }, credentials: { mode: "existing", existingSecretArn } }))).toEqual([
      'credentials.existingSecretArn: got "arn:aws:secretsmanager:us-east-1:123456789012:secret:ghcr/orders-service-AbC...; names the secret "ghcr/orders-service", but ECR reads only secrets whose name starts with "ecr-pullthroughcache/" (holding {"username","accessToken"})',
    ]);
  });
});
