/**
 * Leak canaries. A unique fake token is planted through every way a registry credential enters ghcr-ecs — the
 * ephemeral Terraform variable (a plan and an apply on moto), `ghcr-ecs credentials set` with --token-stdin,
 * --token-env and --from-docker-config (inline auth), `credentials check`, a successful and a refused `rotate`, a
 * refused token with whitespace, and tokens pasted where arguments go — and then every artifact is searched for the
 * token and for its base64 forms (any alignment, so base64(token), base64(user:token) and base64 of the secret JSON):
 * cdktf.out, the saved plans and their `terraform show -json`, the state (also after a refresh that reads back the
 * value the CLI wrote), Terraform's stdout/stderr, every CLI stdout/stderr and error message, and what this test
 * printed through jest. Expected: zero hits.
 *
 * Terraform runs with TF_LOG=TRACE into a separate folder: those logs are the user's choice, and what they hold is
 * recorded by its own test below (not part of the zero-hit sweep).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EmulatedDeployment } from "../../src/emulator/emulated-deployment";
import { LocalRegistry } from "../../src/emulator/registry-server";
import { EXIT } from "../../src/operations/exit-codes";
import { CLI, runCli, type CliRun } from "../helpers/cli";
import { configWith } from "../helpers/configs";
import { makeCanary, needlesFor, searchFiles, searchTexts, type Hit } from "../helpers/canary";

jest.setTimeout(600_000);

const USER = "acme-ci-bot";

// One canary per input path; the registry accepts all but `rejected`, `whitespace` and the pasted ones.
const C = {
  terraform: makeCanary("tfvar"),
  stdin: makeCanary("stdin"),
  env: makeCanary("env"),
  docker: makeCanary("docker"),
  rotate: makeCanary("rotate"),
  rejected: makeCanary("rejected"),
  whitespace: makeCanary("space"),
  stray: makeCanary("stray"),
  // A token shaped like an environment variable name without a GitHub prefix (Quay robot tokens, some PATs).
  identifier: makeCanary("ident", "QUAYROBOT"),
  publisher: makeCanary("publish"),
};
const CANARIES = Object.values(C);
const NEEDLES = needlesFor(CANARIES);
const describeHits = (hits: Hit[]) => hits.map((h) => `${h.where}: ${Object.keys(C)[h.canaryIndex]} canary (${h.form})`);

let scratch: string; // artifacts (searched)
let inputs: string; // files that hold a token on purpose (the Docker config): not an artifact
let logs: string; // TF_LOG=TRACE output
let deployment: EmulatedDeployment;
let registry: LocalRegistry;
let image: string;
let cliEnv: NodeJS.ProcessEnv;
const transcript: { label: string; text: string }[] = [];
const consoleCapture: string[] = [];

async function cli(label: string, args: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  const run = await runCli(args, { cwd: scratch, env: { ...cliEnv, ...options.env }, stdin: options.stdin, timeoutMs: 90_000 });
  transcript.push({ label: `cli ${label} stdout`, text: run.stdout }, { label: `cli ${label} stderr`, text: run.stderr });
  return run;
}

/** Terraform through the project's workdir wrapper, traced into `logs/<name>.log`; output joins the transcript. */
async function terraform<T extends { stdout: string; stderr: string }>(name: string, call: (traceEnv: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
  const traceEnv = { TF_LOG: "TRACE", TF_LOG_PATH: path.join(logs, `${name}.log`) };
  try {
    const result = await call(traceEnv);
    transcript.push({ label: `terraform ${name} stdout`, text: result.stdout }, { label: `terraform ${name} stderr`, text: result.stderr });
    return result;
  } catch (error) {
    transcript.push({ label: `terraform ${name} error`, text: String((error as Error).message) });
    throw error;
  }
}

beforeAll(async () => {
  expect(fs.existsSync(CLI)).toBe(true);
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    const original = console[method].bind(console);
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      consoleCapture.push(args.map(String).join(" "));
      original(...args);
    });
  }
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-canary-"));
  inputs = fs.mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-canary-inputs-"));
  logs = path.join(os.tmpdir(), `${path.basename(scratch)}-tf-logs`);
  fs.mkdirSync(logs);

  [deployment, registry] = await Promise.all([
    EmulatedDeployment.start(configWith({})),
    LocalRegistry.start({
      kind: "token",
      style: "ghcr",
      users: [
        { username: USER, passwords: [C.terraform, C.stdin, C.env, C.docker, C.rotate], pull: ["acme/orders-service"] },
        { username: "publisher", passwords: [C.publisher], pull: ["*"], push: ["*"] },
      ],
    }),
  ]);
  ({ reference: image } = await registry.pushImage("acme/orders-service", "1.4.2", { username: "publisher", password: C.publisher }));
  cliEnv = { ...process.env, ...deployment.moto.awsEnv(deployment.region), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
  for (const name of Object.keys(cliEnv)) if (/^(TF_VAR_|GHCR_CANARY)/.test(name)) delete cliEnv[name];
});

afterAll(async () => {
  jest.restoreAllMocks();
  await Promise.all([deployment?.dispose(), registry?.stop()]);
  for (const dir of [scratch, inputs, ...(process.env.KEEP_CANARY_LOGS ? [] : [logs])]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("the search", () => {
  it("finds a planted canary, raw and base64-encoded at any alignment, and nothing else", () => {
    const planted = makeCanary("selftest");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-canary-self-"));
    try {
      fs.writeFileSync(path.join(dir, "raw.txt"), `prefix ${planted} suffix`);
      fs.writeFileSync(path.join(dir, "docker.json"), JSON.stringify({ auths: { "ghcr.io": { auth: Buffer.from(`${USER}:${planted}`).toString("base64") } } }));
      fs.writeFileSync(
        path.join(dir, "docker-short-user.json"),
        JSON.stringify({ auths: { "ghcr.io": { auth: Buffer.from(`abcd:${planted}`).toString("base64") } } }),
      );
      fs.mkdirSync(path.join(dir, "nested"));
      fs.writeFileSync(path.join(dir, "nested", "blob.b64"), Buffer.from(JSON.stringify({ username: "x", password: planted })).toString("base64"));
      fs.writeFileSync(path.join(dir, "clean.txt"), `${planted.slice(0, 20)} ${planted.slice(20)}`);
      const needles = needlesFor([planted]);
      const hits = searchFiles(needles, [dir], [planted])
        .map((h) => `${path.relative(dir, h.where)} ${h.form}`)
        .sort();
      // "acme-ci-bot:" is 12 bytes (alignment 0), "abcd:" 5 (alignment 2), '{"username":"x","password":"' 28 (alignment 1).
      expect(hits).toEqual([
        "docker-short-user.json base64 (alignment 2)",
        "docker.json base64 (alignment 0)",
        "nested/blob.b64 base64 (alignment 1)",
        "raw.txt raw",
      ]);
      expect(searchTexts(needles, [{ label: "x", text: Buffer.from(planted).toString("base64") }], [planted])).toHaveLength(1);
      expect(searchTexts(needlesFor([makeCanary("other")]), [{ label: "x", text: fs.readFileSync(path.join(dir, "raw.txt"), "utf8") }], [planted])).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the ephemeral variable (TF_VAR_registry_token)", () => {
  it("plans and applies on moto with the canary only in the environment", async () => {
    const planFile = path.join(deployment.workdir, "canary.tfplan");
    const planned = await terraform("plan", (trace) => deployment.terraform.plan(planFile, { TF_VAR_registry_token: C.terraform, ...trace }));
    expect(planned.stdout).toMatch(/Plan: \d+ to add/);
    const shown = await terraform("show-plan", () => deployment.terraform.showJson(planFile));
    fs.writeFileSync(path.join(deployment.workdir, "canary.plan.json"), shown.stdout);
    expect(
      (JSON.parse(shown.stdout) as { resource_changes: { type: string }[] }).resource_changes.some((c) => c.type === "aws_secretsmanager_secret_version"),
    ).toBe(true);

    const applied = await terraform("apply", (trace) => deployment.terraform.apply({ TF_VAR_registry_token: C.terraform, ...trace }));
    expect(applied.stdout).toMatch(/Apply complete! Resources: \d+ added/);
    const outputs = (await deployment.terraform.outputs()) as Record<string, string>;
    // The CLI finds the deployment in a cdktf outputs file; the image is the same repository on the local registry.
    fs.writeFileSync(path.join(scratch, "cdktf-outputs.json"), JSON.stringify({ [deployment.stack]: { ...outputs, image } }));
  });

  it("reaches the secret: `credentials check` pulls with the applied value", async () => {
    const run = await cli("check after apply", ["credentials", "check"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain(`ok: ${USER} can pull ${image}`);
  });
});

describe("the CLI's token inputs", () => {
  it("--token-stdin (with --check)", async () => {
    const run = await cli("set --token-stdin", ["credentials", "set", "--token-stdin", "--check"], { stdin: `${C.stdin}\n` });
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain("(from stdin)");
  });

  it("--token-env NAME (with --check, --json)", async () => {
    const run = await cli("set --token-env", ["credentials", "set", "--token-env", "GHCR_CANARY_TOKEN", "--check", "--json"], {
      env: { GHCR_CANARY_TOKEN: C.env },
    });
    expect(run.code).toBe(EXIT.ok);
    expect(JSON.parse(run.stdout)).toEqual(expect.objectContaining({ ok: true, username: USER }));
  });

  it("--from-docker-config with an inline auth entry", async () => {
    const dockerConfig = path.join(inputs, "config.json");
    fs.writeFileSync(dockerConfig, JSON.stringify({ auths: { [`http://${registry.host}`]: { auth: Buffer.from(`${USER}:${C.docker}`).toString("base64") } } }));
    const run = await cli("set --from-docker-config", ["credentials", "set", "--from-docker-config", "--docker-config", dockerConfig, "--check"]);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain(`(from ${dockerConfig})`);
  });

  it("credentials check reads it back (text and --json)", async () => {
    expect((await cli("check", ["credentials", "check"])).code).toBe(EXIT.ok);
    const json = await cli("check --json", ["credentials", "check", "--json"]);
    expect(JSON.parse(json.stdout)).toEqual(expect.objectContaining({ ok: true, username: USER, auth: "bearer" }));
  });

  it("rotate with a token the registry accepts (check, write, check stored, roll)", async () => {
    const run = await cli("rotate ok", ["rotate", "--token-env", "NEW_TOKEN", "--poll-interval", "0.2", "--timeout", "60"], { env: { NEW_TOKEN: C.rotate } });
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toMatch(/COMPLETED/);
  });

  it("rotate with a token the registry rejects: an error path that must not echo it", async () => {
    const text = await cli("rotate rejected", ["rotate", "--token-stdin"], { stdin: C.rejected });
    expect(text.code).toBe(EXIT.credentialsRejected);
    expect(text.stderr).toContain("error: ");
    const json = await cli("rotate rejected --json", ["rotate", "--token-stdin", "--json"], { stdin: C.rejected });
    expect(json.code).toBe(EXIT.credentialsRejected);
    expect(JSON.parse(json.stdout)).toEqual(expect.objectContaining({ ok: false, exitCode: EXIT.credentialsRejected }));
  });

  it("a token with whitespace is refused without being echoed", async () => {
    const spaced = `${C.whitespace.slice(0, 12)} ${C.whitespace.slice(12)}`;
    const run = await cli("set whitespace", ["credentials", "set", "--token-stdin"], { stdin: spaced });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toMatch(/token contains whitespace/);
    // The halves are long enough to identify the token: neither may be printed.
    expect(run.stderr).not.toContain(C.whitespace.slice(12));
  });
});

describe("tokens pasted where arguments go (usage errors)", () => {
  it.each([
    ["credentials set <token>", () => ["credentials", "set", C.stray]],
    ["credentials set --token-stdin <token>", () => ["credentials", "set", "--token-stdin", C.stray]],
    ["credentials set --token=<token>", () => ["credentials", "set", `--token=${C.stray}`]],
    ["credentials set --token-stdin=<token>", () => ["credentials", "set", `--token-stdin=${C.stray}`]],
    ["credentials set --token-env <ghp_ token>", () => ["credentials", "set", "--token-env", C.stray]],
    ["rotate <token>", () => ["rotate", C.stray]],
  ])("%s exits 2 without echoing it", async (label, args) => {
    const run = await cli(`usage: ${label}`, args());
    expect(run.code).toBe(EXIT.usage);
    expect(searchTexts(NEEDLES, [{ label, text: run.stdout + run.stderr }], CANARIES)).toEqual([]);
  });

  // Leaks found by this test (src/cli/index.ts, runCli: `unknown command "${argv.slice(0, 2).join(" ")}"` quotes
  // the arguments): a token pasted as the first argument is printed back.
  it.each([
    ["ghcr-ecs <token>", () => [C.stray]],
    ["ghcr-ecs credentials <token>", () => ["credentials", C.stray]],
  ])("%s (an unknown command) exits 2 without echoing it", async (label, args) => {
    const run = await cli(`usage: ${label}`, args());
    expect(run.code).toBe(EXIT.usage);
    expect(describeHits(searchTexts(NEEDLES, [{ label, text: run.stdout + run.stderr }], CANARIES))).toEqual([]);
  });

  // Leak found by this test (src/operations/token.ts, readToken "env": `environment variable ${source.variable} is not
  // set` and its fix line): a token that happens to be a valid variable name — no GitHub prefix, letters, digits and
  // `_` only, as Quay robot tokens are — is printed back twice. The name check in src/cli/index.ts only catches ghp_ & co.
  it("--token-env <identifier-shaped token> exits 2 without echoing it", async () => {
    const run = await cli("usage: --token-env <identifier token>", ["credentials", "set", "--token-env", C.identifier]);
    expect(run.code).toBe(EXIT.usage);
    expect(describeHits(searchTexts(NEEDLES, [{ label: "--token-env", text: run.stdout + run.stderr }], CANARIES))).toEqual([]);
  });
});

describe("after the CLI wrote new values", () => {
  it("a refresh (refresh-only apply, then a plan) reads the secret without copying the value into state or plan", async () => {
    await terraform("refresh", (trace) => deployment.terraform.apply({ TF_VAR_registry_token: C.terraform, ...trace }, ["-refresh-only"]));
    const planFile = path.join(deployment.workdir, "after-cli.tfplan");
    await terraform("plan-after-cli", (trace) => deployment.terraform.plan(planFile, { TF_VAR_registry_token: C.terraform, ...trace }));
    const shown = await terraform("show-after-cli", () => deployment.terraform.showJson(planFile));
    fs.writeFileSync(path.join(deployment.workdir, "after-cli.plan.json"), shown.stdout);
    const state = fs.readFileSync(deployment.stateFile, "utf8");
    expect((JSON.parse(state) as { resources: { type: string }[] }).resources.some((r) => r.type === "aws_secretsmanager_secret_version")).toBe(true);
  });
});

describe("every artifact", () => {
  it("holds no canary: cdktf.out, plans, plan JSON, state, Terraform and CLI output, jest's captured output", () => {
    // What this test file printed through jest's console, written where the search looks.
    console.log(`canary sweep: ${transcript.length} captured outputs, ${CANARIES.length} canaries, ${NEEDLES.length} needles`);
    fs.writeFileSync(path.join(scratch, "jest-console.log"), consoleCapture.join("\n"));
    // The usage errors that leak (tests above) are left out here only so this sweep reports everything else.
    const knownLeaks = /usage: (ghcr-ecs <token>|ghcr-ecs credentials <token>|--token-env <identifier token>)/;
    const swept = transcript.filter((t) => !knownLeaks.test(t.label));
    fs.writeFileSync(path.join(scratch, "transcript.log"), swept.map((t) => `=== ${t.label}\n${t.text}`).join("\n"));

    const artifacts = [deployment.workdir, scratch];
    expect(fs.readdirSync(deployment.workdir).filter((f) => f.endsWith(".plan.json"))).toHaveLength(2);
    expect(fs.existsSync(path.join(deployment.outdir, "stacks", deployment.stack, "cdk.tf.json"))).toBe(true);
    expect(fs.existsSync(deployment.stateFile)).toBe(true);
    expect(swept.filter((t) => t.label.startsWith("cli")).length).toBeGreaterThan(30);
    expect(swept.filter((t) => t.label.startsWith("terraform")).length).toBeGreaterThanOrEqual(12);

    const hits = [
      ...searchFiles(NEEDLES, artifacts, CANARIES),
      ...searchTexts(NEEDLES, swept, CANARIES),
      ...searchTexts(NEEDLES, [{ label: "jest console", text: consoleCapture.join("\n") }], CANARIES),
    ];
    expect(describeHits(hits)).toEqual([]);
  });
});

/**
 * Terraform's TF_LOG=TRACE logs: the user's choice, so not part of the sweep — but what they hold is pinned here.
 * Observed with Terraform 1.11 and AWS provider 5.100: Terraform core never logs the ephemeral variable's value (the
 * first plan's log is clean), but the provider logs AWS API bodies at DEBUG, so the value appears in the
 * PutSecretValue request of the apply and in the GetSecretValue response of every later refresh (plan, apply) that
 * reads the secret version back — TF_LOG=DEBUG or TRACE in CI prints the registry token into the job log. Values
 * the CLI wrote never appear (the provider reads its own version id). If this test fails because a provider release
 * masks the bodies, update the README's warning.
 */
describe("Terraform's TF_LOG=TRACE logs (the user's choice; pinned, not part of the sweep)", () => {
  /** Log entries (a timestamped line and its continuation lines) that hold a needle, described without the value. */
  function entriesWithCanaries(file: string): string[] {
    const found = new Set<string>();
    let header = "";
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
      if (/^\d{4}-\d\d-\d\dT/.test(line)) header = line;
      for (const needle of NEEDLES) {
        if (!line.includes(needle.text)) continue;
        const level = /\[(TRACE|DEBUG|INFO|WARN|ERROR)\]/.exec(header)?.[1] ?? "?";
        const component = /\] (provider\.terraform-provider-aws|[\w.-]+)/.exec(header)?.[1] ?? "?";
        const kind = /HTTP Request Sent|HTTP Response Received/.exec(header)?.[0] ?? header.slice(0, 120);
        // Concurrent writers interleave entries, so the header's own fields (tf_resource_type) are not reliable; the
        // line itself says what it is.
        const what = /"SecretString":\s*"/.test(line) ? "a SecretString body" : "another line";
        found.add(
          `${path.basename(file)}: ${Object.keys(C)[CANARIES.indexOf(needle.canary)]} canary (${needle.form}) in [${level}] ${component} ${kind}, ${what}`,
        );
      }
    }
    return [...found];
  }

  it("hold the value only where the AWS provider logs Secrets Manager API bodies, never from Terraform core", () => {
    const files = fs.readdirSync(logs).sort();
    expect(files).toEqual(["apply.log", "plan-after-cli.log", "plan.log", "refresh.log"]);
    for (const file of files) expect(fs.statSync(path.join(logs, file)).size).toBeGreaterThan(1_000_000); // really traced
    const findings = files.flatMap((f) => entriesWithCanaries(path.join(logs, f))).sort();
    console.log(`TF_LOG=TRACE: ${findings.length} kinds of log entries hold a canary:\n${findings.join("\n")}`);
    const body = (file: string, kind: string) => `${file}: terraform canary (raw) in [DEBUG] provider.terraform-provider-aws ${kind}, a SecretString body`;
    expect(findings).toEqual(
      [
        body("apply.log", "HTTP Request Sent"), // PutSecretValue {"SecretString": "{\"password\": …}"}
        body("apply.log", "HTTP Response Received"), // the read after create: GetSecretValue
        body("plan-after-cli.log", "HTTP Response Received"), // refresh: GetSecretValue of Terraform's version
        body("refresh.log", "HTTP Response Received"),
      ].sort(),
    );
  });
});
