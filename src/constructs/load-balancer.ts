import { Construct } from "constructs";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { DEFAULTS } from "../config/defaults";
import { ELB_NAME_MAX_LENGTH } from "../aws/limits";
import { createTargetGroup, validateTargetGroup, type HealthCheckSettings } from "./target-group";
import { boundedName } from "../aws/names";

export interface LoadBalancerProps {
  /**
   * Deployment name: ALB `<name>`, target group `<name>-<port>` (`<name>-<port>-inst` for instance targets); names
   * beyond AWS's 32 characters are shortened with a hash suffix.
   */
  readonly name: string;
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  /**
   * The single-service layout: the load balancer creates the target group (`targets`, forwarding to this container
   * port) and the listener's default action forwards to it.
   * @default - no target group of its own: the default action forwards to `defaultTargetGroupArn`, else answers 404
   */
  readonly targetPort?: number;
  /**
   * An app's default service: the listener's default action forwards to its target group. Exclusive with `targetPort`.
   * @default - a fixed 404 when there is no `targetPort` either (every service is routed by a listener rule)
   */
  readonly defaultTargetGroupArn?: string;
  /**
   * With `targetPort`: `ip` for awsvpc tasks (Fargate, EC2 awsvpc), `instance` for bridge-mode tasks on dynamic host ports.
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
 * target group (`ip`, or `instance` for bridge mode) health-checked on the Spring Boot actuator; in an app, listener
 * rules attached to `trafficListener` route to each service's own group.
 */
export class LoadBalancer extends Construct {
  readonly securityGroupId: string;
  /** The group it created for `targetPort`; undefined otherwise. */
  readonly targetGroupArn?: string;
  /** `targetgroup/<name>/<id>` of the group it created, as CloudWatch dimensions and ALBRequestCountPerTarget name it. */
  readonly targetGroupArnSuffix?: string;
  /** `app/<name>/<id>`, as CloudWatch dimensions and ALBRequestCountPerTarget name the load balancer. */
  readonly arnSuffix: string;
  readonly dnsName: string;
  readonly url: string;
  /** The listener that carries traffic (HTTPS with a certificate): services register, and rules attach, once it exists. */
  readonly forwardingListener: LbListener;

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);
    if (props.targetPort !== undefined && props.defaultTargetGroupArn !== undefined) {
      throw new Error("LoadBalancer targetPort and defaultTargetGroupArn are both set: the default action forwards to one target group; pass one");
    }
    const targetGroupProps =
      props.targetPort === undefined
        ? undefined
        : {
            namePrefix: props.name,
            vpcId: props.vpcId,
            port: props.targetPort,
            targetType: props.targetType,
            healthCheck: props.healthCheck,
            deregistrationDelaySeconds: props.deregistrationDelaySeconds,
          };
    if (targetGroupProps) validateTargetGroup("LoadBalancer", targetGroupProps);
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

    const targetGroup = targetGroupProps ? createTargetGroup(this, "targets", targetGroupProps) : undefined;
    const defaultTargetGroupArn = targetGroup?.arn ?? props.defaultTargetGroupArn;
    const forward =
      defaultTargetGroupArn !== undefined
        ? [{ type: "forward", targetGroupArn: defaultTargetGroupArn }]
        : [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404", messageBody: "Not Found" } }];
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
    this.targetGroupArn = targetGroup?.arn;
    this.targetGroupArnSuffix = targetGroup?.arnSuffix;
    this.arnSuffix = alb.arnSuffix;
    this.dnsName = alb.dnsName;
  }
}
