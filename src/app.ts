import * as path from "node:path";
import { App } from "cdktf";
import type { Config } from "./config";
import { FargateStack } from "./stacks/fargate-stack";
import { ec2StackName } from "./config/derive";
import { Ec2Stack } from "./stacks/ec2-stack";

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
