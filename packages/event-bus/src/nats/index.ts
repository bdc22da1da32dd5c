export { NatsEventBus } from "./natsEventBus.js";
export { NODE_ID_HEADER } from "./wireFormat.js";

export type { NatsEventBusOptions, NatsEventBusStats } from "./natsEventBus.js";
