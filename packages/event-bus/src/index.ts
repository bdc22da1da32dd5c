export { DEFAULT_BUFFER_SIZE, EventBus } from "./eventBus.js";
export { DOMAIN_EVENTS_NAMESPACE } from "./domainEventsNamespace.js";

export type { EventBusOptions } from "./eventBus.js";
export type { SubscribeOptions, Subscription, SubscriptionInfo } from "./subscription.js";
export type { WildcardPolicy } from "./wildcardPolicy.js";
