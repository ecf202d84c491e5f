/**
 * `npm run schema`: writes what is generated from the zod schema in src/config/ — the JSON Schema for editors
 * (config/ghcr-ecs.schema.json) and the configuration reference (docs/configuration.md). Tests fail when either
 * committed file differs from what this writes.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { jsonSchemaText } from "../src/config/json-schema";
import { configurationReferenceText } from "../src/config/reference-doc";
import { projectRoot } from "../src/util/project-root";

const outputs: [file: string, text: string][] = [
  [path.join(projectRoot(), "config", "ghcr-ecs.schema.json"), jsonSchemaText()],
  [path.join(projectRoot(), "docs", "configuration.md"), configurationReferenceText()],
];
for (const [file, text] of outputs) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}
