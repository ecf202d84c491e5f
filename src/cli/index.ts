#!/usr/bin/env node
import * as fs from "node:fs";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { ECSClient } from "@aws-sdk/client-ecs";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { awsClientConfig } from "../operations/aws";
import { imageReference, provePull, type PullProof } from "../operations/check";
import { DEFAULT_OUTPUTS_FILE, readOutputsFile, requireField, terraformOutputs, type DeploymentTarget } from "../operations/deployment";
import { EXIT, OperationError } from "../operations/exit-codes";
import { readRegistrySecret, writeRegistrySecret } from "../operations/registry-secret";
import { rollout, type RolloutEvent, type RolloutResult } from "../operations/rollout";
import { rotateCredentials } from "../operations/rotate";
import { readToken, validateCredential, type TokenSource } from "../operations/token";
import { Reporter } from "./reporter";
import { parsePlanJson, renderJson, renderMarkdown, stackNameFromPath, summarizePlans } from "../plan-summary";

type Options = NonNullable<ParseArgsConfig["options"]>;

const TARGET_OPTIONS: Options = {
  outputs: { type: "string" },
  stack: { type: "string" },
  "stack-dir": { type: "string" },
  region: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};
const TOKEN_OPTIONS: Options = {
  "token-stdin": { type: "boolean" },
  "token-env": { type: "string" },
  "from-docker-config": { type: "boolean" },
  "docker-config": { type: "string" },
  username: { type: "string" },
};

const TARGET_HELP = `
Where the deployment is (flags win over outputs):
  --outputs FILE        outputs of \`cdktf deploy --outputs-file FILE\` or \`terraform output -json\`
                        (default: ./${DEFAULT_OUTPUTS_FILE} when it exists)
  --stack NAME          the stack in an outputs file holding several
  --stack-dir DIR       run \`terraform output -json\` in cdktf.out/stacks/<stack>
  --region REGION       default: the stack's region output, then AWS_REGION
  --json                one JSON document on stdout; progress on stderr`;

const TOKEN_HELP = `
The token never comes from the command line (argv is visible to every user in \`ps\`). Exactly one of:
  --token-stdin         read it from stdin:  printf '%s' "$TOKEN" | ghcr-ecs …
  --token-env NAME      read it from environment variable NAME
  --from-docker-config  take user and token for the image's registry from Docker's config.json
                        (inline auths entry or its credential helper); --docker-config FILE to choose the file
  --username USER       default: the Docker config entry, the registry_username output, then the current secret`;

const COMMANDS: Record<string, { summary: string; usage: string; options: Options; positionals?: true; run: (ctx: Context) => Promise<number> }> = {
  "credentials set": {
    summary: "write {username, password} into the stack's credentials secret",
    usage: `ghcr-ecs credentials set (--token-stdin | --token-env NAME | --from-docker-config) [options]

Validates the username and token (and warns about GitHub token kinds that expire) before writing a new
AWSCURRENT version of the secret. Running tasks keep working; new tasks pull with the new credential.
  --secret-arn ARN      default: the credentials_secret_arn output
  --image REF           default: the image output (decides the registry for --from-docker-config)
  --check               prove the credential can pull the image before writing anything
  --timeout SECONDS     bound for --check (default 20)
${TOKEN_HELP}
${TARGET_HELP}`,
    options: { ...TARGET_OPTIONS, ...TOKEN_OPTIONS, "secret-arn": { type: "string" }, image: { type: "string" }, check: { type: "boolean" }, timeout: { type: "string" } },
    run: credentialsSet,
  },
  "credentials check": {
    summary: "prove the stored credential can pull the image (run before every deploy)",
    usage: `ghcr-ecs credentials check [options]

Reads the secret as the task execution role would, checks its JSON shape, then performs the registry's
authentication flow for the image (GET /v2/, Bearer token or Basic, HEAD manifest) and prints the digest.
  --secret-arn ARN      default: the credentials_secret_arn output
  --image REF           default: the image output
  --timeout SECONDS     bound for the registry conversation (default 20)
${TARGET_HELP}

Exit codes: 10 secret missing, 11 secret unreadable, 12 secret malformed, 13 credentials rejected (401),
14 access denied (403), 15 image not found (404), 16 registry unreachable, 17 other registry error.`,
    options: { ...TARGET_OPTIONS, "secret-arn": { type: "string" }, image: { type: "string" }, timeout: { type: "string" } },
    run: credentialsCheck,
  },
  rollout: {
    summary: "force a new deployment and follow it to COMPLETED or FAILED, diagnosing stopped tasks",
    usage: `ghcr-ecs rollout [options]

Forces a new deployment of the service and follows it until ECS reports COMPLETED (exit 0), FAILED or a
circuit-breaker rollback (exit 20), or --timeout passes (exit 21). Stopped tasks are translated into a
diagnosis (CannotPullContainerError 401/403/404/timeout, ResourceInitializationError secret access, …).
  --cluster NAME        default: the cluster_name output
  --service NAME        default: the service_name output
  --timeout SECONDS     default 900
  --poll-interval SECONDS  default 5
${TARGET_HELP}`,
    options: { ...TARGET_OPTIONS, cluster: { type: "string" }, service: { type: "string" }, timeout: { type: "string" }, "poll-interval": { type: "string" } },
    run: rolloutCommand,
  },
  rotate: {
    summary: "set a new credential, prove it pulls, then roll the service (refuses to roll on failure)",
    usage: `ghcr-ecs rotate (--token-stdin | --token-env NAME | --from-docker-config) [options]

1. proves the new credential can pull the image — nothing is written if it cannot;
2. writes it into the secret and proves the stored value from Secrets Manager;
3. agent-dockercfg (EC2) deployments: replaces the instances (instance refresh), whose agents read the secret at boot;
4. rolls the service and follows the deployment like \`ghcr-ecs rollout\`.
  --secret-arn ARN, --image REF, --cluster NAME, --service NAME   default: the stack's outputs
  --autoscaling-group NAME   default: the autoscaling_group_name output (agent-dockercfg only)
  --min-healthy-percent N    instance refresh (default 90)
  --check-timeout SECONDS    default 20
  --timeout SECONDS          rollout bound (default 900)
  --poll-interval SECONDS    default 5
${TOKEN_HELP}
${TARGET_HELP}`,
    options: {
      ...TARGET_OPTIONS,
      ...TOKEN_OPTIONS,
      "secret-arn": { type: "string" },
      image: { type: "string" },
      cluster: { type: "string" },
      service: { type: "string" },
      "autoscaling-group": { type: "string" },
      "min-healthy-percent": { type: "string" },
      "check-timeout": { type: "string" },
      timeout: { type: "string" },
      "poll-interval": { type: "string" },
    },
    run: rotateCommand,
  },
  "plan-summary": {
    summary: "turn `terraform show -json` plans into a Markdown review summary (PR comment, job summary)",
    usage: `ghcr-ecs plan-summary [--stack NAME]... PLAN.json [PLAN.json ...] [--json]

Reads the output of \`terraform show -json <planfile>\` for one or more stacks (- reads stdin) and prints Markdown:
counts to add / change / replace / destroy per stack, the expected rollout time, replacements and deletions first,
security-relevant changes (IAM, security groups and rules, secrets, KMS, listeners) and every resource change
with the names of the attributes that change. Attribute values are never printed.
  --stack NAME          the stack of each file, in order (repeat once per file); default: the folder after
                        stacks/ in the path, else the file name without .json / .plan
  --title TEXT          heading (default "Terraform plan")
  --json                counts, replacements, deletions and security-relevant addresses as JSON`,
    options: { stack: { type: "string", multiple: true }, title: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    positionals: true,
    run: planSummaryCommand,
  },
};

const USAGE = `ghcr-ecs — operate a ghcr-ecs deployment

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(20)}${c.summary}`)
  .join("\n")}

Run \`ghcr-ecs <command> --help\` for its options. AWS access comes from the usual AWS SDK settings
(AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, …).`;

interface Context {
  readonly values: Record<string, string | boolean | undefined>;
  /** Only for commands with `positionals: true` (plan-summary's files); every other command refuses them. */
  readonly positionals: readonly string[];
  readonly out: Reporter;
  readonly stdin: NodeJS.ReadableStream;
  readonly target: () => Promise<DeploymentTarget>;
}

export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream;
}

/** Runs one CLI invocation and returns its exit code. */
export async function runCli(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }): Promise<number> {
  const name = argv[0] === "credentials" ? `credentials ${argv[1] ?? ""}`.trim() : (argv[0] ?? "");
  const command = COMMANDS[name];
  if (!command) {
    const out = new Reporter(io.stdout, io.stderr, false);
    if (name === "" || name === "--help" || name === "-h" || name === "help") {
      out.line(USAGE);
      return name === "" ? EXIT.usage : EXIT.ok;
    }
    // Quote only what looks like a command word: a token pasted here must not be printed back.
    const shown = argv.slice(0, 2).every((word) => /^[a-z][a-z-]{0,20}$/.test(word)) ? ` "${argv.slice(0, 2).join(" ")}"` : " (not shown, in case it is a token)";
    out.error(new OperationError(EXIT.usage, `unknown command${shown}`, `Commands: ${Object.keys(COMMANDS).join(", ")}. See ghcr-ecs --help.`));
    return EXIT.usage;
  }
  const rest = argv.slice(name.split(" ").length);
  let values: Context["values"];
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: [...rest], options: command.options, strict: true, allowPositionals: command.positionals === true }) as {
      values: Context["values"];
      positionals: string[];
    });
  } catch (error) {
    const out = new Reporter(io.stdout, io.stderr, false);
    // Never echo a stray argument: it may be a token pasted where it does not belong.
    const message = /Unexpected argument/i.test((error as Error).message)
      ? "unexpected argument (not shown, in case it is a token; tokens are never accepted as arguments)"
      : (error as Error).message.replace(/\. To specify a positional argument.*$/s, "");
    out.error(new OperationError(EXIT.usage, `${name}: ${message}`, `See ghcr-ecs ${name} --help.`));
    return EXIT.usage;
  }
  const out = new Reporter(io.stdout, io.stderr, values.json === true);
  if (values.help) {
    out.line(command.usage);
    return EXIT.ok;
  }
  let cached: DeploymentTarget | undefined;
  const target = async () => (cached ??= await resolveTarget(values));
  try {
    return await command.run({ values, positionals, out, stdin: io.stdin, target });
  } catch (error) {
    out.error(error);
    if (values.json) out.result({ ok: false, exitCode: error instanceof OperationError ? error.exitCode : EXIT.failure, error: out.redact((error as Error).message) });
    return error instanceof OperationError ? error.exitCode : EXIT.failure;
  }
}

async function resolveTarget(values: Context["values"]): Promise<DeploymentTarget> {
  const outputsFile = values.outputs as string | undefined;
  const stackDir = values["stack-dir"] as string | undefined;
  if (outputsFile && stackDir) throw new OperationError(EXIT.usage, "--outputs and --stack-dir both given", "Use one of them.");
  let fromOutputs: DeploymentTarget = {};
  if (outputsFile) fromOutputs = readOutputsFile(outputsFile, values.stack as string | undefined);
  else if (stackDir) fromOutputs = await terraformOutputs(stackDir);
  else if (fs.existsSync(DEFAULT_OUTPUTS_FILE)) fromOutputs = readOutputsFile(DEFAULT_OUTPUTS_FILE, values.stack as string | undefined);
  const flag = (key: string) => (typeof values[key] === "string" ? (values[key] as string) : undefined);
  return {
    ...fromOutputs,
    ...defined({
      region: flag("region") ?? fromOutputs.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION,
      secretArn: flag("secret-arn"),
      image: flag("image"),
      clusterName: flag("cluster"),
      serviceName: flag("service"),
      autoscalingGroupName: flag("autoscaling-group"),
    }),
  };
}

function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function seconds(values: Context["values"], flag: string, fallback: number, max: number): number {
  const raw = values[flag];
  if (raw === undefined) return fallback * 1000;
  const value = Number(raw);
  if (typeof raw !== "string" || !/^\d+(\.\d+)?$/.test(raw) || value <= 0 || value > max) {
    throw new OperationError(EXIT.usage, `--${flag} "${String(raw)}" is not a number of seconds from 0 to ${max}`, `e.g. --${flag} ${fallback}`);
  }
  return value * 1000;
}

function tokenSource(values: Context["values"]): TokenSource {
  const chosen = [values["token-stdin"] && "--token-stdin", values["token-env"] !== undefined && "--token-env", values["from-docker-config"] && "--from-docker-config"].filter(
    Boolean,
  );
  if (chosen.length !== 1) {
    throw new OperationError(
      EXIT.usage,
      chosen.length === 0 ? "no token source given" : `several token sources given (${chosen.join(", ")})`,
      "Pass exactly one of --token-stdin, --token-env NAME, --from-docker-config. Tokens are never accepted as arguments.",
    );
  }
  if (values["docker-config"] !== undefined && !values["from-docker-config"]) {
    throw new OperationError(EXIT.usage, "--docker-config only applies with --from-docker-config", "Add --from-docker-config.");
  }
  if (values["token-stdin"]) return { kind: "stdin" };
  if (values["token-env"] !== undefined) {
    const variable = values["token-env"] as string;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable) || variable.length > 128 || /^(ghp|gho|ghu|ghs|ghr|github_pat)_/.test(variable)) {
      throw new OperationError(EXIT.usage, "--token-env takes the name of an environment variable, and the value given (not shown) is not one", "Pass the variable's name, not the token: --token-env GHCR_TOKEN.");
    }
    return { kind: "env", variable };
  }
  return { kind: "docker-config", ...(values["docker-config"] ? { file: values["docker-config"] as string } : {}) };
}

/** Reads and validates the new credential; registers it with the reporter before anything can print it. */
async function newCredential(ctx: Context, target: DeploymentTarget, image: string) {
  const registry = imageReference(image).registry;
  const input = await readToken(tokenSource(ctx.values), registry, ctx.stdin);
  const username = (ctx.values.username as string | undefined) ?? input.username ?? target.username;
  ctx.out.addSecret(input.password, username);
  if (!username) {
    throw new OperationError(EXIT.usage, "don't know the registry username", "Pass --username (the account that owns the token), or use outputs with registry_username.");
  }
  const credential = { username, password: input.password };
  const { warnings } = validateCredential(credential, registry);
  for (const warning of warnings) ctx.out.warn(warning);
  return { credential, origin: input.origin, warnings };
}

function clients(region: string | undefined) {
  const config = awsClientConfig(region);
  return { secrets: new SecretsManagerClient(config), ecs: new ECSClient(config), autoscaling: new AutoScalingClient(config) };
}

async function withClients<T>(region: string | undefined, use: (c: ReturnType<typeof clients>) => Promise<T>): Promise<T> {
  const c = clients(region);
  try {
    return await use(c);
  } finally {
    c.secrets.destroy();
    c.ecs.destroy();
    c.autoscaling.destroy();
  }
}

async function credentialsSet(ctx: Context): Promise<number> {
  const target = await ctx.target();
  const secretArn = requireField(target, "secretArn", "--secret-arn");
  const image = requireField(target, "image", "--image");
  const { credential, origin, warnings } = await newCredential(ctx, target, image);
  let proof: PullProof | undefined;
  if (ctx.values.check) {
    proof = await provePull(image, credential, seconds(ctx.values, "timeout", 20, 600));
    ctx.out.line(`checked: ${credential.username} can pull ${image} (${proof.digest})`);
  }
  const versionId = await withClients(target.region, (c) => writeRegistrySecret(c.secrets, secretArn, credential));
  ctx.out.line(`wrote the credential for ${credential.username} (from ${origin}) to ${secretArn} as version ${versionId}`);
  ctx.out.line("running tasks keep their pulled image; new tasks use the new credential. Roll the service with `ghcr-ecs rollout`.");
  ctx.out.result({ ok: true, secretArn, versionId, username: credential.username, warnings, ...(proof ? { digest: proof.digest } : {}) });
  return EXIT.ok;
}

async function credentialsCheck(ctx: Context): Promise<number> {
  const target = await ctx.target();
  const secretArn = requireField(target, "secretArn", "--secret-arn");
  const image = requireField(target, "image", "--image");
  imageReference(image);
  const timeoutMs = seconds(ctx.values, "timeout", 20, 600);
  const proof = await withClients(target.region, async (c) => {
    const credential = await readRegistrySecret(c.secrets, secretArn);
    ctx.out.addSecret(credential.password, credential.username);
    return provePull(image, credential, timeoutMs);
  });
  ctx.out.line(`ok: ${proof.username} can pull ${image}`);
  ctx.out.line(`digest: ${proof.digest}`);
  if (proof.auth === "none") ctx.out.warn("the registry did not ask for credentials, so this check did not exercise them");
  ctx.out.result({ ok: true, secretArn, ...proof });
  return EXIT.ok;
}

function describeRolloutEvent(event: RolloutEvent): string {
  switch (event.type) {
    case "started":
      return `deployment ${event.deploymentId} started${event.previousDeploymentId ? ` (replacing ${event.previousDeploymentId})` : ""}`;
    case "progress":
      return `${event.rolloutState}: ${event.running}/${event.desired} running, ${event.pending} pending, ${event.failedTasks} failed`;
    case "stopped-task":
      return `task ${event.taskArn.split("/").pop()} stopped: ${event.diagnosis.summary}\n  reason: ${event.stoppedReason}\n  fix: ${event.diagnosis.fix}`;
  }
}

function reportRollout(ctx: Context, result: RolloutResult): number {
  const line = `${result.service}: deployment ${result.deploymentId} ${result.outcome.toUpperCase()} after ${result.durationSeconds} s${result.reason ? ` — ${result.reason}` : ""}`;
  ctx.out.line(line);
  const codes = new Map<string, { summary: string; fix: string; count: number }>();
  for (const d of result.diagnoses) {
    const entry = codes.get(d.diagnosis.code) ?? { ...d.diagnosis, count: 0 };
    entry.count++;
    codes.set(d.diagnosis.code, entry);
  }
  for (const [code, d] of codes) ctx.out.line(`diagnosis (${d.count} task${d.count > 1 ? "s" : ""}, ${code}): ${d.summary}\n  fix: ${d.fix}`);
  const exitCode = result.outcome === "completed" ? EXIT.ok : result.outcome === "timed-out" ? EXIT.rolloutTimedOut : EXIT.rolloutFailed;
  ctx.out.result({ ok: exitCode === EXIT.ok, exitCode, ...result });
  return exitCode;
}

async function rolloutCommand(ctx: Context): Promise<number> {
  const target = await ctx.target();
  const cluster = requireField(target, "clusterName", "--cluster");
  const service = requireField(target, "serviceName", "--service");
  const timeoutMs = seconds(ctx.values, "timeout", 900, 86400);
  const pollIntervalMs = seconds(ctx.values, "poll-interval", 5, 300);
  const result = await withClients(target.region, (c) =>
    rollout(c.ecs, { cluster, service, timeoutMs, pollIntervalMs, onEvent: (event) => ctx.out.progress(describeRolloutEvent(event)) }),
  );
  return reportRollout(ctx, result);
}

async function rotateCommand(ctx: Context): Promise<number> {
  const target = await ctx.target();
  const secretArn = requireField(target, "secretArn", "--secret-arn");
  const image = requireField(target, "image", "--image");
  const cluster = requireField(target, "clusterName", "--cluster");
  const service = requireField(target, "serviceName", "--service");
  const mode = target.registryAuthMode ?? "task";
  if (mode !== "task" && mode !== "agent-dockercfg") throw new OperationError(EXIT.usage, `registry_auth_mode output "${mode}" is not task or agent-dockercfg`);
  const checkTimeoutMs = seconds(ctx.values, "check-timeout", 20, 600);
  const rolloutTimeoutMs = seconds(ctx.values, "timeout", 900, 86400);
  const pollIntervalMs = seconds(ctx.values, "poll-interval", 5, 300);
  const minHealthy = ctx.values["min-healthy-percent"];
  const minHealthyPercentage = minHealthy === undefined ? undefined : Number(minHealthy);
  if (minHealthyPercentage !== undefined && !(Number.isInteger(minHealthyPercentage) && minHealthyPercentage >= 0 && minHealthyPercentage <= 100)) {
    throw new OperationError(EXIT.usage, `--min-healthy-percent "${String(minHealthy)}" is not a whole number from 0 to 100`);
  }
  const { credential } = await newCredential(ctx, target, image);
  const result = await withClients(target.region, (c) =>
    rotateCredentials(c, {
      secretId: secretArn,
      image,
      credential,
      cluster,
      service,
      registryAuthMode: mode,
      autoscalingGroupName: target.autoscalingGroupName,
      checkTimeoutMs,
      rolloutTimeoutMs,
      pollIntervalMs,
      minHealthyPercentage,
      onStep: (step) => {
        switch (step.step) {
          case "checked-new-credential":
            return ctx.out.line(`1/4 the new credential for ${step.proof.username} can pull ${image} (${step.proof.digest})`);
          case "wrote-secret":
            return ctx.out.line(`2/4 wrote it to ${secretArn} as version ${step.versionId}`);
          case "verified-secret":
            return ctx.out.line(`3/4 the stored secret pulls ${step.proof.digest}`);
          case "instance-refresh-started":
            return ctx.out.line(`    replacing the instances of ${step.autoscalingGroupName} (instance refresh ${step.refreshId})`);
          case "instance-refresh-finished":
            return ctx.out.line(`    instance refresh ${step.status}`);
          case "rollout":
            if (step.event.type === "started") ctx.out.line(`4/4 rolling ${service}: ${describeRolloutEvent(step.event)}`);
            else ctx.out.progress(describeRolloutEvent(step.event));
        }
      },
    }),
  );
  return reportRollout(ctx, result);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks).toString("utf8");
}

async function planSummaryCommand(ctx: Context): Promise<number> {
  // Plans hold no token (write-only argument, ephemeral variable); masking it anyway costs nothing.
  for (const name of ["TF_VAR_registry_token", "REGISTRY_TOKEN"]) {
    const value = process.env[name];
    if (value) ctx.out.addSecret(value);
  }
  const files = ctx.positionals;
  if (files.length === 0) throw new OperationError(EXIT.usage, "plan-summary: no plan JSON file given", "terraform show -json plan.tfplan > plan.json && ghcr-ecs plan-summary plan.json");
  const stacks = (ctx.values.stack as unknown as string[] | undefined) ?? [];
  if (stacks.length > 0 && stacks.length !== files.length) {
    throw new OperationError(EXIT.usage, `plan-summary: ${stacks.length} --stack for ${files.length} plan files`, "Give one --stack per file, in the same order, or none.");
  }
  if (files.filter((f) => f === "-").length > 1) throw new OperationError(EXIT.usage, "plan-summary: stdin (-) given more than once");
  const plans = [];
  for (const [i, file] of files.entries()) {
    // A path is shown in errors; anything that does not look like one might be a pasted token and is not.
    const shown = file === "-" ? "stdin" : /\.json$|\//i.test(file) ? file : "a plan file argument (not shown: it does not look like a path)";
    let text: string;
    try {
      text = file === "-" ? await readAll(ctx.stdin) : fs.readFileSync(file, "utf8");
    } catch (error) {
      throw new OperationError(EXIT.usage, `plan-summary: cannot read ${shown}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    try {
      plans.push({ stack: stacks[i] ?? (file === "-" ? "stack" : stackNameFromPath(file)), plan: parsePlanJson(text, shown) });
    } catch (error) {
      throw new OperationError(EXIT.usage, `plan-summary: ${(error as Error).message}`);
    }
  }
  let summaries;
  try {
    summaries = summarizePlans(plans);
  } catch (error) {
    throw new OperationError(EXIT.usage, `plan-summary: ${(error as Error).message}`);
  }
  if (ctx.out.json) ctx.out.result(renderJson(summaries));
  else ctx.out.line(renderMarkdown(summaries, { title: ctx.values.title as string | undefined }));
  return EXIT.ok;
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`error: ${(error as Error)?.message ?? String(error)}\n`);
      process.exitCode = EXIT.failure;
    },
  );
}
