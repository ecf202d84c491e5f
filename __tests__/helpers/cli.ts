import { execFileSync, spawn } from "node:child_process";
import * as path from "node:path";

/** The compiled bin (`npm run build` first; `npm test` does). */
export const CLI = path.join(__dirname, "..", "..", "dist", "src", "cli", "index.js");

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
  /** `ps -eo args` snapshots taken every 100 ms while the CLI ran (with `sampleProcessList`). */
  readonly processList: string[];
}

export interface CliOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly stdin?: string;
  /** SIGKILL after this long. @default 60000 */
  readonly timeoutMs?: number;
  readonly sampleProcessList?: boolean;
  /** Called once the process is started. */
  readonly onStart?: () => void;
  /** Called with stdout so far on every chunk; the first time it returns true, the CLI gets SIGINT (Ctrl-C). */
  readonly interruptWhen?: (stdout: string) => boolean;
}

/** Runs the compiled `ghcr-ecs` in a child process, as users run it. */
export function runCli(args: readonly string[], options: CliOptions): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], { env: options.env, cwd: options.cwd, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const processList: string[] = [];
    let interrupted = false;
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      if (!interrupted && options.interruptWhen?.(stdout)) {
        interrupted = true;
        child.kill("SIGINT");
      }
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const sampler = options.sampleProcessList
      ? setInterval(() => {
          try {
            processList.push(execFileSync("ps", ["-eo", "args"], { encoding: "utf8" }));
          } catch {
            // ps raced with an exiting process
          }
        }, 100)
      : undefined;
    const killer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60000);
    child.on("error", reject);
    child.on("close", (code) => {
      if (sampler) clearInterval(sampler);
      clearTimeout(killer);
      resolve({ code, stdout, stderr, seconds: (Date.now() - started) / 1000, processList });
    });
    child.stdin.end(options.stdin ?? "");
    options.onStart?.();
  });
}
