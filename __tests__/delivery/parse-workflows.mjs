// Parses GitHub workflow files with GitHub's own parser (@actions/workflow-parser, the one behind the Actions
// language server) and prints one JSON document: per file, the parser's errors and the converted template.
// usage: node parse-workflows.mjs FILE...   (the parser is an ES module, so jest runs this as a child process)
import { readFileSync } from "node:fs";
import { register } from "node:module";
import * as path from "node:path";

register("./json-import-hooks.mjs", import.meta.url);
const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } = await import("@actions/workflow-parser");

const results = [];
for (const file of process.argv.slice(2)) {
  const parsed = parseWorkflow({ name: path.basename(file), content: readFileSync(file, "utf8") }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  const template = parsed.value ? await convertWorkflowTemplate(parsed.context, parsed.value) : undefined;
  results.push({ file, errors, template: template ? JSON.parse(JSON.stringify(template)) : null });
}
process.stdout.write(JSON.stringify(results));
