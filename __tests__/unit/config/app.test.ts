import { readFileSync } from "node:fs";
import * as path from "node:path";
import { ConfigError, parseDeploymentConfig } from "../../../src/config/load";
import { deepMerge, type AppConfig } from "../../../src/config/environments";
import { isAppConfig } from "../../../src/config/model";

const EXAMPLE_APP = path.join(__dirname, "..", "..", "..", "config", "example-app.json");

interface RouteDraft {
  pathPatterns?: string[];
  hostHeaders?: string[];
  priority?: number;
  [key: string]: unknown;
}
interface ServiceDraft {
  route?: RouteDraft;
  [key: string]: unknown;
}
interface AppDraft {
  services: Record<string, ServiceDraft>;
  [key: string]: unknown;
}

/** Three services: `web` answers the default action, `api` is routed, `worker` is not load-balanced. */
function base(): AppDraft {
  return {
    name: "shop",
    region: "us-east-1",
    credentials: { mode: "managed", username: "acme-ci-bot" },
    services: {
      web: { image: "ghcr.io/acme/web:1.0.0", cpu: 512, memory: 1024 },
      api: { image: "ghcr.io/acme/api:1.0.0", cpu: 512, memory: 1024, route: { pathPatterns: ["/api/*"] } },
      worker: { image: "ghcr.io/acme/worker:1.0.0", cpu: 256, memory: 512, loadBalanced: false },
    },
  };
}

function problemsOf(config: unknown): string[] {
  try {
    parseDeploymentConfig(config, "app.json");
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
}

function app(config: unknown): AppConfig {
  const parsed = parseDeploymentConfig(config, "app.json");
  if (!isAppConfig(parsed)) throw new Error("expected the app form");
  return parsed;
}

describe("the app form of the config", () => {
  it("is chosen by a services key; the example app validates with its two environments", () => {
    const example = app(JSON.parse(readFileSync(EXAMPLE_APP, "utf8")));
    expect(example.environments.map((env) => [env.name, env.stackName])).toEqual([
      ["staging", "shop-staging"],
      ["prod", "shop-prod"],
    ]);
    expect(Object.keys(example.environments[0].settings.services)).toEqual(["web", "api", "worker"]);
  });

  it("deep-merges an environment's overrides: objects key by key, values and lists replaced", () => {
    const draft = base();
    draft.tags = { app: "shop", team: "web" };
    draft.loadBalancer = { ingressCidrs: ["10.0.0.0/8", "192.168.0.0/16"] };
    draft.environments = {
      prod: {
        services: { api: { desiredCount: 6, environment: { MODE: "prod" } } },
        tags: { team: "payments" },
        loadBalancer: { ingressCidrs: ["0.0.0.0/0"] },
      },
    };
    const [prod] = app(draft).environments;
    expect(prod.settings.services.api).toMatchObject({ desiredCount: 6, environment: { MODE: "prod" }, route: { pathPatterns: ["/api/*"] }, memory: 1024 });
    expect(prod.settings.services.web.desiredCount).toBe(2);
    expect(prod.settings.tags).toEqual({ app: "shop", team: "payments" });
    expect(prod.settings.loadBalancer.ingressCidrs).toEqual(["0.0.0.0/0"]);
  });

  it("is one stack named after the app without environments", () => {
    const environments = app(base()).environments;
    expect(environments.map((env) => [env.name, env.stackName])).toEqual([[undefined, "shop"]]);
  });

  it("leaves today's single-service file in the single-service form", () => {
    const single = parseDeploymentConfig(JSON.parse(readFileSync(path.join(__dirname, "..", "..", "..", "config", "reference-app.json"), "utf8")));
    expect(isAppConfig(single)).toBe(false);
  });
});

describe("deepMerge", () => {
  it("merges nested objects, replaces arrays and scalars, and keeps keys only one side has", () => {
    expect(deepMerge({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3], e: true }, f: "x" })).toEqual({ a: { b: 1, c: [3], e: true }, d: 1, f: "x" });
  });

  it("lets an override replace an object with a value and the other way round", () => {
    expect(deepMerge({ a: { b: 1 } }, { a: 2 })).toEqual({ a: 2 });
    expect(deepMerge({ a: 2 }, { a: { b: 1 } })).toEqual({ a: { b: 1 } });
  });
});

/** Each invalid app: what breaks it, and exactly the lines `npm run synth` prints (field path, value, what is allowed). */
const INVALID: [string, (c: AppDraft) => void, string[]][] = [
  [
    "no services",
    (c) => {
      c.services = {};
    },
    ["services: got {}; must have at least one service"],
  ],
  [
    "service name with a capital",
    (c) => {
      c.services.Web = c.services.web;
      delete c.services.web;
    },
    ['services.Web: got "Web"; must be 2-16 lowercase letters, digits and -, starting with a letter'],
  ],
  [
    "two default services",
    (c) => {
      delete c.services.api.route;
    },
    [
      "services.api.route: missing; is missing, but web already answers the listener's default action; give every load-balanced service but one a route (pathPatterns and/or hostHeaders), or set loadBalanced: false for a worker",
    ],
  ],
  [
    "worker with a route",
    (c) => {
      c.services.worker.route = { pathPatterns: ["/jobs/*"] };
    },
    ['services.worker.route: got {"pathPatterns":["/jobs/*"]}; is set but loadBalanced is false; a worker gets no traffic: remove route or loadBalanced'],
  ],
  [
    "duplicate priority",
    (c) => {
      c.services.web.route = { hostHeaders: ["www.example.com"], priority: 10 };
      c.services.api.route!.priority = 10;
    },
    ["services.api.route.priority: got 10; is also web's route priority; every rule needs its own"],
  ],
  [
    "identical routes",
    (c) => {
      c.services.web.route = { pathPatterns: ["/api/*"] };
    },
    [
      'services.api.route: got {"pathPatterns":["/api/*"]}; overlaps web\'s route (host any, path /api/*): only one of them would ever answer; make the patterns differ',
    ],
  ],
  [
    "empty route",
    (c) => {
      c.services.api.route = {};
    },
    ["services.api.route: got {}; must have pathPatterns and/or hostHeaders (a route matches on them)"],
  ],
  [
    "six conditions",
    (c) => {
      c.services.api.route = { pathPatterns: ["/a", "/b", "/c"], hostHeaders: ["a.example.com", "b.example.com", "c.example.com"] };
    },
    [
      'services.api.route: got {"pathPatterns":["/a","/b","/c"],"hostHeaders":["a.example.com","b.example.co...; has 6 path patterns and host names; an ALB rule evaluates at most 5',
    ],
  ],
  [
    "path without slash",
    (c) => {
      c.services.api.route!.pathPatterns = ["api/*"];
    },
    ['services.api.route.pathPatterns[0]: got "api/*"; must be a path pattern of at most 128 characters starting with / (wildcards * and ?), such as /api/*'],
  ],
  [
    "host with a space",
    (c) => {
      c.services.api.route = { hostHeaders: ["api example.com"] };
    },
    [
      'services.api.route.hostHeaders[0]: got "api example.com"; must be a host name of at most 128 characters (wildcards * and ?), such as api.example.com or *.example.com',
    ],
  ],
  [
    "priority 0",
    (c) => {
      c.services.api.route!.priority = 0;
    },
    ["services.api.route.priority: got 0; must be a whole number from 1 to 50000"],
  ],
  [
    "priority 50001",
    (c) => {
      c.services.api.route!.priority = 50001;
    },
    ["services.api.route.priority: got 50001; must be a whole number from 1 to 50000"],
  ],
  [
    "override of a missing service",
    (c) => {
      c.environments = { prod: { services: { billing: { desiredCount: 3 } } } };
    },
    ['environments.prod.services.billing: got "billing"; overrides a service that does not exist; services: web, api, worker'],
  ],
  [
    "override of the name",
    (c) => {
      c.environments = { prod: { name: "other" } };
    },
    ['environments.prod.name: got "other"; cannot be overridden per environment (it names the app)'],
  ],
  [
    "override with an invalid memory",
    (c) => {
      c.environments = { prod: { services: { api: { memory: 1000 } } } };
    },
    ["environments.prod.services.api.memory: got 1000; is not a Fargate size for cpu 512; allowed: 1024, 2048, 3072, 4096"],
  ],
  [
    "override of cpu that breaks memory",
    (c) => {
      c.environments = { prod: { services: { api: { cpu: 4096 } } } };
    },
    ["environments.prod.services.api.memory: got 1024; is not a Fargate size for cpu 4096; allowed: 8192 to 30720 in steps of 1024"],
  ],
  [
    "environment name with a capital",
    (c) => {
      c.environments = { Prod: {} };
    },
    ['environments.Prod: got "Prod"; must be 2-12 lowercase letters, digits and -, starting with a letter'],
  ],
  [
    "environment that is not an object",
    (c) => {
      c.environments = { prod: 5 };
    },
    ['environments.prod: got 5; must be an object of overrides, e.g. {"services": {"api": {"desiredCount": 1}}}'],
  ],
  [
    "load balancer name too long",
    (c) => {
      c.name = "a-very-long-shop-name-xy";
      c.environments = { production: {} };
    },
    [
      'environments.production.name: got "a-very-long-shop-name-xy"; makes the load balancer name "a-very-long-shop-name-xy-production" 35 characters long; AWS allows 32: shorten the app or environment name',
      'environments.production.services.web: got "web"; makes the target group name "a-very-long-shop-name-xy-production-web-8080" 44 characters long; AWS allows 32: shorten the service, app or environment name',
      'environments.production.services.api: got "api"; makes the target group name "a-very-long-shop-name-xy-production-api-8080" 44 characters long; AWS allows 32: shorten the service, app or environment name',
    ],
  ],
  [
    "target group name too long",
    (c) => {
      c.name = "shop-of-many-things";
      c.services.api.containerPort = 8081;
      c.services["admin-console"] = { image: "ghcr.io/acme/a:1.0.0", cpu: 256, memory: 512, route: { hostHeaders: ["admin.example.com"] } };
      c.environments = { staging: {} };
    },
    [
      'environments.staging.services.web: got "web"; makes the target group name "shop-of-many-things-staging-web-8080" 36 characters long; AWS allows 32: shorten the service, app or environment name',
      'environments.staging.services.api: got "api"; makes the target group name "shop-of-many-things-staging-api-8081" 36 characters long; AWS allows 32: shorten the service, app or environment name',
      'environments.staging.services["admin-console"]: got "admin-console"; makes the target group name "shop-of-many-things-staging-admin-console-8080" 46 characters long; AWS allows 32: shorten the service, app or environment name',
    ],
  ],
  [
    "no credentials for a service",
    (c) => {
      delete c.credentials;
      c.services.web.credentials = { mode: "managed", username: "bot" };
    },
    [
      "services.api.credentials: missing; is missing, and the app has no credentials for its services to share; set the app's credentials or this service's own",
      "services.worker.credentials: missing; is missing, and the app has no credentials for its services to share; set the app's credentials or this service's own",
    ],
  ],
  [
    "ec2 block without EC2 services",
    (c) => {
      c.ec2 = { minSize: 1 };
    },
    [
      'ec2: got {"minSize":1,"maxSize":4,"rootVolumeGiB":30,"targetCapacityPercent":100,"minH...; is set but no service has launchType "ec2"; remove it, or run a service on EC2',
    ],
  ],
  [
    "EC2 services of two architectures",
    (c) => {
      c.services.api.launchType = "ec2";
      c.services.worker.launchType = "ec2";
      c.services.worker.cpuArchitecture = "ARM64";
    },
    [
      'services.api.cpuArchitecture: got "X86_64"; differs between the EC2 services (X86_64, ARM64); their instances have one architecture: run the others on Fargate',
      'services.worker.cpuArchitecture: got "ARM64"; differs between the EC2 services (X86_64, ARM64); their instances have one architecture: run the others on Fargate',
    ],
  ],
  [
    "instance type of the wrong architecture",
    (c) => {
      c.services.api.launchType = "ec2";
      c.ec2 = { instanceType: "t4g.medium" };
    },
    ['ec2.instanceType: got "t4g.medium"; is an ARM64 instance type but the EC2 services run X86_64 images'],
  ],
  [
    "agent auth with two credentials",
    (c) => {
      c.services.api.launchType = "ec2";
      c.services.worker.launchType = "ec2";
      c.services.worker.credentials = { mode: "managed", username: "other-bot" };
      c.ec2 = { registryAuth: "agent-dockercfg" };
    },
    [
      'ec2.registryAuth: got "agent-dockercfg"; is agent-dockercfg, but the EC2 services pull with different credentials; the instances\' agent holds one: use task auth, or one credential for the EC2 services',
    ],
  ],
  [
    "unknown service key",
    (c) => {
      c.services.api.imagee = "x";
    },
    [
      'services.api: unknown key "imagee" (did you mean "image"?); allowed keys: image, containerPort, cpu, memory, containerMemory, cpuArchitecture, desiredCount, healthCheck, stopTimeoutSeconds, deregistrationDelaySeconds, deployment, environment, secrets, autoscaling, alarms, exec, logRetentionDays, readOnlyRootFilesystem, launchType, credentials, loadBalanced, serviceConnect, route',
    ],
  ],
  [
    "unknown route key",
    (c) => {
      c.services.api.route!.paths = ["/x"];
    },
    ['services.api.route: unknown key "paths"; allowed keys: pathPatterns, hostHeaders, priority'],
  ],
  [
    "invalid launch type",
    (c) => {
      c.services.api.launchType = "lambda";
    },
    ['services.api.launchType: got "lambda"; "fargate" or "ec2" (the environment\'s container instances, see ec2)'],
  ],
  [
    "loadBalanced not a boolean",
    (c) => {
      c.services.worker.loadBalanced = "no";
    },
    ['services.worker.loadBalanced: got "no"; must be true or false'],
  ],
  [
    "shared local state path",
    (c) => {
      c.backend = { type: "local", path: "state.tfstate" };
      c.environments = { staging: {}, prod: {} };
    },
    ['backend.path: got "state.tfstate"; has no {stack} but the config has 2 stacks (shop-staging, shop-prod) that would share one state file; add {stack}'],
  ],
  [
    "unknown key in an environment",
    (c) => {
      c.environments = { prod: { regoin: "eu-west-1" } };
    },
    [
      'environments.prod: unknown key "regoin" (did you mean "region"?); allowed keys: $schema, name, region, credentials, registry, encryption, network, loadBalancer, containerInsights, alarms, production, policyWaivers, backend, tags, ec2, services',
    ],
  ],
  [
    "service credentials with an unknown mode",
    (c) => {
      c.services.api.credentials = { mode: "borrowed" };
    },
    ['services.api.credentials.mode: got "borrowed"; must have "mode": "managed" (with "username") or "mode": "existing" (with "existingSecretArn")'],
  ],
  [
    "override that duplicates a priority",
    (c) => {
      c.services.web.route = { hostHeaders: ["www.example.com"], priority: 20 };
      c.environments = { prod: { services: { api: { route: { priority: 20 } } } } };
    },
    ["environments.prod.services.api.route.priority: got 20; is also web's route priority; every rule needs its own"],
  ],
  [
    "Service Connect on bridge-mode EC2",
    (c) => {
      c.services.api.launchType = "ec2";
      c.services.api.serviceConnect = true;
      c.ec2 = { networkMode: "bridge" };
    },
    [
      'services.api.serviceConnect: got true; is true on an EC2 service in bridge mode; Service Connect here admits callers by security group, which bridge tasks do not have: use ec2.networkMode "awsvpc"',
    ],
  ],
  [
    "too many routed services",
    (c) => {
      for (let i = 0; i < 101; i++) c.services[`s${i}`] = { image: "ghcr.io/acme/s:1.0.0", cpu: 256, memory: 512, route: { pathPatterns: [`/s${i}/*`] } };
    },
    ["services: got 102; has 102 routed services; an ALB listener holds at most 100 rules besides its default"],
  ],
  [
    "environments without services",
    (c) => {
      delete (c as Partial<AppDraft>).services;
      c.environments = { staging: {} };
    },
    ["services: missing; expected record, received undefined"],
  ],
  [
    "a broken service and a broken environment, both named",
    (c) => {
      c.services.worker.cpu = 300;
      c.environments = { prod: { loadBalancer: 0, services: { api: { desiredCount: 2 } } } };
    },
    [
      "services.worker.cpu: got 300; must be one of the Fargate CPU sizes 256, 512, 1024, 2048, 4096, 8192, 16384 (1024 = 1 vCPU)",
      "environments.prod.loadBalancer: got 0; expected object, received number",
    ],
  ],
  [
    "requests per task on a worker",
    (c) => {
      c.services.worker.autoscaling = { requestsPerTarget: 100 };
    },
    [
      "services.worker.autoscaling.requestsPerTarget: got 100; counts requests through the load balancer, but loadBalanced is false; scale a worker on cpuPercent or memoryPercent",
    ],
  ],
  [
    "an environment's minimum above the service's desiredCount",
    (c) => {
      c.environments = { prod: { services: { api: { autoscaling: { minCount: 5 } } } } };
    },
    [
      "environments.prod.services.api.autoscaling.minCount: got 5; must be at most desiredCount (2): a deploy starts desiredCount tasks, inside the scaler's range",
    ],
  ],
  [
    "secrets also in environment",
    (c) => {
      c.services.api.environment = { DB: "x" };
      c.services.api.secrets = { DB: "arn:aws:ssm:us-east-1:123456789012:parameter/db" };
    },
    ['services.api.secrets.DB: got "DB"; is also set in environment; a variable comes from one place only'],
  ],
];

describe("an invalid app", () => {
  it("has at least 30 cases in this table", () => {
    expect(INVALID.length).toBeGreaterThanOrEqual(30);
  });

  it.each(INVALID)("%s: names the field through services and environments", (_label, mutate, expected) => {
    const draft = base();
    mutate(draft);
    expect(problemsOf(draft)).toEqual(expected);
  });
});
