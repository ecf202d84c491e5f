import type { TerraformBlock, TerraformDocument } from "../terraform/document";
import type { PolicyWaiver } from "./waivers";

export interface StackInput {
  readonly name: string;
  readonly document: TerraformDocument;
  /**
   * This stack's own waivers and choices (an app's environments may differ); they apply besides the gate's.
   * @default - the gate input's `waivers` and `expectations`
   */
  readonly waivers?: readonly PolicyWaiver[];
  readonly expectations?: PolicyExpectations;
}

export type Severity = "critical" | "high" | "medium" | "low";

/** A violation of one rule by one resource. */
export interface Finding {
  /** Terraform address, e.g. `aws_lb.load-balancer_alb_15AADC07`. */
  readonly address: string;
  /** What is wrong, naming the offending value. */
  readonly message: string;
  /** How to fix it (or what to declare as a waiver when the exception is deliberate). */
  readonly fix: string;
}

/** A rule's answer for a stack that has none of the resources it inspects, or where it does not apply. */
export interface NotApplicable {
  readonly notApplicable: string;
}

/**
 * What the deployment's configuration deliberately chose, for rules whose scanner counterpart would flag the
 * choice (derive it with `expectationsFromConfig`). Such findings are reported as WAIVED, with the config as reason.
 */
export interface PolicyExpectations {
  /** `encryption.mode` is `create-cmk` or `existing-key`: the secret and the log group must use a CMK. */
  readonly customerManagedKey: boolean;
  /** The no-NAT cost mode (or an existing network with `assignPublicIp`): tasks get public IPs on purpose. */
  readonly publicTaskIps: boolean;
  /** `production: true`: every service must scale and alarm; elsewhere a service may run without. */
  readonly production: boolean;
}

export interface PolicyRule {
  /** Our rule ID, kebab-case. */
  readonly id: string;
  readonly title: string;
  readonly checkov: readonly string[];
  readonly trivy: readonly string[];
  readonly severity: Severity;
  /** Resource types the rule inspects; a stack with none of them makes the rule "n/a". */
  readonly resourceTypes: readonly string[];
  check(stack: StackView): Finding[] | NotApplicable;
}

/** A resource of a stack, with its Terraform address. */
export interface Resource {
  readonly type: string;
  readonly name: string;
  readonly address: string;
  readonly block: TerraformBlock;
}

/** Read access to one stack's resources. */
export class StackView {
  constructor(
    readonly name: string,
    readonly document: TerraformDocument,
  ) {}

  resources(type: string): Resource[] {
    return Object.entries(this.document.resource?.[type] ?? {}).map(([name, block]) => ({
      type,
      name,
      address: `${type}.${name}`,
      block,
    }));
  }

  hasAny(types: readonly string[]): boolean {
    return types.some((type) => this.resources(type).length > 0);
  }

  /** The resource an expression such as `${aws_lb.alb_1234.arn}` refers to, when it is in this stack. */
  referenced(expression: unknown): Resource | undefined {
    const address = referencedAddress(expression);
    if (!address) return undefined;
    const [type, name] = address.split(".");
    const block = this.document.resource?.[type]?.[name];
    return block ? { type, name, address, block } : undefined;
  }
}

/** `aws_x.name` for an expression that is exactly one reference `${aws_x.name.attribute}`, else undefined. */
export function referencedAddress(expression: unknown): string | undefined {
  if (typeof expression !== "string") return undefined;
  const match = /^\$\{([a-z0-9_]+)\.([^.}\s]+)\.[a-z0-9_]+\}$/.exec(expression);
  return match ? `${match[1]}.${match[2]}` : undefined;
}

/** Terraform JSON booleans may be rendered as strings. */
export function isTrue(value: unknown): boolean {
  return value === true || value === "true";
}

/** Nested blocks are rendered as an object or as a list of objects, depending on the provider schema. */
export function blocks(value: unknown): TerraformBlock[] {
  return asList(value).filter((item): item is TerraformBlock => item !== null && typeof item === "object");
}

/** A value that Terraform JSON and IAM documents allow as one item or a list, as a list; undefined is empty. */
export function asList(value: unknown): unknown[] {
  return value === undefined ? [] : Array.isArray(value) ? [...(value as unknown[])] : [value];
}

/** The strings of a string-or-list value (IAM actions, CIDR lists); anything that is not a string is left out. */
export function stringList(value: unknown): string[] {
  return asList(value).filter((item): item is string => typeof item === "string");
}
