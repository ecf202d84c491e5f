/**
 * `npm run addresses`: regenerates config/resource-addresses.json, the state-compatibility guard's manifest (see
 * src/terraform/address-manifest.ts). Refuses, and writes nothing, when a change would make Terraform destroy a
 * resource of an existing deployment: an address gone without a `moved` block, or a dropped `moved` block.
 *
 * usage: npm run addresses [-- --accept-removal <stack>/<address> ...]   (a deliberate removal, named one by one)
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { exampleAddressManifest } from "../src/app";
import { ADDRESS_MANIFEST_FILE, manifestProblems, manifestText, type AddressManifest } from "../src/terraform/address-manifest";
import { projectRoot } from "../src/util/project-root";

const args = process.argv.slice(2);
const accepted: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--accept-removal" && args[i + 1]) accepted.push(args[++i]);
  else {
    process.stderr.write("usage: npm run addresses [-- --accept-removal <stack>/<address> ...]\n");
    process.exit(2);
  }
}

const file = path.join(projectRoot(), ADDRESS_MANIFEST_FILE);
const previous = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as AddressManifest) : {};
const next = exampleAddressManifest();
const problems = manifestProblems(previous, next, accepted);
if (problems.length > 0) {
  process.stderr.write(`${ADDRESS_MANIFEST_FILE} not written: existing deployments would lose resources.\n`);
  for (const p of problems) process.stderr.write(`  - ${p.config} (${p.stack}): ${p.message}\n`);
  process.exit(1);
}
writeFileSync(file, manifestText(next));
process.stdout.write(`wrote ${ADDRESS_MANIFEST_FILE}\n`);
