/**
 * The state-compatibility guard. Resource addresses are a public interface: a changed address makes Terraform destroy
 * the resource at the old one and create it at the new one. `config/resource-addresses.json` records, for every
 * example config and stack, the addresses it synthesizes and the `moved` blocks that carry older addresses forward.
 * A regenerated manifest may add addresses, but every address it loses must be the `from` of a `moved` block (or be
 * accepted as a deliberate removal), and no `moved` block may disappear: users upgrading from any earlier version
 * still need it.
 */
import { resourceAddresses, type MovedBlock, type TerraformDocument } from "./document";

/** Where the manifest is committed, relative to the project root. */
export const ADDRESS_MANIFEST_FILE = "config/resource-addresses.json";

export interface StackAddresses {
  readonly addresses: readonly string[];
  readonly moved: readonly MovedBlock[];
}

/** Config file (relative to the project root) → stack → its addresses. */
export type AddressManifest = Record<string, Record<string, StackAddresses>>;

export function stackAddresses(document: TerraformDocument): StackAddresses {
  const moved = [...(document.moved ?? [])].map(({ from, to }) => ({ from, to })).sort((a, b) => compare(a.from, b.from));
  return { addresses: resourceAddresses(document), moved };
}

export interface ManifestProblem {
  readonly config: string;
  readonly stack: string;
  readonly message: string;
}

/**
 * What makes `next` unsafe to replace `previous`: an address gone without a `moved` block to a present address, a
 * dropped `moved` block, a stack gone. `acceptedRemovals` lists addresses (`<stack>/<address>` or `<address>`)
 * whose resource is deliberately removed.
 */
export function manifestProblems(previous: AddressManifest, next: AddressManifest, acceptedRemovals: readonly string[] = []): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  for (const [config, stacks] of Object.entries(previous)) {
    if (!(config in next)) continue; // an example config removed from the set: nothing of it is deployed by the examples
    for (const [stack, before] of Object.entries(stacks)) {
      const after = next[config][stack];
      if (!after) {
        problems.push({ config, stack, message: `the stack ${stack} is no longer synthesized; its deployments would lose every resource` });
        continue;
      }
      const present = new Set(after.addresses);
      const movedFrom = new Map(after.moved.map((m) => [m.from, m.to]));
      for (const address of before.addresses) {
        if (present.has(address) || acceptedRemovals.includes(address) || acceptedRemovals.includes(`${stack}/${address}`)) continue;
        const target = movedFrom.get(address);
        if (target === undefined) {
          problems.push({
            config,
            stack,
            message: `${address} is gone without a moved block: Terraform would destroy it. Keep its construct path, or carry it with \`<resource>.moveFromId("${address}")\`; if the resource is meant to go, accept it with --accept-removal ${stack}/${address}`,
          });
        } else if (!present.has(target)) {
          problems.push({ config, stack, message: `${address} is moved to ${target}, which the stack does not synthesize` });
        }
      }
      const kept = new Set(after.moved.map((m) => `${m.from}→${m.to}`));
      for (const move of before.moved) {
        if (!kept.has(`${move.from}→${move.to}`)) {
          problems.push({
            config,
            stack,
            message: `the moved block ${move.from} → ${move.to} is gone: deployments not yet upgraded past it would destroy ${move.from}`,
          });
        }
      }
    }
  }
  return problems;
}

/** The manifest as committed: stable key order and formatting, so regeneration only changes what changed. */
export function manifestText(manifest: AddressManifest): string {
  const sorted: AddressManifest = {};
  for (const config of Object.keys(manifest).sort(compare)) {
    sorted[config] = {};
    for (const stack of Object.keys(manifest[config]).sort(compare)) sorted[config][stack] = manifest[config][stack];
  }
  return `${JSON.stringify(sorted, null, 2)}\n`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
