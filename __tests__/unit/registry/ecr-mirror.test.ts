import {
  cachePrefixFor,
  ecrRegistryHost,
  mirrorLifecyclePolicy,
  mirrorSecretName,
  mirroredImage,
  mirroredRepository,
  upstreamFor,
} from "../../../src/registry/ecr-mirror";

const DIGEST = `sha256:${"ab".repeat(32)}`;
const mirror = { accountId: "123456789012", region: "eu-west-2", prefix: "ghcr" };

describe("upstreamFor (the registries ECR's pull-through cache can cache)", () => {
  it("knows GitHub's registry, which needs a credential, under the ghcr prefix", () => {
    expect(upstreamFor("ghcr.io")).toEqual({ url: "ghcr.io", kind: "github-container-registry", needsCredential: true, defaultPrefix: "ghcr" });
  });

  it("maps docker.io to Docker Hub's registry URL, and knows Azure registries by their host pattern", () => {
    expect(upstreamFor("docker.io")).toMatchObject({ url: "registry-1.docker.io", kind: "docker-hub", needsCredential: true });
    expect(upstreamFor("acmeprod.azurecr.io")).toEqual({
      url: "acmeprod.azurecr.io",
      kind: "azure-container-registry",
      needsCredential: true,
      defaultPrefix: "azure",
    });
  });

  it.each<[string, ReturnType<typeof upstreamFor>]>([
    ["ghcr.io", { url: "ghcr.io", kind: "github-container-registry", needsCredential: true, defaultPrefix: "ghcr" }],
    ["docker.io", { url: "registry-1.docker.io", kind: "docker-hub", needsCredential: true, defaultPrefix: "docker-hub" }],
    ["registry-1.docker.io", { url: "registry-1.docker.io", kind: "docker-hub", needsCredential: true, defaultPrefix: "docker-hub" }],
    ["registry.gitlab.com", { url: "registry.gitlab.com", kind: "gitlab-container-registry", needsCredential: true, defaultPrefix: "gitlab" }],
    ["quay.io", { url: "quay.io", kind: "quay", needsCredential: false, defaultPrefix: "quay" }],
    ["registry.k8s.io", { url: "registry.k8s.io", kind: "k8s", needsCredential: false, defaultPrefix: "k8s" }],
    ["public.ecr.aws", { url: "public.ecr.aws", kind: "ecr-public", needsCredential: false, defaultPrefix: "ecr-public" }],
  ])("knows %s exactly: its URL, ECR's name for it, whether it needs a credential, its prefix", (host, upstream) =>
    expect(upstreamFor(host)).toEqual(upstream),
  );

  it("knows an Azure registry only by its whole host name", () => {
    expect(upstreamFor("x.acmeprod.azurecr.io")).toBeUndefined();
    expect(upstreamFor("acmeprod.azurecr.io.evil.com")).toBeUndefined();
  });

  it("needs no credential for the public upstreams", () => {
    for (const host of ["quay.io", "registry.k8s.io", "public.ecr.aws"]) expect(upstreamFor(host)?.needsCredential).toBe(false);
  });

  it.each(["127.0.0.1:5000", "registry.example.com", "harbor.acme.io", "ghcr.io.evil.com", "x.azurecr.io"])("cannot cache %s", (host) =>
    expect(upstreamFor(host)).toBeUndefined(),
  );
});

describe("mirroredImage", () => {
  it("moves a ghcr.io image under the prefix of this account's registry, keeping the tag or the digest", () => {
    expect(mirroredImage("ghcr.io/acme/orders:1.4.2", mirror)).toBe("123456789012.dkr.ecr.eu-west-2.amazonaws.com/ghcr/acme/orders:1.4.2");
    expect(mirroredImage(`ghcr.io/acme/orders@${DIGEST}`, mirror)).toBe(`123456789012.dkr.ecr.eu-west-2.amazonaws.com/ghcr/acme/orders@${DIGEST}`);
    expect(mirroredImage(`ghcr.io/acme/orders:1.4.2@${DIGEST}`, mirror)).toBe(`123456789012.dkr.ecr.eu-west-2.amazonaws.com/ghcr/acme/orders@${DIGEST}`);
  });

  it("keeps a one-part repository of any other registry as it is", () => {
    expect(mirroredImage("ghcr.io/orders:1.0.0", mirror)).toBe("123456789012.dkr.ecr.eu-west-2.amazonaws.com/ghcr/orders:1.0.0");
  });

  it("puts Docker Hub's official images under library/, as ECR does", () => {
    expect(mirroredImage("docker.io/nginx:1.27", { ...mirror, prefix: "docker-hub" })).toBe(
      "123456789012.dkr.ecr.eu-west-2.amazonaws.com/docker-hub/library/nginx:1.27",
    );
    expect(mirroredRepository("docker.io/acme/api:1", "docker-hub")).toBe("docker-hub/acme/api");
  });

  it("names the ECR repository without host, tag or digest", () => {
    expect(mirroredRepository(`ghcr.io/acme/team/orders@${DIGEST}`, "mirrors/ghcr")).toBe("mirrors/ghcr/acme/team/orders");
    expect(ecrRegistryHost("123456789012", "us-east-1")).toBe("123456789012.dkr.ecr.us-east-1.amazonaws.com");
  });
});

describe("the cache's secret and repositories", () => {
  it("name the secret with the prefix ECR requires", () => {
    expect(mirrorSecretName("shop-prod")).toBe("ecr-pullthroughcache/shop-prod");
  });

  it("keep the newest N images of each cached repository", () => {
    expect(mirrorLifecyclePolicy(30)).toEqual({
      rules: [
        {
          rulePriority: 1,
          description: "Keep the newest 30 images pulled through the cache",
          selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 30 },
          action: { type: "expire" },
        },
      ],
    });
  });
});

describe("cachePrefixFor", () => {
  it("takes the configured prefix, else the upstream's default", () => {
    expect(cachePrefixFor("mirrors/ghcr", "ghcr.io/acme/api:1")).toBe("mirrors/ghcr");
    expect(cachePrefixFor(undefined, "ghcr.io/acme/api:1")).toBe("ghcr");
    expect(cachePrefixFor(undefined, "quay.io/acme/api:1")).toBe("quay");
  });

  it("takes a configured prefix whatever the registry (the config checks the upstream)", () => {
    expect(cachePrefixFor("mirror", "harbor.acme.io/acme/api:1")).toBe("mirror");
  });

  it("refuses an image ECR cannot cache when no prefix is configured", () => {
    expect(() => cachePrefixFor(undefined, "harbor.acme.io/acme/api:1")).toThrow(
      "harbor.acme.io/acme/api:1 is not on a registry ECR's pull-through cache can cache",
    );
  });
});
