export { natsCoordination } from "./natsCoordination.js";
export { natsTransport } from "./natsTransport.js";

export type { NatsCoordinationOptions } from "./natsCoordination.js";
export type { NatsTransportOptions } from "./natsTransport.js";
