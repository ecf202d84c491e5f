import { ImageReferenceError, parseImageReference, type ImageReference } from "../../../src/registry/image-reference";

const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;
const HINT = "(expected registry/repository:tag or registry/repository@sha256:<64 hex>, e.g. ghcr.io/acme/orders:1.4.2)";

function errorOf(reference: string): ImageReferenceError {
  try {
    parseImageReference(reference);
  } catch (error) {
    if (error instanceof ImageReferenceError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(reference)} to be rejected`);
}

describe("parseImageReference", () => {
  it.each<[string, ImageReference]>([
    ["ghcr.io/acme/orders:1.4.2", { registry: "ghcr.io", repository: "acme/orders", tag: "1.4.2" }],
    ["localhost:5000/x/y:t", { registry: "localhost:5000", repository: "x/y", tag: "t" }],
    ["localhost/orders:dev", { registry: "localhost", repository: "orders", tag: "dev" }],
    ["127.0.0.1:5000/team/app:v2", { registry: "127.0.0.1:5000", repository: "team/app", tag: "v2" }],
    [`ghcr.io/acme/orders@${DIGEST}`, { registry: "ghcr.io", repository: "acme/orders", digest: DIGEST }],
    [`ghcr.io/acme/orders:1.4.2@${DIGEST}`, { registry: "ghcr.io", repository: "acme/orders", tag: "1.4.2", digest: DIGEST }],
    [
      "ghcr.io/acme/platform/services/orders-api:2024.01.15_build-7",
      { registry: "ghcr.io", repository: "acme/platform/services/orders-api", tag: "2024.01.15_build-7" },
    ],
    ["registry.example.com:443/a__b/c.d/e--f:Release_1", { registry: "registry.example.com:443", repository: "a__b/c.d/e--f", tag: "Release_1" }],
    ["ghcr.io/acme/orders:_private", { registry: "ghcr.io", repository: "acme/orders", tag: "_private" }],
    [`ghcr.io/acme/orders:${"t".repeat(128)}`, { registry: "ghcr.io", repository: "acme/orders", tag: "t".repeat(128) }],
  ])("parses %s", (reference, expected) => {
    // toStrictEqual: no `tag: undefined` or `digest: undefined` keys either
    expect(parseImageReference(reference)).toStrictEqual(expected);
  });

  it.each<[string, string, string]>([
    ["no registry host at all", "orders:1.4.2", "has no registry host"],
    [
      "an implicit docker.io (library/nginx:1)",
      "library/nginx:1",
      '"library" is not a registry host (it needs a dot, a port or to be localhost, like ghcr.io)',
    ],
    ["an implicit docker.io user repository", "acme/orders:1.4.2", '"acme" is not a registry host'],
    ["a registry host starting with -", "-ghcr.io/acme/orders:1", '"-ghcr.io" is not a registry host'],
    ["no tag or digest", "ghcr.io/acme/orders", "has no tag or digest"],
    ["no tag or digest behind a registry port", "localhost:5000/orders", "has no tag or digest"],
    ["an empty tag", "ghcr.io/acme/orders:", 'tag "" is not valid (letters, digits, _ . -, at most 128, not starting with . or -)'],
    ["a tag starting with -", "ghcr.io/acme/orders:-rc1", 'tag "-rc1" is not valid'],
    ["a tag starting with .", "ghcr.io/acme/orders:.rc1", 'tag ".rc1" is not valid'],
    ["a tag with +", "ghcr.io/acme/orders:1.4.2+build", 'tag "1.4.2+build" is not valid'],
    ["a tag of 129 characters", `ghcr.io/acme/orders:${"t".repeat(129)}`, `tag "${"t".repeat(129)}" is not valid`],
    ["an uppercase repository", "ghcr.io/Acme/orders:1", 'repository "Acme/orders" is not valid (lowercase letters, digits and separators . _ - between them)'],
    ["a space inside the repository", "ghcr.io/acme/my orders:1", 'repository "acme/my orders" is not valid'],
    ["an empty path component", "ghcr.io/acme//orders:1", 'repository "acme//orders" is not valid'],
    ["a repository ending in a separator", "ghcr.io/acme/orders-:1", 'repository "acme/orders-" is not valid'],
    ["a leading space", " ghcr.io/acme/orders:1", "must be non-empty without surrounding spaces"],
    ["a trailing newline", "ghcr.io/acme/orders:1\n", "must be non-empty without surrounding spaces"],
    ["an empty string", "", "must be non-empty without surrounding spaces"],
    [
      "a digest of 63 hex characters",
      `ghcr.io/acme/orders@sha256:${"a".repeat(63)}`,
      `digest "sha256:${"a".repeat(63)}" is not sha256: followed by 64 lowercase hex characters`,
    ],
    ["a digest of 65 hex characters", `ghcr.io/acme/orders@sha256:${"a".repeat(65)}`, `digest "sha256:${"a".repeat(65)}" is not sha256:`],
    [
      "a digest in uppercase hex",
      `ghcr.io/acme/orders@sha256:${"A".repeat(64)}`,
      `digest "sha256:${"A".repeat(64)}" is not sha256: followed by 64 lowercase hex characters`,
    ],
    ["a digest with another algorithm", `ghcr.io/acme/orders@sha512:${"a".repeat(64)}`, `digest "sha512:${"a".repeat(64)}" is not sha256:`],
  ])("rejects %s", (_label, reference, why) => {
    const error = errorOf(reference);
    // the reason comes first, then the shape every reference must have
    expect(error.message.slice(0, why.length)).toBe(why);
    expect(error.message.slice(-HINT.length - 1)).toBe(` ${HINT}`);
  });
});
