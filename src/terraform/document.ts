/**
 * A synthesized Terraform JSON document (`cdktf.out/stacks/<stack>/cdk.tf.json`): one type for everything that
 * reads one — the policy gate, the rollout model, the HCL renderer, the address manifest and the tests.
 */

/** Any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * A resource's (data source's, variable's, …) arguments with their snake_case Terraform keys. Values are whatever
 * the provider schema allows, so readers check each value's shape before they use it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- arbitrary provider arguments, read structurally
export type TerraformBlock = Record<string, any>;

/** A `moved` block: state at `from` now belongs to `to`. */
export interface MovedBlock {
  readonly from: string;
  readonly to: string;
}

export interface TerraformDocument {
  readonly terraform?: TerraformBlock;
  readonly provider?: Record<string, TerraformBlock[]>;
  readonly resource?: Record<string, Record<string, TerraformBlock>>;
  readonly data?: Record<string, Record<string, TerraformBlock>>;
  readonly variable?: Record<string, TerraformBlock>;
  readonly output?: Record<string, TerraformBlock>;
  readonly locals?: TerraformBlock;
  readonly check?: Record<string, TerraformBlock>;
  readonly moved?: readonly MovedBlock[];
}

/** Every managed resource's address (`aws_lb.load-balancer_alb_15AADC07`), sorted. */
export function resourceAddresses(document: TerraformDocument): string[] {
  return Object.entries(document.resource ?? {})
    .flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`))
    .sort();
}
