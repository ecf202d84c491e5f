import { readFileSync } from "node:fs";
import * as path from "node:path";
import { configSchema } from "../../../src/config";
import { parseDeploymentConfig } from "../../../src/config/load";
import { stackNamesOf } from "../../../src/config/model";

const ROOT = path.join(__dirname, "..", "..", "..");

/** The fenced blocks of `language` in a Markdown file. */
function fencedBlocks(file: string, language: string): string[] {
  const text = readFileSync(path.join(ROOT, file), "utf8");
  return [...text.matchAll(new RegExp("^```" + language + "\\n([\\s\\S]*?)^```$", "gm"))].map((match) => match[1]);
}

describe("the README's configuration examples", () => {
  const [app, single] = fencedBlocks("README.md", "json");

  it("show an app that validates, with the two stacks the README names", () => {
    expect(stackNamesOf(parseDeploymentConfig(JSON.parse(app)))).toEqual(["shop-staging", "shop-prod"]);
  });

  it("show a single-service config with only the required keys (and $schema)", () => {
    const config = JSON.parse(single) as Record<string, unknown>;
    expect(configSchema.safeParse(config).error?.issues).toBeUndefined();
    expect(Object.keys(config).sort()).toEqual(["$schema", "cpu", "credentials", "image", "memory", "name", "region"]);
  });
});

describe("docs/apps.md", () => {
  it("shows environment overrides that validate when merged into the example app", () => {
    const [overrides] = fencedBlocks("docs/apps.md", "json");
    const example = JSON.parse(readFileSync(path.join(ROOT, "config", "example-app.json"), "utf8")) as Record<string, unknown>;
    const withOverrides = { ...example, ...(JSON.parse(`{${overrides}}`) as Record<string, unknown>) };
    expect(stackNamesOf(parseDeploymentConfig(withOverrides))).toEqual(["shop-staging", "shop-prod", "shop-ci"]);
  });
});
