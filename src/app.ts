import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App } from "cdktf";
import type { Config } from "./config";
import { ec2StackName } from "./config/derive";
import { exampleConfigFiles, loadConfigFile } from "./config/load";
import { Ec2Stack } from "./stacks/ec2-stack";
import { FargateStack } from "./stacks/fargate-stack";
import { stackAddresses, type AddressManifest } from "./terraform/address-manifest";
import type { TerraformDocument } from "./terraform/document";
import { synthesizedStacks } from "./terraform/workdir";
import { projectRoot } from "./util/project-root";

export interface BuildAppOptions {
  /** @default - `CDKTF_OUTDIR`, else `cdktf.out` */
  readonly outdir?: string;
  /**
   * Folder for local state files (`terraform.<stack>.tfstate`).
   * @default - the directory synth runs from
   */
  readonly stateDir?: string;
}

/** The stacks one config produces. Validate the config first: `new App()` creates the output folder. */
export function buildApp(config: Config, options: BuildAppOptions = {}): App {
  const app = new App({ outdir: options.outdir });
  const stateFile = (stack: string) => (options.stateDir ? path.join(options.stateDir, `terraform.${stack}.tfstate`) : undefined);
  if (config.launchType !== "ec2") new FargateStack(app, config.name, { config, localStateFile: stateFile(config.name) });
  if (config.launchType !== "fargate") new Ec2Stack(app, ec2StackName(config), { config, localStateFile: stateFile(ec2StackName(config)) });
  return app;
}

/** Synthesizes a config in a scratch folder (removed again) and returns each stack's document, by stack name. */
export function synthesizeStacks(config: Config): { readonly name: string; readonly document: TerraformDocument }[] {
  const outdir = mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-synth-"));
  try {
    buildApp(config, { outdir, stateDir: outdir }).synth();
    return synthesizedStacks(outdir).map((stack) => ({
      name: stack.name,
      document: JSON.parse(readFileSync(path.join(stack.dir, "cdk.tf.json"), "utf8")) as TerraformDocument,
    }));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The resource addresses every shipped config synthesizes (see src/terraform/address-manifest.ts). */
export function exampleAddressManifest(): AddressManifest {
  const manifest: AddressManifest = {};
  for (const file of exampleConfigFiles()) {
    const stacks = synthesizeStacks(loadConfigFile(path.join(projectRoot(), file)));
    manifest[file.split(path.sep).join("/")] = Object.fromEntries(stacks.map(({ name, document }) => [name, stackAddresses(document)]));
  }
  return manifest;
}
