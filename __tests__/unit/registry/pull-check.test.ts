import { createHash } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { ImageReference } from "../../../src/registry/image-reference";
import { checkPull, MANIFEST_ACCEPT, registryApiBase, type PullCheckResult, type PullFailure } from "../../../src/registry/pull-check";

describe("registryApiBase", () => {
  it.each([
    ["ghcr.io", "https://ghcr.io"],
    ["docker.io", "https://registry-1.docker.io"],
    ["index.docker.io", "https://registry-1.docker.io"],
    ["registry.gitlab.com", "https://registry.gitlab.com"],
    ["registry.test:5000", "https://registry.test:5000"],
    ["10.0.0.5:5000", "https://10.0.0.5:5000"],
    ["127.0.0.1:5000", "http://127.0.0.1:5000"],
    ["127.1.2.3", "http://127.1.2.3"],
    ["localhost:5000", "http://localhost:5000"],
    ["localhost", "http://localhost"],
    ["[::1]:5000", "http://[::1]:5000"],
    ["localhost.example.com", "https://localhost.example.com"],
    ["127.0.0.1.nip.io:5000", "https://127.0.0.1.nip.io:5000"],
  ])("serves %s from %s", (registry, base) => {
    expect(registryApiBase(registry)).toBe(base);
  });
});

describe("MANIFEST_ACCEPT", () => {
  it("asks for OCI and Docker indexes and manifests, OCI first", () => {
    expect(MANIFEST_ACCEPT).toBe(
      "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json",
    );
  });
});

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly authorization?: string;
  readonly accept?: string;
}
interface Reply {
  readonly status: number;
  readonly headers?: Record<string, string | string[]>;
  readonly body?: string | object;
}
/** `undefined` leaves the request hanging (for timeouts). */
type Route = (request: Seen) => Reply | undefined;

const USER = "acme-ci-bot";
const PASSWORD = "ghp_" + "R8x2Lq9VnT4wYz6Kb1Mc3Dd5Fg7Hj0Ps2Uv4";
const CREDENTIAL = { username: USER, password: PASSWORD };
const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}`;
const DIGEST = "sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b";
const MANIFEST = JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: {}, layers: [] });
const ERRORS = (code: string, message: string) => ({ errors: [{ code, message }] });

/** A registry on 127.0.0.1 that answers like ghcr.io or Docker Hub, one route function per test. */
describe("checkPull against a fake registry on loopback", () => {
  let server: http.Server;
  let host: string;
  let route: Route;
  let seen: Seen[];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const request: Seen = {
        method: req.method ?? "",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        ...(req.headers.accept ? { accept: req.headers.accept } : {}),
      };
      seen.push(request);
      const reply = route(request);
      if (!reply) return; // hang
      const body = reply.body === undefined ? "" : typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
      // One request per connection: a test that hangs or drops a connection cannot poison fetch's pool for the next.
      res.writeHead(reply.status, { ...reply.headers, connection: "close" });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    seen = [];
  });

  const image = (overrides: Partial<ImageReference> = {}): ImageReference => ({ registry: host, repository: "acme/orders", tag: "1.4.2", ...overrides });
  const manifestPath = "/v2/acme/orders/manifests/1.4.2";
  const bearerChallenge = () => ({ "www-authenticate": `Bearer realm="http://${host}/token",service="ghcr.io"` });

  /** ghcr.io's flow: 401 on /v2/, a token for Basic credentials, then the manifest for that token. */
  const ghcr =
    (
      token: (request: Seen) => Reply,
      manifest: (request: Seen) => Reply = () => ({
        status: 200,
        headers: { "docker-content-digest": DIGEST, "content-type": "application/vnd.oci.image.index.v1+json" },
      }),
    ): Route =>
    (request) => {
      if (request.path === "/v2/") return { status: 401, headers: bearerChallenge(), body: ERRORS("UNAUTHORIZED", "authentication required") };
      if (request.path === "/token") return token(request);
      if (request.path.startsWith("/v2/acme/orders/manifests/") && request.authorization === "Bearer tkn-42") return manifest(request);
      return { status: 401, headers: bearerChallenge() };
    };
  const goodToken = (request: Seen): Reply =>
    request.authorization === BASIC ? { status: 200, body: { token: "tkn-42" } } : { status: 403, body: ERRORS("DENIED", "denied") };

  function failureOf(result: PullCheckResult): PullFailure {
    if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result)}`);
    const text = JSON.stringify(result.failure);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(BASIC.slice(6));
    return result.failure;
  }

  it("follows ghcr.io's Bearer flow and returns the digest and media type", async () => {
    route = ghcr(goodToken);
    expect(await checkPull(image(), CREDENTIAL)).toEqual({ ok: true, digest: DIGEST, mediaType: "application/vnd.oci.image.index.v1+json", auth: "bearer" });
    expect(seen).toEqual([
      { method: "GET", path: "/v2/", query: {}, accept: "*/*" },
      { method: "GET", path: "/token", query: { service: "ghcr.io", scope: "repository:acme/orders:pull" }, authorization: BASIC, accept: "*/*" },
      { method: "HEAD", path: manifestPath, query: {}, authorization: "Bearer tkn-42", accept: MANIFEST_ACCEPT },
    ]);
  });

  it("accepts a token service that answers with access_token only", async () => {
    route = ghcr(() => ({ status: 200, body: { access_token: "tkn-42", expires_in: 300 } }));
    expect(await checkPull(image(), CREDENTIAL)).toEqual({ ok: true, digest: DIGEST, mediaType: "application/vnd.oci.image.index.v1+json", auth: "bearer" });
  });

  it("picks the Bearer challenge when a proxy adds a second WWW-Authenticate header", async () => {
    const inner = ghcr(goodToken);
    route = (request) =>
      request.path === "/v2/" ? { status: 401, headers: { "www-authenticate": ["Negotiate", bearerChallenge()["www-authenticate"]] } } : inner(request);
    expect(await checkPull(image(), CREDENTIAL)).toMatchObject({ ok: true, auth: "bearer" });
  });

  it("computes the digest from the manifest body when HEAD has no Docker-Content-Digest", async () => {
    route = ghcr(goodToken, (request) => ({
      status: 200,
      headers: { "content-type": "application/vnd.oci.image.manifest.v1+json" },
      body: request.method === "GET" ? MANIFEST : "",
    }));
    const expected = `sha256:${createHash("sha256").update(MANIFEST).digest("hex")}`;
    expect(await checkPull(image(), CREDENTIAL)).toEqual({
      ok: true,
      digest: expected,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      auth: "bearer",
    });
    expect(seen.slice(2).map((r) => [r.method, r.path, r.authorization, r.accept])).toEqual([
      ["HEAD", manifestPath, "Bearer tkn-42", MANIFEST_ACCEPT],
      ["GET", manifestPath, "Bearer tkn-42", MANIFEST_ACCEPT],
    ]);
  });

  it("tells a valid credential without access (403, then 200 without scope) as access denied", async () => {
    route = ghcr((request) =>
      request.query.scope
        ? { status: 403, body: ERRORS("DENIED", "requested access to the resource is denied") }
        : { status: 200, body: { token: "identity-only" } },
    );
    const failure = failureOf(await checkPull(image(), CREDENTIAL));
    expect(failure).toEqual({
      kind: "access-denied",
      message: "the credentials are valid but may not pull acme/orders: DENIED: requested access to the resource is denied",
      fix: "Give the token read access to this package: a classic PAT needs the read:packages scope; a fine-grained token or a bot account must be granted access in the package's settings (Manage access).",
    });
    expect(seen.filter((r) => r.path === "/token").map((r) => r.query)).toEqual([
      { service: "ghcr.io", scope: "repository:acme/orders:pull" },
      { service: "ghcr.io" },
    ]);
  });

  it("tells a bad credential (403 with and without scope) as rejected credentials", async () => {
    route = ghcr(() => ({ status: 403, body: ERRORS("DENIED", "denied") }));
    expect(failureOf(await checkPull(image(), { username: USER, password: "ghp_" + "wrong000000000000000000000000000000" }))).toEqual({
      kind: "credentials-rejected",
      message: "the registry rejected the username and token: DENIED: denied",
      fix: "The username or token is wrong, or the token expired or was revoked. Create a new token (GitHub: a classic PAT with read:packages) and run `ghcr-ecs rotate --token-stdin`.",
    });
  });

  it("reports a 401 from the token service as rejected credentials", async () => {
    route = ghcr(() => ({ status: 401, body: ERRORS("UNAUTHORIZED", "incorrect username or password") }));
    const failure = failureOf(await checkPull(image(), CREDENTIAL));
    expect(failure.kind).toBe("credentials-rejected");
    expect(failure.message).toBe("the registry rejected the username and token: UNAUTHORIZED: incorrect username or password");
    expect(seen.filter((r) => r.path === "/token")).toHaveLength(1);
  });

  it("reports a rate-limited token service", async () => {
    route = ghcr(() => ({ status: 429, body: ERRORS("TOOMANYREQUESTS", "retry later") }));
    expect(failureOf(await checkPull(image(), CREDENTIAL))).toEqual({
      kind: "registry-error",
      message: `${host} is rate limiting (429) on GET http://${host}/token: TOOMANYREQUESTS: retry later`,
      fix: "Wait and retry; authenticated pulls have higher limits.",
    });
  });

  it("reports a token service answering 200 without a token", async () => {
    route = ghcr(() => ({ status: 200, body: { expires_in: 300 } }));
    expect(failureOf(await checkPull(image(), CREDENTIAL))).toEqual({
      kind: "registry-error",
      message: `the token service at ${host} answered 200 without a token`,
      fix: "The registry is misconfigured; report it to its operator.",
    });
  });

  it("reports a token service answering 200 with HTML as without a token", async () => {
    route = ghcr(() => ({ status: 200, headers: { "content-type": "text/html" }, body: "<html>login</html>" }));
    expect(failureOf(await checkPull(image(), CREDENTIAL)).message).toBe(`the token service at ${host} answered 200 without a token`);
  });

  it("reports a registry failing with 500", async () => {
    route = () => ({ status: 500, body: "oops" });
    expect(failureOf(await checkPull(image(), CREDENTIAL))).toEqual({
      kind: "registry-error",
      message: `GET http://${host}/v2/ answered 500 Internal Server Error`,
      fix: `${host} is failing; retry later or check its status page.`,
    });
  });

  it("reports a 401 without WWW-Authenticate as not a registry", async () => {
    route = () => ({ status: 401 });
    expect(failureOf(await checkPull(image(), CREDENTIAL))).toEqual({
      kind: "registry-error",
      message: `${host} answered 401 without a Bearer or Basic challenge (WWW-Authenticate: absent)`,
      fix: "This is not an OCI distribution registry endpoint, or a proxy in front of it strips the challenge.",
    });
  });

  it("reports a 401 with only a challenge it cannot answer", async () => {
    route = () => ({ status: 401, headers: { "www-authenticate": 'Negotiate realm="corp"' } });
    expect(failureOf(await checkPull(image(), CREDENTIAL)).message).toBe(
      `${host} answered 401 without a Bearer or Basic challenge (WWW-Authenticate: Negotiate realm="corp")`,
    );
  });

  it("reports a malformed challenge as a registry error instead of throwing", async () => {
    route = () => ({ status: 401, headers: { "www-authenticate": 'Bearer realm="http://unterminated' } });
    expect(failureOf(await checkPull(image(), CREDENTIAL))).toMatchObject({
      kind: "registry-error",
      message: `${host} answered 401 without a Bearer or Basic challenge (WWW-Authenticate: Bearer realm="http://unterminated)`,
    });
  });

  it("reports a Bearer challenge without a realm", async () => {
    route = () => ({ status: 401, headers: { "www-authenticate": 'Bearer service="ghcr.io"' } });
    expect(failureOf(await checkPull(image(), CREDENTIAL))).toEqual({
      kind: "registry-error",
      message: "the registry's Bearer challenge has no realm",
      fix: "The registry is misconfigured; report it to its operator.",
    });
  });

  it("refuses to send the credential to a plain-HTTP realm outside loopback", async () => {
    route = () => ({ status: 401, headers: { "www-authenticate": 'Bearer realm="http://example.invalid/token",service="ghcr.io"' } });
    const fetchSpy = jest.spyOn(globalThis, "fetch");
    try {
      expect(failureOf(await checkPull(image(), CREDENTIAL))).toEqual({
        kind: "registry-error",
        message: "the token realm http://example.invalid/token is plain HTTP",
        fix: "Refusing to send credentials over plain HTTP outside loopback; the registry must offer an https:// realm.",
      });
      expect(fetchSpy.mock.calls.map(([input]) => (input instanceof Request ? input.url : input.toString()))).toEqual([`http://${host}/v2/`]);
    } finally {
      fetchSpy.mockRestore();
    }
    expect(seen.map((r) => r.path)).toEqual(["/v2/"]);
  });

  it("uses Basic auth on the manifest when the registry asks for Basic", async () => {
    route = (request): Reply => {
      if (request.path === "/v2/") return { status: 401, headers: { "www-authenticate": 'Basic realm="Registry Realm"' } };
      if (request.authorization !== BASIC) return { status: 401, headers: { "www-authenticate": 'Basic realm="Registry Realm"' } };
      return { status: 200, headers: { "docker-content-digest": DIGEST, "content-type": "application/vnd.docker.distribution.manifest.v2+json" } };
    };
    expect(await checkPull(image(), CREDENTIAL)).toEqual({
      ok: true,
      digest: DIGEST,
      mediaType: "application/vnd.docker.distribution.manifest.v2+json",
      auth: "basic",
    });
    expect(seen.map((r) => [r.method, r.path, r.authorization])).toEqual([
      ["GET", "/v2/", undefined],
      ["HEAD", manifestPath, BASIC],
    ]);
  });

  it("reports a Basic registry rejecting the credential on the manifest", async () => {
    route = () => ({ status: 401, headers: { "www-authenticate": 'Basic realm="Registry Realm"' } });
    expect(failureOf(await checkPull(image(), CREDENTIAL))).toMatchObject({
      kind: "credentials-rejected",
      message: "the registry rejected the username and token",
    });
  });

  it("says auth none when the registry never asks for credentials", async () => {
    route = (request) => (request.path === "/v2/" ? { status: 200, body: {} } : { status: 200, headers: { "docker-content-digest": DIGEST } });
    expect(await checkPull(image(), CREDENTIAL)).toEqual({ ok: true, digest: DIGEST, mediaType: undefined, auth: "none" });
    expect(seen.every((r) => r.authorization === undefined)).toBe(true);
  });

  it("reports a registry that allows /v2/ anonymously but not the manifest", async () => {
    route = (request) => (request.path === "/v2/" ? { status: 200 } : { status: 401, headers: bearerChallenge() });
    expect(failureOf(await checkPull(image(), CREDENTIAL))).toEqual({
      kind: "registry-error",
      message: `${host} allowed GET /v2/ anonymously but asks for credentials on the manifest`,
      fix: "Report this to the registry's operator.",
    });
  });

  it("reports an unknown tag with the registry's error from a GET", async () => {
    route = ghcr(goodToken, (request) => ({ status: 404, body: request.method === "GET" ? ERRORS("MANIFEST_UNKNOWN", "manifest unknown") : "" }));
    expect(failureOf(await checkPull(image({ tag: "9.9.9" }), CREDENTIAL))).toEqual({
      kind: "image-not-found",
      message: `${host}/acme/orders has no tag 9.9.9: MANIFEST_UNKNOWN: manifest unknown`,
      fix: "Check the image reference in the config (repository names are lowercase) and that 9.9.9 was pushed.",
    });
  });

  it("asks for a digest reference by digest", async () => {
    const digest = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
    route = (request) => (request.path === "/v2/" ? { status: 200 } : { status: 404, body: ERRORS("MANIFEST_UNKNOWN", "manifest unknown") });
    expect(failureOf(await checkPull({ registry: host, repository: "acme/orders", digest }, CREDENTIAL)).message).toBe(
      `${host}/acme/orders has no digest ${digest}: MANIFEST_UNKNOWN: manifest unknown`,
    );
    expect(seen.map((r) => [r.method, r.path])).toEqual([
      ["GET", "/v2/"],
      ["HEAD", `/v2/acme/orders/manifests/${digest}`],
      ["GET", `/v2/acme/orders/manifests/${digest}`],
    ]);
  });

  it("reports insufficient_scope on the manifest as access denied", async () => {
    route = ghcr(goodToken, () => ({
      status: 401,
      headers: { "www-authenticate": `Bearer realm="http://${host}/token",service="ghcr.io",error="insufficient_scope"` },
    }));
    expect(failureOf(await checkPull(image(), CREDENTIAL))).toMatchObject({
      kind: "access-denied",
      message: "the credentials are valid but may not pull acme/orders (insufficient_scope)",
    });
  });

  it("reports a rejected token on the manifest with the registry's error code", async () => {
    route = ghcr(goodToken, () => ({ status: 401, headers: { "www-authenticate": `Bearer realm="http://${host}/token",error="invalid_token"` } }));
    expect(failureOf(await checkPull(image(), CREDENTIAL))).toMatchObject({
      kind: "credentials-rejected",
      message: "the registry rejected the username and token (invalid_token)",
    });
  });

  it("reports a 403 on the manifest as access denied", async () => {
    route = ghcr(goodToken, () => ({ status: 403 }));
    expect(failureOf(await checkPull(image(), CREDENTIAL))).toMatchObject({
      kind: "access-denied",
      message: "the credentials are valid but may not pull acme/orders",
    });
  });

  it("reports a rate-limited manifest request", async () => {
    route = ghcr(goodToken, () => ({ status: 429 }));
    expect(failureOf(await checkPull(image(), CREDENTIAL))).toEqual({
      kind: "registry-error",
      message: `${host} is rate limiting (429) on HEAD manifest 1.4.2`,
      fix: "Wait and retry; authenticated pulls have higher limits.",
    });
  });

  it("reports an unexpected 4xx on the manifest", async () => {
    route = ghcr(goodToken, () => ({ status: 400 }));
    expect(failureOf(await checkPull(image(), CREDENTIAL))).toEqual({
      kind: "registry-error",
      message: "HEAD manifest 1.4.2 answered 400 Bad Request",
      fix: "Unexpected answer from the registry; check the image reference.",
    });
  });

  it("reports a registry that does not answer within the time limit", async () => {
    route = () => undefined;
    try {
      expect(failureOf(await checkPull(image(), CREDENTIAL, { timeoutMs: 300 }))).toMatchObject({
        kind: "registry-unreachable",
        message: `${host} did not answer within 0.3 s (/v2/)`,
      });
    } finally {
      server.closeAllConnections();
    }
  });

  it("reports a closed port as unreachable", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(failureOf(await checkPull(image({ registry: `127.0.0.1:${port}` }), CREDENTIAL))).toEqual({
      kind: "registry-unreachable",
      message: `cannot connect to 127.0.0.1:${port} (ECONNREFUSED)`,
      fix: `Check that 127.0.0.1:${port} resolves and answers on HTTPS from here; from ECS, tasks need a route to it (NAT gateway or public IP) and egress on 443.`,
    });
  });
});
