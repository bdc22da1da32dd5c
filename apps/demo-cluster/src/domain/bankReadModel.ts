import type { Event } from "@aether/kernel";

export interface BankTotals {
  accounts: number;
  /** Sum of all balances. */
  total: number;
  /** Withdrawn by transfers whose deposit (or refund) has not been seen yet. */
  inTransit: number;
  /** Money that entered or left the bank by plain deposits and withdrawals; transfers move it only. */
  minted: number;
  /** True when total + inTransit equals minted: no transfer created or destroyed money. */
  conserved: boolean;
  eventsApplied: number;
  /** Account histories re-read from the store because an event was missed on the bus. */
  gapsRepaired: number;
}

export interface BankReadModelOptions {
  /** Reads an account's events from a version on, to repair a gap left by a lost bus message. */
  readEvents: (actorId: string, fromVersion: number) => AsyncIterable<Event>;
}

/** A transfer whose withdrawal was seen and whose deposit (or refund) was not, yet. */
export interface UnfinishedTransfer {
  transferId: string;
  from: string;
  to: string;
  amount: number;
  /** When this read model saw the withdrawal (ms since the epoch). */
  seenAt: number;
}

interface AccountRow {
  owner: string;
  balance: number;
  version: number;
}

/**
 * Balances and the bank's total, fed by the bus. Events may arrive twice or out of order across
 * nodes, so each account applies only its next version; a gap (a message the bus lost) is
 * repaired by reading that account's history from the store.
 */
export class BankReadModel {
  readonly #readEvents: BankReadModelOptions["readEvents"];
  readonly #accounts = new Map<string, AccountRow>();
  readonly #transit = new Map<string, number>();
  readonly #unfinished = new Map<string, UnfinishedTransfer>();
  readonly #repairing = new Map<string, Promise<void>>();
  #total = 0;
  #inTransit = 0;
  #minted = 0;
  #eventsApplied = 0;
  #gapsRepaired = 0;

  constructor(options: BankReadModelOptions) {
    this.#readEvents = options.readEvents;
  }

  apply(event: Event): void {
    const row = this.#accounts.get(event.actorId);
    const version = row?.version ?? 0;
    if (event.version <= version) return;
    if (event.version > version + 1) {
      this.#repair(event.actorId);
      return;
    }
    this.#applyNext(event, row);
  }

  #applyNext(event: Event, row: AccountRow | undefined): void {
    const data = event.data as {
      owner?: string;
      amount?: number;
      transferId?: string;
      to?: string;
    };
    const current = row ?? { owner: "", balance: 0, version: 0 };
    current.version = event.version;
    if (row === undefined) this.#accounts.set(event.actorId, current);
    this.#eventsApplied++;
    const amount = data.amount ?? 0;
    switch (event.eventType) {
      case "AccountOpened":
        current.owner = data.owner ?? "";
        return;
      case "MoneyDeposited":
        current.balance += amount;
        this.#total += amount;
        if (data.transferId === undefined) this.#minted += amount;
        else this.#moveInTransit(data.transferId, -amount);
        return;
      case "MoneyWithdrawn":
        current.balance -= amount;
        this.#total -= amount;
        if (data.transferId === undefined) this.#minted -= amount;
        else {
          this.#moveInTransit(data.transferId, amount);
          if (data.to !== undefined && this.#transit.has(data.transferId)) {
            this.#unfinished.set(data.transferId, {
              transferId: data.transferId,
              from: event.actorId,
              to: data.to,
              amount,
              seenAt: Date.now(),
            });
          }
        }
        return;
    }
  }

  // Keyed by transfer: its deposit may be seen before its withdrawal when they come from two nodes.
  #moveInTransit(transferId: string, amount: number): void {
    const left = (this.#transit.get(transferId) ?? 0) + amount;
    if (left === 0) {
      this.#transit.delete(transferId);
      this.#unfinished.delete(transferId);
    } else {
      this.#transit.set(transferId, left);
    }
    this.#inTransit += amount;
  }

  #repair(actorId: string): void {
    if (this.#repairing.has(actorId)) return;
    const run = (async () => {
      const from = (this.#accounts.get(actorId)?.version ?? 0) + 1;
      for await (const event of this.#readEvents(actorId, from)) {
        const row = this.#accounts.get(actorId);
        if (event.version === (row?.version ?? 0) + 1) this.#applyNext(event, row);
      }
      this.#gapsRepaired++;
    })()
      .catch(() => {})
      .finally(() => this.#repairing.delete(actorId));
    this.#repairing.set(actorId, run);
  }

  /** Resolves once the repairs started so far have finished. */
  async settled(): Promise<void> {
    await Promise.all(this.#repairing.values());
  }

  balanceOf(actorId: string): { owner: string; balance: number; version: number } | undefined {
    const row = this.#accounts.get(actorId);
    return row === undefined ? undefined : { ...row };
  }

  totals(): BankTotals {
    return {
      accounts: this.#accounts.size,
      total: this.#total,
      inTransit: this.#inTransit,
      minted: this.#minted,
      conserved: this.#total + this.#inTransit === this.#minted,
      eventsApplied: this.#eventsApplied,
      gapsRepaired: this.#gapsRepaired,
    };
  }

  /** Transfers withdrawn at least `olderThanMs` ago and not yet deposited or refunded. */
  unfinishedTransfers(olderThanMs: number, limit: number): UnfinishedTransfer[] {
    const before = Date.now() - olderThanMs;
    const found: UnfinishedTransfer[] = [];
    for (const transfer of this.#unfinished.values()) {
      if (found.length >= limit) break;
      if (transfer.seenAt <= before) found.push(transfer);
    }
    return found;
  }

  /** The largest balances first, for the dashboard. */
  topAccounts(limit: number): { actorId: string; owner: string; balance: number }[] {
    return [...this.#accounts.entries()]
      .map(([actorId, row]) => ({ actorId, owner: row.owner, balance: row.balance }))
      .sort((a, b) => b.balance - a.balance)
      .slice(0, limit);
  }
}
