import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App } from "cdktf";
import { exampleConfigFiles, loadConfigFile } from "./config/load";
import { ciOf, environmentsOf, type DeploymentConfig } from "./config/model";
import { CiStack } from "./stacks/ci-stack";
import { EnvironmentStack } from "./stacks/environment-stack";
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

/** The stacks one config produces: one per environment, and the CI bootstrap stack with `ci`. Validate the config first: `new App()` creates the output folder. */
export function buildApp(config: DeploymentConfig, options: BuildAppOptions = {}): App {
  const app = new App({ outdir: options.outdir });
  for (const environment of environmentsOf(config)) {
    const localStateFile = options.stateDir ? path.join(options.stateDir, `terraform.${environment.stackName}.tfstate`) : undefined;
    new EnvironmentStack(app, environment.stackName, { environment, localStateFile });
  }
  const ci = ciOf(config);
  if (ci) {
    const localStateFile = options.stateDir ? path.join(options.stateDir, `terraform.${ci.stackName}.tfstate`) : undefined;
    new CiStack(app, ci.stackName, { ci, localStateFile });
  }
  return app;
}

/** Synthesizes a config in a scratch folder (removed again) and returns each stack's document, by stack name. */
export function synthesizeStacks(config: DeploymentConfig): { readonly name: string; readonly document: TerraformDocument }[] {
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
