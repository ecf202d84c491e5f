import { existsSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { MUTATION_MODULES, MUTATION_TARGET_PERCENT, scoreOf, summaryMarkdown } from "../../../scripts/mutation";

const ROOT = path.join(__dirname, "..", "..", "..");

/** The files a `__tests__/…/*.test.ts` pattern (one `*` in the file name at most) names. */
function filesOf(pattern: string): string[] {
  const dir = path.join(ROOT, path.dirname(pattern));
  const name = new RegExp(`^${path.basename(pattern).replace(/[.]/g, "\\.").replace("*", ".*")}$`);
  return existsSync(dir) ? readdirSync(dir).filter((file) => name.test(file)) : [];
}

describe("npm run mutation's modules", () => {
  it("name source files that exist, each with unit tests that exist, each module once", () => {
    for (const module of MUTATION_MODULES) {
      for (const file of module.mutate) expect([module.name, file, filesOf(file).length > 0]).toEqual([module.name, file, true]);
      for (const test of module.tests) {
        expect(test.startsWith("__tests__/unit/")).toBe(true);
        expect([module.name, test, filesOf(test).length > 0]).toEqual([module.name, test, true]);
      }
    }
    const mutated = MUTATION_MODULES.flatMap((m) => m.mutate);
    expect(new Set(mutated).size).toBe(mutated.length);
    expect(MUTATION_TARGET_PERCENT).toBe(90);
  });
});

describe("scoreOf (Stryker's mutation score from its JSON report)", () => {
  const report = (...statuses: string[]) => ({ files: { "src/a.ts": { mutants: statuses.map((status) => ({ status })) } } });

  it("counts killed and timed-out mutants as detected, survivors and mutants without a test as not", () => {
    expect(scoreOf("a", report("Killed", "Killed", "Timeout", "Survived", "NoCoverage", "Killed", "Killed", "Killed", "Killed", "Killed"), 12)).toEqual({
      name: "a",
      scorePercent: 80,
      killed: 8,
      survived: 1,
      noCoverage: 1,
      seconds: 12,
    });
  });

  it("leaves out mutants that did not compile or were ignored, and rounds down to a tenth", () => {
    expect(scoreOf("a", report("Killed", "Killed", "Survived", "CompileError", "Ignored"), 1).scorePercent).toBe(66.6);
    expect(scoreOf("a", report(), 1).scorePercent).toBe(100);
  });
});

describe("summaryMarkdown (the PR job's summary)", () => {
  const score = (name: string, scorePercent: number) => ({ name, scorePercent, killed: 90, survived: 8, noCoverage: 2, seconds: 61 });

  it("tabulates every module with its counts and duration, and says when all meet the target", () => {
    expect(summaryMarkdown([score("pull-check", 99.4), score("diagnose", 90)])).toBe(
      [
        "### Mutation testing: every module at ≥ 90 %",
        "",
        "| module | score | detected | survived | without a test | duration | target |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        "| `pull-check` | 99.4 % | 90 | 8 | 2 | 61 s | ok |",
        "| `diagnose` | 90 % | 90 | 8 | 2 | 61 s | ok |",
        "",
      ].join("\n"),
    );
  });

  it("counts and marks the modules below the target", () => {
    const markdown = summaryMarkdown([score("a", 89.9), score("b", 95), score("c", 10)]);
    expect(markdown.split("\n")[0]).toBe("### Mutation testing: 2 of 3 modules below 90 %");
    expect(markdown).toContain("| `a` | 89.9 % | 90 | 8 | 2 | 61 s | **below** |");
    expect(markdown).toContain("| `b` | 95 % | 90 | 8 | 2 | 61 s | ok |");
    expect(summaryMarkdown([score("a", 79)], 80).split("\n")[0]).toBe("### Mutation testing: 1 of 1 modules below 80 %");
  });
});
