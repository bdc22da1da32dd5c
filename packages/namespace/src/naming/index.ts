export {
  actorIdFromToken,
  actorSubject,
  actorToken,
  busSubject,
  busSubjectForPattern,
  eventStreamName,
  eventStreamSubjects,
  namespaceFromBusSubject,
  namespaceFromToken,
  namespaceToken,
  snapshotBucketName,
  snapshotKey,
} from "../naming.js";
export { decodeSafeToken, encodeSafeToken, isHashedToken } from "../safeToken.js";
