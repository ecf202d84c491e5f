/** Where an environment's services run and how clients reach them: the VPC and the load balancer. */
import { z } from "zod";
import { ACM_CERTIFICATE_ARN_SOURCE, SUBNET_ID_SOURCE, VPC_ID_SOURCE } from "../aws/patterns";
import { DEFAULTS } from "./defaults";
import { addProblem, bool, cidr, described, int, pattern, strictObject } from "./primitives";

const subnetId = pattern(SUBNET_ID_SOURCE, "a subnet ID like subnet-0123456789abcdef0");

const networkSchema = z.discriminatedUnion(
  "mode",
  [
    strictObject({
      mode: described(z.literal("create"), "A new VPC with a public and a private subnet in each AZ."),
      cidr: described(
        cidr
          .refine((block) => {
            const prefix = Number(block.split("/")[1]);
            return prefix >= 16 && prefix <= 22;
          }, "must be a /16 to /22 block (a VPC may not be larger than /16; smaller than /22 leaves no room for the subnets)")
          .default(DEFAULTS.network.cidr),
        "The new VPC's block, /16 to /22.",
      ),
      azCount: described(int(2, 6).default(DEFAULTS.network.azCount), "Availability zones to spread over (the first available ones in the region)."),
      natGateways: described(
        z
          .enum(["single", "per-az", "none"], {
            error:
              '"single" (one shared NAT gateway), "per-az" (one per AZ, survives an AZ outage) or "none" (tasks in public subnets with public IPs, no NAT cost)',
          })
          .default(DEFAULTS.network.natGateways),
        '`single`: one shared NAT gateway; `per-az`: one per AZ (survives an AZ outage); `none`: tasks in public subnets with public IPs, the explicit cost mode. Not used with `egress: "vpc-endpoints"`.',
      ),
      egress: described(
        z
          .enum(["nat", "vpc-endpoints"], {
            error: '"nat" (private subnets reach the internet through NAT) or "vpc-endpoints" (no NAT: private subnets reach only AWS, through VPC endpoints)',
          })
          .default(DEFAULTS.network.egress),
        '`nat`: the tasks reach the registry and AWS through NAT; `vpc-endpoints`: no NAT gateway and no route to the internet — interface endpoints for ECR, CloudWatch Logs and Secrets Manager (SSM when containers read parameters, SSM messages for ECS Exec) and the S3 gateway endpoint; needs `registry.mode: "ecr-pull-through-cache"`.',
      ),
    }),
    strictObject({
      mode: described(z.literal("existing"), "Your VPC and subnets."),
      vpcId: described(pattern(VPC_ID_SOURCE, "a VPC ID like vpc-0123456789abcdef0"), "The VPC to deploy into."),
      loadBalancerSubnetIds: described(
        z.array(subnetId, { error: "must be a list of subnet IDs" }).min(2, "must list at least 2 subnets in different AZs (an ALB needs two)"),
        "Subnets for the load balancer, in at least two AZs.",
      ),
      serviceSubnetIds: described(
        z.array(subnetId, { error: "must be a list of subnet IDs" }).min(1, "must list at least 1 subnet for the tasks"),
        "Subnets for the tasks.",
      ),
      assignPublicIp: described(bool().default(false), "Give tasks public IPs (only for public service subnets without NAT)."),
    }),
  ],
  { error: 'must have "mode": "create" or "mode": "existing" (with vpcId, loadBalancerSubnetIds, serviceSubnetIds)' },
);

export const network = described(
  networkSchema.default(() => networkSchema.parse({ mode: "create" })),
  'A new VPC with public and private subnets per AZ (`"mode": "create"`), or your own (`"mode": "existing"`).',
);

const loadBalancerSchema = strictObject({
  scheme: described(
    z.enum(["internet-facing", "internal"], { error: 'must be "internet-facing" or "internal"' }).default(DEFAULTS.loadBalancer.scheme),
    "`internet-facing` or `internal`.",
  ),
  ingressCidrs: described(
    z
      .array(cidr, { error: "must be a list of IPv4 CIDR blocks such as 10.0.0.0/16" })
      .min(1, "must list at least one CIDR allowed to reach the load balancer")
      .default([...DEFAULTS.loadBalancer.ingressCidrs]),
    "CIDR blocks allowed to reach the listeners (80, and 443 with a certificate).",
  ),
  certificateArn: described(
    pattern(
      ACM_CERTIFICATE_ARN_SOURCE,
      "an ACM certificate ARN, e.g. arn:aws:acm:us-east-1:123456789012:certificate/1234abcd-12ab-34cd-56ef-1234567890ab",
    ).optional(),
    "ACM certificate: adds an HTTPS listener and turns port 80 into a 301 redirect to it. Default: HTTP only.",
  ),
  sslPolicy: described(
    pattern(
      "ELBSecurityPolicy-(?:TLS13-1-[23]-[0-9A-Za-z-]+|FS-1-2-[0-9A-Za-z-]+|TLS-1-2-[0-9A-Za-z-]+)",
      "a TLS 1.2+ ELB policy such as ELBSecurityPolicy-TLS13-1-2-2021-06",
    ).default(DEFAULTS.loadBalancer.sslPolicy),
    "TLS policy of the HTTPS listener (TLS 1.2 or newer).",
  ),
  idleTimeoutSeconds: described(int(1, 4000).default(DEFAULTS.loadBalancer.idleTimeoutSeconds), "Seconds an idle connection stays open."),
  deletionProtection: described(
    bool().default(DEFAULTS.loadBalancer.deletionProtection),
    "Refuse deletion of the ALB (set true in production; it blocks `destroy`).",
  ),
});

export const loadBalancer = described(
  loadBalancerSchema.default(() => loadBalancerSchema.parse({})),
  "The Application Load Balancer in front of the service.",
);

type Network = z.output<typeof network>;
type LoadBalancer = z.output<typeof loadBalancer>;

/** Network and load balancer choices that cannot go together. */
export function checkNetworkAndLoadBalancer(config: { network: Network; loadBalancer: LoadBalancer }, ctx: z.core.$RefinementCtx): void {
  if (config.network.mode === "create" && config.network.egress === "vpc-endpoints" && config.network.natGateways !== "single") {
    addProblem(ctx, {
      path: ["network", "natGateways"],
      input: config.network.natGateways,
      message: 'does not apply with egress "vpc-endpoints" (there is no NAT gateway, and tasks stay in private subnets); leave it out',
    });
  }
  if (config.network.mode === "create" && config.network.natGateways === "none" && config.loadBalancer.scheme === "internal") {
    // Without NAT the tasks need public IPs to reach the registry; that is the explicit cost-saving mode only.
    addProblem(ctx, {
      path: ["network", "natGateways"],
      input: "none",
      message: 'cannot be "none" with an internal load balancer: tasks would sit in public subnets; use "single" or "per-az"',
    });
  }
}
