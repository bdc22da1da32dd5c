import { createLogger, defaultLogger, isAetherError } from "@aether/kernel";
import { afterEach, describe, expect, it, vi } from "vitest";
import { captureLogs } from "@aether/test-support";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("kernel: createLogger", () => {
  it("kernel: is silent by default when LOG_LEVEL is unset", () => {
    vi.stubEnv("LOG_LEVEL", undefined);
    const { destination, lines } = captureLogs();
    const logger = createLogger({ destination });
    expect(logger.level).toBe("silent");
    logger.fatal("nobody hears this");
    logger.error("nor this");
    expect(lines).toEqual([]);
  });

  it("kernel: treats an empty LOG_LEVEL as unset", () => {
    vi.stubEnv("LOG_LEVEL", "");
    expect(createLogger().level).toBe("silent");
  });

  it("kernel: honours LOG_LEVEL, case-insensitively", () => {
    vi.stubEnv("LOG_LEVEL", "WARN");
    const { destination, lines } = captureLogs();
    const logger = createLogger({ destination });
    expect(logger.level).toBe("warn");
    logger.info("too low");
    logger.warn("heard");
    expect(lines.map((line) => line["msg"])).toEqual(["heard"]);
  });

  it("kernel: an explicit level wins over LOG_LEVEL, and pino.level over LOG_LEVEL", () => {
    vi.stubEnv("LOG_LEVEL", "error");
    expect(createLogger({ level: "debug" }).level).toBe("debug");
    expect(createLogger({ pino: { level: "trace" } }).level).toBe("trace");
    expect(createLogger({ level: "info", pino: { level: "trace" } }).level).toBe("info");
  });

  it("kernel: writes structured lines at and above the level, with bindings", () => {
    vi.stubEnv("LOG_LEVEL", undefined);
    const { destination, lines } = captureLogs();
    const logger = createLogger({ level: "info", destination, bindings: { nodeId: "n1" } });
    logger.debug("hidden");
    logger.info({ actorId: "a-1" }, "appended");
    logger.child({ component: "store" }).error("failed");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 30,
      nodeId: "n1",
      actorId: "a-1",
      msg: "appended",
    });
    expect(lines[1]).toMatchObject({
      level: 50,
      nodeId: "n1",
      component: "store",
      msg: "failed",
    });
  });

  it("kernel: refuses an unknown level with INVALID_ARGUMENT naming the source", () => {
    vi.stubEnv("LOG_LEVEL", "verbose");
    let error: unknown;
    try {
      createLogger();
    } catch (caught) {
      error = caught;
    }
    expect(isAetherError(error, "INVALID_ARGUMENT")).toBe(true);
    expect((error as Error).message).toBe(
      'Invalid log level "verbose" (from LOG_LEVEL): use one of trace, debug, info, warn, error, fatal, silent',
    );
    expect(() => createLogger({ level: "loud" })).toThrow(/^Invalid log level "loud": /);
  });

  it("kernel: accepts custom levels declared through pino options", () => {
    const { destination, lines } = captureLogs();
    const logger = createLogger({
      level: "audit",
      destination,
      pino: { customLevels: { audit: 35 } },
    });
    (logger as unknown as Record<string, (msg: string) => void>)["audit"]!("kept");
    logger.info("dropped");
    expect(lines.map((line) => line["msg"])).toEqual(["kept"]);
  });
});

describe("kernel: defaultLogger", () => {
  it("kernel: returns one shared logger", () => {
    expect(defaultLogger()).toBe(defaultLogger());
  });
});
