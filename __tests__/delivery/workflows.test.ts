import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { parse as parseYaml } from "yaml";
import { runCli } from "../../src/cli/index";
import { PLAN_COMMENT_MARKER } from "../../src/plan-summary/markdown";
import { MUTATION_TARGET_PERCENT } from "../../scripts/mutation";

jest.setTimeout(60_000);

const ROOT = path.join(__dirname, "..", "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const PARSER = path.join(__dirname, "parse-workflows.mjs");
const packageScripts = Object.keys((JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts);

interface ParseResult {
  file: string;
  errors: string[];
  template: {
    events: Record<string, unknown>;
    jobs: { id: string; steps: { uses?: string; run?: string; if?: { expr: string } }[] }[];
    errors?: { Message: string }[];
  } | null;
}

/** GitHub's workflow parser (an ES module, so in a child process). */
function parseWorkflows(...files: string[]): ParseResult[] {
  return JSON.parse(execFileSync(process.execPath, [PARSER, ...files], { cwd: ROOT, encoding: "utf8" })) as ParseResult[];
}

interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  "continue-on-error"?: boolean;
}
interface Job {
  permissions?: Record<string, string> | string;
  environment?: string;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string> | string;
  concurrency: { group: string; "cancel-in-progress": boolean };
  jobs: Record<string, Job>;
}

const files = { pr: path.join(WORKFLOWS, "pr.yml"), deploy: path.join(WORKFLOWS, "deploy.yml") };
const text = { pr: readFileSync(files.pr, "utf8"), deploy: readFileSync(files.deploy, "utf8") };
const yaml = { pr: parseYaml(text.pr) as Workflow, deploy: parseYaml(text.deploy) as Workflow };
const allSteps = (wf: Workflow) => Object.values(wf.jobs).flatMap((job) => job.steps);
const runScripts = (wf: Workflow) => allSteps(wf).flatMap((s) => (s.run ? [s.run] : []));

/** Actions pinned to commits, with the release each commit is (cross-checked against public pins; see the README). */
const PINS: Record<string, { sha: string; version: string }> = {
  "actions/checkout": { sha: "11bd71901bbe5b1630ceea73d27597364c9af683", version: "v4.2.2" },
  "actions/setup-node": { sha: "49933ea5288caeca8642d1e84afbd3f7d6820020", version: "v4.4.0" },
  "hashicorp/setup-terraform": { sha: "b9cd54a3c349d3f38e8881555d616ced269862dd", version: "v3.1.2" },
  "aws-actions/configure-aws-credentials": { sha: "e3dd6a429d7300a6a4c196c26e071d42e0343502", version: "v4.0.2" },
  "actions/github-script": { sha: "60a0d83039c74a4aee543508d2ffcb1c3799cdea", version: "v7.0.1" },
  "actions/upload-artifact": { sha: "ea165f8d65b6e75b540449e92b4886f43607fa02", version: "v4.6.2" },
};

describe("GitHub's workflow parser", () => {
  const results = parseWorkflows(files.pr, files.deploy);

  it.each([0, 1])("accepts workflow %i with no errors and converts it", (i) => {
    expect(results[i].errors).toEqual([]);
    expect(results[i].template?.errors).toBeUndefined();
    expect(results[i].template?.jobs.length).toBeGreaterThan(0);
  });

  it("reports broken workflows, so these tests can fail", () => {
    const scratch = mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-workflow-"));
    try {
      const broken = {
        "unknown-key.yml": text.pr.replace("    timeout-minutes: 20\n", "    timeout-minutes: 20\n    timeout-minute: 20\n"),
        "bad-runs-on.yml": text.deploy.replace("runs-on: ubuntu-24.04", "runs-on:\n      image: ubuntu-24.04"),
        "bad-permission.yml": text.deploy.replace("id-token: write", "id-token: writ"),
        "bad-trigger.yml": text.deploy.replace("  workflow_dispatch:\n", "  workflow_dispatched:\n"),
      };
      for (const [name, content] of Object.entries(broken)) {
        expect(content).not.toBe(name.startsWith("unknown") ? text.pr : text.deploy);
        writeFileSync(path.join(scratch, name), content);
      }
      const parsed = parseWorkflows(...Object.keys(broken).map((name) => path.join(scratch, name)));
      const errors = Object.fromEntries(parsed.map((r) => [path.basename(r.file), r.errors.join("\n")]));
      expect(errors["unknown-key.yml"]).toMatch(/unknown-key\.yml \(Line: \d+, Col: \d+\): Unexpected value 'timeout-minute'/);
      expect(errors["bad-runs-on.yml"]).toMatch(/bad-runs-on\.yml \(Line: \d+, Col: \d+\): Unexpected value 'image'/);
      expect(errors["bad-permission.yml"]).toMatch(/bad-permission\.yml \(Line: \d+, Col: \d+\): Unexpected value 'writ'/);
      expect(errors["bad-trigger.yml"]).toMatch(/bad-trigger\.yml \(Line: \d+, Col: \d+\): Unexpected value 'workflow_dispatched'/);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it("sees the triggers GitHub will use", () => {
    expect(results[0].template?.events).toEqual({ pull_request: { branches: ["main"] } });
    expect(results[1].template?.events).toEqual({ push: { branches: ["main"] }, workflow_dispatch: {} });
  });
});

describe("least privilege", () => {
  it("grants contents: read at workflow level and only what each job needs", () => {
    expect(yaml.pr.permissions).toEqual({ contents: "read" });
    expect(yaml.deploy.permissions).toEqual({ contents: "read" });
    expect(yaml.pr.jobs.checks.permissions).toEqual({ contents: "read" });
    expect(yaml.pr.jobs.mutation.permissions).toEqual({ contents: "read" });
    expect(yaml.pr.jobs.plan.permissions).toEqual({ contents: "read", "id-token": "write", "pull-requests": "write" });
    expect(yaml.deploy.jobs.deploy.permissions).toEqual({ contents: "read", "id-token": "write" });
  });

  it("deploys only through the protected production environment", () => {
    expect(yaml.deploy.jobs.deploy.environment).toBe("production");
    expect(yaml.pr.jobs.plan.environment).toBeUndefined();
  });

  it("gets AWS credentials through OIDC roles, never stored keys", () => {
    const aws = (wf: Workflow) => allSteps(wf).filter((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    expect(aws(yaml.pr).map((s) => s.with?.["role-to-assume"])).toEqual(["${{ vars.AWS_PLAN_ROLE_ARN }}"]);
    expect(aws(yaml.deploy).map((s) => s.with?.["role-to-assume"])).toEqual(["${{ vars.AWS_DEPLOY_ROLE_ARN }}"]);
    for (const step of [...aws(yaml.pr), ...aws(yaml.deploy)])
      expect(Object.keys(step.with ?? {}).sort()).toEqual(["aws-region", "role-session-name", "role-to-assume"]);
    for (const content of [text.pr, text.deploy]) {
      expect(content).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/);
    }
  });

  it("gives the registry token only to the deploy step, and never to a pull request", () => {
    expect(text.pr).not.toContain("REGISTRY_TOKEN");
    expect(text.pr).not.toContain("TF_VAR_registry_token");
    const withToken = allSteps(yaml.deploy).filter((s) => JSON.stringify(s).includes("secrets.REGISTRY_TOKEN"));
    expect(withToken.map((s) => [s.name, s.env?.TF_VAR_registry_token])).toEqual([["Deploy every environment", "${{ secrets.REGISTRY_TOKEN }}"]]);
  });

  it("never expands event data inside a shell script (script injection)", () => {
    for (const script of [...runScripts(yaml.pr), ...runScripts(yaml.deploy)]) expect(script).not.toMatch(/\$\{\{\s*(github\.event|github\.head_ref|inputs\.)/);
  });
});

describe("pinned actions", () => {
  it("pins every uses: to a full commit SHA with its release in a comment", () => {
    for (const content of [text.pr, text.deploy]) {
      const uses = content.split("\n").filter((line) => /^\s*(- )?uses:/.test(line));
      expect(uses.length).toBeGreaterThan(3);
      for (const line of uses) {
        const match = /uses: ([\w.-]+\/[\w.-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)$/.exec(line.trim().replace(/^- /, ""));
        expect(match).not.toBeNull();
        const [, action, sha, version] = match!;
        expect({ action, sha, version }).toEqual({ action, ...PINS[action] });
      }
    }
  });

  it("the parser sees the same pinned references", () => {
    for (const result of parseWorkflows(files.pr, files.deploy)) {
      for (const job of result.template!.jobs) for (const step of job.steps.filter((s) => s.uses)) expect(step.uses).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
    }
  });
});

describe("Node.js", () => {
  it("sets up a supported LTS (22 or 24) in every job; Node 20 reached end of life in April 2026", () => {
    const setups = [...allSteps(yaml.pr), ...allSteps(yaml.deploy)].filter((s) => s.uses?.startsWith("actions/setup-node@"));
    expect(setups).toHaveLength(4);
    for (const setup of setups) expect([22, 24]).toContain(setup.with?.["node-version"]);
  });

  it("keeps the code runnable on Node 20 (package.json engines)", () => {
    const engines = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { engines: { node: string } }).engines;
    expect(engines.node).toBe(">=20");
  });
});

describe("concurrency", () => {
  it("cancels superseded runs of the same pull request", () => {
    expect(yaml.pr.concurrency).toEqual({ group: "pr-${{ github.workflow }}-${{ github.event.pull_request.number }}", "cancel-in-progress": true });
  });

  it("queues deploys and never cancels one half-way", () => {
    expect(yaml.deploy.concurrency).toEqual({ group: "deploy-production", "cancel-in-progress": false });
  });
});

describe("the pull-request plan job", () => {
  const steps = yaml.pr.jobs.plan.steps;
  const step = (name: string) => steps.find((s) => s.name === name)!;

  it("runs install, type-check, lint, the format check and unit tests in the checks job", () => {
    expect(runScripts({ jobs: { checks: yaml.pr.jobs.checks } } as unknown as Workflow)).toEqual([
      "npm ci",
      "npm run typecheck",
      "npm run lint",
      "npm run format:check",
      "npm run test:unit",
    ]);
    expect(existsSync(path.join(ROOT, "__tests__", "unit"))).toBe(true);
  });

  it("synthesizes, runs the policy gate, then init + validate + plan per stack, and keeps going to post the comment", () => {
    expect(steps.map((s) => s.name ?? s.uses?.split("@")[0] ?? s.run)).toEqual([
      "actions/checkout",
      "actions/setup-node",
      "hashicorp/setup-terraform",
      "npm ci",
      "Backend",
      "AWS credentials (read-only plan role, OIDC)",
      "Synth",
      "Policy gate",
      "Init, validate and plan each stack",
      "Compose the plan comment",
      "Post or update the sticky PR comment",
      "Fail when synth, policy, validate or plan failed",
    ]);
    for (const name of ["Synth", "Policy gate", "Init, validate and plan each stack"]) expect(step(name)["continue-on-error"]).toBe(true);
    const plan = step("Init, validate and plan each stack").run!;
    for (const command of ["init -input=false", "validate -no-color", "plan -input=false -no-color -lock=false -out=tfplan", "show -json tfplan"])
      expect(plan).toContain(command);
    expect(step("Compose the plan comment").if).toBe("always()");
  });

  it("uses the read-only role unless the cloud backend runs a speculative plan with TF_TOKEN_app_terraform_io", () => {
    expect(step("AWS credentials (read-only plan role, OIDC)").if).toBe("steps.backend.outputs.type != 'cloud'");
    const plan = step("Init, validate and plan each stack");
    expect(plan.env?.TF_TOKEN_app_terraform_io).toBe("${{ secrets.TF_API_TOKEN }}");
    expect(plan.run).toMatch(/if \[ "\$BACKEND" = cloud \]; then[\s\S]*terraform -chdir="\$dir" plan -input=false -no-color > /);
  });

  it("fails the job when synth, the policy gate, validate or plan failed — after the comment is posted", () => {
    const fail = steps[steps.length - 1];
    expect(fail.if).toBe("steps.synth.outcome != 'success' || steps.policy.outcome == 'failure' || steps.plan.outcome != 'success'");
    expect(fail.run).toMatch(/exit 1\s*$/);
    expect(steps.indexOf(step("Post or update the sticky PR comment"))).toBe(steps.length - 2);
  });

  it("keeps one sticky comment found by the marker the plan summary module defines", () => {
    expect(PLAN_COMMENT_MARKER).toBe("<!-- ghcr-ecs-plan -->");
    const compose = step("Compose the plan comment").run!;
    expect(compose).toContain(`echo '${PLAN_COMMENT_MARKER}'`);
    expect(compose).toContain('cat comment.md >> "$GITHUB_STEP_SUMMARY"');
    const post = step("Post or update the sticky PR comment");
    expect(post.uses).toBe(`actions/github-script@${PINS["actions/github-script"].sha}`);
    expect(post.if).toBe("always() && github.event.pull_request.head.repo.full_name == github.repository");
    const script = String(post.with?.script);
    expect(script).toContain(`const marker = "${PLAN_COMMENT_MARKER}";`);
    expect(script).toContain("github.paginate(github.rest.issues.listComments");
    expect(script).toMatch(
      /if \(existing\) await github\.rest\.issues\.updateComment\(.*comment_id: existing\.id.*\);\s*else await github\.rest\.issues\.createComment\(/,
    );
  });
});

describe("the pull-request mutation job", () => {
  const job = yaml.pr.jobs.mutation;

  it("runs every module's mutation testing, which fails the job below the target, with the modules' test tools only", () => {
    expect(job.steps.map((s) => s.name ?? s.uses?.split("@")[0] ?? s.run)).toEqual([
      "actions/checkout",
      "actions/setup-node",
      "npm ci",
      "Mutation testing (every module at 90 % or more)",
      "Scores into the job summary",
      "Keep the reports (JSON and HTML per module)",
    ]);
    const run = job.steps.find((s) => s.name === "Mutation testing (every module at 90 % or more)")!;
    expect(run.run).toBe("npm run mutation");
    expect(run["continue-on-error"]).toBeUndefined();
    expect(MUTATION_TARGET_PERCENT).toBe(90);
    expect(text.pr).not.toMatch(/npm run mutation -- /);
  });

  it("puts the scores in the job summary and keeps the reports, also when a module is below the target", () => {
    const summary = job.steps.find((s) => s.name === "Scores into the job summary")!;
    expect(summary.if).toBe("always()");
    expect(summary.run).toContain('cat reports/mutation/summary.md >> "$GITHUB_STEP_SUMMARY"');
    const upload = job.steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"))!;
    expect(upload.if).toBe("always()");
    expect(upload.uses).toBe(`actions/upload-artifact@${PINS["actions/upload-artifact"].sha}`);
    expect(upload.with).toEqual({ name: "mutation-reports", path: "reports/mutation/", "if-no-files-found": "warn", "retention-days": 14 });
  });
});

describe("shell steps", () => {
  it("pass shellcheck as the bash GitHub runs them with", () => {
    const scripts = [...runScripts(yaml.pr), ...runScripts(yaml.deploy)];
    expect(scripts.length).toBe(18);
    for (const script of scripts) {
      // Expressions are substituted before bash sees the script; a plain word stands in for each.
      const body = `#!/usr/bin/env bash\nset -eo pipefail\n${script.replace(/\$\{\{[^}]*\}\}/g, "EXPR")}`;
      const result = spawnSync("shellcheck", ["-s", "bash", "-"], { input: body, encoding: "utf8" });
      expect(result.error).toBeUndefined();
      expect(result.stdout).toBe("");
      expect(result.status).toBe(0);
    }
  });

  it("shellcheck would report a broken script", () => {
    const result = spawnSync("shellcheck", ["-s", "bash", "-"], { input: "#!/usr/bin/env bash\nfor f in $(ls *.json); do cat $f; done\n", encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("SC2045");
  });
});

describe("commands the workflows run exist", () => {
  const scripts = [...runScripts(yaml.pr), ...runScripts(yaml.deploy)].join("\n");

  it("every npm run <script> is in package.json", () => {
    const used = [...new Set([...scripts.matchAll(/npm run (?:-s )?([\w:-]+)/g)].map((m) => m[1]))].sort();
    expect(used).toEqual(["deploy", "format:check", "ghcr-ecs", "lint", "mutation", "synth", "test:unit", "typecheck"]);
    for (const name of used) expect(packageScripts).toContain(name);
  });

  it("every node dist/<file>.js is compiled from a source in the repository", () => {
    const used = [...new Set([...scripts.matchAll(/node (dist\/[\w/.-]+)\.js/g)].map((m) => m[1]))];
    expect(used).toEqual(["dist/scripts/policy", "dist/scripts/environment-stacks"]);
    for (const file of used) expect(existsSync(path.join(ROOT, `${file.replace(/^dist\//, "")}.ts`))).toBe(true);
  });

  it("every ghcr-ecs command is one the CLI knows (its --help exits 0)", async () => {
    const commands = [...new Set([...scripts.matchAll(/npm run -s ghcr-ecs -- ([a-z-]+(?: (?:set|check))?)/g)].map((m) => m[1]))].sort();
    expect(commands).toEqual(["credentials check", "plan-summary", "rollout"]);
    for (const command of commands) {
      const out = new PassThrough();
      out.resume();
      expect(await runCli([...command.split(" "), "--help"], { stdout: out, stderr: out, stdin: new PassThrough() })).toBe(0);
    }
    expect(await runCli(["plan-sumary", "--help"], { stdout: new PassThrough(), stderr: new PassThrough().resume(), stdin: new PassThrough() })).toBe(2);
  });

  it("deploys every environment's stack (never the CI stack) with outputs the CLI reads, then checks and rolls each", () => {
    const deployScript = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts.deploy;
    expect(deployScript).toContain("--outputs-file cdktf-outputs.json");
    const run = runScripts(yaml.deploy);
    const deploy = run.find((script) => script.includes("npm run deploy"));
    expect(deploy).toContain("node dist/scripts/environment-stacks.js > stacks.txt");
    expect(deploy).toContain('npm run deploy -- "${stacks[@]}" --auto-approve');
    const after = run[run.length - 1];
    expect(after).toContain('npm run -s ghcr-ecs -- credentials check --outputs cdktf-outputs.json --stack "$stack" --all --json');
    expect(after).toContain('npm run -s ghcr-ecs -- rollout --outputs cdktf-outputs.json --stack "$stack" --all --json');
    expect(after.indexOf("credentials check")).toBeLessThan(after.indexOf("rollout"));
  });

  it("lists the environments' stacks for deploy and watch, never the CI bootstrap stack", () => {
    const listed = spawnSync(process.execPath, [path.join(ROOT, "dist", "scripts", "environment-stacks.js")], {
      cwd: ROOT,
      env: { ...process.env, GHCR_ECS_CONFIG: "config/example-app.json" },
      encoding: "utf8",
    });
    expect([listed.status, listed.stdout, listed.stderr]).toEqual([0, "shop-staging\nshop-prod\n", ""]);
    const scratch = mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-stacks-"));
    try {
      writeFileSync(path.join(scratch, "bad.json"), JSON.stringify({ name: "shop", region: "mars-1", services: {} }));
      const bad = spawnSync(process.execPath, [path.join(ROOT, "dist", "scripts", "environment-stacks.js")], {
        cwd: ROOT,
        env: { ...process.env, GHCR_ECS_CONFIG: path.join(scratch, "bad.json") },
        encoding: "utf8",
      });
      expect([bad.status, bad.stdout]).toEqual([2, ""]);
      expect(bad.stderr).toContain('region: got "mars-1"');
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it("summarises each stack's checks and rollouts, one line per service", () => {
    const after = runScripts(yaml.deploy).at(-1) ?? "";
    const summary = /node -e '([^']+)'/.exec(after)?.[1];
    expect(summary).toBeDefined();
    const scratch = mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-summary-"));
    try {
      const digest = `sha256:${"a".repeat(64)}`;
      writeFileSync(path.join(scratch, "check.json"), JSON.stringify({ ok: true, exitCode: 0, checks: [{ service: "api", ok: true, digest }] }));
      writeFileSync(
        path.join(scratch, "rollout.json"),
        JSON.stringify({ ok: true, exitCode: 0, rollouts: [{ service: "shop-prod-api", ok: true, outcome: "completed", durationSeconds: 42.5 }] }),
      );
      const printed = execFileSync(process.execPath, ["-e", summary!, "./check.json", "./rollout.json"], { cwd: scratch, encoding: "utf8" });
      expect(printed).toBe(`- api: credential ok (${digest})\n- shop-prod-api: rollout completed after 42.5 s\n`);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
