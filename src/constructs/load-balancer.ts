import { Construct } from "constructs";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { DEFAULTS } from "../config/defaults";
import { ELB_NAME_MAX_LENGTH } from "../aws/limits";
import { boundedName } from "../aws/names";

export interface HealthCheckSettings {
  /**
   * Path the target group checks.
   * @default "/actuator/health"
   */
  readonly path?: string;
  /**
   * HTTP codes that mean healthy. Actuator answers 503 when DOWN.
   * @default "200"
   */
  readonly matcher?: string;
  /** @default 10 */
  readonly intervalSeconds?: number;
  /** @default 5 */
  readonly timeoutSeconds?: number;
  /** @default 2 */
  readonly healthyThreshold?: number;
  /** @default 3 */
  readonly unhealthyThreshold?: number;
}

export interface LoadBalancerProps {
  /**
   * Deployment name: ALB `<name>`, target group `<name>-<port>` (`<name>-<port>-inst` for instance targets); names
   * beyond AWS's 32 characters are shortened with a hash suffix.
   */
  readonly name: string;
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  /** Port the container listens on; the target group forwards there. */
  readonly targetPort: number;
  /**
   * `ip` for awsvpc tasks (Fargate, EC2 awsvpc), `instance` for bridge-mode tasks on dynamic host ports.
   * @default "ip"
   */
  readonly targetType?: "ip" | "instance";
  /**
   * `internet-facing` or `internal`.
   * @default "internet-facing"
   */
  readonly scheme?: "internet-facing" | "internal";
  /**
   * CIDR blocks allowed to reach the listeners (80, and 443 with a certificate).
   * @default ["0.0.0.0/0"]
   */
  readonly ingressCidrs?: readonly string[];
  /**
   * ACM certificate: adds an HTTPS listener and turns port 80 into a redirect to it.
   * @default - HTTP only, on port 80
   */
  readonly certificateArn?: string;
  /**
   * TLS policy of the HTTPS listener.
   * @default "ELBSecurityPolicy-TLS13-1-2-2021-06"
   */
  readonly sslPolicy?: string;
  /** @default - see HealthCheckSettings */
  readonly healthCheck?: HealthCheckSettings;
  /**
   * Seconds the ALB keeps draining a deregistered task.
   * @default 30
   */
  readonly deregistrationDelaySeconds?: number;
  /** @default 60 */
  readonly idleTimeoutSeconds?: number;
  /**
   * Refuse deletion of the ALB (set true in production; it blocks `destroy`).
   * @default false
   */
  readonly deletionProtection?: boolean;
}

/**
 * An Application Load Balancer that drops malformed headers, admits only the configured CIDRs, and forwards to a
 * target group (`ip`, or `instance` for bridge mode) health-checked on the Spring Boot actuator.
 */
export class LoadBalancer extends Construct {
  readonly securityGroupId: string;
  readonly targetGroupArn: string;
  readonly dnsName: string;
  readonly url: string;
  /** The listener that forwards to the target group: a service may only register once it exists. */
  readonly forwardingListener: LbListener;

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);
    const check = { ...DEFAULTS.healthCheck, ...props.healthCheck };
    if (check.timeoutSeconds >= check.intervalSeconds) {
      throw new Error(`LoadBalancer healthCheck.timeoutSeconds ${check.timeoutSeconds} must be less than intervalSeconds ${check.intervalSeconds}`);
    }
    if (!Number.isInteger(props.targetPort) || props.targetPort < 1 || props.targetPort > 65535) {
      throw new Error(`LoadBalancer targetPort ${props.targetPort} is invalid: use 1-65535`);
    }
    const targetType = props.targetType ?? "ip";
    if (targetType !== "ip" && targetType !== "instance")
      throw new Error(`LoadBalancer targetType ${JSON.stringify(targetType)} is invalid: use "ip" or "instance"`);
    const ingressCidrs = props.ingressCidrs ?? DEFAULTS.loadBalancer.ingressCidrs;
    if (ingressCidrs.length === 0) throw new Error("LoadBalancer ingressCidrs is empty: list at least one CIDR, or nothing can reach the service");

    const securityGroup = new SecurityGroup(this, "sg", {
      name: `${props.name}-alb`,
      description: `${props.name} load balancer: listeners from allowed CIDRs, forwards to tasks`,
      vpcId: props.vpcId,
      tags: { Name: `${props.name}-alb` },
    });
    const ports = props.certificateArn ? [80, 443] : [80];
    ingressCidrs.forEach((cidr, i) =>
      ports.forEach(
        (port) =>
          new VpcSecurityGroupIngressRule(this, `ingress-${port}-${i}`, {
            securityGroupId: securityGroup.id,
            description: `${port === 443 ? "HTTPS" : port === 80 && props.certificateArn ? "HTTP (redirected to HTTPS)" : "HTTP"} from ${cidr}`,
            ipProtocol: "tcp",
            fromPort: port,
            toPort: port,
            cidrIpv4: cidr,
          }),
      ),
    );

    const alb = new Lb(this, "alb", {
      name: boundedName(props.name, ELB_NAME_MAX_LENGTH),
      loadBalancerType: "application",
      internal: (props.scheme ?? DEFAULTS.loadBalancer.scheme) === "internal",
      securityGroups: [securityGroup.id],
      subnets: [...props.subnetIds],
      dropInvalidHeaderFields: true,
      enableDeletionProtection: props.deletionProtection ?? DEFAULTS.loadBalancer.deletionProtection,
      idleTimeout: props.idleTimeoutSeconds ?? DEFAULTS.loadBalancer.idleTimeoutSeconds,
    });

    const targetGroup = new LbTargetGroup(this, "targets", {
      // Port and target type force a new group: they are in the name so it can be created before the old one goes.
      name: boundedName(`${props.name}-${props.targetPort}${targetType === "instance" ? "-inst" : ""}`, ELB_NAME_MAX_LENGTH),
      targetType,
      protocol: "HTTP",
      port: props.targetPort,
      vpcId: props.vpcId,
      deregistrationDelay: String(props.deregistrationDelaySeconds ?? DEFAULTS.deregistrationDelaySeconds),
      healthCheck: {
        enabled: true,
        protocol: "HTTP",
        port: "traffic-port",
        path: check.path,
        matcher: check.matcher,
        interval: check.intervalSeconds,
        timeout: check.timeoutSeconds,
        healthyThreshold: check.healthyThreshold,
        unhealthyThreshold: check.unhealthyThreshold,
      },
      lifecycle: { createBeforeDestroy: true },
    });

    const forward = [{ type: "forward", targetGroupArn: targetGroup.arn }];
    if (props.certificateArn) {
      this.forwardingListener = new LbListener(this, "https", {
        loadBalancerArn: alb.arn,
        port: 443,
        protocol: "HTTPS",
        sslPolicy: props.sslPolicy ?? DEFAULTS.loadBalancer.sslPolicy,
        certificateArn: props.certificateArn,
        defaultAction: forward,
      });
      new LbListener(this, "http", {
        loadBalancerArn: alb.arn,
        port: 80,
        protocol: "HTTP",
        defaultAction: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
      });
      this.url = `https://${alb.dnsName}`;
    } else {
      this.forwardingListener = new LbListener(this, "http", {
        loadBalancerArn: alb.arn,
        port: 80,
        protocol: "HTTP",
        defaultAction: forward,
      });
      this.url = `http://${alb.dnsName}`;
    }

    this.securityGroupId = securityGroup.id;
    this.targetGroupArn = targetGroup.arn;
    this.dnsName = alb.dnsName;
  }
}
