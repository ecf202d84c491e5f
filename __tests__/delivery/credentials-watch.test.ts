/**
 * .github/workflows/credentials-watch.yml: GitHub's parser, least privilege, pins, shellcheck — and its github-script
 * step run for real (in a vm, with a recording stand-in for the GitHub API) over check results of three stacks.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vm from "node:vm";
import { parse as parseYaml } from "yaml";
import { watchMarker } from "../../src/operations/watch-issues";

jest.setTimeout(60_000);

const ROOT = path.join(__dirname, "..", "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const FILE = path.join(WORKFLOWS, "credentials-watch.yml");
const TEXT = readFileSync(FILE, "utf8");

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
const workflow = parseYaml(TEXT) as {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  concurrency: { group: string; "cancel-in-progress": boolean };
  jobs: Record<string, { permissions: Record<string, string>; environment?: string; steps: Step[] }>;
};
const steps = workflow.jobs.watch.steps;
const scripts = steps.flatMap((s) => (s.run ? [s.run] : []));

describe("the credentials watch workflow", () => {
  it("passes GitHub's workflow parser, on a daily schedule and on demand", () => {
    const [result] = JSON.parse(execFileSync(process.execPath, [path.join(__dirname, "parse-workflows.mjs"), FILE], { cwd: ROOT, encoding: "utf8" })) as {
      errors: string[];
      template: { events: Record<string, unknown>; errors?: unknown[] };
    }[];
    expect(result.errors).toEqual([]);
    expect(result.template.errors).toBeUndefined();
    expect(result.template.events).toEqual({ schedule: [{ cron: "17 6 * * *" }], workflow_dispatch: {} });
  });

  it("may read the repository and write issues only, with AWS credentials from the read-only watch role", () => {
    expect(workflow.permissions).toEqual({ contents: "read" });
    expect(workflow.jobs.watch.permissions).toEqual({ contents: "read", "id-token": "write", issues: "write" });
    const aws = steps.filter((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    expect(aws.map((s) => s.with)).toEqual([
      {
        "role-to-assume": "${{ vars.AWS_WATCH_ROLE_ARN }}",
        "role-session-name": "ghcr-ecs-watch-${{ github.run_id }}",
        "aws-region": "${{ vars.AWS_REGION }}",
      },
    ]);
    expect(TEXT).not.toMatch(/REGISTRY_TOKEN|TF_VAR_registry_token|aws-access-key-id|AWS_SECRET_ACCESS_KEY/);
    expect(workflow.concurrency).toEqual({ group: "credentials-watch", "cancel-in-progress": false });
  });

  it("pins every action exactly as the deploy and pull-request workflows do", () => {
    const pinned = new Set(
      ["deploy.yml", "pr.yml"].flatMap((f) =>
        readFileSync(path.join(WORKFLOWS, f), "utf8")
          .split("\n")
          .filter((l) => /uses: /.test(l))
          .map((l) => l.trim().replace(/^- /, "")),
      ),
    );
    const uses = TEXT.split("\n")
      .filter((l) => /uses: /.test(l))
      .map((l) => l.trim().replace(/^- /, ""));
    expect(uses.length).toBe(5);
    for (const line of uses) {
      expect(line).toMatch(/^uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
      expect(pinned).toContain(line);
    }
  });

  it("checks every stack with --all --fail-days 14, and its shell passes shellcheck", () => {
    expect(scripts.join("\n")).toContain('npm run -s ghcr-ecs -- credentials check --stack-dir "$dir" --all --fail-days 14 --json > "watch/$stack.json"');
    for (const script of scripts) {
      const body = `#!/usr/bin/env bash\nset -eo pipefail\n${script.replace(/\$\{\{[^}]*\}\}/g, "EXPR")}`;
      const result = spawnSync("shellcheck", ["-s", "bash", "-"], { input: body, encoding: "utf8" });
      expect(result.stdout).toBe("");
      expect(result.status).toBe(0);
    }
    for (const script of scripts) expect(script).not.toMatch(/\$\{\{\s*(github\.event|inputs\.)/);
  });
});

/** Runs the workflow's github-script code as actions/github-script does, with a recording stand-in for its API. */
async function runIssueStep(workspace: string, openIssues: { number: number; body: string }[]) {
  const script = steps.find((s) => s.uses?.startsWith("actions/github-script@"))!.with!.script;
  const calls: [string, Record<string, unknown>][] = [];
  const failures: string[] = [];
  const record = (name: string) => (params: Record<string, unknown>) => {
    calls.push([name, params]);
    return Promise.resolve({ data: {} });
  };
  const github = {
    paginate: (_method: unknown, params: Record<string, unknown>) => {
      calls.push(["paginate listForRepo", params]);
      return Promise.resolve(openIssues);
    },
    rest: { issues: { listForRepo: {}, create: record("create"), update: record("update"), createComment: record("createComment") } },
  };
  const context = { repo: { owner: "acme", repo: "infra" }, serverUrl: "https://github.com", runId: 42 };
  const core = { info: () => undefined, setFailed: (message: string) => failures.push(message) };
  const previous = process.cwd();
  process.env.GITHUB_WORKSPACE = ROOT;
  process.chdir(workspace);
  try {
    const run = vm.runInNewContext(`(async () => {\n${script}\n})()`, { require, github, context, core, process, console }) as Promise<void>;
    await run;
  } finally {
    process.chdir(previous);
    delete process.env.GITHUB_WORKSPACE;
  }
  return { calls, failures };
}

describe("the credentials watch's issue step", () => {
  let workspace: string;
  beforeAll(() => {
    expect(existsSync(path.join(ROOT, "dist", "src", "operations", "watch-issues.js"))).toBe(true);
    workspace = mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-watch-"));
    // The CI bootstrap stack is synthesized too, but the check step lists only the environments' stacks.
    for (const stack of ["shop-prod", "shop-staging", "orders", "shop-ci"]) mkdirSync(path.join(workspace, "cdktf.out", "stacks", stack), { recursive: true });
    mkdirSync(path.join(workspace, "watch"));
    writeFileSync(path.join(workspace, "watch", "stacks.txt"), "orders\nshop-prod\nshop-staging\n");
    writeFileSync(path.join(workspace, "watch", "shop-prod.json"), JSON.stringify({ ok: true, exitCode: 0, checks: [{ service: "api", ok: true }] }));
    writeFileSync(
      path.join(workspace, "watch", "shop-staging.json"),
      JSON.stringify({
        ok: false,
        exitCode: 18,
        checks: [{ service: "api", ok: false, exitCode: 18, token: { owner: "bot", expires: "2026-12-10T00:00:00.000Z", daysLeft: 8 } }],
      }),
    );
    // orders: terraform init failed, so there is no JSON, only the error output.
    writeFileSync(path.join(workspace, "watch", "orders.err"), "Error: Failed to get existing workspaces\n");
  });
  afterAll(() => rmSync(workspace, { recursive: true, force: true }));

  it("lists only open credentials-watch issues, opens one per failing stack, closes a passing stack's, and fails the run", async () => {
    const { calls, failures } = await runIssueStep(workspace, [{ number: 5, body: `${watchMarker("shop-prod")}\nold` }]);
    expect(calls.map(([name, params]) => [name, params.issue_number ?? params.title ?? params.labels, params.state ?? null])).toEqual([
      ["paginate listForRepo", "credentials-watch", "open"],
      ["create", "Registry credentials of orders need attention", null],
      ["createComment", 5, null],
      ["update", 5, "closed"],
      ["create", "Registry credentials of shop-staging need attention", null],
    ]);
    const created = calls.filter(([name]) => name === "create").map(([, p]) => p);
    expect(created.map((p) => p.labels)).toEqual([["credentials-watch"], ["credentials-watch"]]);
    expect(String(created[0].body)).toContain("Error: Failed to get existing workspaces");
    expect(String(created[1].body)).toContain("- ❌ api: exit 18 — token of bot expires 2026-12-10T00:00:00.000Z (8 days)");
    expect(String(created[1].body)).toContain("https://github.com/acme/infra/actions/runs/42");
    expect(failures).toEqual(["credentials watch failed for orders, shop-staging"]);
  });

  it("updates the open issue of a stack that still fails instead of opening another", async () => {
    const { calls } = await runIssueStep(workspace, [{ number: 8, body: `${watchMarker("shop-staging")}\nyesterday` }]);
    expect(calls.filter(([name]) => name !== "paginate listForRepo").map(([name, p]) => [name, p.issue_number ?? p.title])).toEqual([
      ["create", "Registry credentials of orders need attention"],
      ["update", 8],
    ]);
  });
});
