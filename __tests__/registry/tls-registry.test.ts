/**
 * The path every ghcr.io user takes: the registry and its token service over TLS, under a host name that is not
 * loopback, proven by the compiled CLI (`ghcr-ecs credentials check`) with its secret in moto.
 *
 * Test-only: the CLI children resolve the test host names to 127.0.0.1 through
 * __tests__/fixtures/resolve-test-hosts.js (`NODE_OPTIONS=--require`, names in GHCR_ECS_TEST_HOSTS), and trust the
 * registry's CA — made by openssl for this run — with NODE_EXTRA_CA_CERTS. This process trusts nothing extra and no
 * certificate check is turned off anywhere.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { startMoto, type MotoServer } from "../../src/emulator/moto-server";
import { LocalRegistry, loopbackLookup, type TokenRequest } from "../../src/emulator/registry-server";
import { EXIT } from "../../src/operations/exit-codes";
import { CLI, runCli, type CliRun } from "../helpers/cli";

jest.setTimeout(120000);

const REGION = "us-east-1";
const TLS_HOST = "registry.ghcr-ecs.test";
/** Names a plain-HTTP registry is reached under: they end in "localhost" without being it. */
const LOOKALIKES = ["notlocalhost", "evil.localhost"];
const RESOLVER = path.join(__dirname, "..", "fixtures", "resolve-test-hosts.js");
const token = () => `ghp_${randomBytes(18).toString("hex")}`;

const reader = { username: "acme-ci-bot", password: token() };
const outsider = { username: "someone-else", password: token() };
const publisher = { username: "publisher", password: token() };

let moto: MotoServer;
let tlsRegistry: LocalRegistry;
/** Plain HTTP with ghcr.io-style token auth whose realm names a host that only ends in "localhost". */
let plainRegistry: LocalRegistry;
let workdir: string;
let image: string;
let digest: string;
const secretArns: Record<string, string> = {};

beforeAll(async () => {
  expect(fs.existsSync(CLI)).toBe(true);
  workdir = fs.mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-tls-"));
  const users = [
    { username: reader.username, passwords: [reader.password], pull: ["acme/orders-service"] },
    { username: outsider.username, passwords: [outsider.password], pull: ["acme/other"] },
    { username: publisher.username, passwords: [publisher.password], pull: ["*"], push: ["*"] },
  ];
  [moto, tlsRegistry, plainRegistry] = await Promise.all([
    startMoto(),
    LocalRegistry.start({ kind: "token", style: "ghcr", users }, { tls: true, hostname: TLS_HOST, certificateNames: [TLS_HOST] }),
    LocalRegistry.start({ kind: "token", style: "ghcr", users }, { hostname: LOOKALIKES[0] }),
  ]);
  ({ reference: image, digest } = await tlsRegistry.pushImage("acme/orders-service", "1.4.2", publisher));
  const secrets = new SecretsManagerClient({ region: REGION, endpoint: moto.endpoint, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });
  try {
    for (const [name, credential] of Object.entries({ reader, outsider, wrong: { username: reader.username, password: token() } })) {
      const created = await secrets.send(new CreateSecretCommand({ Name: `ghcr-ecs/tls/${name}`, SecretString: JSON.stringify(credential) }));
      secretArns[name] = created.ARN as string;
    }
  } finally {
    secrets.destroy();
  }
});

afterAll(async () => {
  await Promise.all([moto?.stop(), tlsRegistry?.stop(), plainRegistry?.stop()]);
  if (workdir) fs.rmSync(workdir, { recursive: true, force: true });
});

/** `credentials check` for `ref` with the named secret; `trustCa: false` leaves the registry's CA untrusted. */
async function check(ref: string, secret: string, { trustCa = true } = {}): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...moto.awsEnv(REGION),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    NODE_OPTIONS: `--require ${RESOLVER}`,
    GHCR_ECS_TEST_HOSTS: [TLS_HOST, ...LOOKALIKES].join(","),
  };
  delete env.NODE_EXTRA_CA_CERTS;
  if (trustCa) env.NODE_EXTRA_CA_CERTS = tlsRegistry.caFile;
  return runCli(["credentials", "check", "--image", ref, "--secret-arn", secretArns[secret], "--region", REGION, "--timeout", "10"], {
    cwd: workdir,
    env,
  });
}

/** The token requests `run` caused on `registry`. */
async function tokenRequestsOf(registry: LocalRegistry, run: () => Promise<CliRun>): Promise<{ run: CliRun; requests: TokenRequest[] }> {
  const before = registry.tokenRequests.length;
  const result = await run();
  return { run: result, requests: registry.tokenRequests.slice(before) };
}

const SCOPED = `?service=${TLS_HOST}&scope=repository%3Aacme%2Forders-service%3Apull`;

describe("a TLS registry with ghcr.io's token flow", () => {
  it("challenges as ghcr.io does: an https:// realm on the registry's name, and the name as the service", async () => {
    const challenge = await new Promise<string | undefined>((resolve, reject) => {
      const request = https.get(
        `https://${tlsRegistry.host}/v2/`,
        {
          ca: fs.readFileSync(tlsRegistry.caFile as string),
          lookup: loopbackLookup,
        },
        (response) => {
          response.resume();
          resolve(response.headers["www-authenticate"]);
        },
      );
      request.on("error", reject);
    });
    expect(tlsRegistry.realm).toMatch(new RegExp(`^https://${TLS_HOST.replace(/\./g, "\\.")}:\\d+/token$`));
    expect(challenge).toBe(`Bearer realm="${tlsRegistry.realm}",service="${TLS_HOST}"`);
  });

  it("proves the pull over HTTPS end to end, asking the HTTPS realm once with the image's scope", async () => {
    const { run, requests } = await tokenRequestsOf(tlsRegistry, () => check(image, "reader"));
    expect(run.stderr).toBe("");
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain(`ok: acme-ci-bot can pull ${image}\ndigest: ${digest}\n`);
    expect(requests).toEqual([{ query: SCOPED, username: "acme-ci-bot" }]);
  });

  it("tells a valid user without access from a bad token by asking again without a scope, with the credentials", async () => {
    const { run, requests } = await tokenRequestsOf(tlsRegistry, () => check(image, "outsider"));
    expect(run.code).toBe(EXIT.accessDenied);
    expect(run.stderr).toContain(
      `error: ${image}: the credentials are valid but may not pull acme/orders-service: DENIED: requested access to the resource is denied`,
    );
    expect(requests).toEqual([
      { query: SCOPED, username: "someone-else" },
      { query: `?service=${TLS_HOST}`, username: "someone-else" },
    ]);
  });

  it("reports a wrong token as rejected after both requests fail", async () => {
    const { run, requests } = await tokenRequestsOf(tlsRegistry, () => check(image, "wrong"));
    expect(run.code).toBe(EXIT.credentialsRejected);
    expect(run.stderr).toContain(`error: ${image}: the registry rejected the username and token: DENIED: denied`);
    expect(requests.map((r) => r.username)).toEqual(["acme-ci-bot", "acme-ci-bot"]);
  });

  it("refuses a certificate this machine does not trust: exit 16, the TLS diagnosis and its fix, no credentials sent", async () => {
    const { run, requests } = await tokenRequestsOf(tlsRegistry, () => check(image, "reader", { trustCa: false }));
    expect(run.code).toBe(EXIT.registryUnreachable);
    expect(run.stderr).toContain(`error: ${image}: the TLS certificate of ${tlsRegistry.host} is not trusted here (UNABLE_TO_VERIFY_LEAF_SIGNATURE)\n`);
    expect(run.stderr).toContain(
      "fix: If your own CA signed it, give this check its certificate with NODE_EXTRA_CA_CERTS=/path/to/ca.pem. ECS verifies it as well: on Fargate use a certificate from a public CA; EC2 instances must trust your CA.",
    );
    expect(requests).toEqual([]);
  });

  it("refuses a certificate for another name, and does not fall back to plain HTTP on loopback for it", async () => {
    const port = tlsRegistry.host.split(":")[1];
    const byAddress = `127.0.0.1:${port}/acme/orders-service:1.4.2`;
    const { run, requests } = await tokenRequestsOf(tlsRegistry, () => check(byAddress, "reader"));
    expect(run.code).toBe(EXIT.registryUnreachable);
    expect(run.stderr).toContain(`error: ${byAddress}: the TLS certificate of 127.0.0.1:${port} does not name 127.0.0.1 (ERR_TLS_CERT_ALTNAME_INVALID)\n`);
    expect(requests).toEqual([]);
  });

  it("says DNS when the registry's name does not resolve", async () => {
    const run = await check("registry.ghcr-ecs.invalid/acme/orders-service:1.4.2", "reader");
    expect(run.code).toBe(EXIT.registryUnreachable);
    expect(run.stderr).toContain("error: registry.ghcr-ecs.invalid/acme/orders-service:1.4.2: DNS cannot resolve registry.ghcr-ecs.invalid (ENOTFOUND)\n");
    expect(run.stderr).toContain("fix: Check the registry host in the image reference and DNS.");
  });
});

describe("a plain-HTTP registry", () => {
  it.each(LOOKALIKES)("is never spoken to in plain HTTP under %s, a name that only ends in localhost", async (name) => {
    const ref = `${name}:${plainRegistry.host.split(":")[1]}/acme/orders-service:1.4.2`;
    const { run, requests } = await tokenRequestsOf(plainRegistry, () => check(ref, "reader"));
    expect(run.code).toBe(EXIT.registryUnreachable);
    expect(run.stderr).toContain(
      `error: ${ref}: ${name}:${plainRegistry.host.split(":")[1]} answered the TLS handshake in plain HTTP (ERR_SSL_WRONG_VERSION_NUMBER)\n`,
    );
    expect(requests).toEqual([]);
  });

  it("is reached on 127.0.0.1 after HTTPS, but its plain-HTTP realm outside loopback gets no credentials", async () => {
    const ref = `127.0.0.1:${plainRegistry.host.split(":")[1]}/acme/orders-service:1.4.2`;
    const { run, requests } = await tokenRequestsOf(plainRegistry, () => check(ref, "reader"));
    expect(plainRegistry.realm).toMatch(/^http:\/\/notlocalhost:\d+\/token$/);
    expect(run.code).toBe(EXIT.registryError);
    expect(run.stderr).toContain(`error: ${ref}: the token realm ${plainRegistry.realm} is plain HTTP\n`);
    expect(requests).toEqual([]);
  });
});
