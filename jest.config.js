/** @type {import('jest').Config} */
// ts-jest transpiles each file alone (tsconfig.json has isolatedModules); `npm run typecheck` does the type check.
const transform = { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] };

module.exports = {
  testEnvironment: "node",
  transform,
  moduleFileExtensions: ["ts", "js", "json"],
  testPathIgnorePatterns: ["/node_modules/", "/dist/", "/cdktf.out/"],
  modulePathIgnorePatterns: ["<rootDir>/dist/"],
  testMatch: ["<rootDir>/__tests__/**/*.test.ts"],
  testSequencer: "<rootDir>/__tests__/sequencer.js",
  // The emulator suites mostly wait (moto, the AWS provider's fixed ALB wait), each with its own moto, ports and
  // scratch folders, so more of them than cores run at once. JEST_WORKERS overrides (e.g. 1 to debug in band).
  maxWorkers: Number(process.env.JEST_WORKERS ?? 4),
};
