import { blocks, isTrue, type Finding, type PolicyRule, type Resource, type StackView } from "../types";

/**
 * ELB security policies that negotiate TLS 1.2 or newer only (AWS's list of ALB security policies). Everything
 * else, including the provider's default `ELBSecurityPolicy-2016-08`, still accepts TLS 1.0/1.1.
 */
const TLS_1_2_OR_NEWER_POLICIES: readonly string[] = [
  "ELBSecurityPolicy-TLS13-1-2-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
  "ELBSecurityPolicy-TLS13-1-3-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
  "ELBSecurityPolicy-TLS-1-2-2017-01",
  "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
  "ELBSecurityPolicy-FS-1-2-2019-08",
  "ELBSecurityPolicy-FS-1-2-Res-2019-08",
  "ELBSecurityPolicy-FS-1-2-Res-2020-10",
];

function applicationLoadBalancers(stack: StackView): Resource[] {
  return stack.resources("aws_lb").filter((lb) => (lb.block.load_balancer_type ?? "application") === "application");
}

function listenerProtocol(listener: Resource): string {
  const protocol: unknown = listener.block.protocol;
  if (typeof protocol === "string") return protocol.toUpperCase();
  // The provider's default protocol is HTTP (HTTPS needs a certificate, so it is always explicit).
  return "HTTP";
}

function redirectsToHttps(listener: Resource): boolean {
  return blocks(listener.block.default_action).some(
    (action) => action.type === "redirect" && blocks(action.redirect).some((redirect) => String(redirect.protocol).toUpperCase() === "HTTPS"),
  );
}

const albDropsInvalidHeaders: PolicyRule = {
  id: "alb-drops-invalid-headers",
  title: "Application load balancers drop invalid HTTP header fields",
  checkov: ["CKV_AWS_131"],
  trivy: ["AVD-AWS-0052"],
  severity: "high",
  resourceTypes: ["aws_lb"],
  check(stack) {
    const albs = applicationLoadBalancers(stack);
    if (albs.length === 0) return { notApplicable: "no application load balancer" };
    return albs
      .filter((lb) => !isTrue(lb.block.drop_invalid_header_fields))
      .map((lb) => ({
        address: lb.address,
        message: `drop_invalid_header_fields is ${JSON.stringify(lb.block.drop_invalid_header_fields ?? null)}: malformed headers reach the application (request smuggling)`,
        fix: "set drop_invalid_header_fields = true",
      }));
  },
};

const httpRedirectsToHttps: PolicyRule = {
  id: "http-redirects-to-https",
  title: "HTTP listeners redirect to HTTPS",
  checkov: ["CKV_AWS_2", "CKV2_AWS_20"],
  trivy: ["AVD-AWS-0054"],
  severity: "high",
  resourceTypes: ["aws_lb_listener"],
  check(stack) {
    const listeners = stack.resources("aws_lb_listener");
    const httpsLoadBalancers = new Set(listeners.filter((l) => listenerProtocol(l) === "HTTPS").map((l) => String(l.block.load_balancer_arn)));
    return listeners
      .filter((listener) => listenerProtocol(listener) === "HTTP" && !redirectsToHttps(listener))
      .map((listener): Finding => {
        const actions =
          blocks(listener.block.default_action)
            .map((a) => String(a.type))
            .join(", ") || "none";
        if (httpsLoadBalancers.has(String(listener.block.load_balancer_arn))) {
          return {
            address: listener.address,
            message: `port ${listener.block.port ?? 80} serves plain HTTP (default action: ${actions}) although the load balancer has an HTTPS listener`,
            fix: 'make the default action a redirect { protocol = "HTTPS", port = "443", status_code = "HTTP_301" }',
          };
        }
        return {
          address: listener.address,
          message: `port ${listener.block.port ?? 80} serves plain HTTP (default action: ${actions}) and there is no HTTPS listener`,
          fix: "set loadBalancer.certificateArn (adds HTTPS and turns port 80 into a 301 redirect), or declare a waiver whose reason says why plain HTTP is acceptable here",
        };
      });
  },
};

const tlsPolicyAtLeast12: PolicyRule = {
  id: "tls-policy-1-2",
  title: "HTTPS listeners use a TLS 1.2+ security policy",
  checkov: ["CKV_AWS_103"],
  trivy: ["AVD-AWS-0047"],
  severity: "high",
  resourceTypes: ["aws_lb_listener"],
  check(stack) {
    const tlsListeners = stack.resources("aws_lb_listener").filter((l) => ["HTTPS", "TLS"].includes(listenerProtocol(l)));
    if (tlsListeners.length === 0) return { notApplicable: "no HTTPS or TLS listener" };
    return tlsListeners
      .filter((listener) => !TLS_1_2_OR_NEWER_POLICIES.includes(String(listener.block.ssl_policy)))
      .map((listener) => ({
        address: listener.address,
        message:
          listener.block.ssl_policy === undefined
            ? "ssl_policy is not set: the provider default ELBSecurityPolicy-2016-08 accepts TLS 1.0 and 1.1"
            : `ssl_policy ${JSON.stringify(listener.block.ssl_policy)} is not a TLS 1.2+ policy`,
        fix: `set ssl_policy to one of ${TLS_1_2_OR_NEWER_POLICIES.join(", ")} (we default to ELBSecurityPolicy-TLS13-1-2-2021-06)`,
      }));
  },
};

const targetGroupHealthCheckPath: PolicyRule = {
  id: "target-group-health-check-path",
  title: "HTTP target groups health-check an explicit path",
  checkov: ["CKV_AWS_261"],
  trivy: [],
  severity: "medium",
  resourceTypes: ["aws_lb_target_group"],
  check(stack) {
    const httpGroups = stack
      .resources("aws_lb_target_group")
      .filter((tg) => ["HTTP", "HTTPS"].includes(String(tg.block.protocol ?? "HTTP").toUpperCase()) && tg.block.target_type !== "lambda");
    if (httpGroups.length === 0) return { notApplicable: "no HTTP target group" };
    return httpGroups.flatMap((tg): Finding[] => {
      const check = blocks(tg.block.health_check)[0];
      if (check && check.enabled === false) {
        return [
          {
            address: tg.address,
            message: "health_check.enabled is false: failing tasks keep receiving traffic",
            fix: 'enable the health check with path = "/actuator/health"',
          },
        ];
      }
      const path: unknown = check?.path;
      if (typeof path !== "string" || path.length === 0) {
        return [
          {
            address: tg.address,
            message: 'health_check.path is not set (AWS checks "/", which Spring Boot may not serve)',
            fix: 'set health_check.path (ours: healthCheck.path, default "/actuator/health")',
          },
        ];
      }
      return [];
    });
  },
};

const albInternal: PolicyRule = {
  id: "alb-not-public",
  title: "Load balancers are internal",
  checkov: [],
  trivy: ["AVD-AWS-0053"],
  severity: "medium",
  resourceTypes: ["aws_lb"],
  check(stack) {
    return stack
      .resources("aws_lb")
      .filter((lb) => !isTrue(lb.block.internal))
      .map((lb) => ({
        address: lb.address,
        message: "internal is false: the load balancer is internet-facing",
        fix: 'set loadBalancer.scheme = "internal", or declare a waiver when the service is meant to be public',
      }));
  },
};

const albDeletionProtection: PolicyRule = {
  id: "alb-deletion-protection",
  title: "Load balancers have deletion protection",
  checkov: ["CKV_AWS_150"],
  trivy: [],
  severity: "low",
  resourceTypes: ["aws_lb"],
  check(stack) {
    return stack
      .resources("aws_lb")
      .filter((lb) => !isTrue(lb.block.enable_deletion_protection))
      .map((lb) => ({
        address: lb.address,
        message: `enable_deletion_protection is ${JSON.stringify(lb.block.enable_deletion_protection ?? false)}`,
        fix: "set loadBalancer.deletionProtection = true for production, or declare a waiver for environments that are destroyed routinely",
      }));
  },
};

const albAccessLogs: PolicyRule = {
  id: "alb-access-logs",
  title: "Load balancers write access logs",
  checkov: ["CKV_AWS_91"],
  trivy: [],
  severity: "low",
  resourceTypes: ["aws_lb"],
  check(stack) {
    return stack
      .resources("aws_lb")
      .filter((lb) => !blocks(lb.block.access_logs).some((logs) => logs.enabled === undefined || isTrue(logs.enabled)))
      .map((lb) => ({
        address: lb.address,
        message: "access_logs is not enabled: requests are not recorded",
        fix: "add access_logs { bucket = <S3 bucket with the ELB log-delivery policy>, enabled = true }, or declare a waiver",
      }));
  },
};

export const LOAD_BALANCER_RULES: readonly PolicyRule[] = [
  albDropsInvalidHeaders,
  httpRedirectsToHttps,
  tlsPolicyAtLeast12,
  targetGroupHealthCheckPath,
  albInternal,
  albDeletionProtection,
  albAccessLogs,
];
