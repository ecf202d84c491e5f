/**
 * `npm run local`: deploy the configured stack (an app: its first environment) to moto (a local AWS emulator) with
 * throw-away registry tokens and every image pushed to a local registry (HTTPS with a CA made for the run), show the outputs, prove each token reached
 * Secrets Manager but not state, plan or cdktf.out, check every service's pull and rotate a token with the
 * `ghcr-ecs` CLI (which rolls every service that pulls with it), show `ghcr-ecs status` and the last log lines of the
 * first service, then destroy.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CloudWatchLogsClient, CreateLogStreamCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { ConfigError, configPathFromEnv, loadConfigFile, parseDeploymentConfig } from "../src/config/load";
import { environmentsOf, type DeploymentConfig, type ServiceModel } from "../src/config/model";
import { logGroupNameOf } from "../src/stacks/environment-base";
import { EmulatedDeployment } from "../src/emulator/emulated-deployment";
import { filesContaining } from "../src/emulator/leaks";
import { MissingToolError } from "../src/emulator/moto-server";
import { LocalRegistry } from "../src/emulator/registry-server";
import { imagesIn, pushTarget, withImages } from "../src/emulator/local-images";
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

/** A managed credential of the deployed environment, with its throw-away tokens and its Terraform variable. */
interface LocalCredential {
  readonly key: string;
  readonly username: string;
  readonly token: string;
  readonly nextToken: string;
  /** `TF_VAR_registry_token` (the app's credential), `TF_VAR_registry_token_<key>` for a service's own. */
  readonly variable: string;
  /** The services that pull with it. */
  readonly services: readonly string[];
}

async function main(): Promise<number> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const configFile = configPathFromEnv();
  loadConfigFile(configFile); // validate the file as written first: errors name its fields, not the rewritten ones
  const raw = JSON.parse(readFileSync(configFile, "utf8")) as Parameters<typeof imagesIn>[0];
  const environment = environmentsOf(loadConfigFile(configFile))[0];
  // Throw-away tokens, passed to Terraform and the CLI only through the environment, never through argv.
  const newToken = () => `ghp_${randomBytes(18).toString("hex")}`;
  const credentials: LocalCredential[] = environment.credentials.map((c) => ({
    key: c.key,
    username: c.settings.mode === "managed" ? c.settings.username : "acme-ci-bot",
    token: newToken(),
    nextToken: newToken(),
    variable: `TF_VAR_${REGISTRY_TOKEN_VARIABLE}${c.key === "default" ? "" : `_${c.key.replace(/-/g, "_")}`}`,
    services: c.services,
  }));
  const publisher = { username: "publisher", password: randomBytes(18).toString("hex") };
  const images = imagesIn(raw);
  const repositoriesOf = (credential: LocalCredential) =>
    environment.services.filter((s) => credential.services.includes(s.name)).map((s) => pushTarget(s.settings.image).repository);

  step(`Starting a local registry (HTTPS and token auth like ghcr.io) and pushing ${images.length} image${images.length === 1 ? "" : "s"} to it`);
  const registry = await LocalRegistry.start(
    {
      kind: "token",
      style: "ghcr",
      users: [
        ...credentials.map((c) => ({ username: c.username, passwords: [c.token, c.nextToken], pull: repositoriesOf(c) })),
        { ...publisher, passwords: [publisher.password], pull: ["*"], push: ["*"] },
      ],
    },
    { tls: true },
  );
  try {
    const pushed = new Map<string, string>();
    for (const image of images) {
      const { repository, tag } = pushTarget(image);
      const result = await registry.pushImage(repository, tag, publisher);
      pushed.set(image, result.reference);
      process.stdout.write(`image ${result.reference} (${result.digest})\n`);
    }
    process.stdout.write(
      `registry on ${registry.url}, token realm ${registry.realm} (pid ${registry.pid}); its CA, trusted by the CLI below only: ${registry.caFile}\n`,
    );
    const config = parseDeploymentConfig(withImages(raw, pushed), configFile);
    return await deployAndRotate(config, configFile, registry, credentials);
  } finally {
    await registry.stop();
  }
}

async function deployAndRotate(
  config: DeploymentConfig,
  configFile: string,
  registry: LocalRegistry,
  credentials: readonly LocalCredential[],
): Promise<number> {
  const verbose = process.env.GHCR_ECS_VERBOSE === "1";
  const deployment = await EmulatedDeployment.start(config, { stream: verbose });
  step(`Started moto and synthesized ${deployment.stack} from ${path.relative(process.cwd(), configFile)}`);
  process.stdout.write(`moto on ${deployment.moto.endpoint} (pid ${deployment.moto.pid}); scratch folder ${deployment.workdir}\n`);
  try {
    const tokenEnv = Object.fromEntries(credentials.map((c) => [c.variable, c.token]));
    const allTokens = credentials.flatMap((c) => [c.token, c.nextToken]);
    // Progress from Terraform's -json output; GHCR_ECS_VERBOSE=1 streams its human output instead.
    const reporter = new ProgressReporter(process.stdout, { secrets: allTokens });
    const terraform = verbose ? deployment.terraform : deployment.terraform.withProgress(reporter);

    step("terraform apply (the load balancer takes about a minute on moto)");
    const started = Date.now();
    await terraform.apply(tokenEnv);
    if (verbose) process.stdout.write(`applied in ${Math.round((Date.now() - started) / 1000)} s\n`);

    step("Outputs");
    const outputs = await deployment.terraform.outputs();
    for (const [name, value] of Object.entries(outputs)) {
      const shown = typeof value === "string" ? value : JSON.stringify(value, null, 2).replace(/\n/g, "\n  ");
      process.stdout.write(`  ${name.padEnd(24)} ${shown}\n`);
    }

    step("Proving where the credential is, and where it is not");
    const planFile = path.join(deployment.workdir, "after-apply.tfplan");
    await terraform.plan(planFile, tokenEnv);
    const planJson = path.join(deployment.workdir, "after-apply.plan.json");
    writeFileSync(planJson, (await deployment.terraform.showJson(planFile)).stdout);

    const services = (outputs.services ?? {}) as Record<string, { credentials_secret_arn: string }>;
    const managed = deployment.environment.credentials.filter((c) => c.settings.mode === "managed");
    let storedOk = true;
    const secrets = new SecretsManagerClient(deployment.clientConfig());
    for (const model of managed) {
      const credential = credentials.find((c) => c.key === model.key)!;
      const secretArn = services[model.services[0]].credentials_secret_arn;
      const stored = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
      const value = JSON.parse(stored.SecretString ?? "{}") as Record<string, unknown>;
      const ok = value.username === credential.username && value.password === credential.token;
      storedOk = storedOk && ok;
      process.stdout.write(`  ${secretArn.split(":").pop()} holds {"username","password"} with the token: ${ok ? "yes" : "NO"}\n`);
    }
    if (managed.length === 0) process.stdout.write("  credentials.mode is existing: the secret is yours, so only the leak search applies\n");
    const leaks = allTokens.flatMap((token) => filesContaining(token, [deployment.stateFile, deployment.outdir, planJson]));
    process.stdout.write(`  tokens in state, plan JSON or cdktf.out: ${leaks.length === 0 ? "nowhere" : leaks.join(", ")}\n`);

    let operationsOk = true;
    const rotated = credentials.find((c) => managed.some((m) => m.key === c.key));
    if (rotated) {
      const outputsFile = path.join(deployment.workdir, "cdktf-outputs.json");
      writeFileSync(outputsFile, JSON.stringify({ [deployment.stack]: outputs }));
      const cliEnv = {
        ...process.env,
        ...deployment.moto.awsEnv(deployment.region),
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        NODE_EXTRA_CA_CERTS: registry.caFile,
      };
      const run = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => ghcrEcs([...args, "--outputs", outputsFile], { ...cliEnv, ...extraEnv });

      step("Proving every service's stored credential can pull its image");
      operationsOk = (await run(["credentials", "check", "--all"])) === 0;

      step(`Rotating the token of ${rotated.services.join(", ")}: check the new one, write it, check the stored value, roll every service that pulls with it`);
      const rotate = ["rotate", "--service", rotated.services[0], "--token-env", "NEW_REGISTRY_TOKEN", "--poll-interval", "1"];
      operationsOk = (await run(rotate, { NEW_REGISTRY_TOKEN: rotated.nextToken })) === 0 && operationsOk;

      step("Revoking the old token at the registry; the services' secret already holds the new one");
      registry.revoke(rotated.username, rotated.token);
      operationsOk = (await run(["credentials", "check", "--all"])) === 0 && operationsOk;

      step("Every service's state: deployments, tasks, alarms, the token's age and expiry, the latest events");
      operationsOk = (await run(["status", "--all"])) === 0 && operationsOk;

      const [first] = deployment.environment.services;
      step(`The last log lines of ${first.name} (moto runs no container: this writes the start-up lines a task would first)`);
      await writeStartupLines(deployment, first);
      operationsOk = (await run(["logs", "--service", first.name, "--since", "10m"])) === 0 && operationsOk;
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

/** What a Spring Boot task's awslogs driver would send, into the stream it would name (`<container>/<container>/<task id>`). */
async function writeStartupLines(deployment: EmulatedDeployment, service: ServiceModel): Promise<void> {
  const logGroupName = logGroupNameOf(deployment.environment, service);
  const logStreamName = `${service.ecsName}/${service.ecsName}/${randomBytes(16).toString("hex")}`;
  const logs = new CloudWatchLogsClient(deployment.clientConfig());
  try {
    await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName }));
    const now = Date.now();
    const lines = ["Starting application using Java 21", "Tomcat started on port 8080 (http) with context path '/'", "Started application in 21.4 seconds"];
    await logs.send(
      new PutLogEventsCommand({ logGroupName, logStreamName, logEvents: lines.map((message, i) => ({ timestamp: now - (lines.length - i) * 1000, message })) }),
    );
  } finally {
    logs.destroy();
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
