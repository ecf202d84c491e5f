/**
 * `npm run bench`: synth time and peak memory of the app (`node dist/main.js`), median of several runs, plus
 * the no-change build check that `npm run synth` pays before it, and the whole command.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { projectRoot } from "../src/project-root";

const RUNS = Number(process.env.BENCH_RUNS ?? 7);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Wall time (ms) and peak RSS (MiB) of a command, measured by GNU time when present, else wall time only. */
const root = projectRoot();
const useTime = spawnSync("/usr/bin/time", ["-f", "%M", "true"], { stdio: "ignore" }).status === 0;

function measure(command: string, args: string[], env: NodeJS.ProcessEnv): { ms: number; rssMiB?: number } {
  const started = process.hrtime.bigint();
  const result = useTime
    ? spawnSync("/usr/bin/time", ["-f", "%M", command, ...args], { cwd: root, env, encoding: "utf8" })
    : spawnSync(command, args, { cwd: root, env, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${result.stderr}`);
  const rssKiB = useTime ? Number(result.stderr.trim().split("\n").pop()) : NaN;
  return { ms, rssMiB: Number.isFinite(rssKiB) ? rssKiB / 1024 : undefined };
}

function report(label: string, samples: { ms: number; rssMiB?: number }[]): void {
  const ms = median(samples.map((s) => s.ms));
  const rss = samples.every((s) => s.rssMiB !== undefined) ? median(samples.map((s) => s.rssMiB as number)) : undefined;
  process.stdout.write(`${label.padEnd(44)} median ${ms.toFixed(0).padStart(5)} ms${rss ? `   peak RSS ${rss.toFixed(0)} MiB` : ""}   (${samples.length} runs)\n`);
}

const outdir = mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-bench-"));
try {
  const env = { ...process.env, CDKTF_OUTDIR: outdir };
  report("synth: node dist/main.js (reference app)", Array.from({ length: RUNS }, () => measure("node", ["dist/main.js"], env)));
  report("build check, nothing changed", Array.from({ length: RUNS }, () => measure("node", ["scripts/build-if-changed.js"], env)));
  report("npm run synth, nothing changed", Array.from({ length: RUNS }, () => measure("npm", ["run", "-s", "synth"], env)));
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
