export {
  AetherError,
  AetherErrorCode,
  aetherErrorCodes,
  defineErrorCodes,
  errorCodeNames,
  isAetherError,
  isRetryable,
} from "./aetherError.js";
export {
  MAX_ACTOR_ID_LENGTH,
  actorIdSchema,
  actorSnapshotSchema,
  eventSchema,
  newEventSchema,
  parseActorId,
  parseActorSnapshot,
  parseNewEvent,
} from "./event.js";
export { MAX_JSON_DEPTH, assertJsonValue, findJsonProblem } from "./jsonValue.js";
export { domainEventSchema, domainEventSchemas, domainEventTypes } from "./domainEvents.js";
export {
  DomainEventRecorder,
  guardPublisher,
  silentDomainEventPublisher,
} from "./domainEventPublisher.js";
export { createLogger, defaultLogger } from "./logger.js";
export { ManualClock, isoNow, systemClock } from "./clock.js";
export { createId, sequentialIdGenerator, uuidv7Generator } from "./ids.js";
export { describeIssues } from "./validationMessage.js";
export { integerOption } from "./integerOption.js";

export type {
  AetherErrorOptions,
  ErrorCodeNames,
  ErrorCodeOf,
  ErrorCodeTable,
  RetryableAetherErrorCode,
  RetryableErrorCodeOf,
} from "./aetherError.js";
export type { ActorSnapshot, Event, NewEvent } from "./event.js";
export type { JsonProblem } from "./jsonValue.js";
export type { DomainEvent, DomainEventOf, DomainEventType } from "./domainEvents.js";
export type { DomainEventPublisher } from "./domainEventPublisher.js";
export type { Logger, LoggerFactoryOptions } from "./logger.js";
export type { Clock } from "./clock.js";
export type { IdGenerator } from "./ids.js";
export type { IntegerRange } from "./integerOption.js";
