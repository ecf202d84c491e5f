import { spawn, spawnSync } from "node:child_process";

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** The call is killed after this long. */
  readonly timeoutMs: number;
  /** Echo output while it runs (for scripts a person watches). */
  readonly stream?: boolean;
}

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly result: RunResult,
  ) {
    const tail = (result.stderr || result.stdout).trim().split("\n").slice(-25).join("\n");
    super(`${command} failed (exit ${result.code}):\n${tail}`);
    this.name = "CommandError";
  }
}

/** Runs a command to completion within a time bound; never uses a shell, so arguments are not re-parsed. */
export function run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk;
      if (options.stream) process.stdout.write(chunk);
    });
    child.stderr.on("data", (chunk: string) => {
      stderr += chunk;
      if (options.stream) process.stderr.write(chunk);
    });
    const timer = setTimeout(() => {
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 5000).unref();
      reject(new Error(`${command} ${args[0] ?? ""} did not finish within ${Math.round(options.timeoutMs / 1000)} s`));
    }, options.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

/** Like `run`, but a non-zero exit is an error carrying the output's tail. */
export async function runOrThrow(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new CommandError(`${command} ${args.join(" ")}`, result);
  return result;
}

/** Whether a program is on PATH (answers its --version). */
export function isInstalled(command: string, versionArgs: readonly string[] = ["--version"]): boolean {
  const probe = spawnSync(command, versionArgs, { stdio: "ignore", timeout: 20000 });
  return probe.status === 0;
}
