/**
 * Faults the operations CLI meets on the AWS side, against a real moto server and a real token-auth registry:
 * the endpoint refusing connections, dying in the middle of a rollout, or hanging (SIGSTOP: connections are accepted
 * and never answered); the secret force-deleted or scheduled for deletion. Each must end within the documented bound
 * (3 attempts, 3 s connect, 15 s per request) with its exit code and a diagnosis.
 *
 * The third fault of the issue — a circuit-breaker rollback turning into a failing exit (20) — is covered in
 * __tests__/cli/operations.test.ts ("fails (exit 20) when the circuit breaker rolls the deployment back", and for
 * `rotate`, "reports a failed rollout after a successful rotation as a failure"); not repeated here.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CreateSecretCommand, DeleteSecretCommand, GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ECSClient } from "@aws-sdk/client-ecs";
import { startMoto, type MotoServer } from "../../src/emulator/moto-server";
import { LocalRegistry } from "../../src/emulator/registry-server";
import { freeLoopbackPort } from "../../src/util/free-port";
import { EXIT } from "../../src/operations/exit-codes";
import { CLI, runCli, type CliRun } from "../helpers/cli";
import { createOrdersServices } from "../helpers/ecs-services";

jest.setTimeout(180_000);

const REGION = "us-east-1";
const USER = "acme-ci-bot";
const token = `ghp_${randomBytes(18).toString("hex")}`;
const publisher = `ghp_${randomBytes(18).toString("hex")}`;

let moto: MotoServer;
let registry: LocalRegistry;
let workdir: string;
let secrets: SecretsManagerClient;
let image: string;

function cli(args: string[], env: NodeJS.ProcessEnv = {}, onStart?: () => void): Promise<CliRun> {
  const cliEnv = { ...process.env, ...moto.awsEnv(REGION), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env };
  return runCli(args, { cwd: workdir, env: cliEnv, timeoutMs: 120_000, onStart });
}

async function newSecret(name: string): Promise<string> {
  const created = await secrets.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify({ username: USER, password: token }) }));
  return created.ARN as string;
}

function writeOutputs(file: string, values: Record<string, string>): string {
  fs.writeFileSync(
    path.join(workdir, file),
    JSON.stringify({ orders: { image, registry_username: USER, cluster_name: "orders", region: REGION, registry_auth_mode: "task", ...values } }),
  );
  return file;
}

beforeAll(async () => {
  expect(fs.existsSync(CLI)).toBe(true);
  workdir = fs.mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-faults-cli-"));
  // desiredCount 3 > 2 reported running: a forced deployment stays IN_PROGRESS, so a rollout is still polling when the
  // endpoint dies under it.
  [moto, registry] = await Promise.all([
    startMoto({ settings: { MOTO_ECS_SERVICE_RUNNING: "2" } }),
    LocalRegistry.start({
      kind: "token",
      style: "ghcr",
      users: [
        { username: USER, passwords: [token], pull: ["acme/orders-service"] },
        { username: "publisher", passwords: [publisher], pull: ["*"], push: ["*"] },
      ],
    }),
  ]);
  ({ reference: image } = await registry.pushImage("acme/orders-service", "1.4.2", { username: "publisher", password: publisher }));
  const clientConfig = { region: REGION, endpoint: moto.endpoint, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } };
  secrets = new SecretsManagerClient(clientConfig);
  const ecs = new ECSClient(clientConfig);
  await createOrdersServices(ecs, image, [
    { name: "orders", desiredCount: 2 },
    { name: "orders-stuck", desiredCount: 3 },
  ]);
  ecs.destroy();
  writeOutputs("cdktf-outputs.json", { credentials_secret_arn: await newSecret("orders/registry"), service_name: "orders" });
});

afterAll(async () => {
  secrets?.destroy();
  if (moto) {
    try {
      process.kill(moto.pid, "SIGCONT");
    } catch {
      // already gone
    }
  }
  await Promise.all([moto?.stop(), registry?.stop()]);
  if (workdir) fs.rmSync(workdir, { recursive: true, force: true });
});

describe("the healthy baseline", () => {
  it("check and rollout succeed against this moto and registry", async () => {
    const check = await cli(["credentials", "check"]);
    expect(check.stderr).toBe("");
    expect(check.code).toBe(EXIT.ok);
    const rollout = await cli(["rollout", "--poll-interval", "0.2", "--timeout", "30"]);
    expect(rollout.code).toBe(EXIT.ok);
  });
});

describe("with the AWS endpoint refusing connections", () => {
  let dead: string;
  beforeAll(async () => {
    dead = `http://127.0.0.1:${await freeLoopbackPort()}`;
  });

  it("credentials check exits 22 naming Secrets Manager and the endpoint, within 30 s", async () => {
    const run = await cli(["credentials", "check"], { AWS_ENDPOINT_URL: dead });
    expect(run.code).toBe(EXIT.awsUnreachable);
    expect(run.stderr).toContain(`error: cannot reach Secrets Manager at ${dead} (ECONNREFUSED`);
    expect(run.stderr).toContain("fix: Check network access to AWS, AWS_REGION and AWS_ENDPOINT_URL.");
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.seconds).toBeLessThan(30);
  });

  it("rollout exits 22 naming ECS and the endpoint, within 30 s, and --json says so too", async () => {
    const run = await cli(["rollout", "--json"], { AWS_ENDPOINT_URL: dead });
    expect(run.code).toBe(EXIT.awsUnreachable);
    expect(run.stderr).toMatch(new RegExp(`error: cannot reach ECS at ${dead.replace(/[.]/g, "\\.")} \\(ECONNREFUSED`));
    expect(JSON.parse(run.stdout)).toEqual(expect.objectContaining({ ok: false, exitCode: EXIT.awsUnreachable }));
    expect(run.seconds).toBeLessThan(30);
  });
});

describe("with moto dying in the middle of a rollout", () => {
  let doomed: MotoServer;
  afterAll(async () => {
    await doomed?.stop();
  });

  it("rollout stops following, exits 22 with a diagnosis within 30 s of the death", async () => {
    doomed = await startMoto({ settings: { MOTO_ECS_SERVICE_RUNNING: "2" } });
    const ecs = new ECSClient({ region: REGION, endpoint: doomed.endpoint, credentials: { accessKeyId: "t", secretAccessKey: "t" } });
    await createOrdersServices(ecs, image, [{ name: "orders-stuck", desiredCount: 3 }]);
    ecs.destroy();

    let killedAt = 0;
    const running = cli(["rollout", "--service", "orders-stuck", "--poll-interval", "0.5", "--timeout", "120"], { AWS_ENDPOINT_URL: doomed.endpoint }, () => {
      setTimeout(() => {
        process.kill(doomed.pid, "SIGKILL");
        killedAt = Date.now();
      }, 4000);
    });
    const run = await running;
    expect(killedAt).toBeGreaterThan(0);
    // It had started the deployment and was following it when the endpoint died.
    expect(run.stderr).toMatch(/deployment ecs-svc\/\d+ started/);
    expect(run.stderr).toMatch(/IN_PROGRESS: 2\/3 running/);
    expect(run.code).toBe(EXIT.awsUnreachable);
    expect(run.stderr).toContain(`error: cannot reach ECS at ${doomed.endpoint}`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect((Date.now() - killedAt) / 1000).toBeLessThan(30);
  });
});

describe("with the AWS endpoint hanging (accepts connections, never answers)", () => {
  // Found by this test: @smithy/node-http-handler 4.x only warns when requestTimeout passes, so the CLI waited forever;
  // src/operations/aws.ts now sets throwOnRequestTimeout.
  it("credentials check gives up within the documented bound (3 × 15 s) with exit 22", async () => {
    let stopped = false;
    try {
      const run = await cli(["credentials", "check"], {}, () => {
        process.kill(moto.pid, "SIGSTOP");
        stopped = true;
      });
      expect(stopped).toBe(true);
      expect(run.code).toBe(EXIT.awsUnreachable);
      expect(run.stderr).toMatch(/error: cannot reach Secrets Manager at http:\/\/127\.0\.0\.1:\d+ \(/);
      expect(run.seconds).toBeLessThan(3 * 15 + 15);
    } finally {
      process.kill(moto.pid, "SIGCONT");
    }
  });
});

describe("with the secret deleted", () => {
  it("force-deleted (no recovery): credentials check exits 10 with the deploy/set hint", async () => {
    const arn = await newSecret("orders/force-deleted");
    await secrets.send(new DeleteSecretCommand({ SecretId: arn, ForceDeleteWithoutRecovery: true }));
    const run = await cli(["credentials", "check", "--outputs", writeOutputs("force-deleted.json", { credentials_secret_arn: arn, service_name: "orders" })]);
    expect(run.code).toBe(EXIT.secretMissing);
    expect(run.stderr).toContain(`error: the credentials secret ${arn} does not exist or has no value yet`);
    expect(run.stderr).toContain("credentials set --token-stdin");
  });

  // AWS: InvalidRequestException "You can't perform this operation on the secret because it was marked for deletion."
  // moto 5.2.1: the same exception, worded "You tried to perform the operation on a secret that's currently marked
  // deleted." The CLI branches on the exception name only, so both reach exit 11.
  it("moto answers GetSecretValue on a secret scheduled for deletion with InvalidRequestException, as AWS does", async () => {
    const arn = await newSecret("orders/scheduled-probe");
    await secrets.send(new DeleteSecretCommand({ SecretId: arn, RecoveryWindowInDays: 7 }));
    const error = await secrets.send(new GetSecretValueCommand({ SecretId: arn })).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.name).toBe("InvalidRequestException");
    expect(error?.message).toMatch(/marked (for )?delet/);
  });

  it("scheduled for deletion (recovery window): credentials check exits 11 with the restore hint", async () => {
    const arn = await newSecret("orders/scheduled");
    await secrets.send(new DeleteSecretCommand({ SecretId: arn, RecoveryWindowInDays: 7 }));
    const run = await cli(["credentials", "check", "--outputs", writeOutputs("scheduled.json", { credentials_secret_arn: arn, service_name: "orders" })]);
    expect(run.code).toBe(EXIT.secretUnreadable);
    expect(run.stderr).toContain(`error: cannot read the credentials secret ${arn} (InvalidRequestException:`);
    expect(run.stderr).toContain("fix: The secret is scheduled for deletion; restore it with `aws secretsmanager restore-secret`.");
  });
});
