import { parseConfig, parseDeploymentConfig } from "../../../src/config/load";
import { environmentsOf, stackNamesOf } from "../../../src/config/model";
import { referenceInput } from "../../helpers/configs";

const image = (name: string) => `ghcr.io/acme/${name}:1.0.0`;

describe("environmentsOf a single-service config", () => {
  it("keeps the stacks and names of 0.1: one environment per stack, the service named after the config", () => {
    const environments = environmentsOf(parseConfig(referenceInput()));
    expect(environments.map((env) => [env.stackName, env.layout, env.ec2 !== undefined])).toEqual([
      ["orders", "single-service", false],
      ["orders-ec2", "single-service", true],
    ]);
    expect(environments.map((env) => env.services.map((s) => [s.name, s.ecsName, s.resourceName, s.launchType]))).toEqual([
      [["orders", "orders", "orders", "fargate"]],
      [["orders", "orders-ec2", "orders-ec2", "ec2"]],
    ]);
    expect(environments[0].credentials).toEqual([
      { key: "default", settings: expect.objectContaining({ username: "acme-ci-bot" }) as unknown, services: ["orders"] },
    ]);
  });
});

describe("environmentsOf an app", () => {
  const shop = (services: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    environmentsOf(parseDeploymentConfig({ name: "shop", region: "us-east-1", credentials: { mode: "managed", username: "bot" }, services, ...extra }));

  it("names each service's resources <stack>-<service> and its ECS service <service>", () => {
    const [env] = shop({ web: { image: image("web"), cpu: 256, memory: 512 } }, { environments: { prod: {} } });
    expect(env).toMatchObject({ stackName: "shop-prod", layout: "app" });
    expect(env.services.map((s) => [s.name, s.ecsName, s.resourceName])).toEqual([["web", "web", "shop-prod-web"]]);
  });

  it("makes one credential per distinct value: the app's first, a service's own after it, shared by value", () => {
    const other = { mode: "managed", username: "other-bot" };
    const [env] = shop({
      aa: { image: image("aa"), cpu: 256, memory: 512 },
      bb: { image: image("bb"), cpu: 256, memory: 512, credentials: other, route: { pathPatterns: ["/bb/*"] } },
      cc: { image: image("cc"), cpu: 256, memory: 512, credentials: other, route: { pathPatterns: ["/cc/*"] } },
      dd: { image: image("dd"), cpu: 256, memory: 512, credentials: { mode: "managed", username: "bot" }, route: { pathPatterns: ["/dd/*"] } },
    });
    expect(env.credentials.map((c) => [c.key, c.services])).toEqual([
      ["default", ["aa", "dd"]],
      ["bb", ["bb", "cc"]],
    ]);
    expect(env.services.map((s) => [s.name, s.credential])).toEqual([
      ["aa", "default"],
      ["bb", "bb"],
      ["cc", "bb"],
      ["dd", "default"],
    ]);
  });

  it("keeps explicit route priorities and numbers the others after them in steps of 10, in the order written", () => {
    const [env] = shop({
      web: { image: image("web"), cpu: 256, memory: 512 },
      api: { image: image("api"), cpu: 256, memory: 512, route: { pathPatterns: ["/api/*"] } },
      admin: { image: image("admin"), cpu: 256, memory: 512, route: { hostHeaders: ["admin.example.com"], priority: 15 } },
      docs: { image: image("docs"), cpu: 256, memory: 512, route: { pathPatterns: ["/docs/*"] } },
      worker: { image: image("worker"), cpu: 256, memory: 512, loadBalanced: false },
    });
    expect(env.services.map((s) => [s.name, s.route?.priority])).toEqual([
      ["web", undefined],
      ["api", 20],
      ["admin", 15],
      ["docs", 30],
      ["worker", undefined],
    ]);
  });

  it("resolves the container instances only when a service runs on EC2, with that service's architecture", () => {
    const [fargateOnly] = shop({ web: { image: image("web"), cpu: 256, memory: 512 } });
    expect(fargateOnly.ec2).toBeUndefined();
    const [mixed] = shop({
      web: { image: image("web"), cpu: 256, memory: 512 },
      batch: { image: image("batch"), cpu: 256, memory: 512, launchType: "ec2", cpuArchitecture: "ARM64", loadBalanced: false },
    });
    expect(mixed.ec2).toMatchObject({ instanceType: "t4g.medium", registryAuth: "task", minSize: 2 });
  });

  it("lists one stack per environment, in the order written", () => {
    const config = parseDeploymentConfig({
      name: "shop",
      region: "us-east-1",
      credentials: { mode: "managed", username: "bot" },
      services: { web: { image: image("web"), cpu: 256, memory: 512 } },
      backend: { type: "s3", bucket: "acme-state", key: "{stack}.tfstate" },
      environments: { staging: {}, prod: {}, dr: { region: "us-west-2" } },
    });
    expect(stackNamesOf(config)).toEqual(["shop-staging", "shop-prod", "shop-dr"]);
    expect(environmentsOf(config).map((env) => env.region)).toEqual(["us-east-1", "us-east-1", "us-west-2"]);
  });
});
