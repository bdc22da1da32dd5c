import type { TestProject } from "vitest/node";
import { NatsServer } from "./natsServer.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** URL of the nats-server started for this test run (JetStream on). */
    natsUrl: string;
  }
}

/** vitest globalSetup for `*.int.test.ts`: one real nats-server for the run, torn down after. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await NatsServer.start();
  project.provide("natsUrl", server.url);
  return async () => {
    await server.dispose();
  };
}
