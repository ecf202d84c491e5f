/**
 * `npm run local`: deploy the configured stack to moto (a local AWS emulator) with a throw-away registry token and
 * the image pushed to a local registry, show the outputs, prove the token reached Secrets Manager but not state,
 * plan or cdktf.out, check the pull and rotate the token with the `ghcr-ecs` CLI, then destroy.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ConfigError, configPathFromEnv, loadConfigFile } from "../src/config/load";
import { EmulatedDeployment } from "../src/emulator/emulated-deployment";
import { filesContaining } from "../src/emulator/leaks";
import { MissingToolError } from "../src/emulator/moto-server";
import { LocalRegistry } from "../src/emulator/registry-server";
import { parseImageReference } from "../src/registry/image-reference";
import { REGISTRY_TOKEN_VARIABLE } from "../src/constructs/registry-credentials";
import { ProgressReporter } from "../src/terraform/progress-reporter";

const step = (text: string) => process.stdout.write(`\n==> ${text}\n`);

const CLI = path.join(__dirname, "..", "src", "cli", "index.js");

/** Runs the `ghcr-ecs` CLI as a user would, against the emulator; tokens travel in the environment only. */
function ghcrEcs(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  process.stdout.write(`$ ghcr-ecs ${args.join(" ")}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ["ignore", "inherit", "inherit"] });
    const timer = setTimeout(() => child.kill("SIGKILL"), 120000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve(code ?? 1);
    });
  });
}

async function main(): Promise<number> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const configFile = configPathFromEnv();
  const loaded = loadConfigFile(configFile);
  // Throw-away tokens, passed to Terraform and the CLI only through the environment, never through argv.
  const token = `ghp_${randomBytes(18).toString("hex")}`;
  const nextToken = `ghp_${randomBytes(18).toString("hex")}`;
  const username = loaded.credentials.mode === "managed" ? loaded.credentials.username : "acme-ci-bot";
  const publisher = { username: "publisher", password: randomBytes(18).toString("hex") };
  const { repository, tag } = parseImageReference(loaded.image);

  step(`Starting a local registry (token auth like ghcr.io) and pushing ${repository}:${tag ?? "latest"} to it`);
  const registry = await LocalRegistry.start({
    kind: "token",
    style: "ghcr",
    users: [
      { username, passwords: [token, nextToken], pull: [repository] },
      { ...publisher, passwords: [publisher.password], pull: ["*"], push: ["*"] },
    ],
  });
  try {
    const pushed = await registry.pushImage(repository, tag ?? "latest", publisher);
    process.stdout.write(`registry on ${registry.host} (pid ${registry.pid}); image ${pushed.reference} (${pushed.digest})\n`);
    return await deployAndRotate({ ...loaded, image: pushed.reference }, configFile, registry, { token, nextToken, username });
  } finally {
    await registry.stop();
  }
}

async function deployAndRotate(
  config: ReturnType<typeof loadConfigFile>,
  configFile: string,
  registry: LocalRegistry,
  tokens: { token: string; nextToken: string; username: string },
): Promise<number> {
  const { token, nextToken } = tokens;
  step(`Starting moto and synthesizing ${config.name} from ${path.relative(process.cwd(), configFile)}`);
  const verbose = process.env.GHCR_ECS_VERBOSE === "1";
  const deployment = await EmulatedDeployment.start(config, { stream: verbose });
  process.stdout.write(`moto on ${deployment.moto.endpoint} (pid ${deployment.moto.pid}); scratch folder ${deployment.workdir}\n`);
  try {
    const tokenEnv = { [`TF_VAR_${REGISTRY_TOKEN_VARIABLE}`]: token };
    // Progress from Terraform's -json output; GHCR_ECS_VERBOSE=1 streams its human output instead.
    const reporter = new ProgressReporter(process.stdout, { secrets: [token, nextToken] });
    const terraform = verbose ? deployment.terraform : deployment.terraform.withProgress(reporter);

    step("terraform apply (the load balancer takes about a minute on moto)");
    const started = Date.now();
    await terraform.apply(tokenEnv);
    if (verbose) process.stdout.write(`applied in ${Math.round((Date.now() - started) / 1000)} s\n`);

    step("Outputs");
    const outputs = await deployment.terraform.outputs();
    for (const [name, value] of Object.entries(outputs)) process.stdout.write(`  ${name.padEnd(24)} ${String(value)}\n`);

    step("Proving where the credential is, and where it is not");
    const planFile = path.join(deployment.workdir, "after-apply.tfplan");
    await terraform.plan(planFile, tokenEnv);
    const planJson = path.join(deployment.workdir, "after-apply.plan.json");
    writeFileSync(planJson, (await deployment.terraform.showJson(planFile)).stdout);

    let storedOk = true;
    if (config.credentials.mode === "managed") {
      const secrets = new SecretsManagerClient(deployment.clientConfig());
      const stored = await secrets.send(new GetSecretValueCommand({ SecretId: String(outputs.credentials_secret_arn) }));
      const value = JSON.parse(stored.SecretString ?? "{}") as Record<string, unknown>;
      storedOk = value.username === config.credentials.username && value.password === token;
      process.stdout.write(`  Secrets Manager holds {"username","password"} with the token: ${storedOk ? "yes" : "NO"}\n`);
    } else {
      process.stdout.write("  credentials.mode is existing: the secret is yours, so only the leak search applies\n");
    }
    const leaks = filesContaining(token, [deployment.stateFile, deployment.outdir, planJson]);
    process.stdout.write(`  token in state, plan JSON or cdktf.out: ${leaks.length === 0 ? "nowhere" : leaks.join(", ")}\n`);

    let operationsOk = true;
    if (config.credentials.mode === "managed") {
      const outputsFile = path.join(deployment.workdir, "cdktf-outputs.json");
      writeFileSync(outputsFile, JSON.stringify({ [deployment.stack]: outputs }));
      const cliEnv = { ...process.env, ...deployment.moto.awsEnv(config.region), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
      const run = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => ghcrEcs([...args, "--outputs", outputsFile], { ...cliEnv, ...extraEnv });

      step("Proving the stored credential can pull the image");
      operationsOk = (await run(["credentials", "check"])) === 0;

      step("Rotating the token: check the new one, write it, check the stored value, roll the service");
      operationsOk =
        (await run(["rotate", "--token-env", "NEW_REGISTRY_TOKEN", "--poll-interval", "1"], { NEW_REGISTRY_TOKEN: nextToken })) === 0 && operationsOk;

      step("Revoking the old token at the registry; the service's secret already holds the new one");
      registry.revoke(tokens.username, token);
      operationsOk = (await run(["credentials", "check"])) === 0 && operationsOk;
    }

    step("terraform destroy");
    await terraform.destroy();
    if (!operationsOk) {
      process.stderr.write("FAILED: a ghcr-ecs command did not succeed (see above).\n");
      return 1;
    }
    if (!storedOk || leaks.length > 0) {
      process.stderr.write("FAILED: the credential is not where it belongs.\n");
      return 1;
    }
    step("Done: deployed, verified and destroyed on the local emulator.");
    return 0;
  } finally {
    await deployment.dispose();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof MissingToolError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
