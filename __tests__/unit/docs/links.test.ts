/**
 * Every relative link in README.md and docs/*.md points at a file or folder that exists, and every `#anchor` at a
 * heading of the target page, by GitHub's anchor rules: the heading's text in lowercase, punctuation other than `-`
 * and `_` dropped, each space a `-`, and `-1`, `-2`, … for repeated headings.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..", "..");
const DOCS = path.join(ROOT, "docs");
const PAGES = [
  path.join(ROOT, "README.md"),
  ...readdirSync(DOCS)
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => path.join(DOCS, f)),
];

/** The text outside fenced code blocks, line by line (a fenced line becomes empty, so line numbers stay right). */
function proseLines(markdown: string): string[] {
  let fence: string | undefined;
  return markdown.split("\n").map((line) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence !== undefined) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      return "";
    }
    if (marker) {
      fence = marker;
      return "";
    }
    return line;
  });
}

/** GitHub's anchor for a heading's text. */
function slug(heading: string): string {
  const text = heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, "").replace(/\s/g, "-");
}

function anchorsOf(file: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of proseLines(readFileSync(file, "utf8"))) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = slug(heading);
    const count = seen.get(base) ?? 0;
    anchors.add(count === 0 ? base : `${base}-${count}`);
    seen.set(base, count + 1);
  }
  return anchors;
}

interface Link {
  readonly page: string;
  readonly line: number;
  readonly target: string;
}

function linksOf(page: string): Link[] {
  const links: Link[] = [];
  proseLines(readFileSync(page, "utf8")).forEach((text, i) => {
    // Code spans may hold brackets and parentheses that are not links; their content is not a link target.
    const prose = text.replace(/(`+)(?:(?!\1).)*?\1/g, "code");
    for (const match of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ page, line: i + 1, target: match[1] });
  });
  return links;
}

const relative = (link: Link) => !/^[a-z][a-z0-9+.-]*:/i.test(link.target);
const where = (link: Link) => `${path.relative(ROOT, link.page)}:${link.line} → ${link.target}`;

/** Why `link` does not resolve, or undefined when it does. */
function problem(link: Link): string | undefined {
  const [file, anchor] = link.target.split("#", 2) as [string, string | undefined];
  const target = file === "" ? link.page : path.resolve(path.dirname(link.page), decodeURIComponent(file));
  if (!existsSync(target)) return `${where(link)}: ${path.relative(ROOT, target)} does not exist`;
  if (anchor === undefined) return undefined;
  if (!statSync(target).isFile() || !target.endsWith(".md")) return `${where(link)}: an anchor into a file that is not Markdown`;
  return anchorsOf(target).has(anchor) ? undefined : `${where(link)}: ${path.relative(ROOT, target)} has no heading with the anchor #${anchor}`;
}

describe("links in README.md and docs/", () => {
  const links = PAGES.flatMap(linksOf).filter(relative);

  it("finds the pages and their links", () => {
    expect(PAGES.map((p) => path.relative(ROOT, p))).toEqual(expect.arrayContaining(["README.md", "docs/configuration.md", "docs/upgrading.md"]));
    expect(links.length).toBeGreaterThan(50);
  });

  it("resolves every relative link and anchor", () => {
    expect(links.map(problem).filter((p) => p !== undefined)).toEqual([]);
  });

  it("links every page of docs/ from the README", () => {
    const fromReadme = new Set(
      linksOf(path.join(ROOT, "README.md"))
        .filter(relative)
        .map((link) => path.resolve(ROOT, link.target.split("#")[0])),
    );
    expect(PAGES.filter((page) => page.startsWith(DOCS) && !fromReadme.has(page)).map((p) => path.relative(ROOT, p))).toEqual([]);
  });
});

describe("GitHub's anchor rules, as this test applies them", () => {
  it.each([
    ["Registry auth on EC2", "registry-auth-on-ec2"],
    ["Operating a deployment: the `ghcr-ecs` CLI", "operating-a-deployment-the-ghcr-ecs-cli"],
    ["Pull requests: `.github/workflows/pr.yml`", "pull-requests-githubworkflowspryml"],
    ["Debug logs leak it — not Terraform's, the AWS provider's", "debug-logs-leak-it--not-terraforms-the-aws-providers"],
    ["policyWaivers[]", "policywaivers"],
    ["network: create", "network-create"],
    ["moto_gaps and [links](x.md)", "moto_gaps-and-links"],
  ])("%s → #%s", (heading, anchor) => {
    expect(slug(heading)).toBe(anchor);
  });

  it("numbers repeated headings and ignores headings in code blocks", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-links-"));
    try {
      const file = path.join(dir, "page.md");
      writeFileSync(file, "# Rules\n\n## Rules\n\n```sh\n# not a heading\n```\n\n### Rules ###\n");
      expect([...anchorsOf(file)]).toEqual(["rules", "rules-1", "rules-2"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reports a missing file and a missing anchor, and ignores links inside code", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-links-"));
    try {
      const page = path.join(dir, "page.md");
      writeFileSync(page, "# Page\n\n[ok](#page) [gone](other.md) [no anchor](#nowhere) `[code](ignored.md)`\n");
      expect(linksOf(page).map(problem)).toEqual([
        undefined,
        `${where({ page, line: 3, target: "other.md" })}: ${path.relative(ROOT, path.join(dir, "other.md"))} does not exist`,
        `${where({ page, line: 3, target: "#nowhere" })}: ${path.relative(ROOT, page)} has no heading with the anchor #nowhere`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
