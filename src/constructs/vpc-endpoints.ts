import { Construct } from "constructs";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { accountOnlyEndpointPolicy, ecrLayersEndpointPolicy } from "../aws/vpc-endpoints";

export interface VpcEndpointsProps {
  /** Deployment name: the endpoints' security group is `<name>-endpoints`. */
  readonly name: string;
  readonly accountId: string;
  readonly partition: string;
  readonly region: string;
  readonly vpcId: string;
  /** The private subnets (one per AZ) the interface endpoints get a network interface in. */
  readonly subnetIds: readonly string[];
  /** The private subnets' route tables, which get the S3 gateway endpoint's route. */
  readonly routeTableIds: readonly string[];
  /** Interface endpoints by service suffix, e.g. `ecr.dkr` (see `interfaceEndpoints`). */
  readonly services: readonly string[];
}

/**
 * How tasks without NAT reach AWS: interface endpoints (private DNS on, reachable on 443 only from the security
 * groups `admit` names) and the S3 gateway endpoint ECR's image layers come through.
 */
export class VpcEndpoints extends Construct {
  readonly securityGroupId: string;
  /** The S3 prefix list: tasks' security groups allow 443 to it. */
  readonly s3PrefixListId: string;
  private readonly admitted = new Set<string>();

  constructor(scope: Construct, id: string, props: VpcEndpointsProps) {
    super(scope, id);
    if (props.services.length === 0) throw new Error("VpcEndpoints services is empty: list the interface endpoints, e.g. ecr.api and ecr.dkr");
    const securityGroup = new SecurityGroup(this, "sg", {
      name: `${props.name}-endpoints`,
      description: `VPC endpoints of ${props.name}: HTTPS from its tasks only`,
      vpcId: props.vpcId,
      tags: { Name: `${props.name}-endpoints` },
    });
    this.securityGroupId = securityGroup.id;
    const policy = JSON.stringify(accountOnlyEndpointPolicy(props.accountId));
    for (const service of props.services) {
      new VpcEndpoint(this, service.replace(/\./g, "-"), {
        vpcId: props.vpcId,
        serviceName: `com.amazonaws.${props.region}.${service}`,
        vpcEndpointType: "Interface",
        privateDnsEnabled: true,
        subnetIds: [...props.subnetIds],
        securityGroupIds: [securityGroup.id],
        policy,
        tags: { Name: `${props.name}-${service}` },
      });
    }
    const s3 = new VpcEndpoint(this, "s3", {
      vpcId: props.vpcId,
      serviceName: `com.amazonaws.${props.region}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: [...props.routeTableIds],
      policy: JSON.stringify(ecrLayersEndpointPolicy(props.partition, props.region)),
      tags: { Name: `${props.name}-s3` },
    });
    this.s3PrefixListId = s3.prefixListId;
  }

  /** Lets a security group's members reach the endpoints on 443 (`id` names the rule in `scope`). */
  admit(scope: Construct, id: string, securityGroupId: string): void {
    if (this.admitted.has(securityGroupId)) return;
    this.admitted.add(securityGroupId);
    new VpcSecurityGroupIngressRule(scope, id, {
      securityGroupId: this.securityGroupId,
      referencedSecurityGroupId: securityGroupId,
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      description: "HTTPS from the service's tasks to the VPC endpoints",
    });
  }
}
