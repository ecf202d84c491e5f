import { lstatSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

/**
 * Every file under the given paths (files or folders, recursively) whose bytes contain `needle`. Symbolic links
 * are not followed: `.terraform/providers` links to the provider binaries, which are not artifacts of ours.
 */
export function filesContaining(needle: string, roots: readonly string[]): string[] {
  if (needle.length < 8) throw new Error("a leak search needs a needle of at least 8 characters to mean anything");
  const hits: string[] = [];
  const visit = (file: string) => {
    const stat = lstatSync(file, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) {
      for (const entry of readdirSync(file)) visit(path.join(file, entry));
    } else if (stat.isFile() && readFileSync(file).includes(needle)) {
      hits.push(file);
    }
  };
  roots.forEach(visit);
  return hits;
}
