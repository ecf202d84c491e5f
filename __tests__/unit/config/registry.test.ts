import { readFileSync } from "node:fs";
import * as path from "node:path";
import { ConfigError, parseDeploymentConfig } from "../../../src/config/load";
import { environmentsOf } from "../../../src/config/model";
import { referenceInput } from "../../helpers/configs";

const MIRROR_EXAMPLE = path.join(__dirname, "..", "..", "..", "config", "examples", "private-mirror.json");
const mirrorExample = () => JSON.parse(readFileSync(MIRROR_EXAMPLE, "utf8")) as Record<string, unknown>;
const mirrored = { mode: "ecr-pull-through-cache" };

function problemsOf(input: unknown): string[] {
  try {
    parseDeploymentConfig(input, "config.json");
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
}

/** An app on ghcr.io with an api and a worker, in one environment. */
function app(overrides: Record<string, unknown> = {}) {
  return {
    name: "shop",
    region: "us-east-1",
    credentials: { mode: "managed", username: "acme-ci-bot" },
    registry: mirrored,
    network: { mode: "create", egress: "vpc-endpoints" },
    services: {
      api: { image: "ghcr.io/acme/api:1.0.0", cpu: 512, memory: 1024 },
      worker: { image: "ghcr.io/acme/worker:1.0.0", cpu: 256, memory: 512, loadBalanced: false },
    },
    ...overrides,
  };
}

describe("registry and egress in the config", () => {
  it("default to direct pulls through NAT, as before", () => {
    const [environment] = environmentsOf(parseDeploymentConfig(referenceInput()));
    expect(environment.registry).toEqual({ mode: "direct", keepImages: 30 });
    expect(environment.network).toMatchObject({ mode: "create", egress: "nat" });
  });

  it("accept the mirror with endpoint-only networking, in both config forms", () => {
    expect(problemsOf(mirrorExample())).toEqual([]);
    expect(problemsOf(app())).toEqual([]);
  });

  it("refuse vpc-endpoints without the mirror: the tasks could not reach ghcr.io", () => {
    expect(problemsOf({ ...mirrorExample(), registry: { mode: "direct" } })).toEqual([
      'network.egress: got "vpc-endpoints"; needs registry.mode "ecr-pull-through-cache": without NAT the tasks cannot reach the private registry, only AWS through the endpoints',
    ]);
  });

  it("refuse a NAT setting with vpc-endpoints, and vpc-endpoints for EC2 services", () => {
    expect(problemsOf({ ...mirrorExample(), network: { mode: "create", egress: "vpc-endpoints", natGateways: "per-az" } })).toEqual([
      'network.natGateways: got "per-az"; does not apply with egress "vpc-endpoints" (there is no NAT gateway, and tasks stay in private subnets); leave it out',
    ]);
    expect(problemsOf({ ...mirrorExample(), launchType: "ec2" })).toEqual([
      'network.egress: got "vpc-endpoints"; is for Fargate services only: container instances also need the ecs, ecs-agent and ecs-telemetry endpoints, which are not built yet; keep egress nat for EC2',
    ]);
  });

  it("refuse an image on a registry ECR cannot cache, naming the image field", () => {
    expect(problemsOf({ ...mirrorExample(), image: "harbor.acme.io/payments/api:1.0.0" })).toEqual([
      'image: got "harbor.acme.io/payments/api:1.0.0"; is on harbor.acme.io, which ECR\'s pull-through cache cannot cache (it caches ghcr.io, docker.io, registry.gitlab.com, <name>.azurecr.io, quay.io, registry.k8s.io, public.ecr.aws); use registry.mode "direct"',
    ]);
  });

  it("refuse two upstreams, and a service's own credential, in one mirrored app", () => {
    const twoUpstreams = app();
    twoUpstreams.services.worker.image = "quay.io/acme/worker:1.0.0";
    expect(problemsOf(twoUpstreams)).toEqual([
      'registry.mode: got "ecr-pull-through-cache"; caches one upstream registry per stack, but the images are on ghcr.io and quay.io',
    ]);
    const ownCredential = app();
    (ownCredential.services.worker as Record<string, unknown>).credentials = { mode: "managed", username: "other-bot" };
    expect(problemsOf(ownCredential)).toEqual([
      "services.worker.credentials: got \"(a service's own credentials)\"; is not possible with the pull-through cache: ECR pulls the upstream with one credential, the app's credentials",
    ]);
  });

  it("refuse an existing secret whose name ECR would not read", () => {
    const existing = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:ghcr/payments-AbC123";
    expect(problemsOf({ ...mirrorExample(), credentials: { mode: "existing", existingSecretArn: existing } })).toEqual([
      `credentials.existingSecretArn: got "${existing}"; names the secret "ghcr/payments", but ECR reads only secrets whose name starts with "ecr-pullthroughcache/" (holding {"username","accessToken"})`,
    ]);
    const good = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:ecr-pullthroughcache/payments-AbC123";
    expect(problemsOf({ ...mirrorExample(), credentials: { mode: "existing", existingSecretArn: good } })).toEqual([]);
  });

  it("refuse agent-level registry auth on EC2 with the mirror, and a prefix ECR would refuse", () => {
    const ec2 = { ...referenceInput(), registry: mirrored, launchType: "ec2", ec2: { registryAuth: "agent-dockercfg" } };
    expect(problemsOf(ec2)).toEqual([
      'ec2.registryAuth: got "agent-dockercfg"; has no registry to authenticate to: with the cache, ECS pulls from ECR with the execution role; use "task"',
    ]);
    expect(problemsOf({ ...mirrorExample(), registry: { ...mirrored, ecrRepositoryPrefix: "GHCR/" } })).toEqual([
      'registry.ecrRepositoryPrefix: got "GHCR/"; must be an ECR repository prefix: 2-30 lowercase letters, digits and . _ - / (e.g. ghcr)',
    ]);
  });

  it("lets an environment move to the mirror first (staging before prod)", () => {
    const input = { ...app({ registry: { mode: "direct" }, network: { mode: "create" } }), environments: { staging: { registry: mirrored }, prod: {} } };
    expect(environmentsOf(parseDeploymentConfig(input)).map((env) => [env.stackName, env.registry.mode])).toEqual([
      ["shop-staging", "ecr-pull-through-cache"],
      ["shop-prod", "direct"],
    ]);
  });
});
