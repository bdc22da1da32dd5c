export { natsTransport } from "./natsTransport.js";

export type { NatsTransportOptions } from "./natsTransport.js";
