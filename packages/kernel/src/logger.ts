import { pino, type DestinationStream, type Logger as PinoLogger, type LoggerOptions } from "pino";
import { AetherError, AetherErrorCode } from "./aetherError.js";

export type Logger = PinoLogger;

export interface LoggerFactoryOptions {
  /**
   * pino level (`fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`). Library code stays
   * quiet unless asked.
   * @default pino.level ?? process.env.LOG_LEVEL ?? "silent"
   */
  level?: string;
  /** Bound to every line, e.g. `{ nodeId }`. */
  bindings?: Record<string, unknown>;
  /** Any other pino option, e.g. a transport. */
  pino?: LoggerOptions;
  /**
   * Where lines go, e.g. `pino.destination("app.log")` or any `{ write(line) }`.
   * @default stdout
   */
  destination?: DestinationStream;
}

function levelFromEnvironment(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env;
  // `LOG_LEVEL=` in an env file means "not set"; `LOG_LEVEL=INFO` means info.
  const level = env?.["LOG_LEVEL"]?.trim().toLowerCase();
  return level === undefined || level === "" ? undefined : level;
}

/** The logger every Aether package uses; components take `logger.child({ component })`. */
export function createLogger(options: LoggerFactoryOptions = {}): Logger {
  const fromEnvironment = levelFromEnvironment();
  const level = options.level ?? options.pino?.level ?? fromEnvironment ?? "silent";
  const known = [
    ...Object.keys(pino.levels.values),
    ...Object.keys(options.pino?.customLevels ?? {}),
    "silent",
  ];
  if (!known.includes(level)) {
    const source =
      options.level === undefined && options.pino?.level === undefined ? " (from LOG_LEVEL)" : "";
    throw new AetherError(
      AetherErrorCode.InvalidArgument,
      `Invalid log level ${JSON.stringify(level)}${source}: use one of ${known.join(", ")}`,
      { details: { level } },
    );
  }
  const pinoOptions = { ...options.pino, level };
  const logger =
    options.destination === undefined ? pino(pinoOptions) : pino(pinoOptions, options.destination);
  return options.bindings === undefined ? logger : logger.child(options.bindings);
}

let shared: Logger | undefined;

/** The process-wide default logger, created on first use; used when a component is given none. */
export function defaultLogger(): Logger {
  shared ??= createLogger();
  return shared;
}
