/**
 * `npm run mutation [-- MODULE ...]`: StrykerJS over every pure module, each against the unit tests that cover it
 * (not the whole suite: a mutant one module's tests miss is a gap in those tests). Per module a JSON and an HTML
 * report under reports/mutation/, and reports/mutation/summary.json with each score and duration, which
 * `npm run bench` prints (summary.md: the same as a Markdown table, for the PR workflow's job summary). Exits 1 when a module scores below the target.
 *
 * Exit codes: 0 every module at or above the target, 1 one below it, 2 an unknown module name.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { projectRoot } from "../src/util/project-root";

/** A mutation score below this fails the run; an equivalent survivor is disabled on its line with its reason instead. */
export const MUTATION_TARGET_PERCENT = 90;

interface MutationModule {
  readonly name: string;
  readonly mutate: readonly string[];
  readonly tests: readonly string[];
  /** Its tests synthesize stacks its mutants cannot change: synthesize each once per run (GHCR_ECS_TEST_SYNTH_CACHE). */
  readonly cacheSynth?: boolean;
}

/** The pure modules and the unit tests that cover each. */
export const MUTATION_MODULES: readonly MutationModule[] = [
  { name: "image-reference", mutate: ["src/registry/image-reference.ts"], tests: ["__tests__/unit/registry/image-reference.test.ts"] },
  { name: "www-authenticate", mutate: ["src/registry/www-authenticate.ts"], tests: ["__tests__/unit/registry/www-authenticate.test.ts"] },
  { name: "pull-check", mutate: ["src/registry/pull-check.ts"], tests: ["__tests__/unit/registry/pull-check.test.ts"] },
  { name: "github-token", mutate: ["src/registry/github-token.ts"], tests: ["__tests__/unit/registry/github-token.test.ts"] },
  { name: "ecr-mirror", mutate: ["src/registry/ecr-mirror.ts"], tests: ["__tests__/unit/registry/ecr-mirror.test.ts"] },
  { name: "ecs-config", mutate: ["src/ec2/ecs-config.ts"], tests: ["__tests__/unit/ec2/ecs-config.test.ts"] },
  { name: "user-data", mutate: ["src/ec2/user-data.ts"], tests: ["__tests__/unit/ec2/user-data.test.ts"] },
  { name: "iam-policies", mutate: ["src/aws/iam-policies.ts"], tests: ["__tests__/unit/aws/iam-policies.test.ts"] },
  { name: "vpc-endpoints", mutate: ["src/aws/vpc-endpoints.ts"], tests: ["__tests__/unit/aws/vpc-endpoints.test.ts"] },
  { name: "ci-trust", mutate: ["src/ci/trust-evaluation.ts", "src/ci/github-oidc.ts"], tests: ["__tests__/unit/ci/*.test.ts"] },
  { name: "ci-role-policies", mutate: ["src/ci/role-policies.ts"], tests: ["__tests__/unit/ci/role-policies.test.ts"] },
  { name: "diagnose", mutate: ["src/operations/diagnose.ts"], tests: ["__tests__/unit/operations/diagnose.test.ts"] },
  { name: "rollout-model", mutate: ["src/ecs/rollout-model.ts"], tests: ["__tests__/unit/ecs/rollout-model.test.ts"] },
  { name: "plan-summary", mutate: ["src/plan-summary/*.ts"], tests: ["__tests__/unit/plan-summary/*.test.ts"] },
  // The schema's descriptions are the generated reference's text: its tests hold them.
  {
    name: "backend-schema",
    mutate: ["src/backend/schema.ts"],
    tests: ["__tests__/unit/backend/*.test.ts", "__tests__/unit/config/json-schema.test.ts", "__tests__/unit/config/reference-doc.test.ts"],
  },
  {
    name: "policy-waivers",
    mutate: ["src/policy-gate/waivers.ts", "src/policy-gate/secret-patterns.ts"],
    tests: ["__tests__/unit/policy-gate/waivers.test.ts", "__tests__/unit/policy-gate/secret-patterns.test.ts"],
  },
  { name: "reporter", mutate: ["src/cli/reporter.ts"], tests: ["__tests__/unit/cli/reporter.test.ts"] },
  // The config's schema, its defaults and the model derived from it; the generated reference holds the descriptions.
  {
    name: "config-schema",
    mutate: [
      "src/config/primitives.ts",
      "src/config/credentials.ts",
      "src/config/registry.ts",
      "src/config/network.ts",
      "src/config/ec2.ts",
      "src/config/alarms.ts",
      "src/config/service.ts",
      "src/config/environments.ts",
      "src/config/app.ts",
      "src/config/ci.ts",
      "src/config/app-checks.ts",
      "src/config/defaults.ts",
      "src/config/derive.ts",
      "src/config/model.ts",
      "src/config/load.ts",
    ],
    tests: ["__tests__/unit/config/*.test.ts"],
  },
  {
    name: "policy-rules",
    mutate: ["src/policy-gate/rules/*.ts", "src/policy-gate/user-data.ts", "src/policy-gate/gate.ts"],
    tests: ["__tests__/unit/policy-gate/rules*.test.ts", "__tests__/unit/policy-gate/gate.test.ts", "__tests__/unit/policy-gate/user-data.test.ts"],
    cacheSynth: true,
  },
];

export interface ModuleScore {
  readonly name: string;
  readonly scorePercent: number;
  readonly killed: number;
  readonly survived: number;
  readonly noCoverage: number;
  readonly seconds: number;
}

/** The JSON report's shape (mutation-testing-report-schema), as far as the score needs it. */
interface MutationReport {
  readonly files: Readonly<Record<string, { readonly mutants: readonly { readonly status: string }[] }>>;
}

/** Stryker's mutation score: detected (killed, timed out) over every mutant that ran or had no test. */
export function scoreOf(name: string, report: MutationReport, seconds: number): ModuleScore {
  const statuses = Object.values(report.files).flatMap((file) => file.mutants.map((mutant) => mutant.status));
  const count = (...wanted: string[]) => statuses.filter((status) => wanted.includes(status)).length;
  const detected = count("Killed", "Timeout");
  const undetected = count("Survived", "NoCoverage");
  const scorePercent = detected + undetected === 0 ? 100 : Math.floor((1000 * detected) / (detected + undetected)) / 10;
  return { name, scorePercent, killed: detected, survived: count("Survived"), noCoverage: count("NoCoverage"), seconds };
}

/** The scores as a Markdown table (the PR workflow's job summary), modules below the target marked. */
export function summaryMarkdown(scores: readonly ModuleScore[], targetPercent = MUTATION_TARGET_PERCENT): string {
  const below = scores.filter((s) => s.scorePercent < targetPercent);
  const rows = scores.map(
    (s) =>
      `| \`${s.name}\` | ${s.scorePercent} % | ${s.killed} | ${s.survived} | ${s.noCoverage} | ${s.seconds} s | ${s.scorePercent < targetPercent ? "**below**" : "ok"} |`,
  );
  return [
    `### Mutation testing: ${below.length === 0 ? `every module at ≥ ${targetPercent} %` : `${below.length} of ${scores.length} modules below ${targetPercent} %`}`,
    "",
    "| module | score | detected | survived | without a test | duration | target |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
  ].join("\n");
}

const STRYKER_BOUND_MINUTES = 45;

/** One Stryker run (its CLI: StrykerJS is an ES module), bounded: `timedOut` when it was stopped at the bound. */
function runStryker(configFile: string, env: NodeJS.ProcessEnv): Promise<{ code: number; timedOut: boolean }> {
  const bin = path.join(projectRoot(), "node_modules", "@stryker-mutator", "core", "bin", "stryker.js");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "run", configFile], { cwd: projectRoot(), env, stdio: ["ignore", "ignore", "inherit"] });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, STRYKER_BOUND_MINUTES * 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, timedOut });
    });
  });
}

async function mutate(module: MutationModule, reports: string): Promise<ModuleScore> {
  const started = Date.now();
  const json = path.join(reports, `${module.name}.json`);
  const configFile = path.join(projectRoot(), ".stryker-tmp", `${module.name}.config.json`);
  mkdirSync(path.dirname(configFile), { recursive: true });
  const config = {
    testRunner: "jest",
    jest: {
      projectType: "custom",
      configFile: "jest.config.js",
      config: { testMatch: module.tests.map((test) => `<rootDir>/${test}`) },
      enableFindRelatedTests: false,
    },
    mutate: module.mutate,
    coverageAnalysis: "perTest",
    reporters: ["json", "html"],
    jsonReporter: { fileName: json },
    htmlReporter: { fileName: path.join(reports, `${module.name}.html`) },
    tempDirName: path.join(".stryker-tmp", module.name),
    ignorePatterns: ["dist", "cdktf.out", "reports", ".venv", ".stryker-tmp"],
    concurrency: 2,
    logLevel: "warn",
    cleanTempDir: "always",
  };
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const synthCache = module.cacheSynth ? mkdtempSync(path.join(os.tmpdir(), `ghcr-ecs-mutation-${module.name}-`)) : undefined;
  const { code, timedOut } = await runStryker(configFile, { ...process.env, ...(synthCache ? { GHCR_ECS_TEST_SYNTH_CACHE: synthCache } : {}) }).finally(() => {
    if (synthCache) rmSync(synthCache, { recursive: true, force: true });
  });
  if (timedOut) throw new Error(`stryker did not finish ${module.name} within ${STRYKER_BOUND_MINUTES} minutes`);
  if (code !== 0) throw new Error(`stryker exited ${code} for ${module.name} (its tests must pass unmutated first)`);
  return scoreOf(module.name, JSON.parse(readFileSync(json, "utf8")) as MutationReport, Math.round((Date.now() - started) / 1000));
}

async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !MUTATION_MODULES.some((m) => m.name === name));
  if (unknown.length > 0) {
    process.stderr.write(`unknown module ${unknown.join(", ")}; modules: ${MUTATION_MODULES.map((m) => m.name).join(", ")}\n`);
    return 2;
  }
  const modules = wanted.length > 0 ? MUTATION_MODULES.filter((m) => wanted.includes(m.name)) : MUTATION_MODULES;
  process.chdir(projectRoot());
  const reports = path.join(projectRoot(), "reports", "mutation");
  mkdirSync(reports, { recursive: true });
  const started = Date.now();
  const scores: ModuleScore[] = [];
  for (const [index, module] of modules.entries()) {
    const score = await mutate(module, reports);
    scores.push(score);
    const verdict = score.scorePercent >= MUTATION_TARGET_PERCENT ? "ok" : `below ${MUTATION_TARGET_PERCENT} %`;
    process.stdout.write(
      `[${index + 1}/${modules.length}] ${module.name}: ${score.scorePercent} % (${score.killed} detected, ${score.survived} survived, ${score.noCoverage} without a test) in ${score.seconds} s, ${verdict} · ${Math.round((Date.now() - started) / 1000)} s elapsed\n`,
    );
  }
  // A run of some modules keeps the other modules' last scores, in the list's order.
  const summaryFile = path.join(reports, "summary.json");
  const previous = existsSync(summaryFile) ? (JSON.parse(readFileSync(summaryFile, "utf8")) as { modules: ModuleScore[] }).modules : [];
  const merged = MUTATION_MODULES.flatMap((m) => scores.find((s) => s.name === m.name) ?? previous.find((s) => s.name === m.name) ?? []);
  writeFileSync(summaryFile, `${JSON.stringify({ at: new Date().toISOString(), targetPercent: MUTATION_TARGET_PERCENT, modules: merged }, null, 2)}\n`);
  writeFileSync(path.join(reports, "summary.md"), summaryMarkdown(merged));
  const below = scores.filter((s) => s.scorePercent < MUTATION_TARGET_PERCENT);
  if (below.length > 0) process.stderr.write(`below ${MUTATION_TARGET_PERCENT} %: ${below.map((s) => `${s.name} ${s.scorePercent} %`).join(", ")}\n`);
  return below.length > 0 ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
