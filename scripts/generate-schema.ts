import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { jsonSchemaText } from "../src/config/json-schema";
import { projectRoot } from "../src/util/project-root";

const file = path.join(projectRoot(), "config", "ghcr-ecs.schema.json");
writeFileSync(file, jsonSchemaText());
process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
