#!/usr/bin/env node
// The one set-up step before `npm test` and `npm run local`: the external tools they run, checked and installed.
//   node scripts/setup.js --check   fast (< 1 s, no network, installs nothing): one line per missing tool with its
//                                   install command for this system, exit 3 when anything is missing (pretest, prelocal)
//   node scripts/setup.js           installs what it can (apt-get on Debian/Ubuntu, moto into .venv), prints the
//                                   command for the rest, then runs the check and exits with its result (npm run setup)
// Plain CommonJS without dependencies: it runs before `npm ci` and before any build, and on a Node too old for the
// project (to say so), hence no `node:` imports, `?.` or `??`. Tools are found by walking PATH, as `command -v` does.
"use strict";
const fs = require("fs");
const path = require("path");
const { execFile, spawnSync } = require("child_process");

const root = path.join(__dirname, "..");
const EXIT_MISSING = 3;
const NODE_MIN_MAJOR = 20;
const TERRAFORM_MIN = [1, 11];
const TERRAFORM_TESTED = "1.11.4";
const MOTO_VERSION = "5.2.1";
const MOTO_REQUIREMENT = `moto[server]==${MOTO_VERSION}`;
const PROBE_TIMEOUT_MS = 15000;

const VENV_DIR = ".venv";
const venvPython = process.platform === "win32" ? path.join(root, VENV_DIR, "Scripts", "python.exe") : path.join(root, VENV_DIR, "bin", "python3");
const VENV_INSTALL = `python3 -m venv ${VENV_DIR} && ${VENV_DIR}/bin/pip install '${MOTO_REQUIREMENT}'`;

const system = detectSystem();
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const sudo = isRoot ? "" : "sudo ";

// --- What the tests and `npm run local` run, why, and how to install each on this system ---

/** The tools found on PATH only; `apt` is the Debian package `npm run setup` installs, `brew` the Homebrew command. */
const PATH_TOOLS = [
  {
    name: "docker-registry",
    why: "the registry tests and `npm run local` run a real CNCF distribution registry",
    apt: "docker-registry",
    brew: 'brew install distribution && ln -sf "$(brew --prefix)/bin/registry" "$(brew --prefix)/bin/docker-registry"',
    upstream: "install the registry binary from https://github.com/distribution/distribution/releases as docker-registry on PATH",
  },
  {
    name: "htpasswd",
    why: "writes the local registry's password file",
    apt: "apache2-utils",
    brew: "brew install httpd",
    upstream: "install Apache httpd's htpasswd (package apache2-utils or httpd-tools): https://httpd.apache.org/docs/current/programs/htpasswd.html",
  },
  {
    name: "openssl",
    why: "makes the key that signs the local registry's tokens",
    apt: "openssl",
    brew: "brew install openssl@3",
    upstream: "install OpenSSL: https://openssl-library.org/source/",
  },
  {
    name: "shellcheck",
    why: "the EC2 tests lint the rendered instance user data with it",
    apt: "shellcheck",
    brew: "brew install shellcheck",
    upstream: "see https://github.com/koalaman/shellcheck#installing",
  },
  {
    name: "jq",
    why: "the EC2 tests run the rendered user data, which reads JSON with jq",
    apt: "jq",
    brew: "brew install jq",
    upstream: "see https://jqlang.org/download/",
  },
];
const TOOL_COUNT = 3 + PATH_TOOLS.length; // node, terraform, python3 with moto, and the PATH-only tools

function aptCommand(packages) {
  return `${sudo}apt-get install -y ${packages.join(" ")}`;
}

function installCommand(tool) {
  if (system === "debian") return aptCommand([tool.apt]);
  if (system === "macos") return tool.brew;
  return tool.upstream;
}

function nodeInstallCommand() {
  if (system === "debian") return `curl -fsSL https://deb.nodesource.com/setup_22.x | ${sudo}bash - && ${sudo}apt-get install -y nodejs`;
  if (system === "macos") return "brew install node@22";
  return "see https://nodejs.org/en/download (Node.js 20 or newer)";
}

function terraformInstallCommand() {
  if (system === "macos") return "brew install hashicorp/tap/terraform";
  // HashiCorp's apt repository is not reachable from every machine; the release archive is.
  if (process.platform === "linux") {
    const arch = { x64: "amd64", arm64: "arm64", arm: "arm", ia32: "386" }[process.arch] || "amd64";
    const zip = `terraform_${TERRAFORM_TESTED}_linux_${arch}.zip`;
    return `curl -fsSLo /tmp/terraform.zip https://releases.hashicorp.com/terraform/${TERRAFORM_TESTED}/${zip} && ${sudo}unzip -o /tmp/terraform.zip terraform -d /usr/local/bin`;
  }
  return `see https://developer.hashicorp.com/terraform/install (${TERRAFORM_MIN.join(".")} or newer)`;
}

/** How to get moto; `pythonMissing` when python3 itself is absent, `withVenvPackage` when its venv module cannot work. */
function motoInstallCommand(pythonMissing, withVenvPackage) {
  if (pythonMissing) {
    if (system === "debian") return `${aptCommand(["python3", "python3-venv"])} && ${VENV_INSTALL}`;
    if (system === "macos") return `brew install python3 && ${VENV_INSTALL}`;
    return `install Python 3 (https://www.python.org/downloads/), then: ${VENV_INSTALL}`;
  }
  if (withVenvPackage && system === "debian") return `${aptCommand(["python3-venv"])} && ${VENV_INSTALL}`;
  return VENV_INSTALL;
}

// --- Finding and probing tools ---

function detectSystem() {
  if (process.platform === "darwin") return "macos";
  if (process.platform !== "linux") return "other";
  let osRelease = "";
  try {
    osRelease = fs.readFileSync("/etc/os-release", "utf8");
  } catch {
    return fs.existsSync("/etc/debian_version") ? "debian" : "other";
  }
  const ids = [];
  osRelease.replace(/^ID(?:_LIKE)?=["']?([^"'\n]*)["']?$/gm, (_line, value) => ids.push(...value.split(/\s+/)));
  return ids.some((id) => id === "debian" || id === "ubuntu") ? "debian" : "other";
}

function isExecutableFile(file) {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `command -v name`: the first executable file called `name` in a PATH folder (an empty entry is the current folder). */
function which(name) {
  if (name.includes("/")) return isExecutableFile(name) ? path.resolve(name) : undefined;
  const extensions = process.platform === "win32" ? ["", ...(process.env.PATHEXT || ".EXE;.CMD;.BAT").split(";")] : [""];
  for (const dir of (process.env.PATH || "").split(path.delimiter)) {
    for (const extension of extensions) {
      const candidate = path.join(dir || ".", name + extension);
      if (isExecutableFile(candidate)) return path.resolve(candidate);
    }
  }
  return undefined;
}

/** Runs a probe without a shell; resolves with its exit status and output, never rejects. */
function probe(file, args, extraEnv) {
  return new Promise((resolve) => {
    const options = { cwd: root, timeout: PROBE_TIMEOUT_MS, env: Object.assign({}, process.env, extraEnv), windowsHide: true };
    execFile(file, args, options, (error, stdout, stderr) => {
      resolve({ ok: !error, stdout: String(stdout || ""), stderr: String(stderr || ""), error });
    });
  });
}

function versionAtLeast(version, minimum) {
  const parts = version.split(/[.-]/).map((part) => parseInt(part, 10));
  for (let i = 0; i < minimum.length; i += 1) {
    const part = parts[i] >= 0 ? parts[i] : 0; // a missing or non-numeric part counts as 0
    if (part !== minimum[i]) return part > minimum[i];
  }
  return true;
}

function checkNode() {
  const version = process.versions.node;
  if (parseInt(version.split(".")[0], 10) >= NODE_MIN_MAJOR) return undefined;
  return {
    tool: "node",
    line: `node ${version} is too old, ${NODE_MIN_MAJOR} or newer is needed (the build, the tests and \`npm run local\`); install: ${nodeInstallCommand()}`,
  };
}

async function checkTerraform() {
  const why = `${TERRAFORM_MIN.join(".")} or newer is needed for ephemeral variables and write-only arguments`;
  const terraform = which("terraform");
  if (!terraform) return { tool: "terraform", line: `terraform not found on PATH (${why}); install: ${terraformInstallCommand()}` };
  // CHECKPOINT_DISABLE: `terraform version` otherwise asks checkpoint.hashicorp.com whether it is outdated.
  const result = await probe(terraform, ["version", "-json"], { CHECKPOINT_DISABLE: "1" });
  let version;
  try {
    version = JSON.parse(result.stdout).terraform_version;
  } catch {
    const plain = /Terraform v(\d+\.\d+\.\d+\S*)/.exec(result.stdout); // before 0.13 there was no -json
    version = plain ? plain[1] : undefined;
  }
  if (typeof version !== "string") {
    return {
      tool: "terraform",
      line: `terraform at ${terraform} did not report its version with \`terraform version -json\` (${why}); install: ${terraformInstallCommand()}`,
    };
  }
  if (versionAtLeast(version, TERRAFORM_MIN)) return undefined;
  return { tool: "terraform", line: `terraform ${version} is too old, ${why}; install: ${terraformInstallCommand()}` };
}

// Prints whether `python -m venv` can work (ensurepip) before importing moto's server, so both are known from one run.
const PYTHON_PROBE = [
  "import importlib.util",
  "print('ensurepip=%d' % (importlib.util.find_spec('ensurepip') is not None), flush=True)",
  "import moto.server, moto",
  "print('moto=' + moto.__version__)",
].join("\n");

async function probePython(python) {
  const result = await probe(python, ["-c", PYTHON_PROBE]);
  const field = (name) => {
    const match = new RegExp(`^${name}=(.*)$`, "m").exec(result.stdout);
    return match ? match[1].trim() : undefined;
  };
  return { python, moto: result.ok ? field("moto") || "of an unknown version" : undefined, ensurepip: field("ensurepip") !== "0" };
}

/** python3 with moto's server importable: the project's .venv when it has moto (what the emulator then uses), else python3. */
async function checkMoto() {
  const why = "moto is the local AWS emulator the integration tests and `npm run local` deploy to";
  const system3 = which("python3");
  const [venv, base] = await Promise.all([isExecutableFile(venvPython) ? probePython(venvPython) : undefined, system3 ? probePython(system3) : undefined]);
  const found = venv && venv.moto ? venv : base && base.moto ? base : undefined;
  if (found) {
    const warning =
      found.moto === MOTO_VERSION
        ? undefined
        : `warning: moto ${found.moto} (${found === venv ? `${VENV_DIR}/bin/python3` : "python3"}) is not ${MOTO_VERSION}, the version the tests are written against; to match: ${found === venv ? `${VENV_DIR}/bin/pip install '${MOTO_REQUIREMENT}'` : VENV_INSTALL}`;
    return { problem: undefined, warning };
  }
  if (!system3 && !venv) {
    return {
      problem: {
        tool: "python3",
        line: `python3 not found on PATH (it runs moto, the local AWS emulator the integration tests and \`npm run local\` deploy to); install: ${motoInstallCommand(true)}`,
      },
    };
  }
  const withVenvPackage = !venv && base !== undefined && !base.ensurepip;
  const pythons = [system3 ? "python3" : undefined, venv ? `${VENV_DIR}/bin/python3` : undefined].filter(Boolean).join(" or ");
  const line = `moto's server (${MOTO_REQUIREMENT}) cannot be imported by ${pythons} (${why}); install: ${motoInstallCommand(false, withVenvPackage)}`;
  return { problem: { tool: "moto", line }, needsVenvPackage: withVenvPackage };
}

/** Every check at once (the python and terraform probes run in parallel): the problems, warnings and facts for install. */
async function check() {
  const [terraform, moto] = await Promise.all([checkTerraform(), checkMoto()]);
  const problems = [checkNode(), terraform, moto.problem];
  const missingPathTools = PATH_TOOLS.filter((tool) => !which(tool.name));
  for (const tool of missingPathTools) {
    problems.push({ tool: tool.name, line: `${tool.name} not found on PATH (${tool.why}); install: ${installCommand(tool)}` });
  }
  return {
    problems: problems.filter(Boolean),
    warnings: moto.warning ? [moto.warning] : [],
    missingPathTools,
    pythonMissing: moto.problem !== undefined && moto.problem.tool === "python3",
    motoMissing: moto.problem !== undefined,
    needsVenvPackage: Boolean(moto.needsVenvPackage),
  };
}

function say(line) {
  process.stderr.write(`setup: ${line}\n`);
}

/** Prints the check's result; returns the exit code. */
function report(result, finalHint) {
  for (const warning of result.warnings) say(warning);
  if (result.problems.length === 0) {
    say(`all ${TOOL_COUNT} tools present`);
    return 0;
  }
  for (const problem of result.problems) say(problem.line);
  say(finalHint);
  return EXIT_MISSING;
}

// --- Install mode ---

/** Runs one install step (output kept, shown only when it fails); returns whether it succeeded. */
function runStep(label, file, args, env) {
  say(label);
  const result = spawnSync(file, args, {
    cwd: root,
    env: Object.assign({}, process.env, env),
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (!result.error && result.status === 0) return true;
  const output = `${result.stdout || ""}${result.stderr || ""}`.trim().split("\n").slice(-20).join("\n");
  const why = result.error ? result.error.message : `exit code ${result.status === null ? result.signal : result.status}`;
  say(`  failed (${why})${output ? `; its last output:\n${output}` : ""}`);
  return false;
}

function installAptPackages(packages) {
  if (packages.length === 0) return;
  const aptGet = which("apt-get");
  if (system !== "debian" || !aptGet) {
    say(`cannot install ${packages.join(", ")} here: this is not a Debian/Ubuntu system with apt-get (the commands are listed below)`);
    return;
  }
  let command = [aptGet];
  if (!isRoot) {
    const sudoPath = which("sudo");
    if (!sudoPath) {
      say(`cannot install ${packages.join(", ")}: not root and no sudo; as root run: apt-get install -y ${packages.join(" ")}`);
      return;
    }
    // sudo resets the environment; it passes VAR=value arguments on to the command.
    command = [sudoPath, "DEBIAN_FRONTEND=noninteractive", aptGet];
  }
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  const [file, ...prefix] = command;
  const lockWait = ["-o", "DPkg::Lock::Timeout=120"];
  if (!runStep(`${sudo}apt-get update`, file, [...prefix, "update", "-qq", ...lockWait], env)) return;
  runStep(
    `${sudo}apt-get install -y --no-install-recommends ${packages.join(" ")}`,
    file,
    [...prefix, "install", "-y", "-qq", "--no-install-recommends", ...lockWait, ...packages],
    env,
  );
}

function installMotoIntoVenv() {
  const python = which("python3");
  if (!python) {
    say("cannot create the moto environment: python3 is still not on PATH");
    return;
  }
  const venvDir = path.join(root, VENV_DIR);
  const created = !isExecutableFile(venvPython);
  const removeIfCreated = () => {
    if (created) fs.rmSync(venvDir, { recursive: true, force: true }); // no half-made environment for the emulator to find
  };
  if (created && !runStep(`python3 -m venv ${VENV_DIR}`, python, ["-m", "venv", venvDir])) {
    removeIfCreated();
    return;
  }
  if (!isExecutableFile(venvPython)) {
    say(`  failed: python3 -m venv made no ${path.relative(root, venvPython)}`);
    removeIfCreated();
    return;
  }
  if (
    !runStep(`${VENV_DIR}/bin/pip install '${MOTO_REQUIREMENT}'`, venvPython, ["-m", "pip", "install", "--disable-pip-version-check", "-q", MOTO_REQUIREMENT])
  ) {
    removeIfCreated();
  }
}

async function install() {
  say("checking which tools are missing");
  const before = await check();
  if (before.problems.length === 0) return report(before);
  const packages = before.missingPathTools.map((tool) => tool.apt);
  if (before.pythonMissing) packages.push("python3", "python3-venv");
  else if (before.needsVenvPackage) packages.push("python3-venv");
  installAptPackages(packages.filter((name, index) => packages.indexOf(name) === index));
  if (before.motoMissing) installMotoIntoVenv();
  for (const problem of before.problems) {
    if (problem.tool === "terraform" || problem.tool === "node") say(`cannot install ${problem.tool} automatically; the command is listed below`);
  }
  say("checking again");
  return report(await check(), "some tools are still missing: run the commands above, then `npm run setup` again");
}

async function main(args) {
  const known = new Set(["--check", "--help", "-h"]);
  if (args.some((arg) => !known.has(arg))) {
    // The argument itself is not echoed: it could be something pasted by mistake (a token).
    process.stderr.write("setup: unknown argument; usage: node scripts/setup.js [--check]\n");
    return 2;
  }
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(
      "usage: node scripts/setup.js [--check]\n" +
        "  --check   report missing tools with their install commands (exit 3 when any is missing); installs nothing\n" +
        "  (none)    install what is missing (apt-get on Debian/Ubuntu, moto into .venv), then check\n",
    );
    return 0;
  }
  if (args.includes("--check")) return report(await check(), "run `npm run setup` to install what can be installed");
  return install();
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`setup: unexpected error: ${error && error.message ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
