import { spawn } from "node:child_process";
import * as path from "node:path";
import { readdirSync, existsSync } from "node:fs";
import { CommandError, run, runOrThrow, type RunResult } from "./run";
import { terraformEnv } from "./cli-config";
import type { Diagnostic, TerraformOperation } from "./progress";
import type { ProgressReporter } from "./progress-reporter";

const INIT_TIMEOUT_MS = 120_000;
const VALIDATE_TIMEOUT_MS = 120_000;
const PLAN_TIMEOUT_MS = 300_000;
const APPLY_TIMEOUT_MS = 900_000;

/**
 * A terraform command run with `-json` failed. The message names the error diagnostics' summaries (the progress
 * reporter printed them in full); never Terraform's raw JSON, whose diagnostic snippets can quote values.
 */
export class TerraformCommandError extends CommandError {
  constructor(
    command: string,
    result: RunResult,
    readonly diagnostics: readonly Diagnostic[],
  ) {
    super(command, result);
    this.name = "TerraformCommandError";
    const errors = diagnostics.filter((d) => d.severity === "error").map((d) => (d.address ? `${d.summary} (${d.address})` : d.summary));
    const stderrTail = result.stderr.trim().split("\n").slice(-25).join("\n");
    const jsonTail = this.message;
    this.message = `${command} failed (exit ${result.code}): ${errors.length > 0 ? errors.join("; ") : stderrTail || "no error diagnostic"}`;
    // The stack's first line was written with CommandError's message, the tail of the raw JSON.
    this.stack = this.stack?.replace(jsonTail, this.message);
  }
}

/**
 * A synthesized stack directory (`cdktf.out/stacks/<name>`) driven with plain terraform and our CLI config.
 *
 * With a progress reporter (`withProgress`), `init`, `plan`, `apply` and `destroy` run with `-json` and feed each
 * stdout line to the reporter while they run; their result's stdout is then Terraform's JSON lines. Without one
 * they print and return Terraform's human output, as they always have.
 */
export class TerraformWorkdir {
  readonly env: NodeJS.ProcessEnv;

  constructor(
    readonly dir: string,
    env: NodeJS.ProcessEnv = process.env,
    private readonly stream = false,
    /** @default - no progress: human output, echoed when `stream` */
    private readonly progress?: ProgressReporter,
  ) {
    this.env = terraformEnv(env);
  }

  /** The same directory and environment, with `init`, `plan`, `apply` and `destroy` reported to `reporter`. */
  withProgress(reporter: ProgressReporter): TerraformWorkdir {
    return new TerraformWorkdir(this.dir, this.env, this.stream, reporter);
  }

  private call(args: string[], timeoutMs: number, extraEnv: NodeJS.ProcessEnv = {}): Promise<RunResult> {
    return runOrThrow("terraform", args, { cwd: this.dir, env: { ...this.env, ...extraEnv }, timeoutMs, stream: this.stream });
  }

  /** Runs `terraform <args> -json`, each stdout line into the reporter; an exit code outside `okCodes` throws. */
  private async callWithProgress(
    reporter: ProgressReporter,
    operation: TerraformOperation,
    args: string[],
    timeoutMs: number,
    extraEnv: NodeJS.ProcessEnv = {},
    okCodes: readonly number[] = [0],
  ): Promise<RunResult> {
    const jsonArgs = [args[0], "-json", ...args.slice(1)];
    const progress = reporter.start(operation);
    let result: RunResult;
    try {
      result = await runLines(
        "terraform",
        jsonArgs,
        { cwd: this.dir, env: { ...this.env, ...extraEnv }, timeoutMs },
        {
          stdout: (line) => reporter.message(line),
          stderr: (line) => reporter.line(line),
        },
      );
    } catch (error) {
      reporter.finish(error instanceof TimeoutError ? "timeout" : 1);
      throw error;
    }
    reporter.finish(result.code);
    if (!okCodes.includes(result.code)) throw new TerraformCommandError(`terraform ${jsonArgs.join(" ")}`, result, progress.diagnostics);
    return result;
  }

  init(options: { backend?: boolean } = {}): Promise<RunResult> {
    const args = ["init", "-input=false", "-no-color"];
    if (options.backend === false) args.push("-backend=false");
    if (this.progress) return this.callWithProgress(this.progress, "init", args, INIT_TIMEOUT_MS);
    return this.call(args, INIT_TIMEOUT_MS);
  }

  validate(): Promise<RunResult> {
    return this.call(["validate", "-no-color", "-json"], VALIDATE_TIMEOUT_MS);
  }

  /** Plans into `planFile`; `-detailed-exitcode` 2 (changes present) is success. */
  async plan(planFile: string, extraEnv: NodeJS.ProcessEnv = {}, extraArgs: string[] = []): Promise<RunResult> {
    const args = ["plan", "-input=false", "-no-color", "-detailed-exitcode", `-out=${planFile}`, ...extraArgs];
    if (this.progress) return this.callWithProgress(this.progress, "plan", args, PLAN_TIMEOUT_MS, extraEnv, [0, 2]);
    const result = await run("terraform", args, { cwd: this.dir, env: { ...this.env, ...extraEnv }, timeoutMs: PLAN_TIMEOUT_MS, stream: this.stream });
    if (result.code !== 0 && result.code !== 2) throw new CommandError(`terraform ${args.join(" ")}`, result);
    return result;
  }

  showJson(planFile?: string): Promise<RunResult> {
    return this.call(["show", "-json", "-no-color", ...(planFile ? [planFile] : [])], VALIDATE_TIMEOUT_MS);
  }

  apply(extraEnv: NodeJS.ProcessEnv = {}, extraArgs: string[] = []): Promise<RunResult> {
    const args = ["apply", "-input=false", "-no-color", "-auto-approve", ...extraArgs];
    if (this.progress) return this.callWithProgress(this.progress, "apply", args, APPLY_TIMEOUT_MS, extraEnv);
    return this.call(args, APPLY_TIMEOUT_MS, extraEnv);
  }

  destroy(extraEnv: NodeJS.ProcessEnv = {}): Promise<RunResult> {
    const args = ["destroy", "-input=false", "-no-color", "-auto-approve"];
    if (this.progress) return this.callWithProgress(this.progress, "destroy", args, APPLY_TIMEOUT_MS, extraEnv);
    return this.call(args, APPLY_TIMEOUT_MS, extraEnv);
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

class TimeoutError extends Error {}

/**
 * Like `run`, but hands over output a line at a time while the command runs (a last unterminated line at exit
 * too). Same time bound: SIGTERM at `timeoutMs`, SIGKILL 5 s later; never a shell.
 */
function runLines(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
  onLine: { stdout: (line: string) => void; stderr: (line: string) => void },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    const output = { stdout: "", stderr: "" };
    const pending = { stdout: "", stderr: "" };
    for (const name of ["stdout", "stderr"] as const) {
      child[name].setEncoding("utf8");
      child[name].on("data", (chunk: string) => {
        output[name] += chunk;
        const lines = (pending[name] + chunk).split("\n");
        pending[name] = lines.pop() ?? "";
        for (const line of lines) onLine[name](line.replace(/\r$/, ""));
      });
    }
    const timer = setTimeout(() => {
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 5000).unref();
      reject(new TimeoutError(`${command} ${args[0] ?? ""} did not finish within ${Math.round(options.timeoutMs / 1000)} s`));
    }, options.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      for (const name of ["stdout", "stderr"] as const) if (pending[name]) onLine[name](pending[name]);
      resolve({ code: code ?? 1, stdout: output.stdout, stderr: output.stderr });
    });
  });
}
