import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { ALL_PRESENT, FAKE, type Run, script, SetupFixtures, thisSystem, VENV_INSTALL } from "./fixtures";

// `node scripts/setup.js --check`, npm test's and npm run local's pretest, with a PATH each case builds.

const HINT = "setup: run `npm run setup` to install what can be installed";
const STACK_TRACE = /^\s+at |\bError\b|node:internal/m;
const SYSTEM = thisSystem();

const fixtures = new SetupFixtures();
afterAll(() => fixtures.dispose());

/** Stand-ins for installers: the check must never start one (each leaves a marker, with a shell builtin). */
function withInstallerSpies(fakes: Record<string, string> = {}): { fakes: Record<string, string>; marker: string } {
  const marker = path.join(fixtures.create().dir, "an-installer-ran");
  const spies = Object.fromEntries(["apt-get", "sudo", "brew", "curl", "pip", "pip3"].map((name) => [name, script(`: > '${marker}'\nexit 1`)]));
  return { fakes: { ...spies, ...fakes }, marker };
}

function check(options: Parameters<SetupFixtures["create"]>[0] = {}): Run {
  return fixtures.run(fixtures.create(options), ["--check"]);
}

const INSTALL_COMMANDS: Record<string, Record<typeof SYSTEM, string>> = {
  "docker-registry": {
    debian: "apt-get install -y docker-registry",
    macos: "brew install distribution",
    other: "https://github.com/distribution/distribution",
  },
  htpasswd: { debian: "apt-get install -y apache2-utils", macos: "brew install httpd", other: "https://httpd.apache.org/" },
  openssl: { debian: "apt-get install -y openssl", macos: "brew install openssl@3", other: "https://openssl-library.org/" },
  shellcheck: { debian: "apt-get install -y shellcheck", macos: "brew install shellcheck", other: "https://github.com/koalaman/shellcheck" },
  jq: { debian: "apt-get install -y jq", macos: "brew install jq", other: "https://jqlang.org/download/" },
  python3: {
    debian: `apt-get install -y python3 python3-venv && ${VENV_INSTALL}`,
    macos: `brew install python3 && ${VENV_INSTALL}`,
    other: "https://www.python.org/downloads/",
  },
  terraform: {
    debian: "https://releases.hashicorp.com/terraform/1.11.4/terraform_1.11.4_linux_",
    macos: "brew install hashicorp/tap/terraform",
    other: process.platform === "linux" ? "https://releases.hashicorp.com/terraform/1.11.4/" : "https://developer.hashicorp.com/terraform/install",
  },
};

/** Exit 3, nothing on stdout, no stack trace, one line about `tool`, then the hint; returns that line. */
function expectOneProblemThenHint(run: Run, tool: string): string {
  expect(run.status).toBe(3);
  expect(run.stdout).toBe("");
  expect(run.stderr).not.toMatch(STACK_TRACE);
  expect(run.lines).toHaveLength(2);
  expect(run.lines.filter((line) => line.includes(tool))).toHaveLength(1);
  expect(run.lines[1]).toBe(HINT);
  return run.lines[0];
}

describe("node scripts/setup.js --check", () => {
  it("exits 0 with one short line when every tool is present", () => {
    const run = check();
    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({ status: 0, stdout: "", stderr: `${ALL_PRESENT}\n` });
  });

  it.each(Object.keys(INSTALL_COMMANDS))("names a missing %s on one line with its install command for this system, then the npm run setup hint", (tool) => {
    const line = expectOneProblemThenHint(check({ without: tool }), tool);
    expect(line).toMatch(new RegExp(`^setup: ${tool} not found on PATH \\(.+\\); install: `));
    expect(line).toContain(INSTALL_COMMANDS[tool][SYSTEM]);
  });

  it("reports each missing tool on its own line, with one exit code (3) for all", () => {
    const run = check({ without: "shellcheck", fakes: { python3: FAKE.python3WithoutMoto() } });
    expect(run.status).toBe(3);
    expect(run.lines.map((line) => /^setup: (\S+)/.exec(line)?.[1])).toEqual(["moto's", "shellcheck", "run"]);
  });

  it("reports a terraform older than 1.11 as too old, with the version it needs", () => {
    const line = expectOneProblemThenHint(check({ fakes: { terraform: FAKE.terraform("1.5.7") } }), "terraform");
    expect(line).toMatch(/^setup: terraform 1\.5\.7 is too old, 1\.11 or newer is needed for ephemeral variables and write-only arguments; install: /);
    expect(line).toContain(INSTALL_COMMANDS.terraform[SYSTEM]);
  });

  it("accepts terraform 1.11.0 and later minor versions", () => {
    expect(check({ fakes: { terraform: FAKE.terraform("1.11.0") } }).status).toBe(0);
    expect(check({ fakes: { terraform: FAKE.terraform("1.14.2") } }).status).toBe(0);
  });

  it("reports a terraform that cannot say its version", () => {
    const run = check({ fakes: { terraform: script("echo 'not terraform'\nexit 1") } });
    expect(expectOneProblemThenHint(run, "terraform")).toMatch(/did not report its version with `terraform version -json`/);
  });

  it("reports a python3 that cannot import moto with the virtual environment command", () => {
    const line = expectOneProblemThenHint(check({ fakes: { python3: FAKE.python3WithoutMoto() } }), "moto");
    expect(line).toMatch(/^setup: moto's server \(moto\[server\]==5\.2\.1\) cannot be imported by python3 \(.+\); install: /);
    expect(line.endsWith(`install: ${VENV_INSTALL}`)).toBe(true);
  });

  it("adds python3-venv to the moto command on Debian when python3 has no ensurepip", () => {
    const line = expectOneProblemThenHint(check({ fakes: { python3: FAKE.python3WithoutMoto(0) } }), "moto");
    expect(line).toContain(SYSTEM === "debian" ? `install: apt-get install -y python3-venv && ${VENV_INSTALL}` : `install: ${VENV_INSTALL}`);
  });

  it("accepts moto from the project's .venv when the system python3 has none", () => {
    const run = check({ fakes: { python3: FAKE.python3WithoutMoto() }, venvPython: FAKE.python3WithMoto() });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: `${ALL_PRESENT}\n` });
  });

  it("names both pythons when neither the .venv nor python3 can import moto", () => {
    const run = check({ fakes: { python3: FAKE.python3WithoutMoto() }, venvPython: FAKE.python3WithoutMoto() });
    expect(expectOneProblemThenHint(run, "moto's server")).toContain("cannot be imported by python3 or .venv/bin/python3");
  });

  it("warns about a moto other than 5.2.1 but passes", () => {
    const run = check({ fakes: { python3: FAKE.python3WithMoto("5.1.4") } });
    expect(run.status).toBe(0);
    expect(run.lines).toEqual([
      `setup: warning: moto 5.1.4 (python3) is not 5.2.1, the version the tests are written against; to match: ${VENV_INSTALL}`,
      ALL_PRESENT,
    ]);
  });

  it("never starts an installer, even with tools missing", () => {
    const spies = withInstallerSpies({ python3: FAKE.python3WithoutMoto(0) });
    const run = check({ without: "jq", fakes: spies.fakes });
    expect(run.status).toBe(3);
    expect(existsSync(spies.marker)).toBe(false);
  });

  it("its installer spies leave the marker when started (so the test above can fail)", () => {
    const spies = withInstallerSpies();
    const fixture = fixtures.create({ fakes: spies.fakes });
    spawnSync(path.join(fixture.bin, "apt-get"), ["install", "-y", "jq"], { env: { PATH: fixture.bin } });
    expect(existsSync(spies.marker)).toBe(true);
  });

  it("refuses an unknown argument without echoing it", () => {
    const run = fixtures.run(fixtures.create(), ["--check", "ghp_pasted"]);
    expect(run.status).toBe(2);
    expect(run.stderr).not.toContain("ghp_pasted");
  });
});
