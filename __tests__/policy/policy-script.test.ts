import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { PolicyGateResult } from "../../src/policy-gate/gate";
import { referenceInput } from "../helpers/configs";

// The compiled script, as `npm run policy` runs it (`npm test` builds before jest).
const SCRIPT = path.join(__dirname, "..", "..", "dist", "scripts", "policy.js");
const scratch = mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-policy-script-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function write(name: string, content: unknown): string {
  const file = path.join(scratch, name);
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}

/** The reference config as a file, without any waivers it may declare, so the findings are the product's own. */
function referenceConfigFile(): string {
  const { policyWaivers: _ignored, ...config } = referenceInput() as Record<string, unknown>;
  return write("reference.json", config);
}

function policy(args: string[], configFile: string) {
  const tmp = mkdtempSync(path.join(scratch, "tmp-"));
  const result = spawnSync(process.execPath, [SCRIPT, ...args], {
    env: { ...process.env, GHCR_ECS_CONFIG: configFile, TMPDIR: tmp },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { ...result, leftovers: readdirSync(tmp) };
}

beforeAll(() => {
  if (!existsSync(SCRIPT)) throw new Error(`${SCRIPT} is missing: run npm run build first`);
});

describe("node dist/scripts/policy.js", () => {
  it("fails on the reference config's unwaived findings, naming rule, IDs, resource and fix", () => {
    const result = policy([], referenceConfigFile());
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^Policy gate: \d+ rules over \d+ stacks?$/m);
    expect(result.stdout).toMatch(/^== orders ==$/m);
    expect(result.stdout).toMatch(/^ {2}PASS {4}alb-drops-invalid-headers +checkov CKV_AWS_131 \| trivy AVD-AWS-0052$/m);
    expect(result.stdout).toMatch(
      /^ {2}FAIL {4}alb-not-public +checkov - \| trivy AVD-AWS-0053\n {10}aws_lb\.load-balancer_alb_\w+: internal is false.*\n {12}fix: /m,
    );
    expect(result.stdout).toMatch(/^Policy gate FAILED: \d+ unwaived findings?\. /m);
    expect(result.stderr).toBe("");
    expect(result.leftovers).toEqual([]);
  });

  it("passes once every finding is waived with a reason, printing the reasons and warning about stale waivers", () => {
    const config = referenceConfigFile();
    const json = JSON.parse(policy(["--json"], config).stdout) as PolicyGateResult;
    const failing: string[] = [...new Set<string>(json.stacks.flatMap((s) => s.rules.filter((r) => r.status === "fail").map((r) => r.rule.id)))];
    expect(failing).toContain("alb-not-public");
    const waivers = [
      ...failing.map((rule) => ({ rule, reason: `accepted in the script test: ${rule}` })),
      { rule: "CKV_AWS_79", resource: "aws_launch_template.no-such-template", reason: "nothing matches this one" },
    ];
    const result = policy(["--waivers", write("waivers.json", waivers)], config);
    expect(result.status).toBe(0);
    for (const rule of failing) {
      expect(result.stdout).toMatch(new RegExp(`^ {2}WAIVED {2}${rule} `, "m"));
      expect(result.stdout).toContain(`waived (waiver ${rule}): accepted in the script test: ${rule}`);
    }
    expect(result.stdout).toContain("warning: stale waiver CKV_AWS_79 on aws_launch_template.no-such-template matched no finding");
    expect(result.stdout).toMatch(/\nPolicy gate passed\.\n$/);
  });

  it.each<[string, () => string[], () => string, RegExp]>([
    [
      "a waiver without a reason",
      () => ["--waivers", write("no-reason.json", [{ rule: "alb-not-public" }])],
      referenceConfigFile,
      /Invalid policy waivers in .*no-reason\.json:\n {2}- \[0\]\.reason: must say why/,
    ],
    ["a missing waivers file", () => ["--waivers", path.join(scratch, "absent.json")], referenceConfigFile, /absent\.json:\n {2}- the file does not exist/],
    [
      "an invalid config",
      () => [],
      () => write("bad.json", { ...referenceInput(), cpu: 256, memory: 4096 }),
      /memory: got 4096; is not a Fargate size for cpu 256/,
    ],
    ["an unknown argument", () => ["--strict"], referenceConfigFile, /unknown argument "--strict"; usage: policy \[--waivers <file\.json>\] \[--json\]/],
  ])("exits 2 on %s, saying what is wrong, without a stack trace", (_label, args, config, message) => {
    const result = policy(args(), config());
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe("");
  });
});
