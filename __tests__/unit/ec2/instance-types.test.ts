import { instanceTypeArchitecture } from "../../../src/ec2/instance-types";
import { boundedName } from "../../../src/aws/names";

describe("instanceTypeArchitecture", () => {
  it.each([
    "t4g.medium",
    "m7g.large",
    "m6gd.xlarge",
    "c6gn.large",
    "c7gn.16xlarge",
    "r8g.large",
    "im4gn.large",
    "is4gen.large",
    "x2gd.large",
    "g5g.xlarge",
    "hpc7g.4xlarge",
    "a1.large",
  ])("reads %s as ARM64", (type) => expect(instanceTypeArchitecture(type)).toBe("ARM64"));
  it.each([
    "t3.medium",
    "t3a.medium",
    "m5.large",
    "m5dn.large",
    "m7i-flex.large",
    "c7a.large",
    "g4dn.xlarge",
    "p4d.24xlarge",
    "r5b.large",
    "z1d.large",
    "inf2.xlarge",
  ])("reads %s as X86_64", (type) => expect(instanceTypeArchitecture(type)).toBe("X86_64"));
});

describe("boundedName", () => {
  it("keeps names that fit and shortens others to the limit with a stable hash suffix", () => {
    expect(boundedName("orders-ec2-8098", 32)).toBe("orders-ec2-8098");
    const long = boundedName("a23456789012345678901234-ec2-8098-inst", 32);
    expect(long.length).toBeLessThanOrEqual(32);
    expect(long).toBe(boundedName("a23456789012345678901234-ec2-8098-inst", 32));
    expect(long).not.toBe(boundedName("a23456789012345678901234-ec2-8099-inst", 32));
    expect(long).toMatch(/^a23456789012345678901234-[0-9a-f]{6}$/);
  });
});
