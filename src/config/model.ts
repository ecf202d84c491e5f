/**
 * What the stacks are built from: each environment of a config, with its services, their credentials and routes
 * resolved. Both config forms lead here — a single-service file becomes one environment per stack it has always
 * made (`<name>`, `<name>-ec2`) with the resource addresses those stacks have always had (`layout: "single-service"`).
 */
import type { z } from "zod";
import type { Config } from ".";
import { backendWarnings, type Backend } from "../backend/schema";
import type { PolicyWaiver } from "../policy-gate/waivers";
import type { EnvironmentAlarmSettings } from "./alarms";
import type { AppService, AppSettings } from "./app";
import type { CiSettings } from "./ci";
import type { RegistrySettings } from "./registry";
import type { SecretReader } from "../registry/ecr-mirror";
import type { credentials as credentialsSchema, encryption as encryptionSchema } from "./credentials";
import { ciStackName, ec2Settings, ec2StackName, stackNames, type Ec2Settings } from "./derive";
import type { AppConfig } from "./environments";
import type { loadBalancer as loadBalancerSchema, network as networkSchema } from "./network";
import type { serviceShape } from "./service";

export type CredentialSettings = z.output<typeof credentialsSchema>;
export type ServiceSettings = z.output<z.ZodObject<typeof serviceShape>>;

/**
 * `single-service`: the construct tree of ghcr-ecs 0.1, whose addresses deployed stacks have (the service's
 * resources at the stack's top level). `app`: each service's resources under `services/<service>`.
 */
export type AddressLayout = "single-service" | "app";

export interface CredentialModel {
  /** `default` (the app's `credentials`), or the first service (in the order written) that names this one. */
  readonly key: string;
  readonly settings: CredentialSettings;
  /** The services that pull with it. */
  readonly services: readonly string[];
}

export interface RouteModel {
  readonly pathPatterns?: readonly string[];
  readonly hostHeaders?: readonly string[];
  readonly priority: number;
}

export interface ServiceModel {
  /** The name in the config (the config's `name` for a single-service file). */
  readonly name: string;
  /** The ECS service's and container's name: the stack name (single-service) or the service's name. */
  readonly ecsName: string;
  /** The prefix of its resources' names: `<stack>` (single-service) or `<stack>-<service>`. */
  readonly resourceName: string;
  readonly launchType: "fargate" | "ec2";
  readonly settings: ServiceSettings;
  readonly loadBalanced: boolean;
  /** A member of the environment's Service Connect namespace. */
  readonly serviceConnect: boolean;
  /** Undefined for the service that answers the listener's default action (or a worker). */
  readonly route?: RouteModel;
  /** `CredentialModel.key` of the credential it pulls with. */
  readonly credential: string;
}

export interface EnvironmentModel {
  /** The stack, and the prefix of every environment-level resource name. */
  readonly stackName: string;
  readonly layout: AddressLayout;
  readonly region: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly backend: Backend;
  readonly encryption: z.output<typeof encryptionSchema>;
  readonly network: z.output<typeof networkSchema>;
  /** Where ECS pulls the images from: the registry itself, or an ECR pull-through cache. */
  readonly registry: RegistrySettings;
  readonly loadBalancer: z.output<typeof loadBalancerSchema>;
  readonly containerInsights: boolean;
  /** Whom the environment's alarms notify, and the load balancer's own alarm. */
  readonly alarms: EnvironmentAlarmSettings;
  /** Production: the policy gate requires every service to scale and alarm. */
  readonly production: boolean;
  readonly policyWaivers: readonly PolicyWaiver[];
  /** The container instances, when a service runs on EC2. */
  readonly ec2?: Ec2Settings;
  readonly credentials: readonly CredentialModel[];
  readonly services: readonly ServiceModel[];
}

/** A validated config of either form. */
export type DeploymentConfig = Config | AppConfig;

export function isAppConfig(config: DeploymentConfig): config is AppConfig {
  return "form" in config && config.form === "app";
}

/** Every environment a config deploys, one per stack, in stack order. */
export function environmentsOf(config: DeploymentConfig): EnvironmentModel[] {
  if (isAppConfig(config)) return config.environments.map((env) => appEnvironment(env.stackName, env.settings));
  return stackNames(config).map((stackName) => singleServiceEnvironment(config, stackName));
}

/** Advice about a valid config, printed by synth: deprecated forms and backend settings. */
export function configWarnings(config: DeploymentConfig): string[] {
  const warnings: string[] = [];
  if (!isAppConfig(config) && config.launchType === "both") {
    warnings.push(
      'launchType "both" is deprecated: it builds two complete copies of everything (two VPCs, NAT gateways, load balancers and secrets). It keeps working; for new deployments write an app (`services`) whose services choose `launchType` each, in one environment — see docs/upgrading.md',
    );
  }
  for (const environment of environmentsOf(config)) {
    for (const warning of backendWarnings(environment.backend)) if (!warnings.includes(warning)) warnings.push(warning);
  }
  return warnings;
}

/** The name a managed credential's secret is derived from: the stack's, or `<stack>/<key>` for a service's own. */
export function credentialName(environment: EnvironmentModel, credential: CredentialModel): string {
  return credential.key === "default" ? environment.stackName : `${environment.stackName}/${credential.key}`;
}

/** Who reads the environment's managed credential secrets: ECS, or (with the mirror) ECR's pull-through cache. */
export function secretReaderOf(environment: EnvironmentModel): SecretReader {
  return environment.registry.mode === "ecr-pull-through-cache" ? "pull-through-cache" : "repository-credentials";
}

/** The opt-in CI bootstrap stack: the roles every environment's workflows assume. */
export interface CiModel {
  /** `<name>-ci`. */
  readonly stackName: string;
  readonly settings: CiSettings;
  /** The first environment's region, tags and backend: IAM is global, the stack needs one provider and one state. */
  readonly region: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly backend: Backend;
  /** Every environment the roles serve. */
  readonly environments: readonly EnvironmentModel[];
}

/** The config's CI bootstrap stack, when it has `ci`. */
export function ciOf(config: DeploymentConfig): CiModel | undefined {
  if (!config.ci) return undefined;
  const environments = environmentsOf(config);
  const [first] = environments;
  return { stackName: ciStackName(config.name), settings: config.ci, region: first.region, tags: first.tags, backend: first.backend, environments };
}

/** The environments' stack names (the stacks the deploy and watch workflows work on), without the CI stack. */
export function environmentStackNames(config: DeploymentConfig): string[] {
  return environmentsOf(config).map((env) => env.stackName);
}

/** Every stack name a config synthesizes: the environments', then the CI stack's. */
export function stackNamesOf(config: DeploymentConfig): string[] {
  const ci = config.ci ? [ciStackName(config.name)] : [];
  return [...environmentStackNames(config), ...ci];
}

function singleServiceEnvironment(config: Config, stackName: string): EnvironmentModel {
  const onEc2 = stackName === ec2StackName(config);
  const {
    name: _name,
    region,
    credentials,
    encryption,
    network,
    loadBalancer,
    containerInsights,
    production,
    policyWaivers,
    backend,
    tags,
    launchType: _launchType,
    ec2,
    ci: _ci,
    registry,
    $schema: _schema,
    alarms: { notify, loadBalancerErrorsPerMinute, ...serviceAlarms },
    ...serviceSettings
  } = config;
  const settings = { ...serviceSettings, alarms: serviceAlarms };
  return {
    stackName,
    layout: "single-service",
    region,
    tags,
    backend,
    encryption,
    network,
    registry,
    loadBalancer,
    containerInsights,
    alarms: { notify, loadBalancerErrorsPerMinute },
    production,
    policyWaivers,
    ...(onEc2 ? { ec2: ec2Settings({ ec2, cpuArchitecture: config.cpuArchitecture }) } : {}),
    credentials: [{ key: "default", settings: credentials, services: [config.name] }],
    services: [
      {
        name: config.name,
        ecsName: stackName,
        resourceName: stackName,
        launchType: onEc2 ? "ec2" : "fargate",
        settings,
        loadBalanced: true,
        serviceConnect: false,
        credential: "default",
      },
    ],
  };
}

function appEnvironment(stackName: string, app: AppSettings): EnvironmentModel {
  const services = Object.entries(app.services);
  const credentials = credentialModels(app);
  const credentialOf = (service: AppService) => credentials.find((c) => sameCredential(c.settings, service.credentials ?? app.credentials))!.key;
  const priorities = routePriorities(services);
  const ec2Services = services.filter(([, s]) => s.launchType === "ec2");
  return {
    stackName,
    layout: "app",
    region: app.region,
    tags: app.tags,
    backend: app.backend,
    encryption: app.encryption,
    network: app.network,
    registry: app.registry,
    loadBalancer: app.loadBalancer,
    containerInsights: app.containerInsights,
    alarms: app.alarms,
    production: app.production,
    policyWaivers: app.policyWaivers,
    ...(ec2Services.length > 0 ? { ec2: ec2Settings({ ec2: app.ec2, cpuArchitecture: ec2Services[0][1].cpuArchitecture }) } : {}),
    credentials,
    services: services.map(([name, service]) => {
      const { launchType, credentials: _own, loadBalanced, serviceConnect, route, ...settings } = service;
      return {
        name,
        ecsName: name,
        resourceName: `${stackName}-${name}`,
        launchType,
        settings,
        loadBalanced,
        serviceConnect,
        ...(loadBalanced && route ? { route: { ...route, priority: priorities.get(name)! } } : {}),
        credential: credentialOf(service),
      };
    }),
  };
}

/** One credential per distinct value: the app's first (`default`), then each service's own, by first use. */
function credentialModels(app: AppSettings): CredentialModel[] {
  const models: { key: string; settings: CredentialSettings; services: string[] }[] = [];
  if (app.credentials) models.push({ key: "default", settings: app.credentials, services: [] });
  for (const [name, service] of Object.entries(app.services)) {
    const settings = service.credentials ?? app.credentials!;
    let model = models.find((m) => sameCredential(m.settings, settings));
    if (!model) {
      model = { key: name, settings, services: [] };
      models.push(model);
    }
    model.services.push(name);
  }
  return models.filter((m) => m.services.length > 0);
}

function sameCredential(a: CredentialSettings | undefined, b: CredentialSettings | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Explicit priorities as written; the others after the highest explicit one, in steps of 10, in the order written. */
function routePriorities(services: readonly (readonly [string, AppService])[]): Map<string, number> {
  const routed = services.filter(([, s]) => s.loadBalanced && s.route);
  const explicit = routed.map(([, s]) => s.route!.priority).filter((p): p is number => p !== undefined);
  let next = Math.ceil((Math.max(0, ...explicit) + 1) / 10) * 10;
  const priorities = new Map<string, number>();
  for (const [name, service] of routed) {
    if (service.route!.priority !== undefined) priorities.set(name, service.route!.priority);
    else {
      priorities.set(name, next);
      next += 10;
    }
  }
  return priorities;
}
