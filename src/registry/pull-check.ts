import { createHash } from "node:crypto";
import type { ImageReference } from "./image-reference";
import { parseWwwAuthenticate, type AuthChallenge } from "./www-authenticate";

export interface RegistryCredential {
  readonly username: string;
  readonly password: string;
}

/** A registry user name HTTP Basic auth can carry: no whitespace, no `:`, 1-256 characters. */
export const REGISTRY_USERNAME = /^[^\s:]{1,256}$/;

/** The manifest types ECS's agent accepts, in the order the Docker/containerd clients ask for them. */
export const MANIFEST_ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

export type PullFailureKind = "credentials-rejected" | "access-denied" | "image-not-found" | "registry-unreachable" | "registry-error";

export interface PullFailure {
  readonly kind: PullFailureKind;
  /** What happened, with the HTTP status or network error; never contains the credential. */
  readonly message: string;
  /** What to do about it. */
  readonly fix: string;
}

export type PullCheckResult =
  | {
      readonly ok: true;
      readonly digest: string;
      readonly mediaType?: string;
      /** How the registry authenticated us: `none` means it never asked, so the credential was not exercised. */
      readonly auth: "bearer" | "basic" | "none";
    }
  | { readonly ok: false; readonly failure: PullFailure };

export interface PullCheckOptions {
  /** Bound for the whole check. @default 20000 */
  readonly timeoutMs?: number;
}

class Failed extends Error {
  constructor(
    readonly failure: PullFailure,
    /** The server answered the TLS handshake in plain HTTP. */
    readonly notTls = false,
  ) {
    super(failure.message);
  }
}

const LOOPBACK = /^(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])(?::\d+)?$/;

/**
 * Where the registry API answers, in the order to try (`docker.io` images are served by `registry-1.docker.io`):
 * HTTPS first, always; plain HTTP only after it for a loopback registry, used when that registry answers the TLS
 * handshake in plain HTTP (Docker treats localhost and 127.0.0.0/8 the same way, but never downgrades on a
 * certificate error here).
 */
export function registryApiBases(registry: string): readonly string[] {
  const host = registry === "docker.io" || registry === "index.docker.io" ? "registry-1.docker.io" : registry;
  return LOOPBACK.test(host) ? [`https://${host}`, `http://${host}`] : [`https://${host}`];
}

/**
 * Performs the pull-side authentication the ECS agent performs, without downloading layers: `GET /v2/`, follow the
 * challenge (Bearer token from the realm with Basic credentials and `repository:<name>:pull`, or plain Basic), then
 * `HEAD` the manifest. Success returns the digest the tag resolves to; every failure is classified with its fix.
 */
export async function checkPull(image: ImageReference, credential: RegistryCredential, options: PullCheckOptions = {}): Promise<PullCheckResult> {
  const timeoutMs = options.timeoutMs ?? 20000;
  const deadline = Date.now() + timeoutMs;
  const [secureBase, plainBase] = registryApiBases(image.registry);
  const repository = image.registry === "docker.io" && !image.repository.includes("/") ? `library/${image.repository}` : image.repository;
  const reference = image.digest ?? image.tag;
  if (reference === undefined) throw new Error(`${image.registry}/${image.repository} has no tag or digest to check`);
  const http = (url: string, init: RequestInit = {}) => request(url, init, deadline, timeoutMs, image.registry);

  try {
    let base = secureBase;
    let ping: Response;
    try {
      ping = await http(`${secureBase}/v2/`);
    } catch (error) {
      if (!(plainBase && error instanceof Failed && error.notTls)) throw error;
      base = plainBase;
      ping = await http(`${plainBase}/v2/`);
    }
    let authorization: string | undefined;
    let auth: "bearer" | "basic" | "none" = "none";
    if (ping.status === 401) {
      const challenge = pickChallenge(ping.headers.get("www-authenticate"), image.registry);
      if (challenge.scheme === "basic") {
        authorization = basicAuthorization(credential);
        auth = "basic";
      } else {
        authorization = `Bearer ${await fetchBearerToken(challenge, repository, credential, http)}`;
        auth = "bearer";
      }
    } else if (!ping.ok) {
      throw unexpectedStatus(ping, `GET ${base}/v2/`, image.registry);
    }

    const manifestUrl = `${base}/v2/${repository}/manifests/${reference}`;
    const headers: Record<string, string> = { accept: MANIFEST_ACCEPT, ...(authorization ? { authorization } : {}) };
    const head = await http(manifestUrl, { method: "HEAD", headers });
    if (head.ok) {
      const mediaType = head.headers.get("content-type") ?? undefined;
      const digest = head.headers.get("docker-content-digest") ?? (await digestOfBody(http, manifestUrl, headers));
      return { ok: true, digest, ...(mediaType ? { mediaType } : {}), auth };
    }
    throw await manifestFailure(head, auth, image, repository, reference, () => http(manifestUrl, { headers }));
  } catch (error) {
    if (error instanceof Failed) return { ok: false, failure: error.failure };
    throw error;
  }
}

async function request(url: string, init: RequestInit, deadline: number, timeoutMs: number, registry: string): Promise<Response> {
  const remaining = deadline - Date.now();
  const seconds = Math.round(timeoutMs / 100) / 10;
  const unreachable = (what: string, fix: string) => new Failed({ kind: "registry-unreachable", message: what, fix });
  const networkFix = `Check that ${registry} resolves and answers on HTTPS from here; from ECS, tasks need a route to it (NAT gateway or public IP) and egress on 443.`;
  if (remaining <= 0) throw unreachable(`${registry} did not answer within ${seconds} s`, networkFix);
  try {
    return await fetch(url, { ...init, redirect: "follow", signal: AbortSignal.timeout(remaining) });
  } catch (error) {
    const err = error as Error & { cause?: { code?: string; message?: string } };
    if (err.name === "TimeoutError" || err.name === "AbortError") {
      throw unreachable(`${registry} did not answer within ${seconds} s (${new URL(url).pathname})`, networkFix);
    }
    const code = err.cause?.code ?? "";
    const { host, hostname } = new URL(url);
    if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
      throw unreachable(`DNS cannot resolve ${hostname} (${code})`, `Check the registry host in the image reference and DNS. ${networkFix}`);
    }
    if (code === "ECONNREFUSED" || code === "ECONNRESET" || code === "EHOSTUNREACH" || code === "ENETUNREACH") {
      throw unreachable(`cannot connect to ${host} (${code})`, networkFix);
    }
    if (code === "ERR_SSL_WRONG_VERSION_NUMBER") {
      throw new Failed(
        {
          kind: "registry-unreachable",
          message: `${host} answered the TLS handshake in plain HTTP (${code})`,
          fix: "Credentials go to a registry outside loopback over HTTPS only, as ECS sends them: serve the registry over HTTPS, or correct the port in the image reference.",
        },
        true,
      );
    }
    if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
      throw unreachable(
        `the TLS certificate of ${host} does not name ${hostname} (${code})`,
        "Use the registry host the certificate names in the image reference, or reissue the certificate with this name; ECS's agent checks the name too.",
      );
    }
    if (/CERT|UNABLE_TO_VERIFY/.test(code)) {
      throw unreachable(
        `the TLS certificate of ${host} is not trusted here (${code})`,
        "If your own CA signed it, give this check its certificate with NODE_EXTRA_CA_CERTS=/path/to/ca.pem. ECS verifies it as well: on Fargate use a certificate from a public CA; EC2 instances must trust your CA.",
      );
    }
    if (/SSL|TLS/.test(code)) {
      throw unreachable(`the TLS handshake with ${host} failed (${code})`, `The registry's TLS set-up is not one this client accepts. ${networkFix}`);
    }
    throw unreachable(`request to ${host} failed (${code || err.cause?.message || err.message})`, networkFix);
  }
}

/** The challenges of a header, or [] when it is absent or malformed (the caller reports what it lacks). */
function challengesOf(header: string | null): AuthChallenge[] {
  try {
    // Stryker disable next-line ArrayDeclaration: a non-challenge element is never picked (callers find by scheme)
    return header ? parseWwwAuthenticate(header) : [];
  } catch {
    // Stryker disable next-line ArrayDeclaration: as above
    return [];
  }
}

function pickChallenge(header: string | null, registry: string): AuthChallenge {
  const challenges = challengesOf(header);
  const challenge = challenges.find((c) => c.scheme === "bearer") ?? challenges.find((c) => c.scheme === "basic");
  if (!challenge) {
    throw new Failed({
      kind: "registry-error",
      message: `${registry} answered 401 without a Bearer or Basic challenge (WWW-Authenticate: ${header ?? "absent"})`,
      fix: "This is not an OCI distribution registry endpoint, or a proxy in front of it strips the challenge.",
    });
  }
  return challenge;
}

function basicAuthorization(credential: RegistryCredential): string {
  return `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString("base64")}`;
}

type Http = (url: string, init?: RequestInit) => Promise<Response>;

async function fetchBearerToken(challenge: AuthChallenge, repository: string, credential: RegistryCredential, http: Http): Promise<string> {
  const realm = challenge.params.realm;
  if (!realm) {
    throw new Failed({
      kind: "registry-error",
      message: "the registry's Bearer challenge has no realm",
      fix: "The registry is misconfigured; report it to its operator.",
    });
  }
  const realmUrl = URL.canParse(realm) ? new URL(realm) : undefined;
  if (!realmUrl) {
    throw new Failed({
      kind: "registry-error",
      message: `the registry's Bearer challenge names a realm that is not a URL (${realm})`,
      fix: "The registry is misconfigured; report it to its operator.",
    });
  }
  if (realmUrl.protocol !== "https:" && !LOOPBACK.test(realmUrl.host)) {
    throw new Failed({
      kind: "registry-error",
      message: `the token realm ${realm} is plain HTTP`,
      fix: "Refusing to send credentials over plain HTTP outside loopback; the registry must offer an https:// realm.",
    });
  }
  const tokenUrl = (scope?: string) => {
    const url = new URL(realmUrl);
    if (challenge.params.service) url.searchParams.set("service", challenge.params.service);
    if (scope) url.searchParams.set("scope", scope);
    return url.toString();
  };
  const headers = { authorization: basicAuthorization(credential) };
  const response = await http(tokenUrl(`repository:${repository}:pull`), { headers });
  if (response.ok) {
    const body = (await response.json().catch(() => ({}))) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token)
      throw new Failed({
        kind: "registry-error",
        message: `the token service at ${realmUrl.host} answered 200 without a token`,
        fix: "The registry is misconfigured; report it to its operator.",
      });
    return token;
  }
  const detail = await errorDetail(response);
  if (response.status === 401) throw credentialsRejected(detail);
  if (response.status === 403) {
    // ghcr.io answers 403 both for a bad token and for a good token without access: ask once more without a scope,
    // which only proves identity, to tell the two apart.
    const identity = await http(tokenUrl(), { headers });
    if (identity.ok) throw accessDenied(repository, detail);
    throw credentialsRejected(detail);
  }
  throw unexpectedStatus(response, `GET ${realmUrl.origin}${realmUrl.pathname}`, realmUrl.host, detail);
}

function credentialsRejected(detail: string): Failed {
  return new Failed({
    kind: "credentials-rejected",
    message: `the registry rejected the username and token${detail}`,
    fix: "The username or token is wrong, or the token expired or was revoked. Create a new token (GitHub: a classic PAT with read:packages) and run `ghcr-ecs rotate --token-stdin`.",
  });
}

function accessDenied(repository: string, detail: string): Failed {
  return new Failed({
    kind: "access-denied",
    message: `the credentials are valid but may not pull ${repository}${detail}`,
    fix: "Give the token read access to this package: a classic PAT needs the read:packages scope; a fine-grained token or a bot account must be granted access in the package's settings (Manage access).",
  });
}

async function manifestFailure(
  response: Response,
  auth: "bearer" | "basic" | "none",
  image: ImageReference,
  repository: string,
  reference: string,
  get: () => Promise<Response>,
): Promise<Failed> {
  if (response.status === 401) {
    const challenge = challengesOf(response.headers.get("www-authenticate")).find((c) => c.scheme === "bearer");
    if (challenge?.params.error === "insufficient_scope") return accessDenied(repository, " (insufficient_scope)");
    if (auth === "none") {
      return new Failed({
        kind: "registry-error",
        message: `${image.registry} allowed GET /v2/ anonymously but asks for credentials on the manifest`,
        fix: "Report this to the registry's operator.",
      });
    }
    return credentialsRejected(challenge?.params.error ? ` (${challenge.params.error})` : "");
  }
  if (response.status === 403) return accessDenied(repository, "");
  if (response.status === 404) {
    // HEAD has no body; GET once to tell an unknown tag from an unknown repository.
    const detail = await errorDetail(await get());
    const what = image.digest ? `digest ${image.digest}` : `tag ${image.tag}`;
    return new Failed({
      kind: "image-not-found",
      message: `${image.registry}/${repository} has no ${what}${detail}`,
      fix: `Check the image reference in the config (repository names are lowercase) and that ${reference} was pushed.`,
    });
  }
  return unexpectedStatus(response, `HEAD manifest ${reference}`, image.registry, await errorDetail(response));
}

function unexpectedStatus(response: Response, what: string, host: string, detail = ""): Failed {
  if (response.status === 429) {
    return new Failed({
      kind: "registry-error",
      message: `${host} is rate limiting (429) on ${what}${detail}`,
      fix: "Wait and retry; authenticated pulls have higher limits.",
    });
  }
  return new Failed({
    kind: "registry-error",
    message: `${what} answered ${response.status} ${response.statusText}${detail}`,
    fix:
      response.status >= 500 ? `${host} is failing; retry later or check its status page.` : "Unexpected answer from the registry; check the image reference.",
  });
}

/** `: CODE: message` from an OCI error body, bounded, or "". */
async function errorDetail(response: Response): Promise<string> {
  try {
    const errors = (JSON.parse(await response.text()) as { errors?: { code?: string; message?: string }[] }).errors ?? [];
    const parts = errors.map((e) => [e.code, e.message].filter(Boolean).join(": ")).filter(Boolean);
    return parts.length > 0 ? `: ${parts.join("; ").slice(0, 300)}` : "";
  } catch {
    return "";
  }
}

async function digestOfBody(http: Http, url: string, headers: Record<string, string>): Promise<string> {
  const response = await http(url, { headers });
  const body = Buffer.from(await response.arrayBuffer());
  return `sha256:${createHash("sha256").update(body).digest("hex")}`;
}
