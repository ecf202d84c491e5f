import { createHash } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { ImageReference } from "../../../src/registry/image-reference";
import { checkPull, MANIFEST_ACCEPT, registryApiBases, REGISTRY_USERNAME, type PullCheckResult, type PullFailure } from "../../../src/registry/pull-check";

const urlOf = (input: string | URL | Request): string => (input instanceof Request ? input.url : input.toString());

describe("registryApiBases", () => {
  it.each([
    ["ghcr.io", ["https://ghcr.io"]],
    ["docker.io", ["https://registry-1.docker.io"]],
    ["index.docker.io", ["https://registry-1.docker.io"]],
    ["registry.gitlab.com", ["https://registry.gitlab.com"]],
    ["registry.test:5000", ["https://registry.test:5000"]],
    ["10.0.0.5:5000", ["https://10.0.0.5:5000"]],
    ["127.0.0.1:5000", ["https://127.0.0.1:5000", "http://127.0.0.1:5000"]],
    ["127.1.2.3", ["https://127.1.2.3", "http://127.1.2.3"]],
    ["127.100.200.254:5000", ["https://127.100.200.254:5000", "http://127.100.200.254:5000"]],
    ["localhost:5000", ["https://localhost:5000", "http://localhost:5000"]],
    ["localhost", ["https://localhost", "http://localhost"]],
    ["[::1]:5000", ["https://[::1]:5000", "http://[::1]:5000"]],
    ["localhost.example.com", ["https://localhost.example.com"]],
    ["evil.localhost", ["https://evil.localhost"]],
    ["evillocalhost:5000", ["https://evillocalhost:5000"]],
    ["x127.0.0.1:5000", ["https://x127.0.0.1:5000"]],
    ["127.0.0.1.nip.io:5000", ["https://127.0.0.1.nip.io:5000"]],
    ["localhost:5000x", ["https://localhost:5000x"]],
  ])("tries %s at %j", (registry, bases) => {
    expect(registryApiBases(registry)).toEqual(bases);
  });
});

describe("REGISTRY_USERNAME", () => {
  it.each(["acme-ci-bot", "a", "x".repeat(256), "user@example.com"])("accepts %s", (name) => {
    expect(REGISTRY_USERNAME.test(name)).toBe(true);
  });
  it.each(["", "x".repeat(257), "acme ci", " acme", "acme ", "acme\tci", "acme:ci", ":"])("refuses %j", (name) => {
    expect(REGISTRY_USERNAME.test(name)).toBe(false);
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
      request.query.scope || request.authorization !== BASIC
        ? { status: 403, body: ERRORS("DENIED", "requested access to the resource is denied") }
        : { status: 200, body: { token: "identity-only" } },
    );
    const failure = failureOf(await checkPull(image(), CREDENTIAL));
    expect(failure).toEqual({
      kind: "access-denied",
      message: "the credentials are valid but may not pull acme/orders: DENIED: requested access to the resource is denied",
      fix: "Give the token read access to this package: a classic PAT needs the read:packages scope; a fine-grained token or a bot account must be granted access in the package's settings (Manage access).",
    });
    expect(seen.filter((r) => r.path === "/token").map((r) => [r.query, r.authorization])).toEqual([
      [{ service: "ghcr.io", scope: "repository:acme/orders:pull" }, BASIC],
      [{ service: "ghcr.io" }, BASIC],
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
      expect(fetchSpy.mock.calls.map(([input]) => urlOf(input))).toEqual([`https://${host}/v2/`, `http://${host}/v2/`]);
    } finally {
      fetchSpy.mockRestore();
    }
    expect(seen.map((r) => r.path)).toEqual(["/v2/"]);
  });

  it.each(["http://evillocalhost:1/token", "http://evil.localhost/token", "http://localhost.example.com/token", "http://127.0.0.1.nip.io/token"])(
    "refuses the plain-HTTP realm %s, whose host only looks like loopback",
    async (realm) => {
      route = () => ({ status: 401, headers: { "www-authenticate": `Bearer realm="${realm}",service="ghcr.io"` } });
      expect(failureOf(await checkPull(image(), CREDENTIAL))).toMatchObject({ kind: "registry-error", message: `the token realm ${realm} is plain HTTP` });
      expect(seen.map((r) => r.path)).toEqual(["/v2/"]);
    },
  );

  it("sends the credential to an HTTPS realm outside loopback (here one DNS cannot resolve)", async () => {
    route = () => ({ status: 401, headers: { "www-authenticate": 'Bearer realm="https://token.invalid/token",service="ghcr.io"' } });
    expect(failureOf(await checkPull(image(), CREDENTIAL))).toEqual({
      kind: "registry-unreachable",
      message: "DNS cannot resolve token.invalid (ENOTFOUND)",
      fix:
        "Check the registry host in the image reference and DNS. Check that 127.0.0.1:" +
        host.split(":")[1] +
        " resolves and answers on HTTPS from here; from ECS, tasks need a route to it (NAT gateway or public IP) and egress on 443.",
    });
  });

  it("asks for its own scope when ghcr.io's challenge on /v2/ carries a placeholder scope", async () => {
    const inner = ghcr(goodToken);
    route = (request) =>
      request.path === "/v2/"
        ? { status: 401, headers: { "www-authenticate": `Bearer realm="http://${host}/token",service="ghcr.io",scope="repository:user/image:pull"` } }
        : inner(request);
    expect(await checkPull(image(), CREDENTIAL)).toMatchObject({ ok: true, auth: "bearer" });
    expect(seen.filter((r) => r.path === "/token").map((r) => r.query)).toEqual([{ service: "ghcr.io", scope: "repository:acme/orders:pull" }]);
  });

  it("asks for a token without a service when the challenge names none", async () => {
    const inner = ghcr(goodToken);
    route = (request) => (request.path === "/v2/" ? { status: 401, headers: { "www-authenticate": `Bearer realm="http://${host}/token"` } } : inner(request));
    expect(await checkPull(image(), CREDENTIAL)).toMatchObject({ ok: true, auth: "bearer" });
    expect(seen.filter((r) => r.path === "/token").map((r) => [r.query, r.authorization])).toEqual([[{ scope: "repository:acme/orders:pull" }, BASIC]]);
  });

  it("keeps HTTPS for a loopback registry that speaks it, realm and manifest included", async () => {
    const realFetch = globalThis.fetch;
    const urls: string[] = [];
    // Stands in for a TLS registry on loopback: HTTPS requests get the fake registry's answers; plain HTTP fails.
    const fetchSpy = jest.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const url = urlOf(input);
      urls.push(url);
      if (!url.startsWith("https:")) throw new TypeError("fetch failed", { cause: { code: "ECONNRESET" } });
      return realFetch(url.replace(/^https:/, "http:"), init);
    });
    try {
      const inner = ghcr(goodToken);
      route = (request) =>
        request.path === "/v2/" ? { status: 401, headers: { "www-authenticate": `Bearer realm="https://${host}/token",service="ghcr.io"` } } : inner(request);
      expect(await checkPull(image(), CREDENTIAL)).toMatchObject({ ok: true, digest: DIGEST });
      expect(urls).toEqual([
        `https://${host}/v2/`,
        `https://${host}/token?service=ghcr.io&scope=repository%3Aacme%2Forders%3Apull`,
        `https://${host}${manifestPath}`,
      ]);
    } finally {
      fetchSpy.mockRestore();
    }
  });

  it("falls back to plain HTTP on loopback only when the registry answers TLS in plain HTTP", async () => {
    const fetchSpy = jest.spyOn(globalThis, "fetch").mockRejectedValue(new TypeError("fetch failed", { cause: { code: "ECONNRESET" } }));
    try {
      expect(failureOf(await checkPull(image(), CREDENTIAL))).toMatchObject({
        kind: "registry-unreachable",
        message: `cannot connect to ${host} (ECONNRESET)`,
      });
      expect(fetchSpy).toHaveBeenCalledTimes(1);
    } finally {
      fetchSpy.mockRestore();
    }
  });

  const NETWORK_FIX = (where: string) =>
    `Check that ${where} resolves and answers on HTTPS from here; from ECS, tasks need a route to it (NAT gateway or public IP) and egress on 443.`;
  it.each([
    [
      "ENOTFOUND",
      "DNS cannot resolve registry.invalid (ENOTFOUND)",
      `Check the registry host in the image reference and DNS. ${NETWORK_FIX("registry.invalid:5000")}`,
    ],
    [
      "EAI_AGAIN",
      "DNS cannot resolve registry.invalid (EAI_AGAIN)",
      `Check the registry host in the image reference and DNS. ${NETWORK_FIX("registry.invalid:5000")}`,
    ],
    ["EHOSTUNREACH", "cannot connect to registry.invalid:5000 (EHOSTUNREACH)", NETWORK_FIX("registry.invalid:5000")],
    ["ENETUNREACH", "cannot connect to registry.invalid:5000 (ENETUNREACH)", NETWORK_FIX("registry.invalid:5000")],
    [
      "ERR_SSL_WRONG_VERSION_NUMBER",
      "registry.invalid:5000 answered the TLS handshake in plain HTTP (ERR_SSL_WRONG_VERSION_NUMBER)",
      "Credentials go to a registry outside loopback over HTTPS only, as ECS sends them: serve the registry over HTTPS, or correct the port in the image reference.",
    ],
    [
      "ERR_TLS_CERT_ALTNAME_INVALID",
      "the TLS certificate of registry.invalid:5000 does not name registry.invalid (ERR_TLS_CERT_ALTNAME_INVALID)",
      "Use the registry host the certificate names in the image reference, or reissue the certificate with this name; ECS's agent checks the name too.",
    ],
    ...[
      "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
      "SELF_SIGNED_CERT_IN_CHAIN",
      "DEPTH_ZERO_SELF_SIGNED_CERT",
      "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
      "CERT_HAS_EXPIRED",
    ].map((code) => [
      code,
      `the TLS certificate of registry.invalid:5000 is not trusted here (${code})`,
      "If your own CA signed it, give this check its certificate with NODE_EXTRA_CA_CERTS=/path/to/ca.pem. ECS verifies it as well: on Fargate use a certificate from a public CA; EC2 instances must trust your CA.",
    ]),
    [
      "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE",
      "the TLS handshake with registry.invalid:5000 failed (ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE)",
      `The registry's TLS set-up is not one this client accepts. ${NETWORK_FIX("registry.invalid:5000")}`,
    ],
    [
      "ERR_TLS_HANDSHAKE_TIMEOUT",
      "the TLS handshake with registry.invalid:5000 failed (ERR_TLS_HANDSHAKE_TIMEOUT)",
      `The registry's TLS set-up is not one this client accepts. ${NETWORK_FIX("registry.invalid:5000")}`,
    ],
    ["EPIPE", "request to registry.invalid:5000 failed (EPIPE)", NETWORK_FIX("registry.invalid:5000")],
  ])("classifies the network error %s", async (code, message, fix) => {
    const fetchSpy = jest.spyOn(globalThis, "fetch").mockRejectedValue(new TypeError("fetch failed", { cause: { code } }));
    try {
      expect(failureOf(await checkPull(image({ registry: "registry.invalid:5000" }), CREDENTIAL))).toEqual({ kind: "registry-unreachable", message, fix });
      expect(fetchSpy.mock.calls.map(([input]) => urlOf(input))).toEqual(["https://registry.invalid:5000/v2/"]);
    } finally {
      fetchSpy.mockRestore();
    }
  });

  it("names the error's message when it has no code", async () => {
    const fetchSpy = jest.spyOn(globalThis, "fetch").mockRejectedValue(new TypeError("fetch failed", { cause: { message: "other side closed" } }));
    try {
      expect(failureOf(await checkPull(image({ registry: "registry.invalid" }), CREDENTIAL)).message).toBe(
        "request to registry.invalid failed (other side closed)",
      );
      fetchSpy.mockRejectedValue(new TypeError("fetch failed"));
      expect(failureOf(await checkPull(image({ registry: "registry.invalid" }), CREDENTIAL)).message).toBe("request to registry.invalid failed (fetch failed)");
    } finally {
      fetchSpy.mockRestore();
    }
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

  it("reports insufficient_scope on the manifest as access denied when a Basic challenge comes first", async () => {
    route = ghcr(goodToken, () => ({
      status: 401,
      headers: { "www-authenticate": ['Basic realm="corp proxy"', `Bearer realm="http://${host}/token",error="insufficient_scope"`] },
    }));
    expect(failureOf(await checkPull(image(), CREDENTIAL))).toMatchObject({
      kind: "access-denied",
      message: "the credentials are valid but may not pull acme/orders (insufficient_scope)",
    });
  });

  it("reports a 401 on the manifest without a challenge as rejected credentials", async () => {
    route = ghcr(goodToken, () => ({ status: 401 }));
    expect(failureOf(await checkPull(image(), CREDENTIAL))).toMatchObject({
      kind: "credentials-rejected",
      message: "the registry rejected the username and token",
    });
  });

  it("reports a realm that is not a URL as a registry error", async () => {
    route = () => ({ status: 401, headers: { "www-authenticate": 'Bearer realm="/token",service="ghcr.io"' } });
    expect(failureOf(await checkPull(image(), CREDENTIAL))).toEqual({
      kind: "registry-error",
      message: "the registry's Bearer challenge names a realm that is not a URL (/token)",
      fix: "The registry is misconfigured; report it to its operator.",
    });
  });

  it.each<[string, string | object, string]>([
    [
      "two errors",
      {
        errors: [
          { code: "DENIED", message: "a" },
          { code: "TOOMANYREQUESTS", message: "b" },
        ],
      },
      ": DENIED: a; TOOMANYREQUESTS: b",
    ],
    ["an error with a message only", { errors: [{ message: "only a message" }] }, ": only a message"],
    ["an empty error beside a code", { errors: [{ code: "DENIED" }, {}] }, ": DENIED"],
    ["no errors", { errors: [] }, ""],
    ["JSON without errors", { message: "nope" }, ""],
    ["JSON null", "null", ""],
    ["HTML", "<html>busy</html>", ""],
    ["a very long error", { errors: [{ code: "X", message: "y".repeat(400) }] }, `: ${`X: ${"y".repeat(400)}`.slice(0, 300)}`],
  ])("quotes the registry's error body with %s", async (_, body, detail) => {
    route = ghcr(() => ({ status: 429, body }));
    expect(failureOf(await checkPull(image(), CREDENTIAL)).message).toBe(`${host} is rate limiting (429) on GET http://${host}/token${detail}`);
  });

  it("asks Docker Hub for an official image under library/", async () => {
    const fetchSpy = jest
      .spyOn(globalThis, "fetch")
      .mockImplementation(() => Promise.resolve(new Response(null, { status: 200, headers: { "docker-content-digest": DIGEST } })));
    try {
      for (const [registry, repository] of [
        ["docker.io", "nginx"],
        ["docker.io", "bitnami/nginx"],
        ["ghcr.io", "nginx"],
      ]) {
        expect(await checkPull({ registry, repository, tag: "1.27" }, CREDENTIAL)).toMatchObject({ ok: true, digest: DIGEST, auth: "none" });
      }
      expect(fetchSpy.mock.calls.map(([input]) => urlOf(input)).filter((url) => url.includes("/manifests/"))).toEqual([
        "https://registry-1.docker.io/v2/library/nginx/manifests/1.27",
        "https://registry-1.docker.io/v2/bitnami/nginx/manifests/1.27",
        "https://ghcr.io/v2/nginx/manifests/1.27",
      ]);
    } finally {
      fetchSpy.mockRestore();
    }
  });

  it("refuses an image reference without tag or digest", async () => {
    await expect(checkPull({ registry: host, repository: "acme/orders" }, CREDENTIAL)).rejects.toThrow(`${host}/acme/orders has no tag or digest to check`);
  });

  it("reports the time limit as spent before a request starts", async () => {
    const fetchSpy = jest.spyOn(globalThis, "fetch");
    const now = jest.spyOn(Date, "now").mockReturnValueOnce(1_000_000).mockReturnValue(1_005_000);
    try {
      expect(failureOf(await checkPull(image(), CREDENTIAL, { timeoutMs: 5000 })).message).toBe(`${host} did not answer within 5 s`);
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      now.mockRestore();
      fetchSpy.mockRestore();
    }
  });

  it("reports an aborted request like one that timed out", async () => {
    const fetchSpy = jest.spyOn(globalThis, "fetch").mockRejectedValue(new DOMException("This operation was aborted", "AbortError"));
    try {
      expect(failureOf(await checkPull(image(), CREDENTIAL, { timeoutMs: 1500 })).message).toBe(`${host} did not answer within 1.5 s (/v2/)`);
    } finally {
      fetchSpy.mockRestore();
    }
  });

  it("lets an error that is not the registry's answer through instead of reporting it as one", async () => {
    const broken = { ok: true, status: 200, headers: new Headers(), arrayBuffer: () => Promise.reject(new RangeError("body stream broke")) };
    const fetchSpy = jest.spyOn(globalThis, "fetch").mockResolvedValue(broken as unknown as Response);
    try {
      await expect(checkPull(image(), CREDENTIAL)).rejects.toThrow("body stream broke");
    } finally {
      fetchSpy.mockRestore();
    }
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
