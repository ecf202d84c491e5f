import * as path from "node:path";
import { readdirSync, existsSync } from "node:fs";
import { CommandError, run, runOrThrow, type RunResult } from "./run";
import { terraformEnv } from "./cli-config";

const INIT_TIMEOUT_MS = 120_000;
const VALIDATE_TIMEOUT_MS = 120_000;
const PLAN_TIMEOUT_MS = 300_000;
const APPLY_TIMEOUT_MS = 900_000;

/** A synthesized stack directory (`cdktf.out/stacks/<name>`) driven with plain terraform and our CLI config. */
export class TerraformWorkdir {
  readonly env: NodeJS.ProcessEnv;

  constructor(
    readonly dir: string,
    env: NodeJS.ProcessEnv = process.env,
    private readonly stream = false,
  ) {
    this.env = terraformEnv(env);
  }

  private call(args: string[], timeoutMs: number, extraEnv: NodeJS.ProcessEnv = {}): Promise<RunResult> {
    return runOrThrow("terraform", args, { cwd: this.dir, env: { ...this.env, ...extraEnv }, timeoutMs, stream: this.stream });
  }

  init(options: { backend?: boolean } = {}): Promise<RunResult> {
    const args = ["init", "-input=false", "-no-color"];
    if (options.backend === false) args.push("-backend=false");
    return this.call(args, INIT_TIMEOUT_MS);
  }

  validate(): Promise<RunResult> {
    return this.call(["validate", "-no-color", "-json"], VALIDATE_TIMEOUT_MS);
  }

  /** Plans into `planFile`; `-detailed-exitcode` 2 (changes present) is success. */
  async plan(planFile: string, extraEnv: NodeJS.ProcessEnv = {}, extraArgs: string[] = []): Promise<RunResult> {
    const args = ["plan", "-input=false", "-no-color", "-detailed-exitcode", `-out=${planFile}`, ...extraArgs];
    const result = await run("terraform", args, { cwd: this.dir, env: { ...this.env, ...extraEnv }, timeoutMs: PLAN_TIMEOUT_MS, stream: this.stream });
    if (result.code !== 0 && result.code !== 2) throw new CommandError(`terraform ${args.join(" ")}`, result);
    return result;
  }

  showJson(planFile?: string): Promise<RunResult> {
    return this.call(["show", "-json", "-no-color", ...(planFile ? [planFile] : [])], VALIDATE_TIMEOUT_MS);
  }

  apply(extraEnv: NodeJS.ProcessEnv = {}, extraArgs: string[] = []): Promise<RunResult> {
    return this.call(["apply", "-input=false", "-no-color", "-auto-approve", ...extraArgs], APPLY_TIMEOUT_MS, extraEnv);
  }

  destroy(extraEnv: NodeJS.ProcessEnv = {}): Promise<RunResult> {
    return this.call(["destroy", "-input=false", "-no-color", "-auto-approve"], APPLY_TIMEOUT_MS, extraEnv);
  }

  async outputs(): Promise<Record<string, unknown>> {
    const result = await this.call(["output", "-json", "-no-color"], VALIDATE_TIMEOUT_MS);
    const raw = JSON.parse(result.stdout) as Record<string, { value: unknown }>;
    return Object.fromEntries(Object.entries(raw).map(([name, output]) => [name, output.value]));
  }
}

/** The stack directories a synth wrote (`<outdir>/stacks/*`). */
export function synthesizedStacks(outdir: string): { name: string; dir: string }[] {
  const stacksDir = path.join(outdir, "stacks");
  if (!existsSync(stacksDir)) return [];
  return readdirSync(stacksDir)
    .filter((name) => existsSync(path.join(stacksDir, name, "cdk.tf.json")))
    .map((name) => ({ name, dir: path.join(stacksDir, name) }));
}
