/**
 * `npm run synth:hcl`: the config's stacks as plain HCL (`<outdir>/stacks/<stack>/main.tf`); see src/terraform/hcl.ts.
 *
 * usage: node dist/scripts/synth-hcl.js [--outdir DIR]   (default cdktf.out/hcl; GHCR_ECS_CONFIG picks the config)
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildApp } from "../src/app";
import { stackNamesOf } from "../src/config/model";
import { ConfigError, configPathFromEnv, loadConfigFile } from "../src/config/load";
import type { TerraformDocument } from "../src/terraform/document";
import { providerSchemas, renderHcl, type ProviderSchemas } from "../src/terraform/hcl";

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (!(args.length === 0 || (args.length === 2 && args[0] === "--outdir" && args[1]))) {
    process.stderr.write("usage: synth-hcl [--outdir DIR]\n");
    process.exit(2);
  }
  const outdir = args[1] ?? path.join("cdktf.out", "hcl");
  let config;
  try {
    config = loadConfigFile(configPathFromEnv());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  const jsonOut = mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-synth-hcl-"));
  try {
    buildApp(config, { outdir: jsonOut }).synth();
    rmSync(path.join(outdir, "stacks"), { recursive: true, force: true });
    let schemas: ProviderSchemas | undefined;
    for (const stack of stackNamesOf(config)) {
      const jsonFile = path.join(jsonOut, "stacks", stack, "cdk.tf.json");
      schemas ??= await providerSchemas(jsonFile);
      const dir = path.join(outdir, "stacks", stack);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, "main.tf"), renderHcl(JSON.parse(readFileSync(jsonFile, "utf8")) as TerraformDocument, schemas));
      process.stdout.write(`${stack}: ${path.join(dir, "main.tf")}\n`);
    }
  } finally {
    rmSync(jsonOut, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
