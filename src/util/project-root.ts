import { existsSync } from "node:fs";
import * as path from "node:path";

/** The package's root folder, found from this file whether it runs from `src/` (ts-jest) or `dist/src/` (node). */
export function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}
