import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildApp } from "../app";
import { environmentsOf, type DeploymentConfig, type EnvironmentModel } from "../config/model";
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
  /** The stack this deployment drives. */
  readonly stack: string;
  readonly region: string;

  private constructor(
    readonly config: DeploymentConfig,
    readonly moto: MotoServer,
    readonly workdir: string,
    stream: boolean,
    /** The environment (stack) this deployment drives; a config may have several. */
    readonly environment: EnvironmentModel,
  ) {
    this.outdir = path.join(workdir, "cdktf.out");
    buildApp(config, { outdir: this.outdir, stateDir: workdir }).synth();
    this.stack = environment.stackName;
    this.region = environment.region;
    this.stackDir = path.join(this.outdir, "stacks", this.stack);
    this.stateFile = path.join(workdir, `terraform.${this.stack}.tfstate`);
    this.terraform = new TerraformWorkdir(this.stackDir, { ...process.env, ...moto.awsEnv(this.region) }, stream);
  }

  /**
   * Starts moto, synthesizes and runs `terraform init`. moto's services start no tasks; `MOTO_ECS_SERVICE_RUNNING`
   * makes each deployment report the desired count running, so `wait_for_steady_state` can finish.
   */
  static async start(
    config: DeploymentConfig,
    options: {
      stream?: boolean;
      motoSettings?: Record<string, string>;
      /** @default - src/emulator/moto_server.py (see `MotoOptions.script`) */
      motoScript?: string;
      /** @default - the config's first stack: `<name>`, or `<name>-ec2` for launchType "ec2" */
      stack?: string;
    } = {},
  ): Promise<EmulatedDeployment> {
    const environments = environmentsOf(config);
    const environment = options.stack === undefined ? environments[0] : environments.find((env) => env.stackName === options.stack);
    if (!environment) throw new Error(`stack ${options.stack} is not one of this config's stacks: ${environments.map((env) => env.stackName).join(", ")}`);
    if (!isInstalled("terraform", ["version"])) throw new MissingToolError("terraform", TERRAFORM_INSTALL_HELP);
    // moto reports this many tasks running for every service; a deployment counts as COMPLETED with at least desired.
    const running = Math.max(...environment.services.map((service) => service.settings.desiredCount));
    const moto = await startMoto({
      settings: { MOTO_ECS_SERVICE_RUNNING: String(running), ...options.motoSettings },
      ...(options.motoScript ? { script: options.motoScript } : {}),
    });
    const workdir = mkdtempSync(path.join(os.tmpdir(), `ghcr-ecs-${environment.stackName}-`));
    try {
      const deployment = new EmulatedDeployment(config, moto, workdir, options.stream ?? false, environment);
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
      region: this.region,
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
