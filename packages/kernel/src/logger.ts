import { pino, type Logger as PinoLogger, type LoggerOptions } from "pino";

export type Logger = PinoLogger;

export interface LoggerFactoryOptions {
  /**
   * pino level. Library code stays quiet unless asked.
   * @default process.env.LOG_LEVEL ?? "silent"
   */
  level?: string;
  /** Bound to every line, e.g. `{ nodeId }`. */
  bindings?: Record<string, unknown>;
  /** Any other pino option, e.g. a transport. */
  pino?: LoggerOptions;
}

function levelFromEnvironment(): string {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env;
  return env?.["LOG_LEVEL"] ?? "silent";
}

/** The logger every Aether package uses; components take `logger.child({ component })`. */
export function createLogger(options: LoggerFactoryOptions = {}): Logger {
  const logger = pino({ ...options.pino, level: options.level ?? levelFromEnvironment() });
  return options.bindings === undefined ? logger : logger.child(options.bindings);
}

let shared: Logger | undefined;

/** The process-wide default logger, created on first use; used when a component is given none. */
export function defaultLogger(): Logger {
  shared ??= createLogger();
  return shared;
}
