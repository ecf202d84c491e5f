import { TerraformOutput } from "cdktf";
import { Network, type NetworkProps } from "../../../src/constructs/network";
import { findResource, referenced, onlyResource, ref, resourceCounts, resources, synthConstruct, tagOf, type NamedResource } from "../../helpers/synth";
import type { TerraformDocument } from "../../../src/terraform/document";

/** Synthesizes the construct, exposing its outputs (VPC, subnets) as Terraform outputs so they resolve. */
function synth(props: NetworkProps): { tf: TerraformDocument; network: Network } {
  let network: Network | undefined;
  const tf = synthConstruct((scope) => {
    network = new Network(scope, "network", props);
    new TerraformOutput(scope, "vpc_id", { value: network.vpcId });
    new TerraformOutput(scope, "load_balancer_subnet_ids", { value: network.loadBalancerSubnetIds });
    new TerraformOutput(scope, "service_subnet_ids", { value: network.serviceSubnetIds });
  });
  return { tf, network: network! };
}

const create = (overrides: Partial<Extract<NetworkProps, { mode: "create" }>> = {}): NetworkProps => ({
  mode: "create",
  name: "orders",
  ...overrides,
});

const byTagName = (tf: TerraformDocument, type: string, name: string): NamedResource => findResource(tf, type, (b) => tagOf(b, "Name") === name);
const subnetId = (tf: TerraformDocument, name: string): string => ref("aws_subnet", byTagName(tf, "aws_subnet", name).name, "id");

/** The availability-zone expression of AZ index `i`, as a subnet renders it. */
function azOf(tf: TerraformDocument, i: number): string {
  const zones = Object.keys(tf.data?.aws_availability_zones ?? {});
  expect(zones).toHaveLength(1);
  return `\${element(data.aws_availability_zones.${zones[0]}.names, ${i})}`;
}

/** The default route of private subnet `i`: subnet → association → route table → route. */
function privateRoute(tf: TerraformDocument, i: number): NamedResource {
  const subnet = subnetId(tf, `orders-private-${i}`);
  const association = findResource(tf, "aws_route_table_association", (b) => b.subnet_id === subnet);
  const table = referenced(tf, "aws_route_table", "id", association.block.route_table_id);
  expect(table.block.tags).toEqual({ Name: `orders-private-${i}` });
  const route = findResource(tf, "aws_route", (b) => b.route_table_id === association.block.route_table_id);
  expect(route.block.destination_cidr_block).toBe("0.0.0.0/0");
  expect(route.block).not.toHaveProperty("gateway_id");
  return route;
}

describe("Network (create)", () => {
  describe("two AZs with a single NAT gateway (defaults)", () => {
    it("creates exactly the VPC, four subnets, one NAT with one address, and three route tables", () => {
      expect(resourceCounts(synth(create()).tf)).toEqual({
        aws_vpc: 1,
        aws_default_security_group: 1,
        aws_internet_gateway: 1,
        aws_subnet: 4,
        aws_eip: 1,
        aws_nat_gateway: 1,
        aws_route_table: 3,
        aws_route: 3,
        aws_route_table_association: 4,
      });
    });

    it("uses 10.0.0.0/16 with DNS enabled", () => {
      expect(onlyResource(synth(create()).tf, "aws_vpc").block).toEqual({
        cidr_block: "10.0.0.0/16",
        enable_dns_hostnames: true,
        enable_dns_support: true,
        tags: { Name: "orders" },
      });
    });

    it("carves /21 public and /19 private subnets, one of each per AZ", () => {
      const { tf } = synth(create());
      const vpc = onlyResource(tf, "aws_vpc");
      const subnets = resources(tf, "aws_subnet").map((s) => s.block);
      expect(subnets).toHaveLength(4);
      expect(subnets).toEqual(
        expect.arrayContaining([
          {
            vpc_id: ref("aws_vpc", vpc.name, "id"),
            cidr_block: "10.0.0.0/21",
            availability_zone: azOf(tf, 0),
            map_public_ip_on_launch: false,
            tags: { Name: "orders-public-0", Tier: "public" },
          },
          {
            vpc_id: ref("aws_vpc", vpc.name, "id"),
            cidr_block: "10.0.8.0/21",
            availability_zone: azOf(tf, 1),
            map_public_ip_on_launch: false,
            tags: { Name: "orders-public-1", Tier: "public" },
          },
          {
            vpc_id: ref("aws_vpc", vpc.name, "id"),
            cidr_block: "10.0.64.0/19",
            availability_zone: azOf(tf, 0),
            tags: { Name: "orders-private-0", Tier: "private" },
          },
          {
            vpc_id: ref("aws_vpc", vpc.name, "id"),
            cidr_block: "10.0.96.0/19",
            availability_zone: azOf(tf, 1),
            tags: { Name: "orders-private-1", Tier: "private" },
          },
        ]),
      );
    });

    it("looks up only available zones", () => {
      const { tf } = synth(create());
      expect(Object.values(tf.data?.aws_availability_zones ?? {})).toEqual([{ state: "available" }]);
    });

    it("puts the NAT gateway in the first public subnet with an elastic IP, after the internet gateway", () => {
      const { tf } = synth(create());
      const eip = onlyResource(tf, "aws_eip");
      const igw = onlyResource(tf, "aws_internet_gateway");
      expect(eip.block).toEqual({ domain: "vpc", tags: { Name: "orders-nat-0" } });
      expect(onlyResource(tf, "aws_nat_gateway").block).toEqual({
        allocation_id: ref("aws_eip", eip.name, "id"),
        subnet_id: subnetId(tf, "orders-public-0"),
        tags: { Name: "orders-nat-0" },
        depends_on: [`aws_internet_gateway.${igw.name}`],
      });
    });

    it("routes public subnets to the internet gateway through one shared table", () => {
      const { tf } = synth(create());
      const igw = onlyResource(tf, "aws_internet_gateway");
      const table = byTagName(tf, "aws_route_table", "orders-public");
      expect(findResource(tf, "aws_route", (b) => b.route_table_id === ref("aws_route_table", table.name, "id")).block).toEqual({
        route_table_id: ref("aws_route_table", table.name, "id"),
        destination_cidr_block: "0.0.0.0/0",
        gateway_id: ref("aws_internet_gateway", igw.name, "id"),
      });
      for (const i of [0, 1]) {
        expect(findResource(tf, "aws_route_table_association", (b) => b.subnet_id === subnetId(tf, `orders-public-${i}`)).block.route_table_id).toBe(
          ref("aws_route_table", table.name, "id"),
        );
      }
    });

    it("routes both private subnets through the single NAT gateway, each with its own table", () => {
      const { tf } = synth(create());
      const nat = onlyResource(tf, "aws_nat_gateway");
      const tables = new Set<unknown>();
      for (const i of [0, 1]) {
        const route = privateRoute(tf, i);
        tables.add(route.block.route_table_id);
        expect(route.block.nat_gateway_id).toBe(ref("aws_nat_gateway", nat.name, "id"));
      }
      expect(tables.size).toBe(2);
    });

    it("locks down the default security group", () => {
      const { tf } = synth(create());
      const vpc = onlyResource(tf, "aws_vpc");
      expect(onlyResource(tf, "aws_default_security_group").block).toEqual({
        vpc_id: ref("aws_vpc", vpc.name, "id"),
        tags: { Name: "orders-default-unused" },
      });
    });

    it("puts the ALB in the public subnets and the tasks in the private ones, without public IPs", () => {
      const { tf, network } = synth(create());
      const vpc = onlyResource(tf, "aws_vpc");
      expect(tf.output?.vpc_id.value).toBe(ref("aws_vpc", vpc.name, "id"));
      expect(tf.output?.load_balancer_subnet_ids.value).toEqual([subnetId(tf, "orders-public-0"), subnetId(tf, "orders-public-1")]);
      expect(tf.output?.service_subnet_ids.value).toEqual([subnetId(tf, "orders-private-0"), subnetId(tf, "orders-private-1")]);
      expect(network.assignPublicIp).toBe(false);
    });
  });

  describe("per-AZ NAT gateways", () => {
    it("creates one NAT gateway and one address per AZ", () => {
      const counts = resourceCounts(synth(create({ natGateways: "per-az" })).tf);
      expect(counts).toMatchObject({ aws_nat_gateway: 2, aws_eip: 2, aws_subnet: 4, aws_route_table: 3, aws_route: 3 });
    });

    it.each([2, 3])("routes each private subnet to the NAT gateway in its own AZ (%p AZs)", (azCount) => {
      const { tf } = synth(create({ natGateways: "per-az", azCount }));
      expect(resources(tf, "aws_nat_gateway")).toHaveLength(azCount);
      const used = new Set<string>();
      for (let i = 0; i < azCount; i++) {
        const nat = referenced(tf, "aws_nat_gateway", "id", privateRoute(tf, i).block.nat_gateway_id);
        const publicSubnet = referenced(tf, "aws_subnet", "id", nat.block.subnet_id);
        expect(publicSubnet.block.tags).toEqual({ Name: `orders-public-${i}`, Tier: "public" });
        expect(publicSubnet.block.availability_zone).toBe(byTagName(tf, "aws_subnet", `orders-private-${i}`).block.availability_zone);
        expect(publicSubnet.block.availability_zone).toBe(azOf(tf, i));
        expect(nat.block.tags).toEqual({ Name: `orders-nat-${i}` });
        used.add(nat.name);
      }
      expect(used.size).toBe(azCount);
    });
  });

  describe("no NAT gateway", () => {
    it("creates no NAT gateway, no address and no private subnets or tables", () => {
      const { tf } = synth(create({ natGateways: "none" }));
      expect(resourceCounts(tf)).toEqual({
        aws_vpc: 1,
        aws_default_security_group: 1,
        aws_internet_gateway: 1,
        aws_subnet: 2,
        aws_route_table: 1,
        aws_route: 1,
        aws_route_table_association: 2,
      });
      expect(resources(tf, "aws_subnet").map((s) => tagOf(s.block, "Tier"))).toEqual(["public", "public"]);
    });

    it("runs the tasks in the public subnets with public IPs", () => {
      const { tf, network } = synth(create({ natGateways: "none" }));
      expect(network.assignPublicIp).toBe(true);
      const publicIds = [subnetId(tf, "orders-public-0"), subnetId(tf, "orders-public-1")];
      expect(tf.output?.service_subnet_ids.value).toEqual(publicIds);
      expect(tf.output?.load_balancer_subnet_ids.value).toEqual(publicIds);
    });
  });

  it("splits a /22 over three AZs into /27 public and /25 private subnets", () => {
    const { tf } = synth(create({ cidr: "10.20.0.0/22", azCount: 3 }));
    const cidr = (name: string): unknown => byTagName(tf, "aws_subnet", name).block.cidr_block;
    expect(onlyResource(tf, "aws_vpc").block.cidr_block).toBe("10.20.0.0/22");
    expect([0, 1, 2].map((i) => cidr(`orders-public-${i}`))).toEqual(["10.20.0.0/27", "10.20.0.32/27", "10.20.0.64/27"]);
    expect([0, 1, 2].map((i) => cidr(`orders-private-${i}`))).toEqual(["10.20.1.0/25", "10.20.1.128/25", "10.20.2.0/25"]);
    expect(resources(tf, "aws_nat_gateway")).toHaveLength(1);
  });

  describe("validation", () => {
    it.each([1, 7, 2.5])("rejects azCount %p", (azCount) => {
      expect(() => synth(create({ azCount }))).toThrow(`Network azCount ${azCount} is invalid`);
    });

    it("rejects a VPC CIDR outside /16 to /22", () => {
      expect(() => synth(create({ cidr: "10.0.0.0/24" }))).toThrow(/10\.0\.0\.0\/24/);
    });
  });
});

describe("Network (existing)", () => {
  const existing: NetworkProps = {
    mode: "existing",
    vpcId: "vpc-0123456789abcdef0",
    loadBalancerSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
    serviceSubnetIds: ["subnet-0123456789abcdef2"],
  };

  it("creates and looks up nothing", () => {
    const { tf } = synth(existing);
    expect(tf.resource).toBeUndefined();
    expect(tf.data).toBeUndefined();
  });

  it("passes the VPC and subnets through, without public IPs by default", () => {
    const { network } = synth(existing);
    expect(network.vpcId).toBe("vpc-0123456789abcdef0");
    expect(network.loadBalancerSubnetIds).toEqual(["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]);
    expect(network.serviceSubnetIds).toEqual(["subnet-0123456789abcdef2"]);
    expect(network.assignPublicIp).toBe(false);
  });

  it("assigns public IPs only when asked", () => {
    expect(synth({ ...existing, assignPublicIp: true }).network.assignPublicIp).toBe(true);
  });

  it("rejects a single load balancer subnet, naming it", () => {
    expect(() => synth({ ...existing, loadBalancerSubnetIds: ["subnet-0123456789abcdef0"] })).toThrow(
      'Network loadBalancerSubnetIds ["subnet-0123456789abcdef0"] is invalid: an ALB needs subnets in at least two AZs',
    );
  });

  it("rejects an empty list of service subnets", () => {
    expect(() => synth({ ...existing, serviceSubnetIds: [] })).toThrow("Network serviceSubnetIds is empty");
  });
});
