export { natsCoordination } from "./natsCoordination.js";

export type { NatsCoordinationOptions } from "./natsCoordination.js";
