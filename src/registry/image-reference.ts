/** A fully qualified OCI image reference: `registry/repository[:tag][@sha256:digest]`. */
export interface ImageReference {
  /** Registry host, with port when given (`ghcr.io`, `127.0.0.1:5000`). */
  readonly registry: string;
  /** Repository path inside the registry (`acme/orders`). */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

const HOST_COMPONENT = "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)";
const REGISTRY = new RegExp(`^(?:${HOST_COMPONENT}(?:\\.${HOST_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]{1,5})?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

export class ImageReferenceError extends Error {}

/**
 * Parses an image reference the way the Docker/containerd clients do, but stricter: the registry host and a tag
 * or digest are required, because an implicit `docker.io` or `latest` is never what a private-registry deploy meant.
 */
export function parseImageReference(reference: string): ImageReference {
  const fail = (why: string): never => {
    throw new ImageReferenceError(`${why} (expected registry/repository:tag or registry/repository@sha256:<64 hex>, e.g. ghcr.io/acme/orders:1.4.2)`);
  };
  if (reference.trim() !== reference || reference.length === 0) fail("must be non-empty without surrounding spaces");

  let rest = reference;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) fail(`digest "${digest}" is not sha256: followed by 64 lowercase hex characters`);
  }

  const slash = rest.indexOf("/");
  if (slash < 0) fail("has no registry host");
  const registry = rest.slice(0, slash);
  if (!(registry.includes(".") || registry.includes(":") || registry === "localhost") || !REGISTRY.test(registry)) {
    fail(`"${registry}" is not a registry host (it needs a dot, a port or to be localhost, like ghcr.io)`);
  }

  let path = rest.slice(slash + 1);
  let tag: string | undefined;
  const lastColon = path.lastIndexOf(":");
  if (lastColon >= 0) {
    tag = path.slice(lastColon + 1);
    path = path.slice(0, lastColon);
    if (!TAG.test(tag)) fail(`tag "${tag}" is not valid (letters, digits, _ . -, at most 128, not starting with . or -)`);
  }
  if (path.length === 0 || !path.split("/").every((c) => PATH_COMPONENT.test(c))) {
    fail(`repository "${path}" is not valid (lowercase letters, digits and separators . _ - between them)`);
  }
  if (tag === undefined && digest === undefined) fail("has no tag or digest");
  return { registry, repository: path, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}
