import { parseCidr, planSubnets, type SubnetPlan } from "../../../src/aws/cidr";

const NOT_A_CIDR = "must be an IPv4 CIDR block such as 10.0.0.0/16";

/** [first, last] address of a block, computed independently of the code under test. */
function rangeOf(block: string): [number, number] {
  const [ip, prefix] = block.split("/");
  const start = ip.split(".").reduce((value, octet) => value * 256 + Number(octet), 0);
  return [start, start + 2 ** (32 - Number(prefix)) - 1];
}

/** Every subnet lies inside the VPC, no two overlap, and public subnets stay in the VPC's first quarter. */
function expectValidLayout(vpc: string, plan: SubnetPlan): void {
  const [vpcStart, vpcEnd] = rangeOf(vpc);
  const all = [...plan.publicCidrs, ...plan.privateCidrs];
  for (const subnet of all) {
    const [start, end] = rangeOf(subnet);
    expect({ subnet, insideVpc: start >= vpcStart && end <= vpcEnd }).toEqual({ subnet, insideVpc: true });
    expect({ subnet, aligned: (start - vpcStart) % (end - start + 1) === 0 }).toEqual({ subnet, aligned: true });
  }
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      const [aStart, aEnd] = rangeOf(all[i]);
      const [bStart, bEnd] = rangeOf(all[j]);
      expect({ pair: [all[i], all[j]], overlap: aStart <= bEnd && bStart <= aEnd }).toEqual({ pair: [all[i], all[j]], overlap: false });
    }
  }
  const quarterEnd = vpcStart + (vpcEnd - vpcStart + 1) / 4 - 1;
  for (const subnet of plan.publicCidrs) expect(rangeOf(subnet)[1]).toBeLessThanOrEqual(quarterEnd);
  for (const subnet of plan.privateCidrs) expect(rangeOf(subnet)[0]).toBeGreaterThan(quarterEnd);
}

describe("parseCidr", () => {
  it.each<[string, number, number]>([
    ["10.0.0.0/16", 167772160, 16],
    ["192.168.1.0/24", 3232235776, 24],
    ["172.16.0.0/12", 2886729728, 12],
    ["0.0.0.0/0", 0, 0],
    ["255.255.255.255/32", 4294967295, 32],
    ["10.1.4.0/22", 167838720, 22],
  ])("parses %s into its unsigned 32-bit address and prefix", (block, address, prefix) => {
    expect(parseCidr(block)).toStrictEqual({ address, prefix });
  });

  it.each([
    ["an octet above 255", "10.0.256.0/24"],
    ["a first octet above 255", "300.0.0.0/8"],
    ["a prefix above 32", "10.0.0.0/33"],
    ["no prefix", "10.0.0.0"],
    ["three octets", "10.0.0/16"],
    ["a negative prefix", "10.0.0.0/-1"],
    ["a leading space", " 10.0.0.0/16"],
    ["an IPv6 block", "fd00::/8"],
    ["an empty string", ""],
  ])("rejects %s (%s)", (_label, block) => {
    expect(() => parseCidr(block)).toThrow(new Error(NOT_A_CIDR));
  });

  it.each([
    ["10.0.0.1/16", "10.0.0.0/16"],
    ["192.168.1.130/25", "192.168.1.128/25"],
    ["172.16.5.0/12", "172.16.0.0/12"],
    ["10.0.3.0/22", "10.0.0.0/22"],
    ["255.255.255.255/1", "128.0.0.0/1"],
  ])("rejects %s with host bits set and names the network address %s", (block, network) => {
    expect(() => parseCidr(block)).toThrow(new Error(`has host bits set; the network address is ${network}`));
  });
});

describe("planSubnets", () => {
  // /16 → 8 private slots of /19 (8192 addresses = 32 in the third octet); public /21 (2048 = 8 in the third octet).
  // Public subnets are packed from the start of the VPC, private ones start at slot 2 (10.0.64.0).
  it("plans 2 AZs in 10.0.0.0/16", () => {
    const plan = planSubnets("10.0.0.0/16", 2);
    expect(plan).toStrictEqual({
      publicCidrs: ["10.0.0.0/21", "10.0.8.0/21"],
      privateCidrs: ["10.0.64.0/19", "10.0.96.0/19"],
    });
    expectValidLayout("10.0.0.0/16", plan);
  });

  it("plans 3 AZs in 10.0.0.0/16", () => {
    const plan = planSubnets("10.0.0.0/16", 3);
    expect(plan).toStrictEqual({
      publicCidrs: ["10.0.0.0/21", "10.0.8.0/21", "10.0.16.0/21"],
      privateCidrs: ["10.0.64.0/19", "10.0.96.0/19", "10.0.128.0/19"],
    });
    expectValidLayout("10.0.0.0/16", plan);
  });

  it("plans 6 AZs in 10.0.0.0/16, the last private subnet ending at the VPC's last address", () => {
    const plan = planSubnets("10.0.0.0/16", 6);
    expect(plan).toStrictEqual({
      publicCidrs: ["10.0.0.0/21", "10.0.8.0/21", "10.0.16.0/21", "10.0.24.0/21", "10.0.32.0/21", "10.0.40.0/21"],
      privateCidrs: ["10.0.64.0/19", "10.0.96.0/19", "10.0.128.0/19", "10.0.160.0/19", "10.0.192.0/19", "10.0.224.0/19"],
    });
    expectValidLayout("10.0.0.0/16", plan);
    expect(rangeOf(plan.privateCidrs[5])[1]).toBe(rangeOf("10.0.0.0/16")[1]);
  });

  it("offsets the subnets from a VPC that does not start at x.x.0.0", () => {
    // /17 → private /20 (4096 = 16 in the third octet), public /22 (1024 = 4 in the third octet)
    const plan = planSubnets("172.31.128.0/17", 3);
    expect(plan).toStrictEqual({
      publicCidrs: ["172.31.128.0/22", "172.31.132.0/22", "172.31.136.0/22"],
      privateCidrs: ["172.31.160.0/20", "172.31.176.0/20", "172.31.192.0/20"],
    });
    expectValidLayout("172.31.128.0/17", plan);
  });

  it("fits 6 AZs into a /22 with /27 public and /25 private subnets", () => {
    const plan = planSubnets("10.1.4.0/22", 6);
    expect(plan).toStrictEqual({
      publicCidrs: ["10.1.4.0/27", "10.1.4.32/27", "10.1.4.64/27", "10.1.4.96/27", "10.1.4.128/27", "10.1.4.160/27"],
      privateCidrs: ["10.1.5.0/25", "10.1.5.128/25", "10.1.6.0/25", "10.1.6.128/25", "10.1.7.0/25", "10.1.7.128/25"],
    });
    expectValidLayout("10.1.4.0/22", plan);
  });

  it.each([2, 3, 4, 5, 6])("keeps %i AZs disjoint and inside every VPC size from /16 to /22", (azCount) => {
    for (const vpc of ["10.0.0.0/16", "10.0.0.0/17", "10.0.0.0/18", "10.0.0.0/19", "10.0.0.0/20", "10.0.0.0/21", "10.0.0.0/22"]) {
      const plan = planSubnets(vpc, azCount);
      expect(plan.publicCidrs).toHaveLength(azCount);
      expect(plan.privateCidrs).toHaveLength(azCount);
      expectValidLayout(vpc, plan);
    }
  });

  it("rejects a /23, smaller than the layout supports", () => {
    expect(() => planSubnets("10.0.0.0/23", 2)).toThrow(new Error("VPC CIDR 10.0.0.0/23: the prefix must be /16 to /22"));
  });

  it("rejects a /15, larger than a VPC may be", () => {
    expect(() => planSubnets("10.0.0.0/15", 2)).toThrow(new Error("VPC CIDR 10.0.0.0/15: the prefix must be /16 to /22"));
  });

  it("rejects a VPC block with host bits set", () => {
    expect(() => planSubnets("10.0.0.1/16", 2)).toThrow("has host bits set; the network address is 10.0.0.0/16");
  });

  it.each([0, 7])("rejects %i AZs", (azCount) => {
    expect(() => planSubnets("10.0.0.0/16", azCount)).toThrow(`azCount ${azCount}`);
  });
});
