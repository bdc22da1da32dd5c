import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import type { Hono } from "hono";

export interface Listening {
  url: string;
  port: number;
  /** Ends open connections too (SSE streams never end on their own). */
  close(): Promise<void>;
}

/**
 * Serves `app` on `port`; when that port is taken (another demo still running, anything else),
 * falls back to a free port instead of failing, and says so through `onFallback`.
 */
export async function listen(
  app: Hono,
  options: { port: number; host?: string; onFallback?: (busy: number, used: number) => void },
): Promise<Listening> {
  const host = options.host ?? "127.0.0.1";
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  const bind = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const onError = (error: Error) => {
        server.off("listening", onListening);
        reject(error);
      };
      const onListening = () => {
        server.off("error", onError);
        resolve((server.address() as AddressInfo).port);
      };
      server.once("error", onError);
      server.once("listening", onListening);
      server.listen(port, host);
    });
  let port: number;
  try {
    port = await bind(options.port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    port = await bind(0);
    options.onFallback?.(options.port, port);
  }
  const displayHost = host === "0.0.0.0" ? "127.0.0.1" : host;
  return {
    url: `http://${displayHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
