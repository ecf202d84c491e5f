import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { freeLoopbackPort } from "../util/free-port";
import { projectRoot } from "../util/project-root";
import { findMotoPython } from "./python";

export class MissingToolError extends Error {
  constructor(tool: string, howToInstall: string) {
    super(`${tool} is not installed.\n${howToInstall}`);
    this.name = "MissingToolError";
  }
}

export const MOTO_INSTALL_HELP =
  "Install moto's server (5.2.1 is what this project is tested with):\n" +
  "  npm run setup   (puts moto into the project's .venv when python3 cannot import it)\n" +
  "or by hand: python3 -m venv .venv && .venv/bin/pip install 'moto[server]==5.2.1'\n" +
  "then check it with: node scripts/setup.js --check";

/** moto's server with the API gaps the AWS provider trips on filled (src/emulator/moto_server.py says which). */
export const MOTO_SERVER_SCRIPT = path.join(projectRoot(), "src", "emulator", "moto_server.py");

export interface MotoOptions {
  /** Settings moto reads at start (e.g. MOTO_ECS_SERVICE_RUNNING); they cannot be changed later. */
  readonly settings?: Record<string, string>;
  /** @default 30000 */
  readonly startTimeoutMs?: number;
  /**
   * A Python script to run instead (it takes the same `-H`/`-p` arguments); tests use one that patches moto further
   * to emulate behaviour it lacks.
   * @default MOTO_SERVER_SCRIPT
   */
  readonly script?: string;
}

export interface MotoServer {
  readonly endpoint: string;
  readonly pid: number;
  /** Environment that points the AWS SDK v3 and Terraform's AWS provider at this server. */
  awsEnv(region: string): NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/** The python that can import moto's server (`.venv/bin/python3` first, then `python3`); throws when none can. */
function assertMotoInstalled(env: NodeJS.ProcessEnv): string {
  const python = findMotoPython(projectRoot(), env);
  if (python === undefined) throw new MissingToolError("moto (python3 -m moto.server)", MOTO_INSTALL_HELP);
  return python;
}

/** Starts moto on a free loopback port and waits (bounded) until it answers. */
export async function startMoto(options: MotoOptions = {}): Promise<MotoServer> {
  const env = { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: "true", ...options.settings };
  const python = assertMotoInstalled(env);
  const port = await freeLoopbackPort();
  const child = spawn(python, [options.script ?? MOTO_SERVER_SCRIPT, "-H", "127.0.0.1", "-p", String(port)], {
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(`${endpoint}/moto-api/data.json`, child, options.startTimeoutMs ?? 30000);
  } catch (error) {
    await stopProcess(child);
    throw new Error(`${(error as Error).message}\nmoto's last output:\n${stderr}`);
  }
  return {
    endpoint,
    pid: child.pid as number,
    awsEnv: (region: string) => ({
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: "testing",
      AWS_SECRET_ACCESS_KEY: "testing",
      AWS_SESSION_TOKEN: "testing",
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_PROFILE: "",
      AWS_EC2_METADATA_DISABLED: "true",
    }),
    stop: () => stopProcess(child),
  };
}

async function waitUntilAnswering(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto exited with code ${child.exitCode} before answering`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`moto did not answer at ${url} within ${timeoutMs / 1000} s`);
}

/** SIGTERM, then SIGKILL after 5 s; resolves once the process is gone. */
export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
