import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { ALL_PRESENT, FAKE, type Fixture, script, SetupFixtures, thisSystem, utility, writeExecutable } from "./fixtures";

// `node scripts/setup.js` (npm run setup) against fake installers on PATH: apt-get, sudo and python3 -m venv / pip are
// scripts that log what they were asked and "install" by writing fakes into the bin folder. Nothing real is installed.
// apt-get is only used on Debian/Ubuntu, so these cases run there (the CI machine); elsewhere setup only prints commands.

const fixtures = new SetupFixtures();
afterAll(() => fixtures.dispose());

const SUDO = typeof process.getuid === "function" && process.getuid() === 0 ? "" : "sudo ";
const LOCK = "-o DPkg::Lock::Timeout=120";
const [CHMOD, MKDIR, CP, DIRNAME] = ["chmod", "mkdir", "cp", "dirname"].map(utility);
const TOOL_OF_PACKAGE: Record<string, string> = {
  "docker-registry": "docker-registry",
  "apache2-utils": "htpasswd",
  openssl: "openssl",
  shellcheck: "shellcheck",
  jq: "jq",
};

interface Installers {
  readonly fakes: Record<string, string>;
  readonly log: string;
  /** Written into the fixture before it runs (the venv python that `python3 -m venv` copies). */
  prepare(fixture: Fixture): void;
}

/** apt-get, sudo and a python3 whose `-m venv` makes a venv whose pip "installs" moto; each logs one line per call. */
function installers(options: { aptFails?: boolean; pipFails?: boolean; ensurepip?: 0 | 1 } = {}): Installers {
  const dir = fixtures.create().dir;
  const log = path.join(dir, "installers.log");
  const template = path.join(dir, "venv-python3");
  const installs = Object.entries(TOOL_OF_PACKAGE)
    .map(([pkg, tool]) => `    ${pkg}) printf '#!/bin/sh\\nexit 0\\n' > "$BIN/${tool}"; ${CHMOD} +x "$BIN/${tool}" ;;`)
    .join("\n");
  const aptGet = script(
    [
      `echo "apt-get DEBIAN_FRONTEND=$DEBIAN_FRONTEND $*" >> '${log}'`,
      'BIN=$(cd "${0%/*}" && pwd)',
      '[ "$1" = install ] || exit 0',
      options.aptFails ? 'echo "E: Unable to locate package shellcheck" >&2\nexit 100' : "",
      'for p in "$@"; do',
      '  case "$p" in',
      installs,
      "  esac",
      "done",
    ].join("\n"),
  );
  // sudo passes VAR=value arguments into the command's environment, as the real one does.
  const sudo = script(`echo "sudo $*" >> '${log}'\nwhile [ $# -gt 0 ]; do case "$1" in *=*) export "$1"; shift ;; *) break ;; esac; done\nexec "$@"`);
  const python3 = script(
    [
      `if [ "$1 $2" = "-m venv" ]; then echo "python3 $*" >> '${log}'; ${MKDIR} -p "$3/bin" && ${CP} '${template}' "$3/bin/python3"; exit $?; fi`,
      `echo ensurepip=${options.ensurepip ?? 1}`,
      "exit 1",
    ].join("\n"),
  );
  const venvPython = script(
    [
      `here=$(${DIRNAME} "$0")`,
      `if [ "$1 $2 $3" = "-m pip install" ]; then echo "venv-python3 $*" >> '${log}'; ${options.pipFails ? "echo 'ERROR: No matching distribution' >&2; exit 1" : ': > "$here/moto-installed"'}; exit 0; fi`,
      "echo ensurepip=1",
      '[ -e "$here/moto-installed" ] || exit 1',
      "echo moto=5.2.1",
    ].join("\n"),
  );
  return {
    fakes: { "apt-get": aptGet, sudo, python3 },
    log,
    prepare: () => writeExecutable(template, venvPython),
  };
}

function setup(options: { without?: readonly string[]; fakes?: Record<string, string>; installers: Installers }) {
  const fixture = fixtures.create({ without: options.without, fakes: { ...options.installers.fakes, ...options.fakes } });
  options.installers.prepare(fixture);
  const run = fixtures.run(fixture, []);
  const log = existsSync(options.installers.log) ? readFileSync(options.installers.log, "utf8").trimEnd().split("\n") : [];
  return { run, log, fixture };
}

const onDebian = thisSystem() === "debian" ? describe : describe.skip;

onDebian("node scripts/setup.js (install) on Debian/Ubuntu", () => {
  it("installs the missing packages with one apt-get update, non-interactively and without recommends, then passes the check", () => {
    const { run, log } = setup({ without: ["htpasswd", "shellcheck"], fakes: { python3: FAKE.python3WithMoto() }, installers: installers() });
    expect(run.lines).toEqual([
      "setup: checking which tools are missing",
      `setup: ${SUDO}apt-get update`,
      `setup: ${SUDO}apt-get install -y --no-install-recommends apache2-utils shellcheck`,
      "setup: checking again",
      ALL_PRESENT,
    ]);
    expect(run.status).toBe(0);
    expect(log.filter((line) => line.startsWith("apt-get"))).toEqual([
      `apt-get DEBIAN_FRONTEND=noninteractive update -qq ${LOCK}`,
      `apt-get DEBIAN_FRONTEND=noninteractive install -y -qq --no-install-recommends ${LOCK} apache2-utils shellcheck`,
    ]);
  });

  it("runs no installer when nothing is missing", () => {
    const { run, log } = setup({ fakes: { python3: FAKE.python3WithMoto() }, installers: installers() });
    expect({ status: run.status, lines: run.lines, log }).toEqual({ status: 0, lines: ["setup: checking which tools are missing", ALL_PRESENT], log: [] });
  });

  it("puts moto into a new .venv when python3 cannot import it, without apt-get", () => {
    const { run, log, fixture } = setup({ installers: installers() });
    expect(run.lines).toEqual([
      "setup: checking which tools are missing",
      "setup: python3 -m venv .venv",
      "setup: .venv/bin/pip install 'moto[server]==5.2.1'",
      "setup: checking again",
      ALL_PRESENT,
    ]);
    expect(run.status).toBe(0);
    expect(log).toEqual([
      `python3 -m venv ${path.join(fixture.project, ".venv")}`,
      "venv-python3 -m pip install --disable-pip-version-check -q moto[server]==5.2.1",
    ]);
  });

  it("installs python3-venv first when python3 has no ensurepip", () => {
    const { run, log } = setup({ installers: installers({ ensurepip: 0 }) });
    expect(run.status).toBe(0);
    expect(log.filter((line) => line.startsWith("apt-get") && line.includes(" install "))).toEqual([
      `apt-get DEBIAN_FRONTEND=noninteractive install -y -qq --no-install-recommends ${LOCK} python3-venv`,
    ]);
  });

  it("leaves no half-made .venv when pip fails, and reports moto as still missing", () => {
    const { run, fixture } = setup({ installers: installers({ pipFails: true }) });
    expect(run.status).toBe(3);
    expect(run.stderr).toContain("setup:   failed (exit code 1); its last output:\nERROR: No matching distribution");
    expect(existsSync(path.join(fixture.project, ".venv"))).toBe(false);
    expect(run.lines.at(-2)).toMatch(/^setup: moto's server .* install: python3 -m venv \.venv && \.venv\/bin\/pip install 'moto\[server\]==5\.2\.1'$/);
  });

  it("shows apt-get's own error when it fails, then what is still missing (exit 3, no stack trace)", () => {
    const { run } = setup({ without: ["shellcheck"], fakes: { python3: FAKE.python3WithMoto() }, installers: installers({ aptFails: true }) });
    expect(run.status).toBe(3);
    expect(run.stderr).toContain("setup:   failed (exit code 100); its last output:\nE: Unable to locate package");
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.lines.slice(-2)).toEqual([
      expect.stringMatching(/^setup: shellcheck not found on PATH .*; install: (sudo )?apt-get install -y shellcheck$/),
      "setup: some tools are still missing: run the commands above, then `npm run setup` again",
    ]);
  });

  it("does not install terraform but prints its command, and exits 3", () => {
    const { run, log } = setup({ fakes: { python3: FAKE.python3WithMoto(), terraform: FAKE.terraform("1.5.7") }, installers: installers() });
    expect(run.status).toBe(3);
    expect(log).toEqual([]);
    expect(run.lines).toEqual([
      "setup: checking which tools are missing",
      "setup: cannot install terraform automatically; the command is listed below",
      "setup: checking again",
      expect.stringMatching(
        /^setup: terraform 1\.5\.7 is too old, 1\.11 or newer is needed .*; install: curl -fsSLo \/tmp\/terraform\.zip https:\/\/releases\.hashicorp\.com\//,
      ),
      "setup: some tools are still missing: run the commands above, then `npm run setup` again",
    ]);
  });
});
