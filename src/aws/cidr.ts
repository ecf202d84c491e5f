export interface Cidr {
  readonly address: number;
  readonly prefix: number;
}

/** Parses an IPv4 CIDR block whose address is the network address (host bits zero). */
export function parseCidr(block: string): Cidr {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(block);
  if (!match) throw new Error(`must be an IPv4 CIDR block such as 10.0.0.0/16`);
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) throw new Error(`must be an IPv4 CIDR block such as 10.0.0.0/16`);
  const address = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const hostBits = 32 - prefix;
  if (hostBits > 0 && address % 2 ** hostBits !== 0) {
    throw new Error(`has host bits set; the network address is ${formatAddress(address - (address % 2 ** hostBits))}/${prefix}`);
  }
  return { address, prefix };
}

function formatAddress(address: number): string {
  return [24, 16, 8, 0].map((shift) => (address >>> shift) & 255).join(".");
}

export interface SubnetPlan {
  readonly publicCidrs: string[];
  readonly privateCidrs: string[];
}

/**
 * Splits a VPC block into one public and one private subnet per AZ. Public subnets only hold the ALB and NAT
 * gateways, so they get a quarter of the space; tasks (one ENI each on awsvpc) get the rest.
 */
export function planSubnets(vpcCidr: string, azCount: number): SubnetPlan {
  const { address, prefix } = parseCidr(vpcCidr);
  if (prefix < 16 || prefix > 22) throw new Error(`VPC CIDR ${vpcCidr}: the prefix must be /16 to /22`);
  // 8 equal slots: public subnets come from the first quarter (2 slots), private from the other three quarters.
  // At /22 that gives /27 public and /25 private subnets, still above AWS's /28 minimum.
  const slotBits = 3;
  if (!Number.isInteger(azCount) || azCount < 1 || azCount > 6) throw new Error(`azCount ${azCount} is invalid: use a whole number from 1 to 6`);
  const privatePrefix = prefix + slotBits;
  const publicPrefix = prefix + slotBits + 2;
  const slotSize = 2 ** (32 - privatePrefix);
  const publicSize = 2 ** (32 - publicPrefix);
  const publicCidrs = Array.from({ length: azCount }, (_, i) => `${formatAddress(address + i * publicSize)}/${publicPrefix}`);
  const privateCidrs = Array.from({ length: azCount }, (_, i) => `${formatAddress(address + (2 + i) * slotSize)}/${privatePrefix}`);
  return { publicCidrs, privateCidrs };
}
