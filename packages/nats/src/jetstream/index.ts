export { StreamClient } from "./streamClient.js";
export { fromDelivery } from "./storedMessage.js";
export { readSubject } from "./subjectReader.js";
export { readSubjectFromLeader } from "./leaderSubjectReader.js";
export { JetStreamErrorCode, isJetStreamApiError } from "./jetStreamApiError.js";

export type { PubAck } from "./streamClient.js";
export type { SubjectReadOptions } from "./subjectReader.js";
export type { MsgGetMessage, StoredMessage } from "./storedMessage.js";
