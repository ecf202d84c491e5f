/**
 * The checks of an app that span fields: every service's own (sizes, secrets), credentials, routes and their
 * priorities, names that must fit AWS's limits once prefixed, the EC2 capacity. They run on each environment's
 * merged settings; `prefix` is the environment's resource-name prefix (`<app>-<environment>`, or `<app>`).
 */
import type { z } from "zod";
import { ELB_NAME_MAX_LENGTH } from "../aws/limits";
import { instanceTypeArchitecture } from "../ec2/instance-types";
import { DEFAULTS } from "./defaults";
import type { AppSettings } from "./app";
import { MAX_LISTENER_RULES } from "./app";
import { checkNetworkAndLoadBalancer } from "./network";
import { checkRegistry } from "./registry";
import { checkService } from "./service";
import { addProblem } from "./primitives";

/** `prefix` is undefined for an app's own settings when it has environments: only its environments are deployed. */
export function checkApp(app: AppSettings, prefix: string | undefined, ctx: z.core.$RefinementCtx): void {
  const services = Object.entries(app.services);
  for (const [name, service] of services) checkService(service, ctx, ["services", name]);
  checkNetworkAndLoadBalancer(app, ctx);
  checkRegistry(
    {
      registry: app.registry,
      network: app.network,
      images: services.map(([name, service]) => ({ path: ["services", name, "image"], image: service.image })),
      ownCredentials: services.filter(([, service]) => service.credentials).map(([name]) => ["services", name, "credentials"]),
      ...(app.credentials ? { credentials: app.credentials } : {}),
      ...(services.some(([, service]) => service.launchType === "ec2") ? { ec2RegistryAuth: app.ec2?.registryAuth ?? DEFAULTS.ec2.registryAuth } : {}),
    },
    ctx,
  );
  checkCredentials(app, ctx);
  checkRoutes(app, ctx);
  for (const [name, service] of services) {
    if (!service.loadBalanced && service.autoscaling.requestsPerTarget !== undefined) {
      addProblem(ctx, {
        path: ["services", name, "autoscaling", "requestsPerTarget"],
        input: service.autoscaling.requestsPerTarget,
        message: "counts requests through the load balancer, but loadBalanced is false; scale a worker on cpuPercent or memoryPercent",
      });
    }
  }
  if (prefix !== undefined) checkNames(app, prefix, ctx);
  checkEc2Services(app, ctx);
}

function checkCredentials(app: AppSettings, ctx: z.core.$RefinementCtx): void {
  if (app.credentials) {
    const ownOfDefault = app.services.default?.credentials;
    if (ownOfDefault) {
      addProblem(ctx, {
        path: ["services", "default", "credentials"],
        input: ownOfDefault,
        message:
          "cannot be set while the app has credentials: a service's own credential is keyed by the service's name, and \"default\" is the app's (one secret, one token variable); rename the service or let it use the app's credentials",
      });
    }
    return;
  }
  for (const [name, service] of Object.entries(app.services)) {
    if (!service.credentials) {
      addProblem(ctx, {
        path: ["services", name, "credentials"],
        input: undefined,
        message: "is missing, and the app has no credentials for its services to share; set the app's credentials or this service's own",
      });
    }
  }
}

/** A route's conditions as comparable keys: one per host × path pair (`*` when the route leaves that one open). */
function conditionKeys(route: NonNullable<AppSettings["services"][string]["route"]>): string[] {
  const hosts = route.hostHeaders ?? ["*"];
  const paths = route.pathPatterns ?? ["*"];
  return hosts.flatMap((host) => paths.map((path) => `${host.toLowerCase()} ${path}`));
}

function checkRoutes(app: AppSettings, ctx: z.core.$RefinementCtx): void {
  const loadBalanced = Object.entries(app.services).filter(([, s]) => s.loadBalanced);
  for (const [name, service] of Object.entries(app.services)) {
    if (!service.loadBalanced && service.route) {
      addProblem(ctx, {
        path: ["services", name, "route"],
        input: service.route,
        message: "is set but loadBalanced is false; a worker gets no traffic: remove route or loadBalanced",
      });
    }
  }
  const defaults = loadBalanced.filter(([, s]) => !s.route).map(([name]) => name);
  if (defaults.length > 1) {
    for (const name of defaults.slice(1)) {
      addProblem(ctx, {
        path: ["services", name, "route"],
        input: undefined,
        message: `is missing, but ${defaults[0]} already answers the listener's default action; give every load-balanced service but one a route (pathPatterns and/or hostHeaders), or set loadBalanced: false for a worker`,
      });
    }
  }
  const routed = loadBalanced.filter(([, s]) => s.route);
  if (routed.length > MAX_LISTENER_RULES) {
    addProblem(ctx, {
      path: ["services"],
      input: routed.length,
      message: `has ${routed.length} routed services; an ALB listener holds at most ${MAX_LISTENER_RULES} rules besides its default`,
    });
  }
  const byPriority = new Map<number, string>();
  const byCondition = new Map<string, string>();
  for (const [name, service] of routed) {
    const route = service.route!;
    if (route.priority !== undefined) {
      const other = byPriority.get(route.priority);
      if (other) {
        addProblem(ctx, {
          path: ["services", name, "route", "priority"],
          input: route.priority,
          message: `is also ${other}'s route priority; every rule needs its own`,
        });
      } else byPriority.set(route.priority, name);
    }
    for (const key of conditionKeys(route)) {
      const other = byCondition.get(key);
      if (other && other !== name) {
        const [host, path] = key.split(" ");
        addProblem(ctx, {
          path: ["services", name, "route"],
          input: route,
          message: `overlaps ${other}'s route (host ${host === "*" ? "any" : host}, path ${path === "*" ? "any" : path}): only one of them would ever answer; make the patterns differ`,
        });
        break;
      }
      byCondition.set(key, name);
    }
  }
}

// Role names need no check: the longest, `<app>-<environment>-<service>-execution`, is 24 + 12 + 16 + 12 = 64
// characters, exactly IAM's limit, by the name patterns.
function checkNames(app: AppSettings, prefix: string, ctx: z.core.$RefinementCtx): void {
  if (prefix.length > ELB_NAME_MAX_LENGTH) {
    addProblem(ctx, {
      path: ["name"],
      input: app.name,
      message: `makes the load balancer name "${prefix}" ${prefix.length} characters long; AWS allows ${ELB_NAME_MAX_LENGTH}: shorten the app or environment name`,
    });
  }
  for (const [name, service] of Object.entries(app.services)) {
    const targetGroup = `${prefix}-${name}-${service.containerPort}`;
    if (service.loadBalanced && targetGroup.length > ELB_NAME_MAX_LENGTH) {
      addProblem(ctx, {
        path: ["services", name],
        input: name,
        message: `makes the target group name "${targetGroup}" ${targetGroup.length} characters long; AWS allows ${ELB_NAME_MAX_LENGTH}: shorten the service, app or environment name`,
      });
    }
  }
}

function checkEc2Services(app: AppSettings, ctx: z.core.$RefinementCtx): void {
  const ec2Services = Object.entries(app.services).filter(([, s]) => s.launchType === "ec2");
  if (ec2Services.length === 0) {
    if (app.ec2 !== undefined) {
      addProblem(ctx, { path: ["ec2"], input: app.ec2, message: 'is set but no service has launchType "ec2"; remove it, or run a service on EC2' });
    }
    return;
  }
  const architectures = new Set(ec2Services.map(([, s]) => s.cpuArchitecture));
  if (architectures.size > 1) {
    for (const [name, service] of ec2Services) {
      addProblem(ctx, {
        path: ["services", name, "cpuArchitecture"],
        input: service.cpuArchitecture,
        message: `differs between the EC2 services (${[...architectures].join(", ")}); their instances have one architecture: run the others on Fargate`,
      });
    }
    return;
  }
  if (app.ec2?.networkMode === "bridge") {
    for (const [name] of ec2Services.filter(([, s]) => s.serviceConnect)) {
      addProblem(ctx, {
        path: ["services", name, "serviceConnect"],
        input: true,
        message:
          'is true on an EC2 service in bridge mode; Service Connect here admits callers by security group, which bridge tasks do not have: use ec2.networkMode "awsvpc"',
      });
    }
  }
  const [architecture] = architectures;
  const instanceType = app.ec2?.instanceType ?? DEFAULTS.ec2.instanceType[architecture];
  for (const [path, type] of [
    [["ec2", "instanceType"], instanceType],
    ...(app.ec2?.spot?.instanceTypes ?? []).map((t, i) => [["ec2", "spot", "instanceTypes", i], t] as const),
  ] as const) {
    if (instanceTypeArchitecture(type) !== architecture) {
      addProblem(ctx, {
        path: [...path],
        input: type,
        message: `is an ${instanceTypeArchitecture(type)} instance type but the EC2 services run ${architecture} images`,
      });
    }
  }
  if (app.ec2?.registryAuth === "agent-dockercfg") {
    const shared = new Set(ec2Services.map(([, s]) => JSON.stringify(s.credentials ?? app.credentials)));
    if (shared.size > 1) {
      addProblem(ctx, {
        path: ["ec2", "registryAuth"],
        input: "agent-dockercfg",
        message:
          "is agent-dockercfg, but the EC2 services pull with different credentials; the instances' agent holds one: use task auth, or one credential for the EC2 services",
      });
    }
  }
}
