import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildApp } from "../app";
import { stackNames } from "../config/derive";
import type { Config } from "../config";
import { TerraformWorkdir } from "../terraform/workdir";
import { isInstalled } from "../terraform/run";
import { MissingToolError, startMoto, type MotoServer } from "./moto-server";

export const TERRAFORM_INSTALL_HELP =
  "Install Terraform 1.11 or newer (ephemeral variables and write-only arguments need it):\n" +
  "  https://developer.hashicorp.com/terraform/install — or on Debian/Ubuntu: apt-get install terraform (HashiCorp's apt repository)\n" +
  "then check it with: terraform version";

/** One config synthesized into a scratch folder and initialised against a fresh moto server. */
export class EmulatedDeployment {
  readonly stackDir: string;
  readonly outdir: string;
  readonly stateFile: string;
  readonly terraform: TerraformWorkdir;

  private constructor(
    readonly config: Config,
    readonly moto: MotoServer,
    readonly workdir: string,
    stream: boolean,
    /** The stack this deployment drives (a config may synthesize two). */
    readonly stack: string,
  ) {
    this.outdir = path.join(workdir, "cdktf.out");
    buildApp(config, { outdir: this.outdir, stateDir: workdir }).synth();
    this.stackDir = path.join(this.outdir, "stacks", stack);
    this.stateFile = path.join(workdir, `terraform.${stack}.tfstate`);
    this.terraform = new TerraformWorkdir(this.stackDir, { ...process.env, ...moto.awsEnv(config.region) }, stream);
  }

  /**
   * Starts moto, synthesizes and runs `terraform init`. moto's services start no tasks; `MOTO_ECS_SERVICE_RUNNING`
   * makes each deployment report the desired count running, so `wait_for_steady_state` can finish.
   */
  static async start(
    config: Config,
    options: {
      stream?: boolean;
      motoSettings?: Record<string, string>;
      /** @default - the config's first stack: `<name>`, or `<name>-ec2` for launchType "ec2" */
      stack?: string;
    } = {},
  ): Promise<EmulatedDeployment> {
    const stack = options.stack ?? stackNames(config)[0];
    if (!stackNames(config).includes(stack)) throw new Error(`stack ${stack} is not one of this config's stacks: ${stackNames(config).join(", ")}`);
    if (!isInstalled("terraform", ["version"])) throw new MissingToolError("terraform", TERRAFORM_INSTALL_HELP);
    const moto = await startMoto({ settings: { MOTO_ECS_SERVICE_RUNNING: String(config.desiredCount), ...options.motoSettings } });
    const workdir = mkdtempSync(path.join(os.tmpdir(), `ghcr-ecs-${config.name}-`));
    try {
      const deployment = new EmulatedDeployment(config, moto, workdir, options.stream ?? false, stack);
      await deployment.terraform.init();
      return deployment;
    } catch (error) {
      await moto.stop();
      rmSync(workdir, { recursive: true, force: true });
      throw error;
    }
  }

  /** SDK client settings for this emulator (the SDK would read the same from AWS_ENDPOINT_URL). */
  clientConfig() {
    return {
      region: this.config.region,
      endpoint: this.moto.endpoint,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing", sessionToken: "testing" },
    };
  }

  /** Stops moto and deletes the scratch folder. */
  async dispose(): Promise<void> {
    await this.moto.stop();
    rmSync(this.workdir, { recursive: true, force: true });
  }
}
