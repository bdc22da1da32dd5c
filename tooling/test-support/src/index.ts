import type {} from "./providedContext.js";

export { NatsServer } from "./natsServer.js";
export { NatsCluster } from "./natsCluster.js";
export { findNatsServerBinary } from "./natsServerBinary.js";
export { freePort } from "./freePort.js";
export { waitFor } from "./waitFor.js";
export { uniqueName } from "./uniqueName.js";
export { consoleLinesOf, expectReadmeToShow } from "./readmeExamples.js";

export type { NatsServerOptions } from "./natsServer.js";
export type { NatsClusterOptions } from "./natsCluster.js";
export type { WaitForOptions } from "./waitFor.js";
