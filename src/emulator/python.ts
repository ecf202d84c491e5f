import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { projectRoot } from "../util/project-root";

// Which python runs moto: the same choice `node scripts/setup.js --check` makes (keep the two in step). `npm run setup`
// puts moto into the project's own virtual environment when the system python3 cannot import it.

/** The project-local virtual environment's interpreter (`.venv/bin/python3`), whether or not it exists. */
export function venvPython(root: string = projectRoot()): string {
  return process.platform === "win32" ? path.join(root, ".venv", "Scripts", "python.exe") : path.join(root, ".venv", "bin", "python3");
}

/** Whether `python` (a path, or a name looked up on `env`'s PATH) can import moto's server. */
export function canImportMotoServer(python: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const probe = spawnSync(python, ["-c", "import moto.server"], { env, stdio: "ignore", timeout: 30000 });
  return !probe.error && probe.status === 0;
}

/**
 * The python to start moto with: `.venv/bin/python3` when it exists and can import moto's server, else `python3` from
 * `env`'s PATH when it can (pass the environment moto will be started with).
 * @returns undefined when neither can
 */
export function findMotoPython(root: string = projectRoot(), env: NodeJS.ProcessEnv = process.env): string | undefined {
  const local = venvPython(root);
  if (existsSync(local) && canImportMotoServer(local, env)) return local;
  return canImportMotoServer("python3", env) ? "python3" : undefined;
}
