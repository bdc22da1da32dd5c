import type { TestProject } from "vitest/node";
import { NatsServer } from "./natsServer.js";
import type {} from "./providedContext.js";

/** vitest globalSetup for `*.int.test.ts`: one real nats-server for the run, torn down after. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await NatsServer.start();
  project.provide("natsUrl", server.url);
  return async () => {
    await server.dispose();
  };
}
