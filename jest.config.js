/** @type {import('jest').Config} */
const transform = { "^.+\\.ts$": ["ts-jest", { isolatedModules: true, diagnostics: false }] };

module.exports = {
  testEnvironment: "node",
  transform,
  moduleFileExtensions: ["ts", "js", "json"],
  testPathIgnorePatterns: ["/node_modules/", "/dist/", "/cdktf.out/"],
  modulePathIgnorePatterns: ["<rootDir>/dist/"],
  setupFilesAfterEnv: ["<rootDir>/__tests__/setup.ts"],
  testMatch: ["<rootDir>/__tests__/**/*.test.ts"],
};
