import { readFileSync } from "node:fs";
import * as path from "node:path";
import { configSchema } from "../../../src/config";

const ROOT = path.join(__dirname, "..", "..", "..");

/** The fenced blocks of `language` in a Markdown file. */
function fencedBlocks(file: string, language: string): string[] {
  const text = readFileSync(path.join(ROOT, file), "utf8");
  return [...text.matchAll(new RegExp("^```" + language + "\\n([\\s\\S]*?)^```$", "gm"))].map((match) => match[1]);
}

describe("the README's configuration example", () => {
  it("is a valid config with only the required keys (and $schema)", () => {
    const [example] = fencedBlocks("README.md", "json");
    const config = JSON.parse(example) as Record<string, unknown>;
    expect(configSchema.safeParse(config).error?.issues).toBeUndefined();
    expect(Object.keys(config).sort()).toEqual(["$schema", "cpu", "credentials", "image", "memory", "name", "region"]);
  });
});
