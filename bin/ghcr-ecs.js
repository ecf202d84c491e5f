#!/usr/bin/env node
// The `ghcr-ecs` command (`npx ghcr-ecs …` in a clone): compiles the project first when the build is missing or older
// than its sources — a fresh clone, a pulled change — then runs the CLI from dist/.
"use strict";
const { existsSync } = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
if (existsSync(path.join(root, "src"))) require(path.join(root, "scripts", "build-if-changed.js"));
require(path.join(root, "dist", "src", "cli", "index.js")).main();
