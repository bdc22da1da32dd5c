// Types what the int project's globalSetup provides, for every test that imports test-support.
import type {} from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** URL of the nats-server started for this test run (JetStream on). */
    natsUrl: string;
  }
}
