export { Deadline } from "./deadline.js";
export { retrying } from "./retrying.js";
export { toAetherError } from "./toAetherError.js";
export { InboxRequester, connectionInbox } from "./inboxRequester.js";
// The kernel's, re-exported: NATS adapters check their numeric options with it.
export { integerOption } from "@aether/kernel";
export {
  EXPECTED_SEQUENCE_RACE_FIXED,
  FSYNC_PER_ACK,
  isServerVersionBefore,
  parseServerVersion,
} from "./serverVersion.js";
export { checkPayloadSize } from "./payloadLimit.js";

export type { RetryBudget } from "./retrying.js";
export type { IntegerRange } from "@aether/kernel";
export type { ServerVersion } from "./serverVersion.js";
export type { PayloadDescription } from "./payloadLimit.js";
