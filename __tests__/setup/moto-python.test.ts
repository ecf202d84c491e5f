import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { MOTO_INSTALL_HELP } from "../../src/emulator/moto-server";
import { findMotoPython, venvPython } from "../../src/emulator/python";

// The emulator picks its python the way `node scripts/setup.js --check` does: the project's .venv when it can import
// moto's server, else python3 from PATH.

const scratch = mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-moto-python-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const OK = "#!/bin/sh\nexit 0\n";
const NO_MOTO = "#!/bin/sh\necho \"ModuleNotFoundError: No module named 'moto'\" >&2\nexit 1\n";

let counter = 0;
/** A project root with an optional .venv python, and an environment whose PATH is a bin folder with an optional python3. */
function given(options: { venv?: string; python3?: string }): [string, NodeJS.ProcessEnv] {
  const dir = path.join(scratch, String((counter += 1)));
  const bin = path.join(dir, "bin");
  mkdirSync(bin, { recursive: true });
  if (options.python3 !== undefined) writeFileSync(path.join(bin, "python3"), options.python3, { mode: 0o755 });
  if (options.venv !== undefined) {
    mkdirSync(path.dirname(venvPython(dir)), { recursive: true });
    writeFileSync(venvPython(dir), options.venv, { mode: 0o755 });
  }
  return [dir, { PATH: bin }];
}

describe("findMotoPython", () => {
  it("uses the project's .venv/bin/python3 when it can import moto's server", () => {
    const [root, env] = given({ venv: OK, python3: OK });
    expect(findMotoPython(root, env)).toBe(path.join(root, ".venv", "bin", "python3"));
  });

  it("falls back to python3 from PATH when the .venv has no moto", () => {
    expect(findMotoPython(...given({ venv: NO_MOTO, python3: OK }))).toBe("python3");
  });

  it("uses python3 from PATH when there is no .venv", () => {
    expect(findMotoPython(...given({ python3: OK }))).toBe("python3");
  });

  it("finds none when neither can import moto (or python3 is absent)", () => {
    expect(findMotoPython(...given({ venv: NO_MOTO, python3: NO_MOTO }))).toBeUndefined();
    expect(findMotoPython(...given({}))).toBeUndefined();
  });
});

describe("MOTO_INSTALL_HELP", () => {
  it("points at the set-up step and the same virtual environment the check accepts", () => {
    expect(MOTO_INSTALL_HELP).toContain("npm run setup");
    expect(MOTO_INSTALL_HELP).toContain("python3 -m venv .venv && .venv/bin/pip install 'moto[server]==5.2.1'");
    expect(MOTO_INSTALL_HELP).toContain("node scripts/setup.js --check");
  });
});
