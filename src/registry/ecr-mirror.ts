/**
 * ECR pull-through cache as a registry mirror: which upstream registries ECR can cache, where their images appear in
 * ECR, the credential secret ECR reads (its name rule and JSON shape), and the lifecycle policy of the cached
 * repositories. Plain functions; the constructs and the CLI use them.
 */
import { parseImageReference } from "./image-reference";

/** An upstream ECR caches (https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html). */
export interface UpstreamRegistry {
  /** The `upstream_registry_url` ECR wants. */
  readonly url: string;
  /** ECR's name for it (DescribePullThroughCacheRules' `upstreamRegistry`). */
  readonly kind: string;
  /** Whether ECR needs a credential (a Secrets Manager secret) to pull from it. */
  readonly needsCredential: boolean;
  /** The repository prefix used when the config names none. */
  readonly defaultPrefix: string;
}

const UPSTREAMS: readonly (UpstreamRegistry & { readonly matches: (host: string) => boolean })[] = [
  { url: "ghcr.io", kind: "github-container-registry", needsCredential: true, defaultPrefix: "ghcr", matches: (h) => h === "ghcr.io" },
  {
    url: "registry-1.docker.io",
    kind: "docker-hub",
    needsCredential: true,
    defaultPrefix: "docker-hub",
    matches: (h) => h === "docker.io" || h === "registry-1.docker.io",
  },
  {
    url: "registry.gitlab.com",
    kind: "gitlab-container-registry",
    needsCredential: true,
    defaultPrefix: "gitlab",
    matches: (h) => h === "registry.gitlab.com",
  },
  { url: "quay.io", kind: "quay", needsCredential: false, defaultPrefix: "quay", matches: (h) => h === "quay.io" },
  { url: "registry.k8s.io", kind: "k8s", needsCredential: false, defaultPrefix: "k8s", matches: (h) => h === "registry.k8s.io" },
  { url: "public.ecr.aws", kind: "ecr-public", needsCredential: false, defaultPrefix: "ecr-public", matches: (h) => h === "public.ecr.aws" },
];
const AZURE = /^[a-z0-9]{5,50}\.azurecr\.io$/;

/** The hosts ECR's pull-through cache supports, for error messages. */
export const SUPPORTED_UPSTREAMS = "ghcr.io, docker.io, registry.gitlab.com, <name>.azurecr.io, quay.io, registry.k8s.io, public.ecr.aws";

/** The upstream ECR would cache `host` from, or undefined when ECR cannot cache it. */
export function upstreamFor(host: string): UpstreamRegistry | undefined {
  if (AZURE.test(host)) return { url: host, kind: "azure-container-registry", needsCredential: true, defaultPrefix: "azure" };
  const found = UPSTREAMS.find((upstream) => upstream.matches(host));
  return found && { url: found.url, kind: found.kind, needsCredential: found.needsCredential, defaultPrefix: found.defaultPrefix };
}

/** ECR's rule for `ecrRepositoryPrefix`: 2-30 characters, lowercase components separated by `/`, `.`, `_` or `-`. */
export const ECR_REPOSITORY_PREFIX_SOURCE = "(?=.{2,30}$)(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*";

/** The cache's ECR namespace: the configured prefix, else the default of the image's upstream (`ghcr` for ghcr.io). */
export function cachePrefixFor(configured: string | undefined, image: string): string {
  const upstream = upstreamFor(parseImageReference(image).registry);
  if (configured === undefined && upstream === undefined) throw new Error(`${image} is not on a registry ECR's pull-through cache can cache`);
  return configured ?? upstream!.defaultPrefix;
}

/** Secrets Manager names ECR's pull-through cache accepts start with this (ECR reads them through its service-linked role). */
export const PULL_THROUGH_CACHE_SECRET_PREFIX = "ecr-pullthroughcache/";

/** The secret a stack's mirror credential lives in. */
export function mirrorSecretName(stackName: string): string {
  return `${PULL_THROUGH_CACHE_SECRET_PREFIX}${stackName}`;
}

/**
 * Who reads a registry credential's secret, which decides its name and JSON: ECS's `repositoryCredentials`
 * (`{"username","password"}`), or ECR's pull-through cache (`{"username","accessToken"}`).
 */
export type SecretReader = "repository-credentials" | "pull-through-cache";

/** The secret a managed credential named `name` lives in: `<name>/registry-credentials`, or the cache's `ecr-pullthroughcache/<name>`. */
export function registrySecretName(name: string, reader: SecretReader): string {
  return reader === "pull-through-cache" ? mirrorSecretName(name) : `${name}/registry-credentials`;
}

/** The cache's repositories, `arn:…:repository/<prefix>/*`: what the execution roles pull from. */
export function cacheRepositoriesArn(location: {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly prefix: string;
}): string {
  return `arn:${location.partition}:ecr:${location.region}:${location.accountId}:repository/${location.prefix}/*`;
}

/** The registry host of an account's private ECR in a region. */
export function ecrRegistryHost(accountId: string, region: string): string {
  return `${accountId}.dkr.ecr.${region}.amazonaws.com`;
}

/** The ECR repository (name, without host and tag) an upstream image is cached in: `<prefix>/<repository>`. */
export function mirroredRepository(image: string, prefix: string): string {
  const reference = parseImageReference(image);
  // Docker Hub's one-part names are `library/<name>` upstream, and so in ECR.
  const dockerHubOfficial = upstreamFor(reference.registry)?.kind === "docker-hub" && !reference.repository.includes("/");
  return `${prefix}/${dockerHubOfficial ? `library/${reference.repository}` : reference.repository}`;
}

/** Where ECS pulls `image` from through the mirror: `<account>.dkr.ecr.<region>.amazonaws.com/<prefix>/<repository>`, same tag or digest. */
export function mirroredImage(image: string, mirror: { readonly accountId: string; readonly region: string; readonly prefix: string }): string {
  const reference = parseImageReference(image);
  // parseImageReference requires a tag or a digest.
  const pinned = reference.digest ? `@${reference.digest}` : `:${String(reference.tag)}`;
  return `${ecrRegistryHost(mirror.accountId, mirror.region)}/${mirroredRepository(image, mirror.prefix)}${pinned}`;
}

/** The lifecycle policy of every cached repository: keep the newest `keep` images, expire the rest. */
export function mirrorLifecyclePolicy(keep: number): { rules: unknown[] } {
  return {
    rules: [
      {
        rulePriority: 1,
        description: `Keep the newest ${keep} images pulled through the cache`,
        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keep },
        action: { type: "expire" },
      },
    ],
  };
}
