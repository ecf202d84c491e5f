import { stringList, blocks, type Finding, type PolicyRule, type StackView } from "../types";

const WORLD = ["0.0.0.0/0", "::/0"];
const SECURITY_GROUP_TYPES = ["aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"];

/** One ingress or egress permission, whichever of the three Terraform shapes declared it. */
interface Permission {
  /** The resource address, with `.egress[0]` for a rule inline in `aws_security_group`. */
  readonly where: string;
  readonly address: string;
  readonly direction: "ingress" | "egress";
  readonly cidrs: string[];
  readonly protocol: string;
  readonly fromPort: number | undefined;
  readonly toPort: number | undefined;
  readonly description: unknown;
}

function permissions(stack: StackView): Permission[] {
  const found: Permission[] = [];
  for (const direction of ["ingress", "egress"] as const) {
    for (const rule of stack.resources(`aws_vpc_security_group_${direction}_rule`)) {
      found.push({
        where: rule.address,
        address: rule.address,
        direction,
        cidrs: [rule.block.cidr_ipv4, rule.block.cidr_ipv6].filter((c): c is string => typeof c === "string"),
        protocol: String(rule.block.ip_protocol ?? ""),
        fromPort: numberOrUndefined(rule.block.from_port),
        toPort: numberOrUndefined(rule.block.to_port),
        description: rule.block.description,
      });
    }
    for (const group of stack.resources("aws_security_group")) {
      blocks(group.block[direction]).forEach((inline, index) => {
        found.push({
          where: `${group.address}.${direction}[${index}]`,
          address: group.address,
          direction,
          cidrs: [...stringList(inline.cidr_blocks), ...stringList(inline.ipv6_cidr_blocks)],
          protocol: String(inline.protocol ?? ""),
          fromPort: numberOrUndefined(inline.from_port),
          toPort: numberOrUndefined(inline.to_port),
          description: inline.description,
        });
      });
    }
  }
  for (const rule of stack.resources("aws_security_group_rule")) {
    found.push({
      where: rule.address,
      address: rule.address,
      direction: rule.block.type === "egress" ? "egress" : "ingress",
      cidrs: [...stringList(rule.block.cidr_blocks), ...stringList(rule.block.ipv6_cidr_blocks)],
      protocol: String(rule.block.protocol ?? ""),
      fromPort: numberOrUndefined(rule.block.from_port),
      toPort: numberOrUndefined(rule.block.to_port),
      description: rule.block.description,
    });
  }
  return found;
}

function numberOrUndefined(value: unknown): number | undefined {
  const n = typeof value === "string" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) ? n : undefined;
}

function coversAllPorts(permission: Permission): boolean {
  if (["-1", "all"].includes(permission.protocol.toLowerCase())) return true;
  return (permission.fromPort ?? 0) <= 1 && (permission.toPort ?? 65535) >= 65535;
}

function describePorts(permission: Permission): string {
  if (["-1", "all"].includes(permission.protocol.toLowerCase())) return "all protocols and ports";
  return permission.fromPort === permission.toPort
    ? `${permission.protocol} ${permission.fromPort}`
    : `${permission.protocol} ${permission.fromPort}-${permission.toPort}`;
}

function isBlank(value: unknown): boolean {
  return typeof value !== "string" || value.trim().length === 0;
}

const securityGroupDescriptions: PolicyRule = {
  id: "security-group-descriptions",
  title: "Security groups and every rule have a description",
  checkov: ["CKV_AWS_23"],
  trivy: ["AVD-AWS-0099", "AVD-AWS-0124"],
  severity: "low",
  resourceTypes: SECURITY_GROUP_TYPES,
  check(stack) {
    const findings: Finding[] = [];
    for (const group of stack.resources("aws_security_group")) {
      const description: unknown = group.block.description;
      // The provider fills an omitted description with "Managed by Terraform", which describes nothing.
      if (isBlank(description) || description === "Managed by Terraform") {
        findings.push({
          address: group.address,
          message: `description is ${JSON.stringify(description ?? null)}${description === undefined ? ' (the provider sets "Managed by Terraform")' : ""}`,
          fix: "describe what the group admits and why",
        });
      }
    }
    for (const permission of permissions(stack)) {
      if (isBlank(permission.description)) {
        findings.push({
          address: permission.address,
          message: `${permission.where === permission.address ? "" : `${permission.where.slice(permission.address.length + 1)}: `}${permission.direction} rule ${describePorts(permission)} has no description`,
          fix: 'set description to the traffic\'s purpose (e.g. "HTTPS to the image registry")',
        });
      }
    }
    return findings;
  },
};

const noAllPortsEgressToWorld: PolicyRule = {
  id: "no-all-ports-egress-to-world",
  title: "No egress on all ports to 0.0.0.0/0 or ::/0",
  checkov: ["CKV_AWS_382"],
  trivy: [],
  severity: "medium",
  resourceTypes: SECURITY_GROUP_TYPES,
  check(stack) {
    return permissions(stack)
      .filter((p) => p.direction === "egress" && p.cidrs.some((c) => WORLD.includes(c)) && coversAllPorts(p))
      .map((p) => ({
        address: p.address,
        message: `${p.where === p.address ? "" : `${p.where.slice(p.address.length + 1)}: `}egress to ${p.cidrs.filter((c) => WORLD.includes(c)).join(", ")} on ${describePorts(p)}`,
        fix: "allow only the ports the workload needs (tasks need tcp 443 to the registry and AWS APIs)",
      }));
  },
};

const noEgressToWorld: PolicyRule = {
  id: "no-egress-to-world",
  title: "No egress to 0.0.0.0/0 or ::/0 on any port",
  checkov: [],
  trivy: ["AVD-AWS-0104"],
  severity: "low",
  resourceTypes: SECURITY_GROUP_TYPES,
  check(stack) {
    return permissions(stack)
      .filter((p) => p.direction === "egress" && p.cidrs.some((c) => WORLD.includes(c)))
      .map((p) => ({
        address: p.address,
        message: `${p.where === p.address ? "" : `${p.where.slice(p.address.length + 1)}: `}egress to ${p.cidrs.filter((c) => WORLD.includes(c)).join(", ")} on ${describePorts(p)}`,
        fix: "route AWS APIs through VPC endpoints and restrict the destination, or declare a waiver: a public registry such as ghcr.io has no fixed address range",
      }));
  },
};

const noIngressFromWorld: PolicyRule = {
  id: "no-ingress-from-world",
  title: "No ingress from 0.0.0.0/0 or ::/0",
  checkov: ["CKV_AWS_260"],
  trivy: ["AVD-AWS-0107"],
  severity: "medium",
  resourceTypes: SECURITY_GROUP_TYPES,
  check(stack) {
    return permissions(stack)
      .filter((p) => p.direction === "ingress" && p.cidrs.some((c) => WORLD.includes(c)))
      .map((p) => ({
        address: p.address,
        message: `${p.where === p.address ? "" : `${p.where.slice(p.address.length + 1)}: `}ingress from ${p.cidrs.filter((c) => WORLD.includes(c)).join(", ")} on ${describePorts(p)}`,
        fix: "narrow loadBalancer.ingressCidrs, or declare a waiver when the service is public on purpose",
      }));
  },
};

export const SECURITY_GROUP_RULES: readonly PolicyRule[] = [securityGroupDescriptions, noAllPortsEgressToWorld, noEgressToWorld, noIngressFromWorld];
