/**
 * `npm run bench`: what the project costs, as a Markdown report on stdout.
 *
 *   npm run bench                      synth of the reference app (median of BENCH_RUNS, default 7), the no-change
 *                                      build check and `npm run synth`; then synth of one App holding 1, 10 and 50
 *                                      Fargate stacks generated from the reference config (median of BENCH_STACK_RUNS,
 *                                      default 3) — how the cost grows with the number of stacks; then synth of apps of
 *                                      1, 10 and 20 services × 3 environments generated from config/example-app.json
 *                                      (`node dist/main.js`, median of BENCH_STACK_RUNS) — target ≤ 1.5 s and ≤ 200 MiB
 *                                      for 10 × 3
 *   npm run bench -- --layers          also the test suite, one jest run per layer (each folder of __tests__ with
 *                                      tests, `npx jest <dir>` with the project's workers, once each), then all layers
 *                                      in one run as `npm test` does: wall time, peak memory, tests passed/failed. Slow
 *                                      (the moto layers apply real stacks), so off by default
 *   npm run bench -- --layers-only     only the layers
 *   npm run bench -- --layers unit,cli only those layers (comma-separated folder names)
 *
 * Time is wall-clock. Memory is GNU time's %M (when /usr/bin/time exists): the peak resident set of the LARGEST
 * SINGLE process among the command and the descendants it waited for — not the sum of a process tree. For a jest
 * layer that is usually the jest worker or a terraform/provider process, whichever peaked higher.
 *
 * Internal: `node dist/scripts/bench.js --synth-stacks N OUTDIR` synthesizes N generated stacks (the measured child).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { projectRoot } from "../src/util/project-root";
import type { ModuleScore } from "./mutation";

const root = projectRoot();
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const STACK_RUNS = Number(process.env.BENCH_STACK_RUNS ?? 3);
const STACK_COUNTS = [1, 10, 50];
const APP_SERVICE_COUNTS = [1, 10, 20];
const APP_ENVIRONMENTS = 3;

interface Sample {
  ms: number;
  rssMiB?: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

const useTime = spawnSync("/usr/bin/time", ["-f", "%M", "true"], { stdio: "ignore" }).status === 0;
const TIME_MARK = "@@bench-maxrss-kib=";

/** Wall time (ms) and peak RSS (MiB, GNU time's %M) of a command. */
function measure(command: string, args: string[], env: NodeJS.ProcessEnv, options: { allowFailure?: boolean; timeoutMs?: number } = {}): Sample {
  const started = process.hrtime.bigint();
  const result = useTime
    ? spawnSync("/usr/bin/time", ["-f", `${TIME_MARK}%M`, command, ...args], {
        cwd: root,
        env,
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
        timeout: options.timeoutMs,
      })
    : spawnSync(command, args, { cwd: root, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024, timeout: options.timeoutMs });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0 && !options.allowFailure)
    throw new Error(`${command} ${args.join(" ")} failed (exit ${result.status}):\n${result.stderr.slice(-3000)}`);
  const mark = result.stderr.lastIndexOf(TIME_MARK);
  const rssKiB =
    useTime && mark >= 0
      ? Number(
          result.stderr
            .slice(mark + TIME_MARK.length)
            .trim()
            .split("\n")[0],
        )
      : NaN;
  return {
    ms,
    rssMiB: Number.isFinite(rssKiB) ? rssKiB / 1024 : undefined,
    status: result.status,
    stdout: result.stdout,
    stderr: mark >= 0 ? result.stderr.slice(0, mark) : result.stderr,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const fmtMs = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);
const fmtMiB = (mib: number | undefined) => (mib === undefined ? "n/a" : `${mib.toFixed(0)} MiB`);

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

function summarize(label: string, samples: Sample[]): string[] {
  const rss = samples.every((s) => s.rssMiB !== undefined) ? median(samples.map((s) => s.rssMiB as number)) : undefined;
  return [label, fmtMs(median(samples.map((s) => s.ms))), fmtMiB(rss), String(samples.length)];
}

/** The child side of the multi-stack benchmark: one App with `count` Fargate stacks, synthesized into `outdir`. */
function synthStacks(count: number, outdir: string): void {
  // Loaded here so the parent process (which only measures) does not pay for cdktf and the provider.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { App } = require("cdktf") as typeof import("cdktf");
  const { EnvironmentStack } = require("../src/stacks/environment-stack") as typeof import("../src/stacks/environment-stack");
  const { environmentsOf } = require("../src/config/model") as typeof import("../src/config/model");
  const { parseConfig } = require("../src/config/load") as typeof import("../src/config/load");
  const reference = JSON.parse(readFileSync(path.join(root, "config", "reference-app.json"), "utf8")) as Record<string, unknown>;
  delete reference.ec2;
  const app = new App({ outdir });
  for (let i = 0; i < count; i++) {
    const config = parseConfig({ ...reference, launchType: "fargate", name: `orders-${String(i).padStart(2, "0")}` }, `generated config ${i}`);
    const [environment] = environmentsOf(config);
    new EnvironmentStack(app, environment.stackName, { environment, localStateFile: path.join(outdir, `terraform.${config.name}.tfstate`) });
  }
  app.synth();
  const written = readdirSync(path.join(outdir, "stacks")).filter((s) => existsSync(path.join(outdir, "stacks", s, "cdk.tf.json")));
  if (written.length !== count) throw new Error(`expected ${count} synthesized stacks, found ${written.length}`);
}

/**
 * An app of `serviceCount` services in three environments, from the example app: the first service is the
 * listener's default, every third a worker, the rest routed by path; all on Service Connect.
 */
function generatedApp(serviceCount: number): Record<string, unknown> {
  const example = JSON.parse(readFileSync(path.join(root, "config", "example-app.json"), "utf8")) as {
    services: Record<string, Record<string, unknown>>;
    environments: Record<string, Record<string, unknown>>;
  } & Record<string, unknown>;
  const { web, api, worker } = example.services;
  const services: Record<string, Record<string, unknown>> = {};
  for (let i = 0; i < serviceCount; i++) {
    const name = `svc-${String(i).padStart(2, "0")}`;
    const image = `ghcr.io/acme/${name}:1.0.${i}`;
    if (i === 0) services[name] = { ...web, image, serviceConnect: true };
    else if (i % 3 === 0) services[name] = { ...worker, image };
    else services[name] = { ...api, image, route: { pathPatterns: [`/${name}/*`] } };
  }
  const smaller = { tags: { stage: "staging" }, services: Object.fromEntries(Object.keys(services).map((name) => [name, { desiredCount: 1 }])) };
  // prod keeps the example's settings but not its overrides of the example's own services (web, api, worker).
  const { services: _exampleServices, ...prod } = example.environments.prod;
  const environments = { dev: { ...smaller, tags: { stage: "dev" } }, staging: smaller, prod };
  // The environments' stacks only: the CI bootstrap stack is the same size whatever the app.
  return { ...example, $schema: undefined, ci: undefined, services, environments };
}

function benchAppSynth(outdirRoot: string): void {
  const rows: string[][] = [];
  let base: number | undefined;
  for (const count of APP_SERVICE_COUNTS) {
    const configFile = path.join(outdirRoot, `app-${count}.json`);
    writeFileSync(configFile, JSON.stringify(generatedApp(count)));
    const samples = Array.from({ length: STACK_RUNS }, (_, run) => {
      const outdir = path.join(outdirRoot, `app-${count}-${run}`);
      const sample = measure("node", ["dist/main.js"], { ...process.env, GHCR_ECS_CONFIG: configFile, CDKTF_OUTDIR: outdir });
      const stacks = readdirSync(path.join(outdir, "stacks"));
      if (stacks.length !== APP_ENVIRONMENTS) throw new Error(`expected ${APP_ENVIRONMENTS} stacks for ${count} services, found ${stacks.join(", ")}`);
      rmSync(outdir, { recursive: true, force: true });
      return sample;
    });
    const ms = median(samples.map((s) => s.ms));
    base ??= ms;
    const row = summarize(`${count} × ${APP_ENVIRONMENTS}`, samples);
    rows.push([row[0], row[1], count === 1 ? "—" : fmtMs((ms - base) / (count - 1)), row[2], row[3]]);
  }
  process.stdout.write(
    `## Synth of an app: N services × ${APP_ENVIRONMENTS} environments

Generated from config/example-app.json (the first service the default route, every third a worker, the others routed by path, all on Service Connect); \`node dist/main.js\`, one process per run. Target for 10 × 3: ≤ 1.5 s, ≤ 200 MiB.

` +
      `${table(["services × environments", "median time", "per extra service", "median peak RSS", "runs"], rows)}

`,
  );
}

/** The folders of __tests__ that hold test files, in a fixed order: cheap layers first. */
function testLayers(): string[] {
  const dir = path.join(root, "__tests__");
  const order = ["unit", "policy", "property", "registry", "cli", "security", "faults", "terraform", "integration"];
  const hasTests = (d: string): boolean =>
    readdirSync(d).some((entry) => {
      const full = path.join(d, entry);
      return statSync(full).isDirectory() ? hasTests(full) : entry.endsWith(".test.ts");
    });
  const layers = readdirSync(dir).filter((entry) => statSync(path.join(dir, entry)).isDirectory() && hasTests(path.join(dir, entry)));
  return layers.sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || a.localeCompare(b));
}

function benchSynth(outdirRoot: string): void {
  const env = { ...process.env, CDKTF_OUTDIR: path.join(outdirRoot, "reference") };
  const rows = [
    summarize(
      "synth: `node dist/main.js` (reference app, 2 stacks)",
      Array.from({ length: RUNS }, () => measure("node", ["dist/main.js"], env)),
    ),
    summarize(
      "build check, nothing changed",
      Array.from({ length: RUNS }, () => measure("node", ["scripts/build-if-changed.js"], env)),
    ),
    summarize(
      "`npm run synth`, nothing changed",
      Array.from({ length: RUNS }, () => measure("npm", ["run", "-s", "synth"], env)),
    ),
  ];
  process.stdout.write(`## Synth of the reference app\n\n${table(["command", "median time", "median peak RSS", "runs"], rows)}\n\n`);

  const stackRows: string[][] = [];
  let base: number | undefined;
  for (const count of STACK_COUNTS) {
    const samples = Array.from({ length: STACK_RUNS }, (_, run) => {
      const outdir = path.join(outdirRoot, `stacks-${count}-${run}`);
      const sample = measure("node", [path.join(root, "dist", "scripts", "bench.js"), "--synth-stacks", String(count), outdir], process.env);
      rmSync(outdir, { recursive: true, force: true });
      return sample;
    });
    const ms = median(samples.map((s) => s.ms));
    base ??= ms;
    const row = summarize(String(count), samples);
    stackRows.push([row[0], row[1], count === 1 ? "—" : fmtMs((ms - base) / (count - 1)), row[2], row[3]]);
  }
  process.stdout.write(
    `## Synth of one App with N generated Fargate stacks\n\nConfigs: the reference app with \`launchType: "fargate"\` and names orders-00 … orders-NN; one process per run (node start-up, imports, synth, writing cdktf.out).\n\n` +
      `${table(["stacks", "median time", "per extra stack", "median peak RSS", "runs"], stackRows)}\n\n`,
  );
}

/** The worker count jest.config.js sets. */
function jestWorkers(): number {
  return (require(path.join(root, "jest.config.js")) as { maxWorkers: number }).maxWorkers;
}

/** One jest run with the project's config (its worker count); a table row of wall time, peak RSS and results. */
function jestRow(label: string, paths: string[]): { row: string[]; ms: number; rssMiB?: number } {
  const resultsFile = path.join(os.tmpdir(), `ghcr-ecs-bench-${process.pid}-${Date.now()}.json`);
  process.stderr.write(`bench: jest ${paths.join(" ") || "(all layers)"} …\n`);
  const sample = measure(
    "npx",
    ["jest", ...paths, "--json", `--outputFile=${resultsFile}`],
    { ...process.env, CI: "true" },
    { allowFailure: true, timeoutMs: 30 * 60_000 },
  );
  let counts = "?";
  let files = "?";
  if (existsSync(resultsFile)) {
    const results = JSON.parse(readFileSync(resultsFile, "utf8")) as {
      numPassedTests: number;
      numFailedTests: number;
      numPendingTests: number;
      numTotalTestSuites: number;
    };
    counts = `${results.numPassedTests} passed${results.numFailedTests ? `, ${results.numFailedTests} failed` : ""}${results.numPendingTests ? `, ${results.numPendingTests} skipped` : ""}`;
    files = String(results.numTotalTestSuites);
    rmSync(resultsFile, { force: true });
  }
  return {
    row: [label, files, counts, fmtMs(sample.ms), fmtMiB(sample.rssMiB), sample.status === 0 ? "ok" : `exit ${sample.status}`],
    ms: sample.ms,
    rssMiB: sample.rssMiB,
  };
}

function benchLayers(selected: string[] | undefined): void {
  const layers = testLayers().filter((l) => !selected || selected.includes(l));
  if (selected) for (const l of selected) if (!testLayers().includes(l)) throw new Error(`no test layer __tests__/${l} (layers: ${testLayers().join(", ")})`);
  const rows: string[][] = [];
  let totalMs = 0;
  let peak = 0;
  for (const layer of layers) {
    const { row, ms, rssMiB } = jestRow(`\`__tests__/${layer}\``, [`__tests__/${layer}`]);
    totalMs += ms;
    peak = Math.max(peak, rssMiB ?? 0);
    rows.push(row);
  }
  rows.push(["**sum of the layers**", "", "", `**${fmtMs(totalMs)}**`, `**${fmtMiB(peak || undefined)}** (max)`, ""]);
  // What `npm test` runs: every layer in one jest run, the slow suites on parallel workers from the start.
  if (!selected) rows.push(jestRow("**all layers in one run** (as `npm test`)", []).row);
  process.stdout.write(
    `## Test suite per layer\n\nEach layer once: \`npx jest __tests__/<layer>\` with the project's jest config (${jestWorkers()} workers), then all layers in one run as \`npm test\` does (its type check, lint and build are not included). ` +
      `Peak RSS is GNU time's %M: the largest single process (jest, or a terraform / provider / moto child), not the sum of the tree.\n\n` +
      `${table(["layer", "files", "tests", "wall time", "peak RSS", "jest"], rows)}\n\n`,
  );
}

function main(argv: string[]): void {
  if (argv[0] === "--synth-stacks") {
    synthStacks(Number(argv[1]), argv[2]);
    return;
  }
  const unknown = argv.filter(
    (a, i) => !["--layers", "--layers-only"].includes(a) && !(i > 0 && ["--layers", "--layers-only"].includes(argv[i - 1]) && !a.startsWith("--")),
  );
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown argument ${unknown.join(" ")}\nusage: npm run bench [-- --layers [a,b]] | [-- --layers-only [a,b]]\n`);
    process.exit(2);
  }
  const flag = argv.findIndex((a) => a === "--layers" || a === "--layers-only");
  const layerList = flag >= 0 && argv[flag + 1] && !argv[flag + 1].startsWith("--") ? argv[flag + 1].split(",") : undefined;
  process.stdout.write(
    `# ghcr-ecs benchmark\n\n${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}${useTime ? "" : " (no /usr/bin/time: memory not measured)"}\n\n`,
  );
  if (argv[flag] !== "--layers-only") {
    const outdirRoot = mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-bench-"));
    try {
      benchSynth(outdirRoot);
      benchAppSynth(outdirRoot);
    } finally {
      rmSync(outdirRoot, { recursive: true, force: true });
    }
  }
  if (flag >= 0) benchLayers(layerList);
  reportMutation();
}

/** The last `npm run mutation`'s score and duration per module (mutation runs take minutes, so bench reads, not runs). */
function reportMutation(): void {
  const file = path.join(projectRoot(), "reports", "mutation", "summary.json");
  if (!existsSync(file)) {
    process.stdout.write("## Mutation scores\n\nno reports/mutation/summary.json yet: run `npm run mutation`\n");
    return;
  }
  const summary = JSON.parse(readFileSync(file, "utf8")) as { at: string; targetPercent: number; modules: ModuleScore[] };
  const rows = summary.modules.map((m) => [m.name, `${m.scorePercent} %${m.scorePercent < summary.targetPercent ? " (below target)" : ""}`, `${m.seconds} s`]);
  process.stdout.write(
    `## Mutation scores (npm run mutation, ${summary.at}; target ${summary.targetPercent} %)\n\n${table(["module", "score", "duration"], rows)}\n`,
  );
}

main(process.argv.slice(2));
