#!/usr/bin/env node
// Runs `tsc -p tsconfig.build.json` only when a source or config file is newer than the last build's info file:
// a no-change check by tsc itself costs ~1.7 s (loading the compiler and cdktf's types), this costs milliseconds.
"use strict";
const { statSync, readdirSync, existsSync, utimesSync } = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const root = path.join(__dirname, "..");
const buildInfo = path.join(root, "dist", ".tsbuildinfo");

function newestMtime(entry) {
  const stat = statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return entry.endsWith(".ts") || entry.endsWith(".json") ? stat.mtimeMs : 0;
  return readdirSync(entry).reduce((newest, name) => Math.max(newest, newestMtime(path.join(entry, name))), 0);
}

const inputs = ["main.ts", "src", "scripts", "tsconfig.json", "tsconfig.build.json", "package-lock.json"].map((p) => path.join(root, p));
const built = existsSync(buildInfo) ? statSync(buildInfo).mtimeMs : 0;
if (inputs.some((input) => newestMtime(input) > built)) {
  process.stderr.write("building ghcr-ecs (sources changed since the last build)...\n");
  // Compiler diagnostics go to stderr: stdout stays clean for what the command prints (--json documents).
  const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(root, "tsconfig.build.json")], { stdio: ["ignore", 2, 2] });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  // tsc leaves the info file alone when only timestamps changed; mark this build as current.
  const now = new Date();
  utimesSync(buildInfo, now, now);
}
