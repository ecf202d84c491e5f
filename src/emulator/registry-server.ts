import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash, createSign, randomBytes, randomUUID, X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { LookupFunction } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { freeLoopbackPort } from "../util/free-port";
import { MissingToolError, stopProcess } from "./moto-server";
import { createLocalCertificates, type LocalCertificates } from "./tls-certificates";

export const REGISTRY_INSTALL_HELP =
  "Install the CNCF distribution registry and htpasswd (Debian/Ubuntu):\n" + "  apt-get install -y docker-registry apache2-utils openssl";

export interface RegistryUser {
  readonly username: string;
  /** One or more valid passwords (several while a rotation is in progress, like two live GitHub tokens). */
  readonly passwords: readonly string[];
  /** Repositories this user may pull (`*` for all); token auth only — htpasswd lets every user pull everything. */
  readonly pull?: readonly string[];
  /** Repositories this user may push to; token auth only. */
  readonly push?: readonly string[];
}

export type LocalRegistryAuth =
  | { readonly kind: "htpasswd"; readonly users: readonly RegistryUser[] }
  | {
      readonly kind: "token";
      readonly users: readonly RegistryUser[];
      /**
       * `distribution`: the token service answers 401 to bad credentials and issues a token without the denied
       * access (Docker Hub's behaviour). `ghcr`: it answers 403 `DENIED` to both bad credentials and denied scopes,
       * as ghcr.io does.
       * @default "distribution"
       */
      readonly style?: "distribution" | "ghcr";
    };

export interface LocalRegistryOptions {
  /** Bound for the registry to answer after its start. @default 15000 */
  readonly startTimeoutMs?: number;
  /**
   * Serve the registry and its token service over HTTPS, as ghcr.io does, with a certificate signed by a CA made for
   * this registry only ({@link LocalRegistry.caFile}; a process trusts it with `NODE_EXTRA_CA_CERTS`).
   * @default false (plain HTTP, which clients allow on loopback only)
   */
  readonly tls?: boolean;
  /**
   * The registry's host name in image references and in the token realm. A name other than `127.0.0.1` or
   * `localhost` must resolve to 127.0.0.1 in the processes that use it; this process reaches it without DNS.
   * @default "127.0.0.1"
   */
  readonly hostname?: string;
  /** The names (DNS names or IP addresses) the TLS certificate is issued for. @default ["localhost", "127.0.0.1", hostname] */
  readonly certificateNames?: readonly string[];
}

/** One request the token service received: its query string as sent, and the user its Basic credentials named. */
export interface TokenRequest {
  readonly query: string;
  /** Absent when the request carried no Basic credentials. */
  readonly username?: string;
}

export interface PushedImage {
  readonly reference: string;
  readonly digest: string;
}

/**
 * A real OCI registry (CNCF distribution, Debian's `docker-registry`) on a free loopback port, with htpasswd auth or
 * Bearer token auth served by a token service in this process — the flow ghcr.io uses.
 */
export class LocalRegistry {
  static async start(auth: LocalRegistryAuth, options: LocalRegistryOptions = {}): Promise<LocalRegistry> {
    for (const tool of ["docker-registry", "openssl", ...(auth.kind === "htpasswd" ? ["htpasswd"] : [])]) {
      if (spawnSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" }).status !== 0) throw new MissingToolError(tool, REGISTRY_INSTALL_HELP);
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-registry-"));
    const port = await freeLoopbackPort();
    const hostname = options.hostname ?? "127.0.0.1";
    let tokenService: TokenService | undefined;
    let child: ChildProcess | undefined;
    try {
      const certificates = options.tls
        ? createLocalCertificates(dir, options.certificateNames ?? [...new Set(["localhost", "127.0.0.1", hostname])])
        : undefined;
      const client = new LocalClient(certificates?.caFile);
      let authConfig: string;
      if (auth.kind === "htpasswd") {
        const htpasswdFile = path.join(dir, "htpasswd");
        fs.writeFileSync(htpasswdFile, auth.users.flatMap((u) => u.passwords.slice(0, 1).map((p) => htpasswdLine(u.username, p))).join(""), { mode: 0o600 });
        authConfig = `  htpasswd:\n    realm: ghcr-ecs-test\n    path: ${htpasswdFile}\n`;
      } else {
        tokenService = await TokenService.start(dir, auth.users, auth.style ?? "distribution", hostname, certificates);
        authConfig =
          `  token:\n    realm: ${tokenService.realm}\n    service: ${tokenService.service}\n` +
          `    issuer: ${TokenService.ISSUER}\n    rootcertbundle: ${tokenService.certificateFile}\n`;
      }
      const configFile = path.join(dir, "config.yml");
      fs.writeFileSync(
        configFile,
        `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n` +
          `storage:\n  filesystem:\n    rootdirectory: ${path.join(dir, "data")}\n  delete:\n    enabled: true\n` +
          `http:\n  addr: 127.0.0.1:${port}\n  secret: ${randomBytes(16).toString("hex")}\n` +
          (certificates ? `  tls:\n    certificate: ${certificates.certificateFile}\n    key: ${certificates.keyFile}\n` : "") +
          `auth:\n${authConfig}`,
      );
      child = spawn("docker-registry", ["serve", configFile], { stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
      const registry = new LocalRegistry(`${hostname}:${port}`, child, dir, auth, client, certificates, tokenService);
      await registry.waitUntilAnswering(options.startTimeoutMs ?? 15000).catch((error: Error) => {
        throw new Error(`${error.message}\ndocker-registry's last output:\n${stderr}`);
      });
      return registry;
    } catch (error) {
      if (child) await stopProcess(child);
      await tokenService?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  private constructor(
    /** `<hostname>:<port>`: the registry part of image references. */
    readonly host: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
    private readonly auth: LocalRegistryAuth,
    private readonly client: LocalClient,
    private readonly certificates?: LocalCertificates,
    private readonly tokenService?: TokenService,
  ) {}

  get pid(): number {
    return this.child.pid as number;
  }

  /** The CA certificate (PEM file) that signed the registry's and the token service's certificate, with `tls`. */
  get caFile(): string | undefined {
    return this.certificates?.caFile;
  }

  /** `https://<host>` with `tls`, else `http://<host>`. */
  get url(): string {
    return `${this.certificates ? "https" : "http"}://${this.host}`;
  }

  /** The token service's realm, as the registry's challenge names it (token auth only). */
  get realm(): string | undefined {
    return this.tokenService?.realm;
  }

  /** Every request the token service received, oldest first (token auth only). */
  get tokenRequests(): readonly TokenRequest[] {
    return this.tokenService?.requests ?? [];
  }

  /** Pushes a small single-layer linux/amd64 OCI image through the registry API (blobs, then the manifest). */
  async pushImage(repository: string, tag: string, user: { username: string; password: string }): Promise<PushedImage> {
    const base = `${this.url}/v2/${repository}`;
    const authorization = await this.authorizationFor(repository, user);
    const layerTar = tarWithOneFile("app/hello.txt", `hello from ${repository}:${tag}\n`);
    const layer = gzipSync(layerTar);
    const config = Buffer.from(
      JSON.stringify({
        architecture: "amd64",
        os: "linux",
        config: { Cmd: ["/bin/sh"] },
        rootfs: { type: "layers", diff_ids: [sha256(layerTar)] },
      }),
    );
    for (const blob of [layer, config]) await this.uploadBlob(base, blob, authorization);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha256(config), size: config.length },
        layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: sha256(layer), size: layer.length }],
      }),
    );
    const response = await this.client.send(`${base}/manifests/${tag}`, {
      method: "PUT",
      headers: { authorization, "content-type": "application/vnd.oci.image.manifest.v1+json" },
      body: manifest,
    });
    if (response.status !== 201) throw new Error(`pushing the manifest answered ${response.status}: ${response.body}`);
    return { reference: `${this.host}/${repository}:${tag}`, digest: sha256(manifest) };
  }

  /** Revokes one password of a token-auth user, as deleting a GitHub token does; the user's other passwords stay valid. */
  revoke(username: string, password: string): void {
    if (!this.tokenService) throw new Error("revoking needs token auth (htpasswd is read once at start)");
    this.tokenService.revoke(username, password);
  }

  /** Freezes the registry process (SIGSTOP): connections are accepted by the kernel but never answered. */
  freeze(): void {
    this.child.kill("SIGSTOP");
  }

  thaw(): void {
    this.child.kill("SIGCONT");
  }

  async stop(): Promise<void> {
    this.thaw();
    await stopProcess(this.child);
    await this.tokenService?.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private async authorizationFor(repository: string, user: { username: string; password: string }): Promise<string> {
    const basic = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString("base64")}`;
    if (this.auth.kind === "htpasswd") return basic;
    const tokenService = this.tokenService as TokenService;
    const url = `${tokenService.realm}?service=${tokenService.service}&scope=repository:${repository}:pull,push`;
    const response = await this.client.send(url, { headers: { authorization: basic } });
    if (response.status !== 200) throw new Error(`the token service refused a push token for ${user.username}: ${response.status}`);
    return `Bearer ${(JSON.parse(response.body) as { token: string }).token}`;
  }

  private async uploadBlob(base: string, blob: Buffer, authorization: string): Promise<void> {
    const start = await this.client.send(`${base}/blobs/uploads/`, { method: "POST", headers: { authorization } });
    const location = start.location;
    if (start.status !== 202 || !location) throw new Error(`starting a blob upload answered ${start.status}: ${start.body}`);
    const url = new URL(location, base);
    url.searchParams.set("digest", sha256(blob));
    const put = await this.client.send(url.toString(), {
      method: "PUT",
      headers: { authorization, "content-type": "application/octet-stream" },
      body: blob,
    });
    if (put.status !== 201) throw new Error(`uploading a blob answered ${put.status}: ${put.body}`);
  }

  private async waitUntilAnswering(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`docker-registry exited with code ${this.child.exitCode} before answering`);
      try {
        const response = await this.client.send(`${this.url}/v2/`, { timeoutMs: 1000 });
        if (response.status === 401 || response.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`docker-registry did not answer on ${this.host} within ${timeoutMs / 1000} s`);
  }
}

/** A token service as the distribution spec describes it: Basic credentials in, an RS256 JWT with granted access out. */
class TokenService {
  static readonly ISSUER = "ghcr-ecs-test-token-service";

  static async start(
    dir: string,
    users: readonly RegistryUser[],
    style: "distribution" | "ghcr",
    hostname: string,
    certificates: LocalCertificates | undefined,
  ): Promise<TokenService> {
    const keyFile = path.join(dir, "token.key");
    const certificateFile = path.join(dir, "token.crt");
    const openssl = spawnSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certificateFile, "-days", "2", "-subj", `/CN=${TokenService.ISSUER}`],
      { encoding: "utf8", timeout: 30000 },
    );
    if (openssl.status !== 0) throw new Error(`openssl could not create the token signing certificate: ${openssl.stderr}`);
    const service = new TokenService(
      users,
      style,
      fs.readFileSync(keyFile, "utf8"),
      new X509Certificate(fs.readFileSync(certificateFile)),
      certificateFile,
      hostname,
      certificates,
    );
    await new Promise<void>((resolve, reject) => {
      service.server.once("error", reject);
      service.server.listen(0, "127.0.0.1", () => resolve());
    });
    return service;
  }

  private readonly server: http.Server;
  private readonly revoked = new Set<string>();
  readonly requests: TokenRequest[] = [];

  private constructor(
    private readonly users: readonly RegistryUser[],
    private readonly style: "distribution" | "ghcr",
    private readonly signingKey: string,
    private readonly certificate: X509Certificate,
    readonly certificateFile: string,
    private readonly hostname: string,
    private readonly tls: LocalCertificates | undefined,
  ) {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => this.handle(req, res);
    this.server = tls
      ? https.createServer({ cert: fs.readFileSync(tls.certificateFile), key: fs.readFileSync(tls.keyFile) }, handler)
      : http.createServer(handler);
  }

  /** ghcr.io names itself (`service="ghcr.io"`); the distribution style keeps a fixed service name. */
  get service(): string {
    return this.style === "ghcr" ? this.hostname : "ghcr-ecs-test-registry";
  }

  get realm(): string {
    const { port } = this.server.address() as { port: number };
    return `${this.tls ? "https" : "http"}://${this.hostname}:${port}/token`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const user = this.authenticate(req.headers.authorization);
    const named = basicCredentials(req.headers.authorization)?.username;
    this.requests.push({ query: url.search, ...(named === undefined ? {} : { username: named }) });
    const deny = (status: number, code: string, message: string) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify({ errors: [{ code, message }] }));
    };
    if (url.pathname !== "/token") return deny(404, "NOT_FOUND", "no such endpoint");
    if (!user) return this.style === "ghcr" ? deny(403, "DENIED", "denied") : deny(401, "UNAUTHORIZED", "authentication required");

    const access = url.searchParams.getAll("scope").flatMap((scope) => {
      const [type, name, actions] = scope.split(":");
      const granted = (actions ?? "").split(",").filter((action) => {
        const allowed = action === "pull" ? user.pull : action === "push" ? user.push : undefined;
        return allowed?.some((pattern) => pattern === "*" || pattern === name) ?? false;
      });
      return type === "repository" && granted.length > 0 ? [{ type, name, actions: granted }] : [];
    });
    const requested = url.searchParams.getAll("scope").length;
    if (this.style === "ghcr" && requested > 0 && access.length < requested) return deny(403, "DENIED", "requested access to the resource is denied");

    const now = Math.floor(Date.now() / 1000);
    const token = this.sign({
      iss: TokenService.ISSUER,
      sub: user.username,
      aud: url.searchParams.get("service") ?? this.service,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    });
    res.writeHead(200, { "content-type": "application/json" });
    // ghcr.io answers with the token alone; distribution's token servers add OAuth2's fields.
    res.end(JSON.stringify(this.style === "ghcr" ? { token } : { token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
  }

  revoke(username: string, password: string): void {
    this.revoked.add(`${username}:${password}`);
  }

  private authenticate(header: string | undefined): RegistryUser | undefined {
    const pair = basicCredentials(header);
    if (!pair || this.revoked.has(`${pair.username}:${pair.password}`)) return undefined;
    return this.users.find((u) => u.username === pair.username && u.passwords.includes(pair.password));
  }

  private sign(claims: object): string {
    const header = { typ: "JWT", alg: "RS256", x5c: [this.certificate.raw.toString("base64")] };
    const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString("base64url");
    const unsigned = `${encode(header)}.${encode(claims)}`;
    const signature = createSign("RSA-SHA256").update(unsigned).sign(this.signingKey).toString("base64url");
    return `${unsigned}.${signature}`;
  }
}

function basicCredentials(header: string | undefined): { username: string; password: string } | undefined {
  if (!header?.startsWith("Basic ")) return undefined;
  const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** A DNS lookup that answers 127.0.0.1 for every name: how this process reaches the registry under any host name. */
export const loopbackLookup: LookupFunction = (_hostname, options, callback) =>
  options.all ? callback(null, [{ address: "127.0.0.1", family: 4 }]) : callback(null, "127.0.0.1", 4);

interface LocalAnswer {
  readonly status: number;
  readonly location?: string;
  readonly body: string;
}

/**
 * The registry's own requests (readiness, token, push) from this process: every host is this machine, so names go
 * to 127.0.0.1 without DNS, and HTTPS trusts the registry's CA only (fetch cannot take a CA without a dispatcher).
 */
class LocalClient {
  private readonly ca?: Buffer;

  constructor(caFile?: string) {
    if (caFile) this.ca = fs.readFileSync(caFile);
  }

  send(url: string, init: { method?: string; headers?: Record<string, string>; body?: Buffer; timeoutMs?: number } = {}): Promise<LocalAnswer> {
    const secure = url.startsWith("https:");
    const options: https.RequestOptions = {
      method: init.method ?? "GET",
      headers: { ...init.headers, ...(init.body ? { "content-length": String(init.body.length) } : {}) },
      lookup: loopbackLookup,
      timeout: init.timeoutMs ?? 10000,
      ...(secure && this.ca ? { ca: this.ca } : {}),
    };
    return new Promise((resolve, reject) => {
      const request = (secure ? https : http).request(url, options, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            ...(response.headers.location ? { location: response.headers.location } : {}),
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        response.on("error", reject);
      });
      request.on("timeout", () => request.destroy(new Error(`${options.method} ${url} did not answer within ${options.timeout} ms`)));
      request.on("error", reject);
      request.end(init.body);
    });
  }
}

/** A bcrypt htpasswd line; the password goes to `htpasswd` on stdin, never on its command line. */
function htpasswdLine(username: string, password: string): string {
  const result = spawnSync("htpasswd", ["-niB", username], { input: password, encoding: "utf8", timeout: 30000 });
  if (result.status !== 0) throw new Error(`htpasswd failed: ${result.stderr}`);
  return `${result.stdout.trim()}\n`;
}

function sha256(data: Buffer): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

/** A ustar archive holding one regular file. */
function tarWithOneFile(name: string, content: string): Buffer {
  const body = Buffer.from(content);
  const header = Buffer.alloc(512);
  const field = (offset: number, length: number, value: string) => header.write(value, offset, length, "ascii");
  field(0, 100, name);
  field(100, 8, "0000644\0");
  field(108, 8, "0000000\0");
  field(116, 8, "0000000\0");
  field(124, 12, `${body.length.toString(8).padStart(11, "0")}\0`);
  field(136, 12, "00000000000\0");
  field(148, 8, "        ");
  field(156, 1, "0");
  field(257, 6, "ustar\0");
  field(263, 2, "00");
  const checksum = header.reduce((sum, byte) => sum + byte, 0);
  field(148, 8, `${checksum.toString(8).padStart(6, "0")}\0 `);
  const padding = Buffer.alloc((512 - (body.length % 512)) % 512);
  return Buffer.concat([header, body, padding, Buffer.alloc(1024)]);
}
