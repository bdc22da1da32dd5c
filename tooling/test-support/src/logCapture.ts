import { pino, type DestinationStream, type Level, type Logger } from "pino";

/** One log line as pino wrote it: `level` (a number), `msg`, bindings and fields. */
export type LogLine = Record<string, unknown> & { level: number; msg?: string };

export interface LogCapture {
  /** Every line written so far, parsed, in order. */
  readonly lines: LogLine[];
  /** A destination that records instead of writing, for `createLogger({ destination })` or pino. */
  readonly destination: DestinationStream;
  /** A real pino logger (the kernel's `Logger`) writing to `destination`. */
  readonly logger: Logger;
  /** The `msg` of every line so far. */
  messages(): string[];
}

/** Captures log lines of a real pino logger, so tests can assert what a component logged. */
export function captureLogs(options: { level?: Level } = {}): LogCapture {
  const lines: LogLine[] = [];
  const destination: DestinationStream = {
    write(line: string) {
      lines.push(JSON.parse(line) as LogLine);
    },
  };
  return {
    lines,
    destination,
    logger: pino({ level: options.level ?? "info" }, destination),
    messages: () => lines.map((line) => line.msg ?? ""),
  };
}
