/**
 * The `ghcr-ecs` CLI, run as users run it (the compiled bin in a child process), against moto for Secrets Manager
 * and ECS and a real distribution registry with ghcr.io-style Bearer token auth.
 *
 * moto 5.2.1 settings and workarounds (test-only):
 * - MOTO_ECS_SERVICE_RUNNING=2: services created with desiredCount 2 report their deployment COMPLETED; a service
 *   with desiredCount 3 stays IN_PROGRESS forever (2 < 3), which is how the timeout and diagnosis cases run.
 * - Services start no tasks: the tests start tasks with RunTask(startedBy=<deployment id>) — what ECS sets on a
 *   service's tasks — and stop them with StopTask(reason=<a real ECS stoppedReason>).
 * - moto has no deployment circuit breaker and no deployment alarms: __tests__/fixtures/moto_with_circuit_breaker.py
 *   makes tagged services fail or roll back their forced deployment the way ECS reports it, or puts the first of
 *   their deployment alarms into ALARM and rolls back (it keeps the deploymentConfiguration moto drops).
 */
import { execFileSync } from "node:child_process";
import * as http from "node:http";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  TagResourceCommand,
} from "@aws-sdk/client-secrets-manager";
import { CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, ECSClient, RunTaskCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import { CreateTargetGroupCommand, ElasticLoadBalancingV2Client, RegisterTargetsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from "@aws-sdk/client-ecr";
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { startMoto, type MotoServer } from "../../src/emulator/moto-server";
import { LocalRegistry } from "../../src/emulator/registry-server";
import { freeLoopbackPort } from "../../src/util/free-port";
import { EXIT } from "../../src/operations/exit-codes";
import type { RolloutResult } from "../../src/operations/rollout";
import { terraformEnv } from "../../src/terraform/cli-config";
import { CLI, runCli, type CliRun } from "../helpers/cli";
import { createOrdersServices } from "../helpers/ecs-services";
import { match } from "../helpers/matchers";

jest.setTimeout(120000);

const REGION = "us-east-1";
const FIVE_XX_ALARM = "orders-alarmed: 5xx responses high";
const token = () => `ghp_${randomBytes(18).toString("hex")}`;

const current = token();
const next = token();
const revoked = token();
const outsiderToken = token();
const publisherToken = token();
const ALL_TOKENS = [current, next, revoked, outsiderToken, publisherToken];

let moto: MotoServer;
let registry: LocalRegistry;
let env: NodeJS.ProcessEnv;
let secrets: SecretsManagerClient;
let ecs: ECSClient;
let workdir: string;
let secretArn: string;
let image: string;
let digest: string;
const transcript: string[] = [];

/** Runs the compiled CLI against the emulators, sampling the process list; everything it prints joins the transcript. */
async function cli(
  args: string[],
  options: { stdin?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; interruptWhen?: (stdout: string) => boolean; onStart?: () => void } = {},
): Promise<CliRun> {
  const run = await runCli(args, {
    cwd: workdir,
    env: { ...env, ...options.env },
    stdin: options.stdin,
    timeoutMs: options.timeoutMs,
    interruptWhen: options.interruptWhen,
    onStart: options.onStart,
    sampleProcessList: true,
  });
  transcript.push(run.stdout, run.stderr, ...run.processList);
  return run;
}

async function storedSecret(): Promise<unknown> {
  const value = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
  return JSON.parse(value.SecretString as string);
}

async function primaryDeploymentId(service: string): Promise<string | undefined> {
  const described = await ecs.send(new DescribeServicesCommand({ cluster: "orders", services: [service] }));
  return described.services?.[0]?.deployments?.find((d) => d.status === "PRIMARY")?.id;
}

function writeOutputs(file: string, service: string, overrides: Record<string, string> = {}): string {
  const outputs = {
    orders: {
      credentials_secret_arn: secretArn,
      image,
      registry_username: "acme-ci-bot",
      cluster_name: "orders",
      service_name: service,
      region: REGION,
      registry_auth_mode: "task",
      ...overrides,
    },
  };
  fs.writeFileSync(path.join(workdir, file), JSON.stringify(outputs));
  return file;
}

beforeAll(async () => {
  expect(fs.existsSync(CLI)).toBe(true);
  workdir = fs.mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-cli-"));
  [moto, registry] = await Promise.all([
    startMoto({ script: path.join(__dirname, "..", "fixtures", "moto_with_circuit_breaker.py"), settings: { MOTO_ECS_SERVICE_RUNNING: "2" } }),
    LocalRegistry.start({
      kind: "token",
      style: "ghcr",
      users: [
        { username: "acme-ci-bot", passwords: [current, next], pull: ["acme/orders-service"] },
        { username: "someone-else", passwords: [outsiderToken], pull: ["acme/other"] },
        { username: "publisher", passwords: [publisherToken], pull: ["*"], push: ["*"] },
      ],
    }),
  ]);
  ({ reference: image, digest } = await registry.pushImage("acme/orders-service", "1.4.2", { username: "publisher", password: publisherToken }));
  env = { ...process.env, ...moto.awsEnv(REGION), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
  const clientConfig = { region: REGION, endpoint: moto.endpoint, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } };
  secrets = new SecretsManagerClient(clientConfig);
  ecs = new ECSClient(clientConfig);

  secretArn = (await secrets.send(new CreateSecretCommand({ Name: "ghcr-ecs/orders/registry" }))).ARN as string;
  const cloudWatch = new CloudWatchClient(clientConfig);
  for (const AlarmName of [FIVE_XX_ALARM, "orders-alarmed: unhealthy targets"]) {
    await cloudWatch.send(
      new PutMetricAlarmCommand({
        AlarmName,
        Namespace: "AWS/ApplicationELB",
        MetricName: "HTTPCode_Target_5XX_Count",
        Statistic: "Sum",
        Period: 60,
        EvaluationPeriods: 3,
        Threshold: 5,
        ComparisonOperator: "GreaterThanThreshold",
      }),
    );
  }
  cloudWatch.destroy();
  await createOrdersServices(
    ecs,
    image,
    [
      { name: "orders", desiredCount: 2 },
      { name: "orders-stuck", desiredCount: 3 },
      { name: "orders-rollback", desiredCount: 2, rolloutOutcome: "rolled-back" },
      { name: "orders-failed", desiredCount: 2, rolloutOutcome: "failed" },
      { name: "orders-alarmed", desiredCount: 2, rolloutOutcome: "alarm-rolled-back", deploymentAlarms: [FIVE_XX_ALARM, "orders-alarmed: unhealthy targets"] },
    ],
    secretArn,
  );
  writeOutputs("cdktf-outputs.json", "orders");
});

afterAll(async () => {
  secrets?.destroy();
  ecs?.destroy();
  await Promise.all([moto?.stop(), registry?.stop()]);
  if (workdir) fs.rmSync(workdir, { recursive: true, force: true });
});

describe("ghcr-ecs credentials set", () => {
  it("writes {username, password} from stdin into the secret named by the outputs file", async () => {
    const run = await cli(["credentials", "set", "--token-stdin"], { stdin: `${current}\n` });
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain(`wrote the credential for acme-ci-bot (from stdin) to ${secretArn}`);
    expect(await storedSecret()).toEqual({ username: "acme-ci-bot", password: current });
  });

  it("reads the token from a named environment variable and proves it with --check first", async () => {
    const run = await cli(["credentials", "set", "--token-env", "NEXT_GHCR_TOKEN", "--check", "--json"], { env: { NEXT_GHCR_TOKEN: next } });
    expect(run.code).toBe(EXIT.ok);
    expect(JSON.parse(run.stdout)).toEqual(expect.objectContaining({ ok: true, secretArn, username: "acme-ci-bot", digest }));
    expect(await storedSecret()).toEqual({ username: "acme-ci-bot", password: next });
  });

  it("takes user and token from a Docker config.json entry for the image's registry", async () => {
    const dockerConfig = path.join(workdir, "docker-config.json");
    const auth = Buffer.from(`acme-ci-bot:${current}`).toString("base64");
    fs.writeFileSync(dockerConfig, JSON.stringify({ auths: { [`http://${registry.host}`]: { auth } } }));
    const run = await cli(["credentials", "set", "--from-docker-config", "--docker-config", dockerConfig]);
    expect(run.code).toBe(EXIT.ok);
    expect(await storedSecret()).toEqual({ username: "acme-ci-bot", password: current });
  });

  it("refuses a token with whitespace, writes nothing and does not echo it", async () => {
    const before = await storedSecret();
    const run = await cli(["credentials", "set", "--token-stdin"], { stdin: `${revoked.slice(0, 10)} ${revoked.slice(10)}` });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toMatch(/error: invalid credential: token contains whitespace at position 11/);
    expect(run.stderr).not.toContain(revoked.slice(10));
    expect(await storedSecret()).toEqual(before);
  });

  it("refuses --check with a revoked token before writing anything", async () => {
    const before = await storedSecret();
    const run = await cli(["credentials", "set", "--token-stdin", "--check"], { stdin: revoked });
    expect(run.code).toBe(EXIT.credentialsRejected);
    expect(await storedSecret()).toEqual(before);
  });

  it.each([
    [[], "no token source given"],
    [["--token-stdin", "--token-env", "X"], "several token sources given (--token-stdin, --token-env)"],
    [["--token-env", "ghp_notAVariableName"], "--token-env takes the name of an environment variable, and the value given (not shown) is not one"],
    [["ghp_pastedAsAnArgument"], "unexpected argument (not shown, in case it is a token"],
    [["--token", "abc"], "Unknown option '--token'"],
  ])("rejects the flags %j with a usage error", async (flags, message) => {
    const run = await cli(["credentials", "set", ...flags]);
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toMatch(/ghp_\w+/);
  });
});

/** A stand-in for GitHub's API on loopback: `GET /user` answers per token as `answers` says; every request is kept. */
interface GitHubAnswer {
  readonly status?: number;
  readonly scopes?: string;
  /** `GitHub-Authentication-Token-Expiration`, in GitHub's format; absent: a token without expiry. */
  readonly expiration?: string;
}
const githubAnswers = new Map<string, GitHubAnswer>();
const githubRequests: { method?: string; url?: string; authorization?: string }[] = [];
let githubApi: http.Server;
let githubApiUrl: string;

/** `now + days` as GitHub writes it: `2026-12-10 14:03:11 UTC`. */
const githubDate = (days: number) =>
  new Date(Date.now() + days * 86_400_000)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d{3}Z$/, " UTC");

describe("ghcr-ecs credentials check: what GitHub says about the token", () => {
  beforeAll(async () => {
    await secrets.send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: JSON.stringify({ username: "acme-ci-bot", password: current }) }));
    const port = await freeLoopbackPort();
    githubApi = http.createServer((req, res) => {
      githubRequests.push({ method: req.method, url: req.url, authorization: req.headers.authorization });
      const answer = githubAnswers.get((req.headers.authorization ?? "").replace(/^token /, ""));
      if (req.url !== "/user" || !answer) {
        res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ message: "Bad credentials" }));
        return;
      }
      res.writeHead(answer.status ?? 200, {
        "content-type": "application/json",
        ...(answer.scopes !== undefined ? { "x-oauth-scopes": answer.scopes } : {}),
        ...(answer.expiration !== undefined ? { "github-authentication-token-expiration": answer.expiration } : {}),
      });
      res.end(JSON.stringify({ login: "acme-ci-bot", id: 1 }));
    });
    await new Promise<void>((resolve) => githubApi.listen(port, "127.0.0.1", resolve));
    githubApiUrl = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => githubApi?.close(resolve));
  });
  beforeEach(() => {
    githubAnswers.clear();
    githubRequests.length = 0;
  });

  it("prints the owner, the expiry in days and the scopes, and warns within 14 days", async () => {
    const expiration = githubDate(9.5);
    githubAnswers.set(current, { scopes: "read:packages, repo", expiration });
    const run = await cli(["credentials", "check", "--github-api", githubApiUrl]);
    expect(run.code).toBe(EXIT.ok);
    const iso = new Date(expiration.replace(" UTC", "Z").replace(" ", "T")).toISOString();
    expect(run.stdout).toContain(`token: classic, owner acme-ci-bot, expires ${iso} (9 days), scopes read:packages, repo\n`);
    expect(run.stderr).toContain(
      `the token expires in 9 days (${iso}). Create a new classic token with read:packages and run \`ghcr-ecs rotate --token-stdin\`.`,
    );
    // The token went to GET /user of the API it was given, and nowhere else on it.
    expect(githubRequests).toEqual([{ method: "GET", url: "/user", authorization: `token ${current}` }]);
    expect(run.stdout + run.stderr).not.toContain(current);
  });

  it("exits 18 when the token expires within --fail-days, and stays quiet beyond --warn-days", async () => {
    githubAnswers.set(current, { scopes: "read:packages", expiration: githubDate(9.5) });
    const failing = await cli(["credentials", "check", "--github-api", githubApiUrl, "--fail-days", "10", "--json"]);
    expect(failing.code).toBe(EXIT.tokenExpiring);
    expect(failing.stderr).toMatch(/error: the token expires in 9 days \(\S+\), within --fail-days/);
    expect(JSON.parse(failing.stdout)).toMatchObject({
      ok: false,
      exitCode: EXIT.tokenExpiring,
      token: { owner: "acme-ci-bot", kind: "classic", scopes: ["read:packages"], daysLeft: 9, expiry: "fail", problems: [] },
    });
    const quiet = await cli(["credentials", "check", "--github-api", githubApiUrl, "--warn-days", "5"]);
    expect(quiet.code).toBe(EXIT.ok);
    expect(quiet.stderr).toBe("");
  });

  it("says so for a token without expiry, and diagnoses a classic token without read:packages", async () => {
    githubAnswers.set(current, { scopes: "repo, workflow" });
    const run = await cli(["credentials", "check", "--github-api", githubApiUrl, "--fail-days", "30"]);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain("token: classic, owner acme-ci-bot, no expiry, scopes repo, workflow\n");
    expect(run.stderr).toContain("the token has no read:packages scope (scopes: repo, workflow): it cannot pull private packages");
  });

  it("warns, without failing the pull proof, when GitHub rejects the token", async () => {
    const run = await cli(["credentials", "check", "--github-api", githubApiUrl]);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stderr).toContain(
      `could not ask GitHub about the token: the GitHub API at ${githubApiUrl} rejected the token (401): it is expired, revoked or not a GitHub token`,
    );
  });

  it("sends nothing to any GitHub API for a registry that is not GitHub's, unless told", async () => {
    githubAnswers.set(current, { scopes: "read:packages" });
    const run = await cli(["credentials", "check"]);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).not.toContain("token:");
    expect(githubRequests).toEqual([]);
  });

  it("credentials set records the new token's expiry as the secret's ghcr-ecs:token-expires tag", async () => {
    const expiration = githubDate(60.5);
    githubAnswers.set(current, { scopes: "read:packages", expiration });
    const iso = new Date(expiration.replace(" UTC", "Z").replace(" ", "T")).toISOString();
    const run = await cli(["credentials", "set", "--token-stdin", "--github-api", githubApiUrl], { stdin: `${current}\n` });
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain(`token: classic, owner acme-ci-bot, expires ${iso} (60 days), scopes read:packages\n`);
    expect(run.stdout).toContain(`recorded ghcr-ecs:token-expires=${iso} on the secret\n`);
    const described = await secrets.send(new DescribeSecretCommand({ SecretId: secretArn }));
    expect(described.Tags?.find((t) => t.Key === "ghcr-ecs:token-expires")?.Value).toBe(iso);
    expect(run.stdout + run.stderr).not.toContain(current);
  });

  it('credentials set records "never" for a token without expiry, and warns (writing the secret all the same) when GitHub cannot tell', async () => {
    githubAnswers.set(current, { scopes: "read:packages" });
    await cli(["credentials", "set", "--token-stdin", "--github-api", githubApiUrl], { stdin: `${current}\n` });
    const described = await secrets.send(new DescribeSecretCommand({ SecretId: secretArn }));
    expect(described.Tags?.find((t) => t.Key === "ghcr-ecs:token-expires")?.Value).toBe("never");
    githubAnswers.clear();
    const unknown = await cli(["credentials", "set", "--token-stdin", "--github-api", githubApiUrl], { stdin: `${current}\n` });
    expect(unknown.code).toBe(EXIT.ok);
    expect(unknown.stderr).toContain("could not ask GitHub about the new token, so its expiry is not recorded on the secret: the GitHub API at");
  });

  it("rotate records the new token's expiry between proving the stored secret and rolling the service", async () => {
    const expiration = githubDate(89.5);
    githubAnswers.set(next, { scopes: "read:packages", expiration });
    const iso = new Date(expiration.replace(" UTC", "Z").replace(" ", "T")).toISOString();
    const run = await cli(["rotate", "--token-stdin", "--github-api", githubApiUrl, "--poll-interval", "0.2"], { stdin: next });
    expect(run.code).toBe(EXIT.ok);
    const lines = run.stdout.split("\n");
    const recorded = lines.indexOf(`    recorded ghcr-ecs:token-expires=${iso} on the secret`);
    expect(recorded).toBeGreaterThan(lines.findIndex((l) => l.startsWith("3/4 ")));
    expect(recorded).toBeLessThan(lines.findIndex((l) => l.startsWith("4/4 ")));
    const described = await secrets.send(new DescribeSecretCommand({ SecretId: secretArn }));
    expect(described.Tags?.find((t) => t.Key === "ghcr-ecs:token-expires")?.Value).toBe(iso);
    expect(githubRequests.map((r) => r.authorization)).toEqual([`token ${next}`]);
    await secrets.send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: JSON.stringify({ username: "acme-ci-bot", password: current }) }));
  });

  it("refuses a --github-api that is not https, before reading the secret or asking the registry", async () => {
    const run = await cli(["credentials", "check", "--github-api", "http://api.example.com"]);
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain('--github-api "http://api.example.com" is not https: the token is sent to it, so only https (or http on loopback) is allowed');
    expect(githubRequests).toEqual([]);
  });
});

describe("ghcr-ecs credentials check", () => {
  beforeAll(async () => {
    await secrets.send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: JSON.stringify({ username: "acme-ci-bot", password: current }) }));
  });

  it("proves the stored credential pulls the image and prints the digest", async () => {
    const run = await cli(["credentials", "check"]);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toBe(`ok: acme-ci-bot can pull ${image}\ndigest: ${digest}\n`);
  });

  it("finds the deployment through `terraform output -json` in a stack directory (--stack-dir)", async () => {
    const stackDir = path.join(workdir, "stack");
    fs.mkdirSync(stackDir, { recursive: true });
    const outputs = { credentials_secret_arn: secretArn, image, region: REGION, cluster_name: "orders", service_name: "orders" };
    fs.writeFileSync(
      path.join(stackDir, "cdk.tf.json"),
      JSON.stringify({ output: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { value: v }])) }),
    );
    const tf = (args: string[]) => execFileSync("terraform", args, { cwd: stackDir, env: terraformEnv(), stdio: "pipe", timeout: 60000 });
    tf(["init", "-input=false", "-no-color"]);
    tf(["apply", "-auto-approve", "-input=false", "-no-color"]);
    const run = await cli(["credentials", "check", "--stack-dir", stackDir], { env: { AWS_REGION: "eu-west-1" } });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain(`digest: ${digest}`);
  });

  it("answers --json with the digest and the auth scheme", async () => {
    const run = await cli(["credentials", "check", "--json"]);
    expect(JSON.parse(run.stdout)).toEqual({
      ok: true,
      secretArn,
      image,
      digest,
      auth: "bearer",
      username: "acme-ci-bot",
      token: { checked: false, reason: `${registry.host} is not GitHub's registry (pass --github-api for GitHub Enterprise Server)` },
    });
  });

  it("names an unknown tag as not found (exit 15)", async () => {
    const run = await cli(["credentials", "check", "--image", `${registry.host}/acme/orders-service:9.9.9`]);
    expect(run.code).toBe(EXIT.imageNotFound);
    expect(run.stderr).toContain(`has no tag 9.9.9`);
  });

  it("reports a missing secret (exit 10)", async () => {
    const missing = secretArn.replace(/registry-\w+$/, "gone-AbC123");
    const run = await cli(["credentials", "check", "--secret-arn", missing]);
    expect(run.code).toBe(EXIT.secretMissing);
    expect(run.stderr).toContain(`the credentials secret ${missing} does not exist`);
  });

  describe("with the stored value changed under it", () => {
    afterEach(async () => {
      await secrets.send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: JSON.stringify({ username: "acme-ci-bot", password: current }) }));
    });
    const put = (value: string) => secrets.send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: value }));

    it.each([
      ["a bare token", () => revoked, "is not JSON"],
      ["the wrong keys", () => JSON.stringify({ user: "acme-ci-bot", token: revoked }), 'has no "username" or "password" key (it has: "user", "token")'],
      ["an empty password", () => JSON.stringify({ username: "acme-ci-bot", password: "" }), 'has an empty "password"'],
      ["a huge value", () => JSON.stringify({ username: "acme-ci-bot", password: revoked.repeat(1500) }).slice(0, 60000), "is not JSON (60000 characters"],
    ])("names %s as a malformed secret (exit 12) without printing it", async (_, value, message) => {
      await put(value());
      const run = await cli(["credentials", "check"]);
      expect(run.code).toBe(EXIT.secretMalformed);
      expect(run.stderr).toContain(message);
      expect(run.stderr).not.toContain(revoked);
    });

    it("names a revoked token as rejected credentials (exit 13)", async () => {
      await put(JSON.stringify({ username: "acme-ci-bot", password: revoked }));
      const run = await cli(["credentials", "check"]);
      expect(run.code).toBe(EXIT.credentialsRejected);
      expect(run.stderr).toContain("the registry rejected the username and token");
      expect(run.stderr).toContain("fix: The username or token is wrong");
    });

    it("names a valid account without access to the package as denied (exit 14)", async () => {
      await put(JSON.stringify({ username: "someone-else", password: outsiderToken }));
      const run = await cli(["credentials", "check"]);
      expect(run.code).toBe(EXIT.accessDenied);
      expect(run.stderr).toContain("the credentials are valid but may not pull acme/orders-service");
      expect(run.stderr).toContain("read:packages");
    });
  });

  it("gives up on a hung registry within --timeout (exit 16)", async () => {
    registry.freeze();
    try {
      const started = Date.now();
      const run = await cli(["credentials", "check", "--timeout", "2"]);
      expect(run.code).toBe(EXIT.registryUnreachable);
      expect(run.stderr).toContain(`${registry.host} did not answer within 2 s`);
      // Under the 10 s a hung TLS handshake would hold the process open after giving up.
      expect(Date.now() - started).toBeLessThan(9000);
    } finally {
      registry.thaw();
    }
  });

  it("reports an unreachable AWS endpoint (exit 22) within its bound", async () => {
    const deadPort = await freeLoopbackPort();
    const started = Date.now();
    const run = await cli(["credentials", "check"], { env: { AWS_ENDPOINT_URL: `http://127.0.0.1:${deadPort}` } });
    expect(run.code).toBe(EXIT.awsUnreachable);
    expect(run.stderr).toContain(`cannot reach Secrets Manager at http://127.0.0.1:${deadPort}`);
    expect(Date.now() - started).toBeLessThan(30000);
  });
});

/** The document `rollout --json` prints: the rollout's result with `ok` and the exit code. */
type RolloutJson = RolloutResult & { readonly ok: boolean; readonly exitCode: number };

describe("ghcr-ecs rollout", () => {
  it("forces a new deployment and follows it to COMPLETED", async () => {
    const before = await primaryDeploymentId("orders");
    const run = await cli(["rollout", "--json", "--poll-interval", "0.2"]);
    expect(run.code).toBe(EXIT.ok);
    const result = JSON.parse(run.stdout) as RolloutJson;
    expect(result).toEqual(expect.objectContaining({ ok: true, outcome: "completed", service: "orders", desiredCount: 2, runningCount: 2, diagnoses: [] }));
    expect(result.deploymentId).not.toBe(before);
    expect(await primaryDeploymentId("orders")).toBe(result.deploymentId);
    expect(run.stderr).toContain(`deployment ${result.deploymentId} started (replacing ${before})`);
  });

  it("rolls every service with --all and reports a list, even for a stack of one service", async () => {
    const before = await primaryDeploymentId("orders");
    const run = await cli(["rollout", "--all", "--json", "--poll-interval", "0.2"]);
    expect(run.code).toBe(EXIT.ok);
    const result = JSON.parse(run.stdout) as { ok: boolean; exitCode: number; rollouts: RolloutJson[] };
    expect({ ok: result.ok, exitCode: result.exitCode }).toEqual({ ok: true, exitCode: EXIT.ok });
    expect(result.rollouts.map((r) => [r.service, r.outcome, r.ok])).toEqual([["orders", "completed", true]]);
    expect(result.rollouts[0].deploymentId).not.toBe(before);
  });

  it("fails (exit 20) when the circuit breaker rolls the deployment back", async () => {
    const run = await cli(["rollout", "--service", "orders-rollback", "--poll-interval", "0.2"]);
    expect(run.code).toBe(EXIT.rolloutFailed);
    expect(run.stdout).toMatch(/orders-rollback: deployment ecs-svc\/\d+ ROLLED-BACK after [\d.]+ s — ECS deployment circuit breaker: tasks failed to start\./);
  });

  it("fails (exit 20) naming the deployment alarm, when it fired and why, when an alarm rolls the deployment back", async () => {
    const startedAt = Date.now();
    const run = await cli(["rollout", "--service", "orders-alarmed", "--poll-interval", "0.2"]);
    expect(run.code).toBe(EXIT.rolloutFailed);
    const firedAt = /went into ALARM at (\S+) /.exec(run.stdout)?.[1] ?? "";
    expect(Date.parse(firedAt)).toBeGreaterThanOrEqual(startedAt - 1000);
    expect(run.stdout).toMatch(
      /^orders-alarmed: deployment ecs-svc\/\d+ ROLLED-BACK after [\d.]+ s — deployment alarm "orders-alarmed: 5xx responses high" went into ALARM at \S+$/m,
    );
    expect(run.stdout).toContain(
      `diagnosis (deployment-alarm): alarm "orders-alarmed: 5xx responses high" went into ALARM at ${firedAt} — Threshold Crossed: 3 out of the last 3 datapoints [41.2, 38.0, 35.5] were greater than the threshold (5.0).\n  fix: the new tasks passed their health checks but failed real traffic, and ECS rolled the service back to its last completed deployment; read the service's logs from that time, fix, and deploy again`,
    );
    // The alarm that did not fire is not blamed.
    expect(run.stdout).not.toContain('alarm "orders-alarmed: unhealthy targets"');
  });

  it("reports the fired deployment alarm in --json", async () => {
    const run = await cli(["rollout", "--service", "orders-alarmed", "--json", "--poll-interval", "0.2"]);
    expect(run.code).toBe(EXIT.rolloutFailed);
    const result = JSON.parse(run.stdout) as RolloutJson;
    expect(result).toEqual(expect.objectContaining({ ok: false, outcome: "rolled-back", service: "orders-alarmed" }));
    expect(result.firedAlarms).toEqual([
      {
        name: FIVE_XX_ALARM,
        since: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) as unknown,
        reason: "Threshold Crossed: 3 out of the last 3 datapoints [41.2, 38.0, 35.5] were greater than the threshold (5.0).",
      },
    ]);
  });

  it("fails (exit 20) when ECS marks the deployment FAILED without a rollback", async () => {
    const run = await cli(["rollout", "--service", "orders-failed", "--json", "--poll-interval", "0.2"]);
    expect(run.code).toBe(EXIT.rolloutFailed);
    expect(JSON.parse(run.stdout)).toEqual(
      expect.objectContaining({ ok: false, outcome: "failed", reason: "ECS deployment circuit breaker: tasks failed to start." }),
    );
  });

  it("diagnoses the deployment's stopped tasks and times out (exit 21) when it never completes", async () => {
    const ec2 = new EC2Client({ region: REGION, endpoint: moto.endpoint, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });
    const subnet = (await ec2.send(new DescribeSubnetsCommand({}))).Subnets?.[0]?.SubnetId as string;
    const group = (await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups?.[0]?.GroupId as string;
    ec2.destroy();

    const before = await primaryDeploymentId("orders-stuck");
    const running = cli(["rollout", "--service", "orders-stuck", "--timeout", "8", "--poll-interval", "0.3", "--json"]);
    let deploymentId: string | undefined;
    const deadline = Date.now() + 10000;
    while (!deploymentId && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const id = await primaryDeploymentId("orders-stuck");
      if (id !== before) deploymentId = id;
    }
    expect(deploymentId).toBeDefined();
    const reasons = [
      `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${image}: failed to authorize: failed to fetch oauth token: unexpected status: 401 Unauthorized`,
      "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/orders-execution/x is not authorized to perform: secretsmanager:GetSecretValue",
    ];
    for (const reason of reasons) {
      const task = (
        await ecs.send(
          new RunTaskCommand({
            cluster: "orders",
            taskDefinition: "orders",
            launchType: "FARGATE",
            startedBy: deploymentId,
            networkConfiguration: { awsvpcConfiguration: { subnets: [subnet], securityGroups: [group] } },
          }),
        )
      ).tasks?.[0]?.taskArn as string;
      await ecs.send(new StopTaskCommand({ cluster: "orders", task, reason }));
    }

    const run = await running;
    expect(run.code).toBe(EXIT.rolloutTimedOut);
    const result = JSON.parse(run.stdout) as RolloutJson;
    expect(result).toEqual(expect.objectContaining({ outcome: "timed-out", deploymentId, desiredCount: 3, runningCount: 2 }));
    expect(result.diagnoses.map((d) => d.diagnosis.code).sort()).toEqual(["pull-unauthorized", "secret-access-denied"]);
    expect(run.stderr).toContain("stopped: the registry rejected the credentials (401)");
  });
});

describe("ghcr-ecs rotate", () => {
  beforeEach(async () => {
    await secrets.send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: JSON.stringify({ username: "acme-ci-bot", password: current }) }));
  });

  it("proves the new token, writes it, proves the stored value, then rolls the service", async () => {
    const before = await primaryDeploymentId("orders");
    const run = await cli(["rotate", "--token-stdin", "--poll-interval", "0.2"], { stdin: next });
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout.split("\n").filter((l) => /^\d\/4/.test(l))).toEqual([
      `1/4 the new credential for acme-ci-bot can pull ${image} (${digest})`,
      expect.stringMatching(new RegExp(`^2/4 wrote it to ${secretArn.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} as version \\S+$`)),
      `3/4 the stored secret pulls ${digest}`,
      expect.stringMatching(/^4\/4 rolling orders: deployment ecs-svc\/\d+ started/),
    ]);
    expect(run.stdout).toMatch(/orders: deployment ecs-svc\/\d+ COMPLETED/);
    expect(await storedSecret()).toEqual({ username: "acme-ci-bot", password: next });
    expect(await primaryDeploymentId("orders")).not.toBe(before);
  });

  it("refuses to write or roll when the new token cannot pull, leaving the old credential's tasks alone", async () => {
    const before = await primaryDeploymentId("orders");
    const run = await cli(["rotate", "--token-env", "NEW_TOKEN"], { env: { NEW_TOKEN: revoked } });
    expect(run.code).toBe(EXIT.credentialsRejected);
    expect(run.stdout).not.toContain("2/4");
    expect(await storedSecret()).toEqual({ username: "acme-ci-bot", password: current });
    expect(await primaryDeploymentId("orders")).toBe(before);
  });

  it("reports a failed rollout after a successful rotation as a failure", async () => {
    writeOutputs("rollback-outputs.json", "orders-rollback");
    const run = await cli(["rotate", "--token-stdin", "--outputs", "rollback-outputs.json", "--poll-interval", "0.2"], { stdin: next });
    expect(run.code).toBe(EXIT.rolloutFailed);
    expect(run.stdout).toContain("3/4 the stored secret pulls");
    expect(run.stdout).toMatch(/ROLLED-BACK/);
  });
});

describe("the ECR pull-through cache (registry_auth_mode ecr-pull-through-cache)", () => {
  const MIRROR_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/ghcr/acme/orders-service:1.4.2";
  let cacheSecretArn: string;
  let ecr: ECRClient;
  const cacheSecret = async () => JSON.parse((await secrets.send(new GetSecretValueCommand({ SecretId: cacheSecretArn }))).SecretString as string) as unknown;

  beforeAll(async () => {
    ecr = new ECRClient({ region: REGION, endpoint: moto.endpoint, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });
    cacheSecretArn = (
      await secrets.send(
        new CreateSecretCommand({ Name: "ecr-pullthroughcache/orders", SecretString: JSON.stringify({ username: "acme-ci-bot", accessToken: current }) }),
      )
    ).ARN as string;
    writeOutputs("mirror-outputs.json", "orders", {
      credentials_secret_arn: cacheSecretArn,
      registry_auth_mode: "ecr-pull-through-cache",
      mirror_image: MIRROR_IMAGE,
    });
  });
  afterAll(() => ecr.destroy());

  it("proves the upstream pull with the cache's {username, accessToken}, and says ECR does not hold the image yet", async () => {
    const run = await cli(["credentials", "check", "--outputs", "mirror-outputs.json"]);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain(`ok: acme-ci-bot can pull ${image}`);
    expect(run.stderr).toContain(
      "warning: not in ECR's cache yet (ghcr/acme/orders-service: the cache has not created its repository yet): the next task start pulls it from upstream through the cache",
    );
  });

  it("reports what ECR holds once the cache has the image: its digest and when, and a digest that lags upstream's", async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: "ghcr/acme/orders-service" }));
    const manifest = JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: {}, layers: [] });
    const cached = (await ecr.send(new PutImageCommand({ repositoryName: "ghcr/acme/orders-service", imageTag: "1.4.2", imageManifest: manifest }))).image
      ?.imageId?.imageDigest as string;
    const run = await cli(["credentials", "check", "--outputs", "mirror-outputs.json", "--json"]);
    expect(run.code).toBe(EXIT.ok);
    const result = JSON.parse(run.stdout) as { digest: string; cache: Record<string, unknown> };
    expect(result.digest).toBe(digest);
    expect(result.cache).toMatchObject({ cached: true, repository: "ghcr/acme/orders-service", digest: cached, cachedAt: match.stringMatching(/^\d{4}-/) });
    expect(run.stderr).toContain(`the cached digest differs from upstream's ${digest}: ECR re-checks a tag upstream about once a day; pin the image by digest`);
  });

  it("refuses a cache secret in the repositoryCredentials shape, naming the key ECR reads", async () => {
    await secrets.send(new PutSecretValueCommand({ SecretId: cacheSecretArn, SecretString: JSON.stringify({ username: "acme-ci-bot", password: current }) }));
    const run = await cli(["credentials", "check", "--outputs", "mirror-outputs.json"]);
    expect(run.code).toBe(EXIT.secretMalformed);
    expect(run.stderr).toContain('the credentials secret has no "accessToken" key (it has: "username", "password")');
    expect(run.stderr).toContain('{"username":"<user>","accessToken":"<token>"} (the shape ECR\'s pull-through cache reads)');
  });

  it("refuses to rotate into a secret ECR would not read, before checking or writing anything", async () => {
    writeOutputs("mirror-misnamed-outputs.json", "orders", { registry_auth_mode: "ecr-pull-through-cache", mirror_image: MIRROR_IMAGE });
    const before = await storedSecret();
    const run = await cli(["rotate", "--token-stdin", "--outputs", "mirror-misnamed-outputs.json"], { stdin: next });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain("cannot hold the pull-through cache's credential: ECR reads only secrets whose name starts with ecr-pullthroughcache/");
    expect(run.stdout).not.toContain("1/4");
    expect(await storedSecret()).toEqual(before);
  });

  it("writes {username, accessToken} with credentials set, and rotates without an instance refresh", async () => {
    const set = await cli(["credentials", "set", "--token-stdin", "--outputs", "mirror-outputs.json"], { stdin: current });
    expect(set.code).toBe(EXIT.ok);
    expect(await cacheSecret()).toEqual({ username: "acme-ci-bot", accessToken: current });
    const run = await cli(["rotate", "--token-stdin", "--outputs", "mirror-outputs.json", "--poll-interval", "0.2"], { stdin: next });
    expect(run.code).toBe(EXIT.ok);
    expect(
      run.stdout
        .split("\n")
        .filter((l) => /^\d\/4/.test(l))
        .map((l) => l.slice(0, 3)),
    ).toEqual(["1/4", "2/4", "3/4", "4/4"]);
    expect(run.stdout).not.toContain("instance refresh");
    expect(await cacheSecret()).toEqual({ username: "acme-ci-bot", accessToken: next });
  });
});

describe("ghcr-ecs rotate on EC2 with agent-level auth (the instances read the secret at boot)", () => {
  it("refuses to start without the Auto Scaling group whose instances must be replaced", async () => {
    writeOutputs("agent-outputs.json", "orders", { registry_auth_mode: "agent-dockercfg" });
    const run = await cli(["rotate", "--token-stdin", "--outputs", "agent-outputs.json"], { stdin: next });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain("agent-dockercfg auth needs the Auto Scaling group to replace its instances");
  });

  it("stops before rolling when the instance refresh cannot start (moto has no StartInstanceRefresh), saying where it left off", async () => {
    const before = await primaryDeploymentId("orders");
    writeOutputs("agent-asg-outputs.json", "orders", { registry_auth_mode: "agent-dockercfg", autoscaling_group_name: "orders-ec2" });
    const run = await cli(["rotate", "--token-stdin", "--outputs", "agent-asg-outputs.json"], { stdin: next });
    expect(run.code).toBe(EXIT.instanceRefreshFailed);
    expect(run.stdout).toContain("3/4 the stored secret pulls");
    expect(run.stderr).toContain("could not start an instance refresh of orders-ec2");
    expect(run.stderr).toContain("The secret already holds the new credential");
    expect(await primaryDeploymentId("orders")).toBe(before);
  });
});

describe("ghcr-ecs status", () => {
  const config = { region: REGION, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } };
  beforeAll(async () => {
    const cloudWatch = new CloudWatchClient({ ...config, endpoint: moto.endpoint });
    const alarm = (AlarmName: string, ServiceName: string) =>
      cloudWatch.send(
        new PutMetricAlarmCommand({
          AlarmName,
          Namespace: "AWS/ECS",
          MetricName: "CPUUtilization",
          Dimensions: [
            { Name: "ClusterName", Value: "orders" },
            { Name: "ServiceName", Value: ServiceName },
          ],
          Statistic: "Average",
          Period: 60,
          EvaluationPeriods: 3,
          Threshold: 90,
          ComparisonOperator: "GreaterThanThreshold",
        }),
      );
    await alarm("orders: CPU high", "orders");
    await alarm("orders: memory high", "orders");
    await alarm("orders-stuck: CPU high", "orders-stuck");
    for (const AlarmName of ["orders: CPU high", "orders-stuck: CPU high"]) {
      await cloudWatch.send(
        new SetAlarmStateCommand({ AlarmName, StateValue: "ALARM", StateReason: "Threshold Crossed: 3 datapoints were greater than 90.0" }),
      );
    }
    cloudWatch.destroy();
    await secrets.send(new TagResourceCommand({ SecretId: secretArn, Tags: [{ Key: "ghcr-ecs:token-expires", Value: "2027-03-01T00:00:00.000Z" }] }));
  });

  it("prints the counts, deployments, the service's own firing alarms, the credential's age and expiry, and exits 24 while it is not steady", async () => {
    const run = await cli(["status"]);
    expect(run.code).toBe(EXIT.notSteady);
    const lines = run.stdout.split("\n");
    expect(lines.slice(0, 2)).toEqual(["orders: ACTIVE, 2 of 2 running, 0 pending — not steady", '  ! alarm "orders: CPU high" is in ALARM']);
    expect(lines[2]).toMatch(/^ {2}deployment ecs-svc\/\d+ PRIMARY COMPLETED: 2\/2 running, 0 failed, since \d{4}-\d{2}-\d{2}T\S+ \(\d+(s|m)( \d+m)? ago\)$/);
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}registry credential written \d{4}-\d{2}-\d{2}T\S+ \(\d+(s|m)( \d+m)? ago\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}ALARM "orders: CPU high" since \S+ — Threshold Crossed: 3 datapoints were greater than 90.0$/));
    // Another service's alarm, and this service's alarm that is OK, are not shown.
    expect(run.stdout).not.toContain("orders-stuck: CPU high");
    expect(run.stdout).not.toContain("memory high");
    expect(lines).toContain("  registry token expires 2027-03-01T00:00:00.000Z (recorded on the secret)");
  });

  it("answers --json with steady false and the problems while an alarm fires, and lists every service with --all", async () => {
    const single = JSON.parse((await cli(["status", "--json"])).stdout) as {
      steady: boolean;
      problems: string[];
      service: string;
      alarms: { name: string }[];
      tokenExpires: string;
    };
    expect([single.steady, single.problems, single.service, single.alarms.map((a) => a.name), single.tokenExpires]).toEqual([
      false,
      ['alarm "orders: CPU high" is in ALARM'],
      "orders",
      ["orders: CPU high"],
      "2027-03-01T00:00:00.000Z",
    ]);
    writeOutputs("status-outputs.json", "orders-stuck");
    const stuckRun = await cli(["status", "--outputs", "status-outputs.json", "--json"]);
    expect(stuckRun.code).toBe(EXIT.notSteady);
    const stuck = JSON.parse(stuckRun.stdout) as { steady: boolean; problems: string[]; desired: number; running: number };
    expect(stuck).toMatchObject({ steady: false, desired: 3, running: 2 });
    // moto's stuck service also has a pending task and a rollout IN_PROGRESS (more than one, after the rollout tests).
    expect(stuck.problems[0]).toBe("2 of 3 desired tasks running");
    expect(stuck.problems).toEqual(expect.arrayContaining(["1 task pending", 'alarm "orders-stuck: CPU high" is in ALARM']));
    expect(stuck.problems).toContainEqual(expect.stringMatching(/^deployment ecs-svc\/\d+ is IN_PROGRESS$/));
    const all = JSON.parse((await cli(["status", "--all", "--json"])).stdout) as { steady: boolean; services: { service: string }[] };
    expect([all.steady, all.services.map((s) => s.service)]).toEqual([false, ["orders"]]);
  });

  it("shows a steady load-balanced service's running tasks and each target as the load balancer sees it, and exits 0", async () => {
    const ec2 = new EC2Client({ ...config, endpoint: moto.endpoint });
    const subnet = (await ec2.send(new DescribeSubnetsCommand({}))).Subnets?.[0];
    const group = (await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups?.[0]?.GroupId as string;
    ec2.destroy();
    const elb = new ElasticLoadBalancingV2Client({ ...config, endpoint: moto.endpoint });
    const targetGroup = (await elb.send(new CreateTargetGroupCommand({ Name: "web", Protocol: "HTTP", Port: 8080, VpcId: subnet?.VpcId, TargetType: "ip" })))
      .TargetGroups?.[0]?.TargetGroupArn as string;
    await elb.send(
      new RegisterTargetsCommand({
        TargetGroupArn: targetGroup,
        Targets: [
          { Id: "10.0.1.7", Port: 8080 },
          { Id: "10.0.2.9", Port: 8080 },
        ],
      }),
    );
    elb.destroy();
    await ecs.send(new CreateClusterCommand({ clusterName: "web" }));
    await ecs.send(
      new CreateServiceCommand({
        cluster: "web",
        serviceName: "web",
        taskDefinition: "orders",
        desiredCount: 2,
        launchType: "FARGATE",
        loadBalancers: [{ targetGroupArn: targetGroup, containerName: "app", containerPort: 8080 }],
      }),
    );
    const network = { awsvpcConfiguration: { subnets: [subnet?.SubnetId as string], securityGroups: [group] } };
    const started = await ecs.send(
      new RunTaskCommand({ cluster: "web", taskDefinition: "orders", launchType: "FARGATE", count: 2, networkConfiguration: network }),
    );
    const taskIds = (started.tasks ?? []).map((t) => t.taskArn?.split("/").pop());
    writeOutputs("web-outputs.json", "web", { cluster_name: "web" });

    const run = await cli(["status", "--outputs", "web-outputs.json"]);
    expect(run.code).toBe(EXIT.ok);
    const lines = run.stdout.split("\n");
    expect(lines[0]).toBe("web: ACTIVE, 2 of 2 running, 0 pending, steady");
    expect(lines.filter((l) => l.startsWith("  task ")).map((l) => l.split(" ")[3])).toEqual(taskIds);
    expect(lines.filter((l) => l.startsWith("  target "))).toEqual(["  target 10.0.1.7:8080 (web) healthy", "  target 10.0.2.9:8080 (web) healthy"]);
    const json = JSON.parse((await cli(["status", "--outputs", "web-outputs.json", "--json"])).stdout) as {
      steady: boolean;
      targets: unknown[];
      tasks: { id: string }[];
    };
    expect([json.steady, json.targets, json.tasks.map((t) => t.id)]).toEqual([
      true,
      [
        { targetGroup: "web", target: "10.0.1.7:8080", state: "healthy" },
        { targetGroup: "web", target: "10.0.2.9:8080", state: "healthy" },
      ],
      taskIds,
    ]);
  });

  it("names a service that does not exist", async () => {
    writeOutputs("missing-outputs.json", "orders-gone");
    const run = await cli(["status", "--outputs", "missing-outputs.json"]);
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain("ECS service orders-gone does not exist in cluster orders");
  });
});

describe("ghcr-ecs logs", () => {
  const task = "0123456789abcdef0123456789abcdef";
  const otherTask = "fedcba9876543210fedcba9876543210";
  const stream = `orders/orders/${task}`;
  const otherStream = `orders/orders/${otherTask}`;
  let logs: CloudWatchLogsClient;
  beforeAll(async () => {
    logs = new CloudWatchLogsClient({ region: REGION, endpoint: moto.endpoint, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/ecs/orders" }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: "/ecs/orders", logStreamName: stream }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: "/ecs/orders", logStreamName: otherStream }));
    const now = Date.now();
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: "/ecs/orders",
        logStreamName: stream,
        logEvents: [
          { timestamp: now - 3 * 3_600_000, message: "INFO started three hours ago" },
          { timestamp: now - 120_000, message: "INFO Started OrdersApplication in 21.4 seconds" },
          { timestamp: now - 60_000, message: "ERROR payment gateway timed out" },
        ],
      }),
    );
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: "/ecs/orders",
        logStreamName: otherStream,
        logEvents: [{ timestamp: now - 90_000, message: "INFO second task up" }],
      }),
    );
  });
  afterAll(() => logs.destroy());

  it("prints the service's lines of the last 10 minutes, oldest first and interleaved across tasks, with time and task id", async () => {
    writeOutputs("logs-outputs.json", "orders", { log_group_name: "/ecs/orders" });
    const run = await cli(["logs", "--outputs", "logs-outputs.json"]);
    expect(run.code).toBe(EXIT.ok);
    const lines = run.stdout.trim().split("\n");
    expect(lines.map((l) => l.replace(/^\S+ /, ""))).toEqual([
      `${task} INFO Started OrdersApplication in 21.4 seconds`,
      `${otherTask} INFO second task up`,
      `${task} ERROR payment gateway timed out`,
    ]);
    expect(lines[0]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z /);
  });

  it("keeps one task's lines with --task (its ID or ARN), and names a task without a stream", async () => {
    const byId = await cli(["logs", "--outputs", "logs-outputs.json", "--task", otherTask]);
    expect([byId.code, byId.stdout.trim().replace(/^\S+ /, "")]).toEqual([EXIT.ok, `${otherTask} INFO second task up`]);
    const byArn = await cli(["logs", "--outputs", "logs-outputs.json", "--task", `arn:aws:ecs:${REGION}:123456789012:task/orders/${task}`, "--json"]);
    expect((JSON.parse(byArn.stdout) as { lines: { task: string }[] }).lines.map((l) => l.task)).toEqual([task, task]);
    const unknown = await cli(["logs", "--outputs", "logs-outputs.json", "--task", "abababababababababababababababab"]);
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.stderr).toContain("task abababababababababababababababab has no log stream in /ecs/orders");
    const bad = await cli(["logs", "--outputs", "logs-outputs.json", "--task", "orders-1"]);
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toContain('--task "orders-1" is not a task ID or ARN');
  });

  it("reaches further back with --since, and keeps only what --filter matches", async () => {
    const run = await cli(["logs", "--outputs", "logs-outputs.json", "--since", "4h", "--json"]);
    expect((JSON.parse(run.stdout) as { lines: unknown[] }).lines).toHaveLength(4);
    const errors = await cli(["logs", "--outputs", "logs-outputs.json", "--since", "4h", "--filter", "ERROR"]);
    expect(
      errors.stdout
        .trim()
        .split("\n")
        .map((l) => l.replace(/^\S+ \S+ /, "")),
    ).toEqual(["ERROR payment gateway timed out"]);
  });

  it("refuses a --since it cannot read, and names a log group that does not exist", async () => {
    const bad = await cli(["logs", "--outputs", "logs-outputs.json", "--since", "yesterday"]);
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toContain('--since "yesterday" is not a duration');
    const missing = await cli(["logs", "--outputs", "logs-outputs.json", "--log-group", "/ecs/nope"]);
    expect(missing.code).toBe(EXIT.usage);
    expect(missing.stderr).toContain("log group /ecs/nope does not exist");
  });

  it("follows new lines as CloudWatch receives them, each once, and exits 0 on Ctrl-C", async () => {
    let written = false;
    const run = await cli(["logs", "--outputs", "logs-outputs.json", "--follow"], {
      timeoutMs: 30_000,
      interruptWhen: (stdout) => {
        if (stdout.includes("ERROR payment gateway timed out") && !written) {
          written = true;
          void logs.send(
            new PutLogEventsCommand({
              logGroupName: "/ecs/orders",
              logStreamName: otherStream,
              logEvents: [{ timestamp: Date.now(), message: "WARN followed line" }],
            }),
          );
        }
        return stdout.includes("WARN followed line");
      },
    });
    expect(run.code).toBe(EXIT.ok);
    expect(
      run.stdout
        .trim()
        .split("\n")
        .map((l) => l.replace(/^\S+ /, "")),
    ).toEqual([
      `${task} INFO Started OrdersApplication in 21.4 seconds`,
      `${otherTask} INFO second task up`,
      `${task} ERROR payment gateway timed out`,
      `${otherTask} WARN followed line`,
    ]);
    const both = await cli(["logs", "--outputs", "logs-outputs.json", "--follow", "--json"]);
    expect(both.code).toBe(EXIT.usage);
    expect(both.stderr).toContain("--follow and --json cannot be combined");
  });
});

describe("the token", () => {
  it("never appears in any CLI output, error message or process list of these tests", () => {
    expect(transcript.length).toBeGreaterThan(40);
    const everything = transcript.join("\n");
    for (const secret of ALL_TOKENS) {
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain(Buffer.from(secret).toString("base64"));
    }
  });
});
