import {
  DomainEventRecorder,
  createId,
  createLogger,
  isAetherError,
  parseNewEvent,
} from "@aether/kernel";

const logger = createLogger({ bindings: { component: "bank" } }); // silent unless LOG_LEVEL is set
const domainEvents = new DomainEventRecorder(); // a DomainEventPublisher that keeps what it gets

const event = parseNewEvent({
  id: createId(),
  eventType: "AccountOpened",
  actorId: "acc-1",
  version: 1,
  data: {},
});
const { id: eventId, actorId, eventType, version } = event;
const at = new Date().toISOString();
domainEvents.publishDomainEvent({
  type: "EventStored",
  at,
  namespace: "bank",
  actorId,
  eventId,
  eventType,
  version,
});
logger.info({ eventId }, "stored");
console.log(domainEvents.ofType("EventStored").map((e) => `${e.actorId}@${e.version}`)); // [ 'acc-1@1' ]

try {
  parseNewEvent({ ...event, actorId: "", version: 0 });
} catch (error) {
  // INVALID_EVENT Invalid event: actorId: must not be empty; version: must be >= 1
  if (isAetherError(error, "INVALID_EVENT")) console.log(error.code, error.message);
}
