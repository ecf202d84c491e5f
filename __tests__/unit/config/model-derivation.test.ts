import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import type { ConfigInput } from "../../../src/config";
import { ciStackName, stackNames } from "../../../src/config/derive";
import { ConfigError, exampleConfigFiles, parseConfig, parseDeploymentConfig } from "../../../src/config/load";
import { ciOf, configWarnings, credentialName, environmentStackNames, environmentsOf, secretReaderOf, stackNamesOf } from "../../../src/config/model";
import { projectRoot } from "../../../src/util/project-root";

// readdirSync passes through to the real one unless a test gives it a listing (config/examples in another order).
jest.mock("node:fs", () => {
  const actual = jest.requireActual<typeof import("node:fs")>("node:fs");
  return { ...actual, readdirSync: jest.fn(actual.readdirSync) };
});

const REFERENCE_FILE = path.join(__dirname, "..", "..", "..", "config", "reference-app.json");

const DEPRECATED_BOTH =
  'launchType "both" is deprecated: it builds two complete copies of everything (two VPCs, NAT gateways, load balancers and secrets). It keeps working; for new deployments write an app (`services`) whose services choose `launchType` each, in one environment — see docs/upgrading.md';
const DYNAMODB_WITH_LOCKFILE =
  "backend.dynamodbTable: DynamoDB locking is deprecated since Terraform 1.11; both locks are taken now — remove dynamodbTable once every runner uses Terraform ≥ 1.11";
const DYNAMODB_WITHOUT_LOCKFILE =
  "backend.dynamodbTable: DynamoDB locking is deprecated since Terraform 1.11; set useLockfile true (S3 native locking) and then remove dynamodbTable";
const S3_WITH_LOCK_TABLE = { type: "s3", bucket: "acme-state", key: "{stack}.tfstate", dynamodbTable: "terraform-locks" };

const image = (name: string) => `ghcr.io/acme/${name}:1.0.0`;

/** Only the required keys of the single-service form: everything else comes from DEFAULTS. */
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

function reference(): ConfigInput {
  return JSON.parse(readFileSync(REFERENCE_FILE, "utf8")) as ConfigInput;
}

/** An app `shop` with the app's credential and the given services (and other keys). */
function shop(services: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return parseDeploymentConfig({ name: "shop", region: "us-east-1", credentials: { mode: "managed", username: "bot" }, services, ...extra });
}

function rejection(parse: () => unknown): ConfigError {
  try {
    parse();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected the config to be rejected, but it parsed");
}

const problemsOf = (data: unknown) => rejection(() => parseDeploymentConfig(data)).problems;

describe("the model of a single-service config", () => {
  it("models its one service with the service's settings only: load-balanced, outside Service Connect, pulling with the default credential", () => {
    const [env] = environmentsOf(parseConfig(minimal()));
    expect(env.services).toEqual([
      {
        name: "orders",
        ecsName: "orders",
        resourceName: "orders",
        launchType: "fargate",
        settings: {
          image: "ghcr.io/acme/orders:1.4.2",
          containerPort: 8080,
          cpu: 512,
          memory: 1024,
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
          environment: {},
          secrets: {},
          logRetentionDays: 30,
          readOnlyRootFilesystem: true,
          exec: false,
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
          },
        },
        loadBalanced: true,
        serviceConnect: false,
        credential: "default",
      },
    ]);
  });

  it("keeps whom the alarms notify and the load balancer's own alarm at the environment, apart from the service's alarms", () => {
    const [env] = environmentsOf(
      parseConfig({ ...minimal(), alarms: { notify: { emails: ["ops@example.com"] }, loadBalancerErrorsPerMinute: 25, cpuPercent: 80 } }),
    );
    expect(env.alarms).toEqual({ notify: { emails: ["ops@example.com"] }, loadBalancerErrorsPerMinute: 25 });
    expect(env.services[0].settings.alarms).toMatchObject({ cpuPercent: 80 });
    expect(env.services[0].settings.alarms).not.toHaveProperty("notify");
  });

  it("resolves the EC2 stack's container instances from the config's ec2 block and CPU architecture, and gives the Fargate stack none", () => {
    const [ec2Only] = environmentsOf(parseConfig({ ...minimal(), launchType: "ec2", cpuArchitecture: "ARM64", ec2: { minSize: 1, maxSize: 3 } }));
    expect(ec2Only.stackName).toBe("orders-ec2");
    expect(ec2Only.ec2).toEqual({
      minSize: 1,
      maxSize: 3,
      rootVolumeGiB: 30,
      targetCapacityPercent: 100,
      minHealthyPercentage: 90,
      networkMode: "awsvpc",
      registryAuth: "task",
      ecsConfig: {},
      containerStopTimeoutSeconds: 30,
      imagePullBehavior: "default",
      instanceType: "t4g.medium",
      desiredCapacity: 1,
    });
    const [fargate, ec2] = environmentsOf(parseConfig(reference()));
    expect(fargate.ec2).toBeUndefined();
    expect(ec2.ec2).toMatchObject({ minSize: 2, maxSize: 4, ecsConfig: { ECS_RESERVED_MEMORY: "256" }, imagePullBehavior: "once", instanceType: "t3.medium" });
  });
});

describe("the stacks a config makes", () => {
  it("is <name> for fargate, <name>-ec2 for ec2, and both of them, in that order, for both", () => {
    expect(stackNames({ name: "orders", launchType: "fargate" })).toEqual(["orders"]);
    expect(stackNames({ name: "orders", launchType: "ec2" })).toEqual(["orders-ec2"]);
    expect(stackNames({ name: "orders", launchType: "both" })).toEqual(["orders", "orders-ec2"]);
    expect(stackNamesOf(parseConfig({ ...minimal(), launchType: "ec2" }))).toEqual(["orders-ec2"]);
  });

  it("adds the CI bootstrap stack <name>-ci after the environments' stacks when the config has ci", () => {
    const ci = { repository: "acme/shop-infra" };
    expect(ciStackName("shop")).toBe("shop-ci");
    expect(stackNamesOf(parseConfig({ ...minimal(), ci }))).toEqual(["orders", "orders-ci"]);
    expect(stackNamesOf(parseConfig(minimal()))).toEqual(["orders"]);
    const app = shop({ web: { image: image("web"), cpu: 256, memory: 512 } }, { ci, environments: { staging: {}, prod: {} } });
    expect(stackNamesOf(app)).toEqual(["shop-staging", "shop-prod", "shop-ci"]);
    expect(environmentStackNames(app)).toEqual(["shop-staging", "shop-prod"]);
  });
});

describe("the CI bootstrap stack's model", () => {
  it("is undefined for a config without ci", () => {
    expect(ciOf(parseConfig(minimal()))).toBeUndefined();
    expect(ciOf(shop({ web: { image: image("web"), cpu: 256, memory: 512 } }))).toBeUndefined();
  });

  it("takes the first environment's region, tags and backend, and serves every environment", () => {
    const config = shop(
      { web: { image: image("web"), cpu: 256, memory: 512 } },
      {
        tags: { team: "web" },
        backend: { type: "s3", bucket: "acme-state", key: "{stack}.tfstate" },
        ci: { repository: "acme/shop-infra" },
        environments: { staging: {}, prod: { region: "us-west-2", tags: { team: "payments" } } },
      },
    );
    const ci = ciOf(config);
    expect(ci).toEqual({
      stackName: "shop-ci",
      settings: { repository: "acme/shop-infra", deployEnvironment: "production", defaultBranch: "main" },
      region: "us-east-1",
      tags: { team: "web" },
      backend: { type: "s3", bucket: "acme-state", key: "{stack}.tfstate", encrypt: true, useLockfile: true },
      environments: environmentsOf(config),
    });
    expect(ci?.environments.map((env) => env.stackName)).toEqual(["shop-staging", "shop-prod"]);
  });
});

describe("configWarnings", () => {
  it("warns that launchType both is deprecated, and has nothing to say about a Fargate or an EC2 config", () => {
    expect(configWarnings(parseConfig(reference()))).toEqual([DEPRECATED_BOTH]);
    expect(configWarnings(parseConfig(minimal()))).toEqual([]);
    expect(configWarnings(parseConfig({ ...minimal(), launchType: "ec2" }))).toEqual([]);
    expect(configWarnings(shop({ web: { image: image("web"), cpu: 256, memory: 512 } }))).toEqual([]);
  });

  it("adds the backend's advice once, however many stacks share the backend", () => {
    const app = shop({ web: { image: image("web"), cpu: 256, memory: 512 } }, { backend: S3_WITH_LOCK_TABLE, environments: { staging: {}, prod: {} } });
    expect(configWarnings(app)).toEqual([DYNAMODB_WITH_LOCKFILE]);
    const both = parseConfig({ ...minimal(), launchType: "both", backend: { ...S3_WITH_LOCK_TABLE, useLockfile: false } });
    expect(configWarnings(both)).toEqual([DEPRECATED_BOTH, DYNAMODB_WITHOUT_LOCKFILE]);
  });
});

describe("the credentials of an environment", () => {
  it("names the credential's secret after the stack, and after stack/key for a service's own credential", () => {
    const [env] = environmentsOf(
      shop(
        {
          web: { image: image("web"), cpu: 256, memory: 512 },
          api: { image: image("api"), cpu: 256, memory: 512, credentials: { mode: "managed", username: "api-bot" }, route: { pathPatterns: ["/api/*"] } },
        },
        { environments: { prod: {} } },
      ),
    );
    expect(env.credentials.map((credential) => [credential.key, credentialName(env, credential)])).toEqual([
      ["default", "shop-prod"],
      ["api", "shop-prod/api"],
    ]);
  });

  it("leaves the app's credential out when every service pulls with its own", () => {
    const [env] = environmentsOf(
      shop({
        web: { image: image("web"), cpu: 256, memory: 512, credentials: { mode: "managed", username: "web-bot" } },
        api: { image: image("api"), cpu: 256, memory: 512, credentials: { mode: "managed", username: "api-bot" }, route: { pathPatterns: ["/api/*"] } },
      }),
    );
    expect(env.credentials.map((credential) => [credential.key, credential.services])).toEqual([
      ["web", ["web"]],
      ["api", ["api"]],
    ]);
  });

  it("is read by ECS itself, or by ECR's pull-through cache when the environment pulls through the mirror", () => {
    const [direct] = environmentsOf(parseConfig(minimal()));
    expect(secretReaderOf(direct)).toBe("repository-credentials");
    const [mirrored] = environmentsOf(parseConfig({ ...minimal(), registry: { mode: "ecr-pull-through-cache" } }));
    expect(secretReaderOf(mirrored)).toBe("pull-through-cache");
  });
});

describe("the routes of an app's services", () => {
  it("routes only the load-balanced services that have a route, numbering those without a priority 10, 20, …", () => {
    const [env] = environmentsOf(
      shop({
        web: { image: image("web"), cpu: 256, memory: 512 },
        api: { image: image("api"), cpu: 256, memory: 512, route: { pathPatterns: ["/api/*"] } },
        docs: { image: image("docs"), cpu: 256, memory: 512, route: { hostHeaders: ["docs.example.com"] } },
        worker: { image: image("worker"), cpu: 256, memory: 512, loadBalanced: false },
      }),
    );
    expect(env.services.map((s) => [s.name, s.loadBalanced, s.route])).toEqual([
      ["web", true, undefined],
      ["api", true, { pathPatterns: ["/api/*"], priority: 10 }],
      ["docs", true, { hostHeaders: ["docs.example.com"], priority: 20 }],
      ["worker", false, undefined],
    ]);
  });

  it("numbers the routes without a priority after an explicit 10 from 20", () => {
    const [env] = environmentsOf(
      shop({
        web: { image: image("web"), cpu: 256, memory: 512 },
        api: { image: image("api"), cpu: 256, memory: 512, route: { pathPatterns: ["/api/*"], priority: 10 } },
        docs: { image: image("docs"), cpu: 256, memory: 512, route: { pathPatterns: ["/docs/*"] } },
      }),
    );
    expect(env.services.map((s) => [s.name, s.route?.priority])).toEqual([
      ["web", undefined],
      ["api", 10],
      ["docs", 20],
    ]);
  });
});

describe("parsing a config", () => {
  it("rejects a file whose top level is not a JSON object, saying what it is", () => {
    expect(problemsOf(null)).toEqual(["(top level): got null; expected object, received null"]);
    expect(problemsOf("orders")).toEqual(['(top level): got "orders"; expected object, received string']);
    expect(problemsOf(42)).toEqual(["(top level): got 42; expected object, received number"]);
    expect(problemsOf([])).toEqual(["(top level): got []; expected object, received array"]);
  });

  it("names a config given inline <inline> in its error, in either form", () => {
    const single = rejection(() => parseConfig(null));
    expect([single.file, single.message]).toEqual([
      "<inline>",
      "Invalid configuration in <inline>:\n  - (top level): got null; expected object, received null",
    ]);
    expect(rejection(() => parseDeploymentConfig(null)).file).toBe("<inline>");
    const app = rejection(() => parseDeploymentConfig({ name: "shop", region: "us-east-1", credentials: { mode: "managed", username: "bot" }, services: {} }));
    expect([app.file, app.message]).toEqual(["<inline>", "Invalid configuration in <inline>:\n  - services: got {}; must have at least one service"]);
  });

  it("shows the value at the field itself, even an object holding a key named like the field; only a bad mode shows the mode", () => {
    expect(problemsOf({ ...minimal(), tags: { tags: { tags: "x" } } })).toEqual(['tags.tags: got {"tags":"x"}; expected string, received object']);
    expect(problemsOf({ ...minimal(), healthCheck: null })).toEqual(["healthCheck: got null; expected object, received null"]);
    expect(problemsOf({ ...minimal(), network: { mode: "shared" } })).toEqual([
      'network.mode: got "shared"; must have "mode": "create" or "mode": "existing" (with vpcId, loadBalancerSubnetIds, serviceSubnetIds)',
    ]);
  });

  it("shows a value of up to 80 characters whole and cuts a longer one to 77 and ...", () => {
    const hint = "has no registry host (expected registry/repository:tag or registry/repository@sha256:<64 hex>, e.g. ghcr.io/acme/orders:1.4.2)";
    expect(problemsOf({ ...minimal(), image: "x".repeat(78) })).toEqual([`image: got "${"x".repeat(78)}"; ${hint}`]);
    expect(problemsOf({ ...minimal(), image: "x".repeat(79) })).toEqual([`image: got "${"x".repeat(76)}...; ${hint}`]);
  });

  it('drops zod\'s "Invalid input: " only where it opens a message, never from what the user wrote inside one', () => {
    expect(problemsOf({ ...minimal(), backend: { type: "local", path: "{Invalid input: env}.tfstate" } })).toEqual([
      'backend.path: got "{Invalid input: env}.tfstate"; has the placeholder {Invalid input: env}; the only placeholder is {stack} (the stack name)',
    ]);
  });
});

describe("exampleConfigFiles", () => {
  it("lists the reference app, the example app, then the JSON files of config/examples by name, whatever order the folder gives", () => {
    jest
      .mocked(readdirSync)
      .mockReturnValueOnce(["private-mirror.json", "README.md", "ec2-agent-auth.json", "draft.json.bak"] as unknown as ReturnType<typeof readdirSync>);
    expect(exampleConfigFiles()).toEqual([
      path.join("config", "reference-app.json"),
      path.join("config", "example-app.json"),
      path.join("config", "examples", "ec2-agent-auth.json"),
      path.join("config", "examples", "private-mirror.json"),
    ]);
    expect(readdirSync).toHaveBeenCalledWith(path.join(projectRoot(), "config", "examples"));
  });
});
