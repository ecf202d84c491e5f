import { gracefulShutdownProblem, springDurationSeconds } from "../../../src/ecs/graceful-shutdown";

describe("springDurationSeconds", () => {
  it.each<[string, number]>([
    ["30s", 30],
    ["45S", 45],
    ["500ms", 0.5],
    ["1m", 60],
    ["2h", 7200],
    ["20000", 20],
    ["PT30S", 30],
    ["PT1M30S", 90],
    ["PT0.5S", 0.5],
    ["P1D", 86400],
  ])("reads %s as %d s", (text, seconds) => expect(springDurationSeconds(text)).toBe(seconds));

  it.each(["thirty", "30x", "PT", "P", "", "1.5s"])("does not read %j", (text) => expect(springDurationSeconds(text)).toBeUndefined());
});

describe("gracefulShutdownProblem", () => {
  it("checks nothing when the environment leaves Spring Boot's shutdown phase at its default", () => {
    expect(gracefulShutdownProblem({}, undefined)).toBeUndefined();
    expect(gracefulShutdownProblem({}, 10)).toBeUndefined();
  });

  it("accepts a stop timeout that covers the phase plus 5 s for the context to close", () => {
    expect(gracefulShutdownProblem({ SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE: "20s" }, undefined)).toBeUndefined();
    expect(gracefulShutdownProblem({ SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE: "40s" }, 45)).toBeUndefined();
  });

  it("refuses ECS's default 30 s under a 30 s phase: SIGKILL would land as Spring Boot finishes", () => {
    expect(gracefulShutdownProblem({ SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE: "30s" }, undefined)).toBe(
      "ECS's default stop timeout 30 s would SIGKILL the application during its graceful shutdown: SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE=30s gives it 30 s after SIGTERM, plus 5 s to close; set stopTimeoutSeconds to at least 35",
    );
  });

  it("names the configured stop timeout, and Fargate's 120 s ceiling when the phase cannot fit", () => {
    expect(gracefulShutdownProblem({ SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE: "PT2M" }, 60)).toBe(
      "stopTimeoutSeconds 60 s would SIGKILL the application during its graceful shutdown: SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE=PT2M gives it 120 s after SIGTERM, plus 5 s to close; set stopTimeoutSeconds to at least 125 (Fargate allows at most 120: shorten the shutdown phase)",
    );
  });

  it("refuses a phase Spring Boot would not read", () => {
    expect(gracefulShutdownProblem({ SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE: "half a minute" }, 40)).toBe(
      'SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE="half a minute" is not a duration Spring Boot reads (30s, 500ms, 1m, PT30S)',
    );
  });
});
