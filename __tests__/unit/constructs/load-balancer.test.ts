import { TerraformOutput } from "cdktf";
import { LoadBalancer, type LoadBalancerProps } from "../../../src/constructs/load-balancer";
import { findResource, onlyResource, ref, referenced, resourceCounts, resources, synthConstruct } from "../../helpers/synth";
import type { TerraformDocument } from "../../../src/terraform/document";
import { match } from "../../helpers/matchers";

const CERTIFICATE_ARN = "arn:aws:acm:eu-west-1:123456789012:certificate/1234abcd-12ab-34cd-56ef-1234567890ab";

const base: LoadBalancerProps = {
  name: "orders",
  vpcId: "vpc-0123456789abcdef0",
  subnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
  targetPort: 8098,
};

/** Synthesizes the construct, exposing what it hands to the service as outputs so they resolve. */
function synth(overrides: Partial<LoadBalancerProps> = {}): TerraformDocument {
  return synthConstruct((scope) => {
    const lb = new LoadBalancer(scope, "load-balancer", { ...base, ...overrides });
    new TerraformOutput(scope, "url", { value: lb.url });
    new TerraformOutput(scope, "dns_name", { value: lb.dnsName });
    new TerraformOutput(scope, "security_group_id", { value: lb.securityGroupId });
    new TerraformOutput(scope, "target_group_arn", { value: lb.targetGroupArn });
    new TerraformOutput(scope, "forwarding_listener_arn", { value: lb.forwardingListener.arn });
  });
}

const sgRef = (tf: TerraformDocument) => ref("aws_security_group", onlyResource(tf, "aws_security_group").name, "id");
const ingressRules = (tf: TerraformDocument) => resources(tf, "aws_vpc_security_group_ingress_rule").map((r) => r.block);
const listenerOnPort = (tf: TerraformDocument, port: number) => findResource(tf, "aws_lb_listener", (b) => b.port === port);

describe("LoadBalancer", () => {
  describe("load balancer", () => {
    it("is an internet-facing ALB that drops invalid header fields", () => {
      const tf = synth();
      expect(onlyResource(tf, "aws_lb").block).toEqual({
        name: "orders",
        load_balancer_type: "application",
        internal: false,
        security_groups: [sgRef(tf)],
        subnets: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
        drop_invalid_header_fields: true,
        enable_deletion_protection: false,
        idle_timeout: 60,
      });
    });

    it("is internal with the internal scheme", () => {
      expect(onlyResource(synth({ scheme: "internal" }), "aws_lb").block.internal).toBe(true);
    });

    it("passes deletion protection and idle timeout through", () => {
      expect(onlyResource(synth({ deletionProtection: true, idleTimeoutSeconds: 120 }), "aws_lb").block).toMatchObject({
        enable_deletion_protection: true,
        idle_timeout: 120,
        drop_invalid_header_fields: true,
      });
    });

    it("exposes its DNS name and security group", () => {
      const tf = synth();
      const alb = onlyResource(tf, "aws_lb");
      expect(tf.output?.dns_name.value).toBe(ref("aws_lb", alb.name, "dns_name"));
      expect(tf.output?.security_group_id.value).toBe(sgRef(tf));
    });
  });

  describe("security group", () => {
    it("has no inline rules, so only the separate rule resources apply", () => {
      const sg = onlyResource(synth(), "aws_security_group").block;
      expect(sg).toEqual({
        name: "orders-alb",
        description: match.any(String),
        vpc_id: "vpc-0123456789abcdef0",
        tags: { Name: "orders-alb" },
      });
    });

    it("admits 0.0.0.0/0 on port 80 only by default", () => {
      const tf = synth();
      expect(ingressRules(tf)).toEqual([
        { security_group_id: sgRef(tf), description: "HTTP from 0.0.0.0/0", ip_protocol: "tcp", from_port: 80, to_port: 80, cidr_ipv4: "0.0.0.0/0" },
      ]);
    });

    it("admits only the configured CIDRs, on 80 and 443 with a certificate, each described", () => {
      const tf = synth({ ingressCidrs: ["10.0.0.0/8", "192.168.0.0/16"], certificateArn: CERTIFICATE_ARN });
      const sg = sgRef(tf);
      const rule = (cidr: string, port: number, description: string) => ({
        security_group_id: sg,
        description,
        ip_protocol: "tcp",
        from_port: port,
        to_port: port,
        cidr_ipv4: cidr,
      });
      const rules = ingressRules(tf);
      expect(rules).toHaveLength(4);
      expect(rules).toEqual(
        expect.arrayContaining([
          rule("10.0.0.0/8", 80, "HTTP (redirected to HTTPS) from 10.0.0.0/8"),
          rule("10.0.0.0/8", 443, "HTTPS from 10.0.0.0/8"),
          rule("192.168.0.0/16", 80, "HTTP (redirected to HTTPS) from 192.168.0.0/16"),
          rule("192.168.0.0/16", 443, "HTTPS from 192.168.0.0/16"),
        ]),
      );
    });

    it("opens no egress of its own (the service adds the one rule to the tasks)", () => {
      expect(resources(synth(), "aws_vpc_security_group_egress_rule")).toEqual([]);
    });
  });

  describe("target group", () => {
    it("targets task IPs on the container port, health-checked on the actuator", () => {
      const tf = synth();
      expect(onlyResource(tf, "aws_lb_target_group").block).toEqual({
        name: "orders-8098",
        target_type: "ip",
        protocol: "HTTP",
        port: 8098,
        vpc_id: "vpc-0123456789abcdef0",
        deregistration_delay: "30",
        health_check: {
          enabled: true,
          protocol: "HTTP",
          port: "traffic-port",
          path: "/actuator/health",
          matcher: "200",
          interval: 10,
          timeout: 5,
          healthy_threshold: 2,
          unhealthy_threshold: 3,
        },
        lifecycle: { create_before_destroy: true },
      });
      expect(tf.output?.target_group_arn.value).toBe(ref("aws_lb_target_group", onlyResource(tf, "aws_lb_target_group").name, "arn"));
    });

    it("overrides only the health check settings given", () => {
      const tf = synth({ healthCheck: { path: "/actuator/health/readiness", intervalSeconds: 30, unhealthyThreshold: 5 } });
      expect(onlyResource(tf, "aws_lb_target_group").block.health_check).toEqual({
        enabled: true,
        protocol: "HTTP",
        port: "traffic-port",
        path: "/actuator/health/readiness",
        matcher: "200",
        interval: 30,
        timeout: 5,
        healthy_threshold: 2,
        unhealthy_threshold: 5,
      });
    });

    it("targets instances (bridge mode) under a name of its own, so switching creates the new group first", () => {
      const tf = synth({ targetType: "instance" });
      expect(onlyResource(tf, "aws_lb_target_group").block).toMatchObject({ name: "orders-8098-inst", target_type: "instance", port: 8098 });
      expect(onlyResource(synth(), "aws_lb_target_group").block).toMatchObject({ name: "orders-8098", target_type: "ip" });
    });

    it("keeps load balancer and target group names within AWS's 32 characters, distinct by a hash", () => {
      const tf = synth({ name: "a23456789012345678901234-ec2", targetType: "instance" });
      expect(onlyResource(tf, "aws_lb").block.name).toBe("a23456789012345678901234-ec2");
      const name: unknown = onlyResource(tf, "aws_lb_target_group").block.name;
      expect(name).toMatch(/^a23456789012345678901234-[0-9a-f]{6}$/);
      expect(name).not.toBe(onlyResource(synth({ name: "a23456789012345678901234-ec2" }), "aws_lb_target_group").block.name);
    });

    it("renders the deregistration delay as a string", () => {
      expect(onlyResource(synth({ deregistrationDelaySeconds: 120 }), "aws_lb_target_group").block.deregistration_delay).toBe("120");
      expect(onlyResource(synth({ deregistrationDelaySeconds: 0 }), "aws_lb_target_group").block.deregistration_delay).toBe("0");
    });
  });

  describe("listeners without a certificate", () => {
    it("has a single HTTP listener on 80 that forwards to the target group", () => {
      const tf = synth();
      const alb = onlyResource(tf, "aws_lb");
      const group = onlyResource(tf, "aws_lb_target_group");
      const listener = onlyResource(tf, "aws_lb_listener");
      expect(listener.block).toEqual({
        load_balancer_arn: ref("aws_lb", alb.name, "arn"),
        port: 80,
        protocol: "HTTP",
        default_action: [{ type: "forward", target_group_arn: ref("aws_lb_target_group", group.name, "arn") }],
      });
      expect(tf.output?.forwarding_listener_arn.value).toBe(ref("aws_lb_listener", listener.name, "arn"));
    });

    it("serves an http:// URL", () => {
      const tf = synth();
      expect(tf.output?.url.value).toBe(`http://${ref("aws_lb", onlyResource(tf, "aws_lb").name, "dns_name")}`);
    });
  });

  describe("listeners with a certificate", () => {
    it("forwards on an HTTPS listener with the TLS 1.3/1.2 policy", () => {
      const tf = synth({ certificateArn: CERTIFICATE_ARN });
      const alb = onlyResource(tf, "aws_lb");
      const group = onlyResource(tf, "aws_lb_target_group");
      expect(resources(tf, "aws_lb_listener")).toHaveLength(2);
      expect(listenerOnPort(tf, 443).block).toEqual({
        load_balancer_arn: ref("aws_lb", alb.name, "arn"),
        port: 443,
        protocol: "HTTPS",
        ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        certificate_arn: CERTIFICATE_ARN,
        default_action: [{ type: "forward", target_group_arn: ref("aws_lb_target_group", group.name, "arn") }],
      });
    });

    it("redirects HTTP to HTTPS with a 301", () => {
      const tf = synth({ certificateArn: CERTIFICATE_ARN });
      expect(listenerOnPort(tf, 80).block).toEqual({
        load_balancer_arn: ref("aws_lb", onlyResource(tf, "aws_lb").name, "arn"),
        port: 80,
        protocol: "HTTP",
        default_action: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", status_code: "HTTP_301" } }],
      });
    });

    it("uses a given TLS policy", () => {
      const tf = synth({ certificateArn: CERTIFICATE_ARN, sslPolicy: "ELBSecurityPolicy-TLS13-1-3-2021-06" });
      expect(listenerOnPort(tf, 443).block.ssl_policy).toBe("ELBSecurityPolicy-TLS13-1-3-2021-06");
    });

    it("makes the HTTPS listener the one services wait for, and serves an https:// URL", () => {
      const tf = synth({ certificateArn: CERTIFICATE_ARN });
      expect(referenced(tf, "aws_lb_listener", "arn", tf.output?.forwarding_listener_arn.value).block.port).toBe(443);
      expect(tf.output?.url.value).toBe(`https://${ref("aws_lb", onlyResource(tf, "aws_lb").name, "dns_name")}`);
    });
  });

  it("creates only the ALB, its security group and rules, the target group and listeners", () => {
    expect(resourceCounts(synth({ certificateArn: CERTIFICATE_ARN }))).toEqual({
      aws_lb: 1,
      aws_security_group: 1,
      aws_vpc_security_group_ingress_rule: 2,
      aws_lb_target_group: 1,
      aws_lb_listener: 2,
    });
  });

  describe("validation", () => {
    it("rejects a health check timeout not below the interval", () => {
      expect(() => synth({ healthCheck: { intervalSeconds: 10, timeoutSeconds: 10 } })).toThrow(
        "LoadBalancer healthCheck.timeoutSeconds 10 must be less than intervalSeconds 10",
      );
    });

    it.each([0, 65536, 80.5])("rejects targetPort %p", (targetPort) => {
      expect(() => synth({ targetPort })).toThrow(`LoadBalancer targetPort ${targetPort} is invalid: use 1-65535`);
    });

    it("rejects an empty ingressCidrs list", () => {
      expect(() => synth({ ingressCidrs: [] })).toThrow("LoadBalancer ingressCidrs is empty");
    });

    it("rejects an unknown target type", () => {
      expect(() => synth({ targetType: "lambda" as never })).toThrow('LoadBalancer targetType "lambda" is invalid: use "ip" or "instance"');
    });
  });
});
