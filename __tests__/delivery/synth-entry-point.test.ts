/**
 * `node dist/main.js`, the program `npm run synth` runs, as a process: the stacks it writes, the rollout estimates
 * and warnings on stderr, and bad configs refused with exit 2, the field and nothing written. The configs run
 * concurrently, each into its own folder.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { run, type RunResult } from "../../src/terraform/run";
import { referenceInput } from "../helpers/configs";

jest.setTimeout(120_000);

// Compiled as `npm run synth` runs it (`npm test` builds before jest).
const ROOT = path.join(__dirname, "..", "..");
const MAIN = path.join(ROOT, "dist", "main.js");
const scratch = mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-main-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const EXAMPLE_APP = JSON.parse(readFileSync(path.join(ROOT, "config", "example-app.json"), "utf8")) as unknown;
const AWS_LIKE = {
  ...referenceInput(),
  healthCheck: { intervalSeconds: 30, healthyThreshold: 5, unhealthyThreshold: 2, gracePeriodSeconds: 0 },
  deregistrationDelaySeconds: 300,
  deployment: { minimumHealthyPercent: 100, maximumPercent: 200 },
};
const INVALID: [string, unknown, RegExp][] = [
  ["a typo in a key", { ...referenceInput(), helthCheck: {} }, /\(top level\): unknown key "helthCheck" \(did you mean "healthCheck"\?\)/],
  ["an invalid Fargate size", { ...referenceInput(), cpu: 256, memory: 4096 }, /memory: got 4096; is not a Fargate size for cpu 256; allowed: 512, 1024, 2048/],
  ["broken JSON", "{ name: ", /not valid JSON/],
];
const CONFIGS: Record<string, unknown> = {
  reference: referenceInput(),
  app: EXAMPLE_APP,
  "aws-like": AWS_LIKE,
  ...Object.fromEntries(INVALID.map(([label, config]) => [label, config])),
};

type Synth = RunResult & { readonly outdir: string };
const synths: Record<string, Synth> = {};

beforeAll(async () => {
  await Promise.all(
    Object.entries(CONFIGS).map(async ([label, config], i) => {
      const file = path.join(scratch, `config-${i}.json`);
      writeFileSync(file, typeof config === "string" ? config : JSON.stringify(config));
      const outdir = path.join(scratch, `out-${i}`);
      const result = await run(process.execPath, [MAIN], {
        cwd: scratch,
        env: { ...process.env, GHCR_ECS_CONFIG: file, CDKTF_OUTDIR: outdir },
        timeoutMs: 90_000,
      });
      synths[label] = { ...result, outdir };
    }),
  );
});

const stderrLines = (label: string) => synths[label].stderr.split("\n");

describe("node dist/main.js", () => {
  it("synthesizes the stacks named after the config: the reference app's launchType both, two", () => {
    const result = synths.reference;
    expect(result.code).toBe(0);
    expect(existsSync(path.join(result.outdir, "stacks", "orders", "cdk.tf.json"))).toBe(true);
    expect(existsSync(path.join(result.outdir, "stacks", "orders-ec2", "cdk.tf.json"))).toBe(true);
  });

  it("prints the expected rollout times per stack on stderr, keeping stdout empty", () => {
    const result = synths.reference;
    expect(result.stdout).toBe("");
    // 45 s start + 10 s × 2 checks + 30 s draining; rollback: 2 rounds × (45 + max(60 s grace, 10 s × 3) + 30).
    expect(stderrLines("reference")).toContain(
      "orders: rolling deploy ≈ 1m 35s, failed deploy rolled back ≈ 4m 30s, deploy failing real traffic rolled back by alarm ≈ 6m 40s (model: docs/rollout-model.md)",
    );
    for (const line of result.stderr
      .trim()
      .split("\n")
      .filter((l) => !l.startsWith("warning: "))) {
      expect(line).toMatch(/^[\w/-]+: .* \(model: docs\/rollout-model\.md\)$/);
    }
  });

  it('warns that launchType "both" is deprecated, pointing at the app form', () => {
    expect(stderrLines("reference")).toContain(
      'warning: launchType "both" is deprecated: it builds two complete copies of everything (two VPCs, NAT gateways, load balancers and secrets). It keeps working; for new deployments write an app (`services`) whose services choose `launchType` each, in one environment — see docs/upgrading.md',
    );
  });

  it("synthesizes one stack per environment of an app, without the deprecation warning", () => {
    const result = synths.app;
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain("warning:");
    expect(existsSync(path.join(result.outdir, "stacks", "shop-staging", "cdk.tf.json"))).toBe(true);
    expect(existsSync(path.join(result.outdir, "stacks", "shop-prod", "cdk.tf.json"))).toBe(true);
    expect(stderrLines("app")).toContain("shop-staging/worker: rolling deploy ≈ 45s, failed deploy rolled back ≈ 2m 15s (model: docs/rollout-model.md)");
  });

  it("reflects AWS-default health check, draining and percentages in the estimate", () => {
    expect(synths["aws-like"].code).toBe(0);
    // 45 + 30 × 5 + 300 = 495 s; rollback: 2 rounds × (45 + max(0, 30 × 2) + 300) = 810 s;
    // by alarm: in service after 195 s, the alarm 180 + 60 s later, the old wave back (195 s), drained 300 s = 930 s.
    expect(stderrLines("aws-like")).toContain(
      "orders: rolling deploy ≈ 8m 15s, failed deploy rolled back ≈ 13m 30s, deploy failing real traffic rolled back by alarm ≈ 15m 30s (model: docs/rollout-model.md)",
    );
  });

  it.each(INVALID)("rejects %s with exit 2, the field and no stack trace, writing nothing", (label, _config, message) => {
    const result = synths[label];
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(result.outdir)).toBe(false);
  });
});
