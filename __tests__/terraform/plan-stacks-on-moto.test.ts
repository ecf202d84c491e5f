/**
 * `npm run plan` (dist/scripts/plan.js) on the example app's two stacks and a third that cannot plan, two at a
 * time against moto: every stack is planned, the failing one does not stop the others, and the script says which.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildApp } from "../../src/app";
import { parseDeploymentConfig } from "../../src/config/load";
import { startMoto, type MotoServer } from "../../src/emulator/moto-server";
import { run, type RunResult } from "../../src/terraform/run";
import type { TerraformDocument } from "../../src/terraform/document";

jest.setTimeout(300_000);

const ROOT = path.join(__dirname, "..", "..");
const PLAN_SCRIPT = path.join(ROOT, "dist", "scripts", "plan.js");
const EXAMPLE_APP = path.join(ROOT, "config", "example-app.json");

let moto: MotoServer;
let scratch: string;
let outdir: string;
let result: RunResult;
let lines: string[];

beforeAll(async () => {
  expect(existsSync(PLAN_SCRIPT)).toBe(true);
  scratch = mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-plan-stacks-"));
  outdir = path.join(scratch, "cdktf.out");
  // The environments only: this is about planning several of them (the CI stack plans on its own in ci-stack-on-moto).
  const { ci: _ci, ...environmentsOnly } = JSON.parse(readFileSync(EXAMPLE_APP, "utf8")) as Record<string, unknown>;
  buildApp(parseDeploymentConfig(environmentsOnly), { outdir, stateDir: path.join(scratch, "state") }).synth();
  // A third stack that fails at plan time: the staging stack with a reference to a variable it does not declare.
  const broken = path.join(outdir, "stacks", "shop-broken");
  cpSync(path.join(outdir, "stacks", "shop-staging"), broken, { recursive: true });
  const document = JSON.parse(readFileSync(path.join(broken, "cdk.tf.json"), "utf8")) as TerraformDocument & { output?: Record<string, unknown> };
  document.output = { ...document.output, broken: { value: "${var.not_declared}" } };
  writeFileSync(path.join(broken, "cdk.tf.json"), JSON.stringify(document));

  moto = await startMoto();
  const env: NodeJS.ProcessEnv = { ...process.env, ...moto.awsEnv("us-east-1"), CDKTF_OUTDIR: outdir, GHCR_ECS_PLAN_CONCURRENCY: "2" };
  delete env.TF_VAR_registry_token;
  delete env.GHCR_ECS_VERBOSE;
  result = await run(process.execPath, [PLAN_SCRIPT], { cwd: scratch, env, timeoutMs: 240_000 });
  lines = result.stdout.split("\n");
});

afterAll(async () => {
  await moto?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("npm run plan on three stacks, two at a time", () => {
  it("starts two stacks at once and the third only when one of them has finished", () => {
    const started = lines.filter((line) => line.startsWith("==> "));
    expect(started.map((line) => line.replace(/: started.*/, "")).sort()).toEqual(["==> shop-broken", "==> shop-prod", "==> shop-staging"]);
    expect(started.slice(0, 2).map((line) => line.replace(/^==> [^:]+: /, ""))).toEqual(["started (1 running, 0/3 done)", "started (2 running, 0/3 done)"]);
    expect(started[2]).toMatch(/: started \(2 running, 1\/3 done\)$/);
    const firstDone = lines.findIndex((line) => line.startsWith("plan: 1/3 stacks done"));
    expect(lines.indexOf(started[1])).toBeLessThan(firstDone);
    expect(lines.indexOf(started[2])).toBeGreaterThan(firstDone);
  });

  it("saves a plan for each stack that can plan, every line of its progress naming it", () => {
    for (const stack of ["shop-staging", "shop-prod"]) {
      expect(existsSync(path.join(outdir, "stacks", stack, "plan.tfplan"))).toBe(true);
      expect(lines).toContain(`${stack}: plan saved to ${path.join("cdktf.out", "stacks", stack, "plan.tfplan")}`);
      expect(lines.some((line) => new RegExp(`^${stack}: plan: \\d+ to add, 0 to change, 0 to destroy`).test(line))).toBe(true);
    }
    const unlabelled = lines.filter((line) => line !== "" && !/^(==> |plan: \d\/3 stacks done|shop-(staging|prod|broken): )/.test(line));
    expect(unlabelled).toEqual([]);
  });

  it("plans the others when one fails, then exits 1 naming the stack that failed and why", () => {
    expect(result.code).toBe(1);
    expect(existsSync(path.join(outdir, "stacks", "shop-broken", "plan.tfplan"))).toBe(false);
    expect(lines).toContain("shop-broken: Error: Reference to undeclared input variable");
    expect(result.stderr).toContain("shop-broken: terraform plan");
    expect(result.stderr).toContain("Reference to undeclared input variable");
    expect(result.stderr.trimEnd().split("\n").at(-1)).toBe("1 of 3 stacks failed to plan");
    expect(lines.filter((line) => line.startsWith("plan: 3/3 stacks done"))).toEqual([expect.stringMatching(/^plan: 3\/3 stacks done \(1 failed\) · \d+s$/)]);
  });
});
