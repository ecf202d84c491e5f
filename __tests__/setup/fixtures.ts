import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

// Scratch projects for running scripts/setup.js the way npm does, with a PATH the test builds: a bin folder of
// symlinks to this machine's real tools (tiny fakes where it lacks one), minus or plus what each case needs. The script
// runs from a copy in the scratch project, so the repository's own .venv cannot answer for python3.

const SETUP_SCRIPT = path.join(__dirname, "..", "..", "scripts", "setup.js");
export const TOOL_NAMES = ["terraform", "python3", "docker-registry", "htpasswd", "openssl", "shellcheck", "jq"] as const;
export const ALL_PRESENT = "setup: all 8 tools present";
export const VENV_INSTALL = "python3 -m venv .venv && .venv/bin/pip install 'moto[server]==5.2.1'";

/** What the test machine's own PATH has, by `command -v`. */
export function commandV(name: string): string | undefined {
  const result = spawnSync("sh", ["-c", 'command -v "$1"', "sh", name], { encoding: "utf8" });
  const found = result.stdout.trim();
  return result.status === 0 && path.isAbsolute(found) ? found : undefined;
}

/** A /bin/sh script; a fake's PATH is the scratch bin folder, so it uses shell builtins or absolute paths only. */
export function script(body: string): string {
  return `#!/bin/sh\n${body}\n`;
}

/** Absolute path of a system utility for the fakes (`chmod`, `mkdir`, ...). */
export function utility(name: string): string {
  const found = commandV(name);
  if (!found) throw new Error(`the test machine has no ${name}`);
  return found;
}

export const FAKE = {
  /** Answers setup.js's probe (ensurepip, then moto's version) as a python3 with moto. */
  python3WithMoto: (version = "5.2.1") => script(`echo ensurepip=1\necho moto=${version}`),
  python3WithoutMoto: (ensurepip = 1) => script(`echo ensurepip=${ensurepip}\necho "ModuleNotFoundError: No module named 'moto'" >&2\nexit 1`),
  terraform: (version: string) =>
    script(`if [ "$1 $2" = "version -json" ]; then echo '{"terraform_version":"${version}","platform":"linux_amd64"}'; else echo "Terraform v${version}"; fi`),
  present: script("exit 0"),
};

type Tool = { link: string } | { fake: string };

/**
 * Each tool the check looks for: the real one from this machine when it is there and good enough (python3 resolved to
 * its interpreter, because a pyenv-style shim needs the rest of PATH), else a tiny fake.
 */
function realOrFake(): Record<string, Tool> {
  const tools: Record<string, Tool> = {};
  const terraform = commandV("terraform");
  const version = terraform ? spawnSync(terraform, ["version", "-json"], { encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" } }).stdout : "";
  const recentEnough = /"terraform_version":\s*"1\.(1[1-9]|[2-9]\d)\./.test(version);
  tools.terraform = terraform && recentEnough ? { link: terraform } : { fake: FAKE.terraform("1.11.4") };
  const python = commandV("python3");
  const probe = python
    ? spawnSync(python, ["-c", "import sys, moto.server, moto; print(moto.__version__); print(sys.executable)"], { encoding: "utf8" })
    : undefined;
  const [motoVersion, executable] = probe && probe.status === 0 ? probe.stdout.trim().split("\n") : [];
  tools.python3 = motoVersion === "5.2.1" && executable ? { link: executable } : { fake: FAKE.python3WithMoto() };
  for (const name of ["docker-registry", "htpasswd", "openssl", "shellcheck", "jq"]) {
    const real = commandV(name);
    tools[name] = real ? { link: real } : { fake: FAKE.present };
  }
  return tools;
}

/** The install commands the check prints for this machine: the script's own choice (os-release / platform). */
export function thisSystem(): "debian" | "macos" | "other" {
  if (process.platform === "darwin") return "macos";
  if (process.platform !== "linux") return "other";
  if (!existsSync("/etc/os-release")) return existsSync("/etc/debian_version") ? "debian" : "other";
  const ids = [...readFileSync("/etc/os-release", "utf8").matchAll(/^ID(?:_LIKE)?=["']?([^"'\n]*)/gm)].flatMap((match) => match[1].split(/\s+/));
  return ids.includes("debian") || ids.includes("ubuntu") ? "debian" : "other";
}

export interface Fixture {
  readonly dir: string;
  readonly bin: string;
  readonly project: string;
}

export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly lines: string[];
}

export interface FixtureOptions {
  /** Tools left out of the bin folder. */
  readonly without?: string | readonly string[];
  /** Scripts to use instead of (or besides) the real tools, by name. */
  readonly fakes?: Record<string, string>;
  /** A script for the scratch project's `.venv/bin/python3`. */
  readonly venvPython?: string;
}

export class SetupFixtures {
  private readonly scratch = mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-setup-"));
  private readonly tools = realOrFake();
  private counter = 0;

  /** A scratch project (a copy of scripts/setup.js) and its bin folder. */
  create(options: FixtureOptions = {}): Fixture {
    const dir = path.join(this.scratch, String((this.counter += 1)));
    const bin = path.join(dir, "bin");
    const project = path.join(dir, "project");
    mkdirSync(bin, { recursive: true });
    mkdirSync(path.join(project, "scripts"), { recursive: true });
    copyFileSync(SETUP_SCRIPT, path.join(project, "scripts", "setup.js"));
    const without: readonly string[] = typeof options.without === "string" ? [options.without] : (options.without ?? []);
    for (const [name, tool] of Object.entries(this.tools)) {
      if (without.includes(name) || options.fakes?.[name] !== undefined) continue;
      if ("link" in tool) symlinkSync(tool.link, path.join(bin, name));
      else writeExecutable(path.join(bin, name), tool.fake);
    }
    for (const [name, text] of Object.entries(options.fakes ?? {})) writeExecutable(path.join(bin, name), text);
    if (options.venvPython !== undefined) {
      mkdirSync(path.join(project, ".venv", "bin"), { recursive: true });
      writeExecutable(path.join(project, ".venv", "bin", "python3"), options.venvPython);
    }
    return { dir, bin, project };
  }

  /** `node scripts/setup.js [args]` in the fixture, with PATH = its bin folder only. */
  run(fixture: Fixture, args: readonly string[]): Run {
    const result = spawnSync(process.execPath, [path.join(fixture.project, "scripts", "setup.js"), ...args], {
      cwd: fixture.project,
      env: { PATH: fixture.bin, HOME: process.env.HOME ?? os.tmpdir() },
      encoding: "utf8",
      timeout: 20000,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, lines: result.stderr.trimEnd().split("\n") };
  }

  dispose(): void {
    rmSync(this.scratch, { recursive: true, force: true });
  }
}

export function writeExecutable(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o755 });
}
