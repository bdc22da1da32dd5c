import { ForwardingEventStore } from "@aether/event-sourcing";
import type { EventStore, ReadEventsOptions } from "@aether/event-sourcing";
import type { Event } from "@aether/kernel";

/** (version, commandId) of an event read during a replay. */
export type ReplayedCommand = readonly [version: number, commandId: string];

export const COMMAND_ID_METADATA_KEY = "commandId";

/**
 * The event store as the actor repository sees it, noting the command ids of the events a load
 * replays, so the actor host learns recent command ids without reading the history twice.
 */
export class ReplayRecorder extends ForwardingEventStore {
  readonly #keep: number;
  readonly #recordings = new Map<string, ReplayedCommand[]>();

  /** Keeps at least the last `keep` command-carrying events of a replay, not a whole long history. */
  constructor(store: EventStore, keep: number) {
    super(store);
    this.#keep = keep;
  }

  /** Runs `load` while noting the command ids replayed for `actorId` (one load per actor at a time). */
  async record<T>(actorId: string, load: () => Promise<T>): Promise<[T, ReplayedCommand[]]> {
    const noted: ReplayedCommand[] = [];
    this.#recordings.set(actorId, noted);
    try {
      return [await load(), noted];
    } finally {
      this.#recordings.delete(actorId);
    }
  }

  override async *readEvents(actorId: string, options?: ReadEventsOptions): AsyncIterable<Event> {
    for await (const event of this.inner.readEvents(actorId, options)) {
      const commandId = event.metadata?.[COMMAND_ID_METADATA_KEY];
      const noted = commandId === undefined ? undefined : this.#recordings.get(actorId);
      if (noted !== undefined && commandId !== undefined) {
        noted.push([event.version, commandId]);
        if (noted.length > 2 * this.#keep) noted.splice(0, noted.length - this.#keep);
      }
      yield event;
    }
  }
}
