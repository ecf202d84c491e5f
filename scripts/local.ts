/**
 * `npm run local`: deploy the configured stack to moto (a local AWS emulator) with a throw-away registry token,
 * show the outputs, prove the token reached Secrets Manager but not state, plan or cdktf.out, then destroy.
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ConfigError, configPathFromEnv, loadConfigFile } from "../src/config/load";
import { EmulatedDeployment } from "../src/local/emulated-deployment";
import { filesContaining } from "../src/local/leaks";
import { MissingToolError } from "../src/local/moto-server";
import { REGISTRY_TOKEN_VARIABLE } from "../src/constructs/registry-credentials";

const step = (text: string) => process.stdout.write(`\n==> ${text}\n`);

async function main(): Promise<number> {
  const configFile = configPathFromEnv();
  const config = loadConfigFile(configFile);
  step(`Starting moto and synthesizing ${config.name} from ${path.relative(process.cwd(), configFile)}`);
  const deployment = await EmulatedDeployment.start(config, { stream: process.env.GHCR_ECS_VERBOSE === "1" });
  process.stdout.write(`moto on ${deployment.moto.endpoint} (pid ${deployment.moto.pid}); scratch folder ${deployment.workdir}\n`);
  try {
    // A throw-away token: passed to Terraform only through the environment, never through argv.
    const token = `local-${randomBytes(18).toString("hex")}`;
    const tokenEnv = { [`TF_VAR_${REGISTRY_TOKEN_VARIABLE}`]: token };

    step("terraform apply (the load balancer takes about a minute on moto)");
    const started = Date.now();
    await deployment.terraform.apply(tokenEnv);
    process.stdout.write(`applied in ${Math.round((Date.now() - started) / 1000)} s\n`);

    step("Outputs");
    const outputs = await deployment.terraform.outputs();
    for (const [name, value] of Object.entries(outputs)) process.stdout.write(`  ${name.padEnd(24)} ${String(value)}\n`);

    step("Proving where the credential is, and where it is not");
    const planFile = path.join(deployment.workdir, "after-apply.tfplan");
    await deployment.terraform.plan(planFile, tokenEnv);
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

    step("terraform destroy");
    await deployment.terraform.destroy();
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
