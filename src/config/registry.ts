/**
 * Where ECS pulls the images from: the private registry itself (`direct`), or an ECR pull-through cache in front of
 * it (`ecr-pull-through-cache`): the credential is stored once for ECR, ECS pulls from ECR with IAM, cached images
 * survive an upstream outage.
 */
import { z } from "zod";
import { ECR_REPOSITORY_PREFIX_SOURCE, PULL_THROUGH_CACHE_SECRET_PREFIX, SUPPORTED_UPSTREAMS, upstreamFor } from "../registry/ecr-mirror";
import { parseImageReference } from "../registry/image-reference";
import { DEFAULTS } from "./defaults";
import { addProblem, described, int, pattern, strictObject } from "./primitives";

const registrySchema = strictObject({
  mode: described(
    z
      .enum(["direct", "ecr-pull-through-cache"], {
        error: '"direct" (ECS pulls from the registry with the credential) or "ecr-pull-through-cache" (ECS pulls from ECR, which caches the registry)',
      })
      .default(DEFAULTS.registry.mode),
    "`direct`: ECS pulls from the private registry with `repositoryCredentials`; `ecr-pull-through-cache`: ECR caches the registry under `ecrRepositoryPrefix` and ECS pulls from ECR with IAM only.",
  ),
  ecrRepositoryPrefix: described(
    pattern(ECR_REPOSITORY_PREFIX_SOURCE, "an ECR repository prefix: 2-30 lowercase letters, digits and . _ - / (e.g. ghcr)").optional(),
    "The ECR namespace of the cache: images appear as `<account>.dkr.ecr.<region>.amazonaws.com/<prefix>/<owner>/<repo>`. Default: by upstream (`ghcr` for ghcr.io, `docker-hub`, `gitlab`, `azure`, `quay`, …).",
  ),
  keepImages: described(
    int(1, 1000).default(DEFAULTS.registry.keepImages),
    "Images each cached repository keeps (its lifecycle policy expires older ones; a task pulling an expired one is served from upstream again).",
  ),
});

export const registry = described(
  registrySchema.default(() => registrySchema.parse({})),
  "How ECS gets the images: straight from the private registry (`direct`), or through an ECR pull-through cache.",
);

export type RegistrySettings = z.output<typeof registry>;

/** What the registry checks read from either config form. */
export interface RegistryCheckInput {
  readonly registry: RegistrySettings;
  readonly network: { readonly mode: string; readonly egress?: string };
  /** Every service's image, with the path of its `image` field. */
  readonly images: readonly { readonly path: readonly PropertyKey[]; readonly image: string }[];
  /** The paths of services' own `credentials` (an app's second credential). */
  readonly ownCredentials: readonly (readonly PropertyKey[])[];
  readonly credentials?: { readonly mode: string; readonly existingSecretArn?: string };
  /** The EC2 container instances' registry auth, when a service runs on EC2. */
  readonly ec2RegistryAuth?: string;
}

/** Registry and egress choices that cannot go together, each reported at its field. */
export function checkRegistry(input: RegistryCheckInput, ctx: z.core.$RefinementCtx): void {
  const issue = (path: readonly PropertyKey[], value: unknown, message: string) => addProblem(ctx, { path: [...path], input: value, message });
  const mirrored = input.registry.mode === "ecr-pull-through-cache";
  if (input.network.egress === "vpc-endpoints") {
    if (!mirrored) {
      issue(
        ["network", "egress"],
        "vpc-endpoints",
        'needs registry.mode "ecr-pull-through-cache": without NAT the tasks cannot reach the private registry, only AWS through the endpoints',
      );
    }
    if (input.ec2RegistryAuth !== undefined) {
      issue(
        ["network", "egress"],
        "vpc-endpoints",
        "is for Fargate services only: container instances also need the ecs, ecs-agent and ecs-telemetry endpoints, which are not built yet; keep egress nat for EC2",
      );
    }
  }
  if (!mirrored) return;
  const hosts = new Set<string>();
  for (const { path, image } of input.images) {
    let host: string;
    try {
      host = parseImageReference(image).registry;
    } catch {
      continue; // the image field reports its own problem
    }
    hosts.add(host);
    if (!upstreamFor(host))
      issue(path, image, `is on ${host}, which ECR's pull-through cache cannot cache (it caches ${SUPPORTED_UPSTREAMS}); use registry.mode "direct"`);
  }
  if (hosts.size > 1) {
    issue(["registry", "mode"], "ecr-pull-through-cache", `caches one upstream registry per stack, but the images are on ${[...hosts].sort().join(" and ")}`);
  }
  for (const path of input.ownCredentials) {
    issue(
      path,
      "(a service's own credentials)",
      "is not possible with the pull-through cache: ECR pulls the upstream with one credential, the app's credentials",
    );
  }
  const secretName = input.credentials?.existingSecretArn?.split(":secret:")[1];
  if (secretName !== undefined && !secretName.startsWith(PULL_THROUGH_CACHE_SECRET_PREFIX)) {
    issue(
      ["credentials", "existingSecretArn"],
      input.credentials?.existingSecretArn,
      `names the secret "${secretName.replace(/-[A-Za-z0-9]{6}$/, "")}", but ECR reads only secrets whose name starts with "${PULL_THROUGH_CACHE_SECRET_PREFIX}" (holding {"username","accessToken"})`,
    );
  }
  if (input.ec2RegistryAuth === "agent-dockercfg") {
    issue(
      ["ec2", "registryAuth"],
      "agent-dockercfg",
      'has no registry to authenticate to: with the cache, ECS pulls from ECR with the execution role; use "task"',
    );
  }
}
