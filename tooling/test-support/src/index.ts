import type {} from "./providedContext.js";

export { NatsServer } from "./natsServer.js";
export { NatsCluster } from "./natsCluster.js";
export { findNatsServerBinary } from "./natsServerBinary.js";
export { freePort } from "./freePort.js";
export { waitFor } from "./waitFor.js";
export { uniqueName } from "./uniqueName.js";
export { consoleLinesOf, expectReadmeToShow } from "./readmeExamples.js";
export { importGraphOf } from "./importGraph.js";
export { captureLogs } from "./logCapture.js";
export { connectTo, registerConnect } from "./natsConnect.js";
export { natsTestContext, natsTestContextForFile } from "./natsTestContext.js";

export type { NatsServerOptions } from "./natsServer.js";
export type { NatsClusterOptions } from "./natsCluster.js";
export type { WaitForOptions } from "./waitFor.js";
export type { ImportGraph } from "./importGraph.js";
export type { LogCapture, LogLine } from "./logCapture.js";
export type { NatsTestContext, NatsTestContextOptions } from "./natsTestContext.js";
