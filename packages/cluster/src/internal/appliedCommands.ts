/** The versions one command's events took. */
export interface AppliedCommand {
  readonly fromVersion: number;
  readonly toVersion: number;
}

/**
 * The command ids found in an actor's latest `window` events, read back from the events' metadata,
 * so a retried command is recognised on whichever node serves the actor. Notes must come in
 * ascending version order.
 */
export class AppliedCommands {
  readonly #window: number;
  readonly #byId = new Map<string, AppliedCommand>();

  constructor(window: number) {
    this.#window = window;
  }

  note(commandId: string, version: number): void {
    const known = this.#byId.get(commandId);
    if (known !== undefined && known.toVersion === version - 1) {
      this.#byId.set(commandId, { fromVersion: known.fromVersion, toVersion: version });
    } else if (known === undefined) {
      this.#byId.set(commandId, { fromVersion: version, toVersion: version });
    }
  }

  find(commandId: string): AppliedCommand | undefined {
    return this.#byId.get(commandId);
  }

  /** Forgets commands whose events all lie before the window ending at `latestVersion`. */
  trim(latestVersion: number): void {
    const oldestKept = latestVersion - this.#window + 1;
    for (const [commandId, applied] of this.#byId) {
      if (applied.toVersion >= oldestKept) break;
      this.#byId.delete(commandId);
    }
  }
}
