/**
 * `npx ghcr-ecs …` in a fresh clone, as the docs tell users to type it: no dist/ yet, so the command must build the
 * project itself and then answer. The clone is the repository's files copied to a scratch folder (node_modules
 * linked, as `npm ci` would have installed them).
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

jest.setTimeout(240_000);

const ROOT = path.join(__dirname, "..", "..");
let clone: string;

beforeAll(() => {
  clone = mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-clone-"));
  const listed = spawnSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" });
  expect(listed.status).toBe(0);
  for (const file of listed.stdout.split("\n").filter((f) => f && existsSync(path.join(ROOT, f)))) {
    mkdirSync(path.dirname(path.join(clone, file)), { recursive: true });
    cpSync(path.join(ROOT, file), path.join(clone, file));
  }
  symlinkSync(path.join(ROOT, "node_modules"), path.join(clone, "node_modules"), "dir");
});
afterAll(() => rmSync(clone, { recursive: true, force: true }));

function npx(args: string[]) {
  return spawnSync("npx", ["--no-install", "ghcr-ecs", ...args], {
    cwd: clone,
    encoding: "utf8",
    timeout: 180_000,
    env: { ...process.env, npm_config_update_notifier: "false" },
  });
}

describe("npx ghcr-ecs in a clone without a build", () => {
  it("builds the project, then prints the command list (exit 0)", () => {
    expect(existsSync(path.join(clone, "dist"))).toBe(false);
    const result = npx(["--help"]);
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "building ghcr-ecs (sources changed since the last build)...\n" });
    expect(result.stdout).toMatch(/^ghcr-ecs — operate a ghcr-ecs deployment\n\nCommands:\n {2}credentials set {5}/);
    expect(result.stdout).toContain("  rotate ");
    expect(existsSync(path.join(clone, "dist", "src", "cli", "index.js"))).toBe(true);
  });

  it("runs a command's help without building again, stdout holding only the help", () => {
    const result = npx(["credentials", "check", "--help"]);
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "" });
    expect(result.stdout).toMatch(/^ghcr-ecs credentials check \[options\]\n/);
  });

  it("exits 2 on an unknown command, as the CLI itself does", () => {
    const result = npx(["deploy-everything"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('error: unknown command "deploy-everything"');
  });
});
