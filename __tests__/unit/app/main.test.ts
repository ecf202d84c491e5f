import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { referenceInput } from "../../helpers/configs";

// Runs the compiled entry point as `npm run synth` does (`npm test` builds before jest).
const MAIN = path.join(__dirname, "..", "..", "..", "dist", "main.js");
const scratch = mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-main-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function synth(config: unknown, label: string) {
  const file = path.join(scratch, `${label}.json`);
  writeFileSync(file, typeof config === "string" ? config : JSON.stringify(config));
  const outdir = path.join(scratch, `${label}-out`);
  const result = spawnSync(process.execPath, [MAIN], {
    env: { ...process.env, GHCR_ECS_CONFIG: file, CDKTF_OUTDIR: outdir },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { ...result, outdir };
}

describe("node dist/main.js", () => {
  it("synthesizes the stack named after the config", () => {
    const result = synth(referenceInput(), "good");
    expect(result.status).toBe(0);
    expect(existsSync(path.join(result.outdir, "stacks", "orders", "cdk.tf.json"))).toBe(true);
  });

  it("prints the expected rollout times per stack on stderr, keeping stdout empty", () => {
    const result = synth(referenceInput(), "rollout");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("");
    // 45 s start + 10 s × 2 checks + 30 s draining; rollback: 2 rounds × (45 + max(60 s grace, 10 s × 3) + 30).
    expect(result.stderr.split("\n")).toContain("orders: rolling deploy ≈ 1m 35s, failed deploy rolled back ≈ 4m 30s (model: docs/rollout-model.md)");
    for (const line of result.stderr
      .trim()
      .split("\n")
      .filter((l) => !l.startsWith("warning: "))) {
      expect(line).toMatch(/^[\w/-]+: .* \(model: docs\/rollout-model\.md\)$/);
    }
  });

  it('warns that launchType "both" is deprecated, pointing at the app form, and still synthesizes both stacks', () => {
    const result = synth(referenceInput(), "both");
    expect(result.status).toBe(0);
    expect(result.stderr.split("\n")).toContain(
      'warning: launchType "both" is deprecated: it builds two complete copies of everything (two VPCs, NAT gateways, load balancers and secrets). It keeps working; for new deployments write an app (`services`) whose services choose `launchType` each, in one environment — see docs/upgrading.md',
    );
    expect(existsSync(path.join(result.outdir, "stacks", "orders", "cdk.tf.json"))).toBe(true);
    expect(existsSync(path.join(result.outdir, "stacks", "orders-ec2", "cdk.tf.json"))).toBe(true);
  });

  it("synthesizes one stack per environment of an app, without the deprecation warning", () => {
    const app = JSON.parse(readFileSync(path.join(__dirname, "..", "..", "..", "config", "example-app.json"), "utf8")) as unknown;
    const result = synth(app, "app");
    expect(result.status).toBe(0);
    expect(result.stderr).not.toContain("warning:");
    expect(existsSync(path.join(result.outdir, "stacks", "shop-staging", "cdk.tf.json"))).toBe(true);
    expect(existsSync(path.join(result.outdir, "stacks", "shop-prod", "cdk.tf.json"))).toBe(true);
    expect(result.stderr.split("\n")).toContain("shop-staging/worker: rolling deploy ≈ 45s, failed deploy rolled back ≈ 2m 15s (model: docs/rollout-model.md)");
  });

  it("reflects AWS-default health check, draining and percentages in the estimate", () => {
    const awsLike = {
      ...referenceInput(),
      healthCheck: { intervalSeconds: 30, healthyThreshold: 5, unhealthyThreshold: 2, gracePeriodSeconds: 0 },
      deregistrationDelaySeconds: 300,
      deployment: { minimumHealthyPercent: 100, maximumPercent: 200 },
    };
    const result = synth(awsLike, "aws-like");
    expect(result.status).toBe(0);
    // 45 + 30 × 5 + 300 = 495 s; rollback: 2 rounds × (45 + max(0, 30 × 2) + 300) = 810 s.
    expect(result.stderr.split("\n")).toContain("orders: rolling deploy ≈ 8m 15s, failed deploy rolled back ≈ 13m 30s (model: docs/rollout-model.md)");
  });

  it.each([
    ["a typo in a key", { ...referenceInput(), helthCheck: {} }, /\(top level\): unknown key "helthCheck" \(did you mean "healthCheck"\?\)/],
    [
      "an invalid Fargate size",
      { ...referenceInput(), cpu: 256, memory: 4096 },
      /memory: got 4096; is not a Fargate size for cpu 256; allowed: 512, 1024, 2048/,
    ],
    ["broken JSON", "{ name: ", /not valid JSON/],
  ])("rejects %s with exit 2, the field and no stack trace, writing nothing", (label, config, message) => {
    const result = synth(config, label.replace(/\W+/g, "-"));
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(result.outdir)).toBe(false);
  });
});
