import { ConfigError, parseDeploymentConfig } from "../../../src/config/load";
import { deepMerge, type AppConfig } from "../../../src/config/environments";
import { isAppConfig } from "../../../src/config/model";

// The app form's cross-service checks (routes, priorities, names once prefixed, EC2 services, credentials, the
// registry) and how environments and the CI stack are resolved, each through the problem lines a user reads.

interface ServiceDraft {
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

function mutated(mutate: (config: AppDraft) => void): AppDraft {
  const config = base();
  mutate(config);
  return config;
}

/** The problem lines `npm run synth` prints; none for a valid app. */
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

const worker = (image: string): ServiceDraft => ({ image, cpu: 256, memory: 512, loadBalanced: false });
const CI = { repository: "acme/shop-infra" };
const CI_SETTINGS = { repository: "acme/shop-infra", deployEnvironment: "production", defaultBranch: "main" };
const WORKER_CPU_PROBLEM = "services.worker.cpu: got 300; must be one of the Fargate CPU sizes 256, 512, 1024, 2048, 4096, 8192, 16384 (1024 = 1 vCPU)";

describe("an app's routes", () => {
  it("accepts a route with exactly 5 path patterns and host names, the most an ALB rule evaluates", () => {
    const config = mutated((c) => {
      c.services.api.route = { pathPatterns: ["/a", "/b", "/c"], hostHeaders: ["a.example.com", "b.example.com"] };
    });
    expect(problemsOf(config)).toEqual([]);
  });

  it("accepts exactly 100 routed services, the most an ALB listener holds besides its default", () => {
    const config = mutated((c) => {
      for (let i = 0; i < 99; i++) c.services[`s${i}`] = { image: "ghcr.io/acme/s:1.0.0", cpu: 256, memory: 512, route: { pathPatterns: [`/s${i}/*`] } };
    });
    expect(problemsOf(config)).toEqual([]);
  });

  it("refuses a path pattern or a host name that is not a string", () => {
    expect(problemsOf(mutated((c) => (c.services.api.route = { pathPatterns: [5] })))).toEqual([
      "services.api.route.pathPatterns[0]: got 5; must be a path pattern such as /api/*",
    ]);
    expect(problemsOf(mutated((c) => (c.services.api.route = { hostHeaders: [5] })))).toEqual([
      "services.api.route.hostHeaders[0]: got 5; must be a host name such as api.example.com",
    ]);
  });

  it("refuses an empty list of path patterns or of host names, even beside the other condition", () => {
    expect(problemsOf(mutated((c) => (c.services.api.route = { pathPatterns: [], hostHeaders: ["api.example.com"] })))).toEqual([
      "services.api.route.pathPatterns: got []; must list at least one path pattern",
    ]);
    expect(problemsOf(mutated((c) => (c.services.api.route = { pathPatterns: ["/api/*"], hostHeaders: [] })))).toEqual([
      "services.api.route.hostHeaders: got []; must list at least one host name",
    ]);
  });

  it("refuses two routes on the same host in any letter case, naming the host in lower case and any path", () => {
    const config = mutated((c) => {
      c.services.web.route = { hostHeaders: ["shop.example.com"] };
      c.services.api.route = { hostHeaders: ["Shop.Example.com"] };
    });
    expect(problemsOf(config)).toEqual([
      'services.api.route: got {"hostHeaders":["Shop.Example.com"]}; overlaps web\'s route (host shop.example.com, path any): only one of them would ever answer; make the patterns differ',
    ]);
  });

  it("accepts a route that lists the same host twice: it does not overlap itself", () => {
    const config = mutated((c) => {
      c.services.api.route = { hostHeaders: ["api.example.com", "API.example.com"] };
    });
    expect(problemsOf(config)).toEqual([]);
  });
});

describe("an app's names once prefixed with the app and environment", () => {
  it("accepts a load balancer name of exactly 32 characters and refuses 33", () => {
    const named = (name: string) => ({
      name,
      region: "us-east-1",
      credentials: base().credentials,
      services: { jobs: worker("ghcr.io/acme/jobs:1.0.0") },
      environments: { "staging-east": {} },
    });
    expect(problemsOf(named("shop-of-many-things"))).toEqual([]);
    expect(problemsOf(named("shop-of-many-things2"))).toEqual([
      'environments["staging-east"].name: got "shop-of-many-things2"; makes the load balancer name "shop-of-many-things2-staging-east" 33 characters long; AWS allows 32: shorten the app or environment name',
    ]);
  });

  it("accepts a target group name of exactly 32 characters and refuses 33", () => {
    const withPort = (containerPort: number) =>
      mutated((c) => {
        c.services["search-catalog"] = { image: "ghcr.io/acme/search:1.0.0", cpu: 256, memory: 512, containerPort, route: { pathPatterns: ["/search/*"] } };
        c.environments = { staging: {} };
      });
    expect(problemsOf(withPort(8080))).toEqual([]);
    expect(problemsOf(withPort(18080))).toEqual([
      'environments.staging.services["search-catalog"]: got "search-catalog"; makes the target group name "shop-staging-search-catalog-18080" 33 characters long; AWS allows 32: shorten the service, app or environment name',
    ]);
  });

  it("accepts a 64-character execution role name, the longest the name limits allow and the most IAM allows", () => {
    // 24-character app, 12-character environment, 16-character worker: `<app>-<env>-<service>-execution` is 64.
    const config = {
      name: "abcdefghijklmnopqrstuvwx",
      region: "us-east-1",
      credentials: base().credentials,
      services: { abcdefghijklmnop: worker("ghcr.io/acme/jobs:1.0.0") },
      environments: { abcdefghijkl: {} },
    };
    expect(problemsOf(config)).toEqual([
      'environments.abcdefghijkl.name: got "abcdefghijklmnopqrstuvwx"; makes the load balancer name "abcdefghijklmnopqrstuvwx-abcdefghijkl" 37 characters long; AWS allows 32: shorten the app or environment name',
    ]);
  });

  it("checks the names of an app without environments against its own name", () => {
    const config = mutated((c) => {
      c.name = "a-very-long-shop-name-xy";
    });
    expect(problemsOf(config)).toEqual([
      'services.web: got "web"; makes the target group name "a-very-long-shop-name-xy-web-8080" 33 characters long; AWS allows 32: shorten the service, app or environment name',
      'services.api: got "api"; makes the target group name "a-very-long-shop-name-xy-api-8080" 33 characters long; AWS allows 32: shorten the service, app or environment name',
    ]);
  });

  it("refuses an app name with a capital, saying what the name prefixes", () => {
    expect(problemsOf(mutated((c) => (c.name = "Shop")))).toEqual([
      'name: got "Shop"; must be 2-24 lowercase letters, digits and -, starting with a letter (it prefixes every stack and resource name)',
    ]);
  });
});

describe("an app's region", () => {
  it("refuses a value that is not a region", () => {
    expect(problemsOf(mutated((c) => (c.region = "useast1")))).toEqual(['region: got "useast1"; must be an AWS region such as us-east-1']);
  });

  it("refuses a region of the AWS China partition", () => {
    expect(problemsOf(mutated((c) => (c.region = "cn-north-1")))).toEqual([
      'region: got "cn-north-1"; is in the AWS China partition, which is not supported yet (its service DNS names differ)',
    ]);
  });
});

describe("an app's registry", () => {
  it("refuses, at the service's image, an image the pull-through cache cannot cache", () => {
    const config = mutated((c) => {
      c.registry = { mode: "ecr-pull-through-cache" };
      c.services.api.image = "registry.example.com/acme/api:1.0.0";
    });
    expect(problemsOf(config)).toEqual([
      'services.api.image: got "registry.example.com/acme/api:1.0.0"; is on registry.example.com, which ECR\'s pull-through cache cannot cache (it caches ghcr.io, docker.io, registry.gitlab.com, <name>.azurecr.io, quay.io, registry.k8s.io, public.ecr.aws); use registry.mode "direct"',
      'registry.mode: got "ecr-pull-through-cache"; caches one upstream registry per stack, but the images are on ghcr.io and registry.example.com',
    ]);
  });

  it("refuses the app's existing secret for the pull-through cache when ECR cannot read it", () => {
    const config = mutated((c) => {
      c.registry = { mode: "ecr-pull-through-cache" };
      c.credentials = { mode: "existing", existingSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:ghcr-token-AbCdEf" };
    });
    expect(problemsOf(config)).toEqual([
      'credentials.existingSecretArn: got "arn:aws:secretsmanager:us-east-1:123456789012:secret:ghcr-token-AbCdEf"; names the secret "ghcr-token", but ECR reads only secrets whose name starts with "ecr-pullthroughcache/" (holding {"username","accessToken"})',
    ]);
  });

  it("refuses VPC endpoints egress once one service of several runs on EC2, without an ec2 block", () => {
    const config = mutated((c) => {
      c.registry = { mode: "ecr-pull-through-cache" };
      c.network = { mode: "create", egress: "vpc-endpoints" };
    });
    expect(problemsOf(config)).toEqual([]);
    config.services.api.launchType = "ec2";
    expect(problemsOf(config)).toEqual([
      'network.egress: got "vpc-endpoints"; is for Fargate services only: container instances also need the ecs, ecs-agent and ecs-telemetry endpoints, which are not built yet; keep egress nat for EC2',
    ]);
  });
});

describe("an app's EC2 services", () => {
  it("accepts Service Connect on an EC2 service in the default awsvpc mode", () => {
    const config = mutated((c) => {
      c.services.api.launchType = "ec2";
      c.services.api.serviceConnect = true;
    });
    expect(problemsOf(config)).toEqual([]);
  });

  it("refuses Service Connect in bridge mode only on the EC2 services that join it", () => {
    const config = mutated((c) => {
      c.services.api.launchType = "ec2";
      c.services.api.serviceConnect = true;
      c.services.worker.launchType = "ec2";
      c.ec2 = { networkMode: "bridge" };
    });
    expect(problemsOf(config)).toEqual([
      'services.api.serviceConnect: got true; is true on an EC2 service in bridge mode; Service Connect here admits callers by security group, which bridge tasks do not have: use ec2.networkMode "awsvpc"',
    ]);
  });

  it("accepts EC2 services with different credentials under the default task auth", () => {
    const config = mutated((c) => {
      c.services.api.launchType = "ec2";
      c.services.worker.launchType = "ec2";
      c.services.worker.credentials = { mode: "managed", username: "other-bot" };
    });
    expect(problemsOf(config)).toEqual([]);
  });

  it("accepts agent auth for EC2 services that all pull with the app's credentials", () => {
    const config = mutated((c) => {
      c.services.api.launchType = "ec2";
      c.services.worker.launchType = "ec2";
      c.ec2 = { registryAuth: "agent-dockercfg" };
    });
    expect(problemsOf(config)).toEqual([]);
  });

  it("refuses agent auth for EC2 services that each bring their own, different credentials", () => {
    const config = mutated((c) => {
      c.services.api.launchType = "ec2";
      c.services.api.credentials = { mode: "managed", username: "api-bot" };
      c.services.worker.launchType = "ec2";
      c.services.worker.credentials = { mode: "managed", username: "worker-bot" };
      c.ec2 = { registryAuth: "agent-dockercfg" };
    });
    expect(problemsOf(config)).toEqual([
      'ec2.registryAuth: got "agent-dockercfg"; is agent-dockercfg, but the EC2 services pull with different credentials; the instances\' agent holds one: use task auth, or one credential for the EC2 services',
    ]);
  });
});

describe("an app's environments", () => {
  it.each([
    ["$schema", "./ghcr-ecs.schema.json", 'environments.prod.$schema: got "./ghcr-ecs.schema.json"; cannot be overridden per environment (it names the app)'],
    ["environments", {}, "environments.prod.environments: got {}; cannot be overridden per environment (it names the app)"],
    ["ci", CI, 'environments.prod.ci: got {"repository":"acme/shop-infra"}; cannot be overridden per environment (it names the app)'],
  ])("refuses an environment that overrides %s", (key, value, expected) => {
    const config = mutated((c) => {
      c.environments = { prod: { [key]: value } };
    });
    expect(problemsOf(config)).toEqual([expected]);
  });

  it("reports a badly named environment together with the app's own problems", () => {
    const config = mutated((c) => {
      c.services.worker.cpu = 300;
      c.environments = { Prod: {} };
    });
    expect(problemsOf(config)).toEqual([
      WORKER_CPU_PROBLEM,
      'environments.Prod: got "Prod"; must be 2-12 lowercase letters, digits and -, starting with a letter',
    ]);
  });

  it("over invalid app settings, still reports a bad list entry the environment sets", () => {
    const config = mutated((c) => {
      c.services.worker.cpu = 300;
      c.environments = { prod: { loadBalancer: { ingressCidrs: ["10.0.0.0/8", "everyone"] } } };
    });
    expect(problemsOf(config)).toEqual([
      WORKER_CPU_PROBLEM,
      'environments.prod.loadBalancer.ingressCidrs[1]: got "everyone"; must be an IPv4 CIDR block such as 10.0.0.0/16',
    ]);
  });

  it("over invalid app settings, still reports an unknown key the environment sets", () => {
    const config = mutated((c) => {
      c.services.worker.cpu = 300;
      c.environments = { prod: { services: { api: { desiredCountt: 3 } } } };
    });
    expect(problemsOf(config)).toEqual([
      WORKER_CPU_PROBLEM,
      'environments.prod.services.api: unknown key "desiredCountt" (did you mean "desiredCount"?); allowed keys: image, containerPort, cpu, memory, containerMemory, cpuArchitecture, desiredCount, healthCheck, stopTimeoutSeconds, deregistrationDelaySeconds, deployment, environment, secrets, autoscaling, alarms, exec, logRetentionDays, readOnlyRootFilesystem, launchType, credentials, loadBalanced, serviceConnect, route',
    ]);
  });

  it("refuses own credentials on a service named default while the app has credentials, whose key it would take", () => {
    const config = mutated((c) => {
      c.services.default = {
        image: "ghcr.io/acme/default:1.0.0",
        cpu: 256,
        memory: 512,
        loadBalanced: false,
        credentials: { mode: "managed", username: "other-bot" },
      };
    });
    expect(problemsOf(config)).toEqual([
      'services.default.credentials: got {"mode":"managed","username":"other-bot","version":1,"recoveryWindowInDays":7}; cannot be set while the app has credentials: a service\'s own credential is keyed by the service\'s name, and "default" is the app\'s (one secret, one token variable); rename the service or let it use the app\'s credentials',
    ]);
    const withoutAppCredentials = mutated((c) => {
      delete c.credentials;
      for (const service of Object.values(c.services)) service.credentials = { mode: "managed", username: "acme-ci-bot" };
      c.services.default = {
        image: "ghcr.io/acme/default:1.0.0",
        cpu: 256,
        memory: 512,
        loadBalanced: false,
        credentials: { mode: "managed", username: "other-bot" },
      };
    });
    expect(problemsOf(withoutAppCredentials)).toEqual([]);
  });

  it("reports an environment's unknown key beside the app's own unknown key in the same object", () => {
    const config = mutated((c) => {
      c.services.api.imagee = "ghcr.io/acme/api:1.0.1";
      c.environments = { prod: { services: { api: { desiredCountt: 3 } } } };
    });
    const problems = problemsOf(config);
    expect(problems.map((problem) => problem.split(":")[0])).toEqual(["services.api", "environments.prod.services.api"]);
    expect(problems[0]).toMatch(/^services\.api: unknown key "imagee" \(did you mean "image"\?\); allowed keys: image, /);
    expect(problems[1]).toMatch(
      /^environments\.prod\.services\.api: unknown key "imagee" \(did you mean "image"\?\), "desiredCountt" \(did you mean "desiredCount"\?\); allowed keys: image, /,
    );
  });

  it("over invalid app settings, still reports a route the environment's override makes too long", () => {
    const config = mutated((c) => {
      c.services.worker.cpu = 300;
      c.environments = {
        prod: { services: { api: { route: { hostHeaders: ["a.example.com", "b.example.com", "c.example.com", "d.example.com", "e.example.com"] } } } },
      };
    });
    expect(problemsOf(config)).toEqual([
      WORKER_CPU_PROBLEM,
      'environments.prod.services.api.route: got {"pathPatterns":["/api/*"],"hostHeaders":["a.example.com","b.example.com","c....; has 6 path patterns and host names; an ALB rule evaluates at most 5',
    ]);
  });

  it("lets an override set a value to null", () => {
    expect(deepMerge({ a: { b: 1 }, c: 2 }, { a: null })).toEqual({ a: null, c: 2 });
  });
});

describe("an app's CI stack", () => {
  it("is parsed with its defaults, with and without environments", () => {
    expect(app(mutated((c) => (c.ci = CI))).ci).toEqual(CI_SETTINGS);
    const withEnvironments = app(
      mutated((c) => {
        c.ci = CI;
        c.environments = { staging: {} };
      }),
    );
    expect(withEnvironments.ci).toEqual(CI_SETTINGS);
  });

  it("refuses an invalid ci block, with and without environments", () => {
    const expected = [
      'ci.repository: got "acme"; must be a GitHub repository as owner/name, e.g. acme/shop-infra (spelled as GitHub spells it: the trust is case-sensitive)',
    ];
    expect(problemsOf(mutated((c) => (c.ci = { repository: "acme" })))).toEqual(expected);
    const withEnvironments = mutated((c) => {
      c.ci = { repository: "acme" };
      c.environments = { staging: {} };
    });
    expect(problemsOf(withEnvironments)).toEqual(expected);
  });

  it("counts as a stack that would share a backend state file, with and without environments", () => {
    const withoutEnvironments = mutated((c) => {
      c.ci = CI;
      c.backend = { type: "local", path: "state.tfstate" };
    });
    expect(problemsOf(withoutEnvironments)).toEqual([
      'backend.path: got "state.tfstate"; has no {stack} but the config has 2 stacks (shop, shop-ci) that would share one state file; add {stack}',
    ]);
    const withEnvironment = mutated((c) => {
      c.ci = CI;
      c.backend = { type: "local", path: "state.tfstate" };
      c.environments = { staging: {} };
    });
    expect(problemsOf(withEnvironment)).toEqual([
      'backend.path: got "state.tfstate"; has no {stack} but the config has 2 stacks (shop-staging, shop-ci) that would share one state file; add {stack}',
    ]);
  });

  it("accepts one local state file for an app without environments or ci: it is one stack", () => {
    expect(problemsOf(mutated((c) => (c.backend = { type: "local", path: "state.tfstate" })))).toEqual([]);
  });

  it("refuses an environment named ci when the app has a CI stack, whose name it would take", () => {
    const config = mutated((c) => {
      c.ci = CI;
      c.environments = { ci: {} };
    });
    expect(problemsOf(config)).toEqual([
      'environments.ci: got "ci"; is named ci, and its stack shop-ci would be the CI bootstrap stack\'s; rename the environment (e.g. build)',
    ]);
  });

  it("accepts an environment named ci when the app has no CI stack", () => {
    expect(problemsOf(mutated((c) => (c.environments = { ci: {} })))).toEqual([]);
  });

  it("still refuses an environment named ci when the app's name is missing, beside the name's own problem", () => {
    const config = mutated((c) => {
      delete c.name;
      c.ci = CI;
      c.environments = { ci: {} };
    });
    expect(problemsOf(config)).toEqual([
      "name: missing; must be a string: 2-24 lowercase letters, digits and -, starting with a letter (it prefixes every stack and resource name)",
      'environments.ci: got "ci"; is named ci, and its stack <name>-ci would be the CI bootstrap stack\'s; rename the environment (e.g. build)',
    ]);
  });
});
