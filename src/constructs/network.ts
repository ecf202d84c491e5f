import { Construct } from "constructs";
import { Fn, Token } from "cdktf";
import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { planSubnets } from "../aws/cidr";

export type NatGateways = "single" | "per-az" | "none";

export type NetworkProps =
  | {
      readonly mode: "create";
      /** Deployment name, used in Name tags. */
      readonly name: string;
      /**
       * VPC CIDR block, /16 to /22.
       * @default "10.0.0.0/16"
       */
      readonly cidr?: string;
      /**
       * Availability zones to spread over (the first N available in the region).
       * @default 2
       */
      readonly azCount?: number;
      /**
       * `single`: one NAT gateway; `per-az`: one per AZ; `none`: no private subnets, tasks get public IPs.
       * @default "single"
       */
      readonly natGateways?: NatGateways;
      /**
       * `vpc-endpoints`: private subnets without NAT or any route out of the VPC (`natGateways` does not apply);
       * the stack adds the VPC endpoints the tasks use instead.
       * @default "nat"
       */
      readonly egress?: "nat" | "vpc-endpoints";
    }
  | {
      readonly mode: "existing";
      readonly vpcId: string;
      /** Subnets for the load balancer, at least two AZs. */
      readonly loadBalancerSubnetIds: readonly string[];
      /** Subnets for the tasks. */
      readonly serviceSubnetIds: readonly string[];
      /**
       * Give tasks public IPs (only for public service subnets without NAT).
       * @default false
       */
      readonly assignPublicIp?: boolean;
    };

/**
 * Where the ALB and tasks live: a new VPC with public and private subnets in each AZ, or an existing one.
 * Tasks go to private subnets behind NAT unless `natGateways: "none"` explicitly trades that for cost.
 */
export class Network extends Construct {
  readonly vpcId: string;
  readonly loadBalancerSubnetIds: string[];
  readonly serviceSubnetIds: string[];
  readonly assignPublicIp: boolean;
  /** The private subnets' route tables (none with `natGateways: "none"` or an existing network). */
  readonly privateRouteTableIds: string[] = [];

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    if (props.mode === "existing") {
      if (props.loadBalancerSubnetIds.length < 2) {
        throw new Error(`Network loadBalancerSubnetIds ${JSON.stringify(props.loadBalancerSubnetIds)} is invalid: an ALB needs subnets in at least two AZs`);
      }
      if (props.serviceSubnetIds.length < 1) throw new Error("Network serviceSubnetIds is empty: list at least one subnet for the tasks");
      this.vpcId = props.vpcId;
      this.loadBalancerSubnetIds = [...props.loadBalancerSubnetIds];
      this.serviceSubnetIds = [...props.serviceSubnetIds];
      this.assignPublicIp = props.assignPublicIp ?? false;
      return;
    }

    const cidr = props.cidr ?? "10.0.0.0/16";
    const azCount = props.azCount ?? 2;
    const natGateways = props.natGateways ?? "single";
    if (!Number.isInteger(azCount) || azCount < 2 || azCount > 6) {
      throw new Error(`Network azCount ${azCount} is invalid: use 2 to 6 (an ALB needs two AZs)`);
    }
    const plan = planSubnets(cidr, azCount);

    const zones = new DataAwsAvailabilityZones(this, "zones", { state: "available" });
    const vpc = new Vpc(this, "vpc", {
      cidrBlock: cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: props.name },
    });
    // Nothing may use the default security group: it allows all traffic between its members.
    new DefaultSecurityGroup(this, "default-sg", { vpcId: vpc.id, tags: { Name: `${props.name}-default-unused` } });
    const gateway = new InternetGateway(this, "igw", { vpcId: vpc.id, tags: { Name: props.name } });

    const publicRoutes = new RouteTable(this, "public-routes", { vpcId: vpc.id, tags: { Name: `${props.name}-public` } });
    new Route(this, "public-default", { routeTableId: publicRoutes.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: gateway.id });

    const publicSubnets = plan.publicCidrs.map((block, i) => {
      const subnet = new Subnet(this, `public-${i}`, {
        vpcId: vpc.id,
        cidrBlock: block,
        availabilityZone: Token.asString(Fn.element(zones.names, i)),
        mapPublicIpOnLaunch: false,
        tags: { Name: `${props.name}-public-${i}`, Tier: "public" },
      });
      new RouteTableAssociation(this, `public-${i}-routes`, { subnetId: subnet.id, routeTableId: publicRoutes.id });
      return subnet;
    });
    this.vpcId = vpc.id;
    this.loadBalancerSubnetIds = publicSubnets.map((s) => s.id);

    const throughNat = (props.egress ?? "nat") === "nat";
    if (throughNat && natGateways === "none") {
      this.serviceSubnetIds = this.loadBalancerSubnetIds;
      this.assignPublicIp = true;
      return;
    }

    const natCount = !throughNat ? 0 : natGateways === "per-az" ? azCount : 1;
    const nats = Array.from({ length: natCount }, (_, i) => {
      const address = new Eip(this, `nat-${i}-ip`, { domain: "vpc", tags: { Name: `${props.name}-nat-${i}` } });
      return new NatGateway(this, `nat-${i}`, {
        allocationId: address.id,
        subnetId: publicSubnets[i].id,
        tags: { Name: `${props.name}-nat-${i}` },
        dependsOn: [gateway],
      });
    });
    this.serviceSubnetIds = plan.privateCidrs.map((block, i) => {
      const subnet = new Subnet(this, `private-${i}`, {
        vpcId: vpc.id,
        cidrBlock: block,
        availabilityZone: Token.asString(Fn.element(zones.names, i)),
        tags: { Name: `${props.name}-private-${i}`, Tier: "private" },
      });
      const routes = new RouteTable(this, `private-${i}-routes-table`, { vpcId: vpc.id, tags: { Name: `${props.name}-private-${i}` } });
      this.privateRouteTableIds.push(routes.id);
      if (natCount > 0) {
        new Route(this, `private-${i}-default`, {
          routeTableId: routes.id,
          destinationCidrBlock: "0.0.0.0/0",
          natGatewayId: nats[Math.min(i, natCount - 1)].id,
        });
      }
      new RouteTableAssociation(this, `private-${i}-routes`, { subnetId: subnet.id, routeTableId: routes.id });
      return subnet.id;
    });
    this.assignPublicIp = false;
  }
}
