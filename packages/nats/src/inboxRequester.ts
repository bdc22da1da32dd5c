import {
  createInbox,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  type Subscription,
} from "@nats-io/nats-core";

interface Pending {
  subject: string;
  expires: number;
  resolve(msg: Msg): void;
  reject(error: Error): void;
}

// Named like nats.js's own errors, so toAetherError maps both the same way.
function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

const SWEEP_INTERVAL_MS = 20;

/** A new inbox subject under the connection's own inbox prefix (accounts may restrict `_INBOX`). */
export function connectionInbox(nc: NatsConnection): string {
  const { inboxPrefix } = (nc as { options?: { inboxPrefix?: string } }).options ?? {};
  return createInbox(inboxPrefix);
}

const requesters = new WeakMap<NatsConnection, InboxRequester>();

/**
 * Request/reply over one wildcard reply subscription per connection. nats.js's `request()` builds
 * a RequestError (capturing a stack) for every request, successful ones included, and arms a
 * timer per request; appends and gets are request-bound, so that cost sat on the hot path.
 * Here a request is a map entry, and one sweeper expires them all.
 */
export class InboxRequester {
  readonly #nc: NatsConnection;
  readonly #prefix: string;
  readonly #pending = new Map<string, Pending>();
  #sub: Subscription | undefined;
  #counter = 0;
  #sweeper: ReturnType<typeof setInterval> | undefined;

  private constructor(nc: NatsConnection) {
    this.#nc = nc;
    this.#prefix = `${connectionInbox(nc)}.`;
  }

  static for(nc: NatsConnection): InboxRequester {
    let requester = requesters.get(nc);
    if (requester === undefined) {
      requester = new InboxRequester(nc);
      requesters.set(nc, requester);
    }
    return requester;
  }

  request(
    subject: string,
    data: Uint8Array | string,
    options: { headers?: MsgHdrs; timeoutMs: number },
  ): Promise<Msg> {
    if (this.#sub === undefined || this.#sub.isClosed()) this.#subscribe();
    const token = (++this.#counter).toString(36);
    return new Promise<Msg>((resolve, reject) => {
      const expires = performance.now() + options.timeoutMs;
      this.#pending.set(token, { subject, expires, resolve, reject });
      try {
        this.#nc.publish(subject, data, {
          reply: this.#prefix + token,
          ...(options.headers === undefined ? {} : { headers: options.headers }),
        });
      } catch (error) {
        this.#pending.delete(token);
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      this.#sweeper ??= setInterval(() => this.#sweep(), SWEEP_INTERVAL_MS);
    });
  }

  #subscribe(): void {
    const sub = this.#nc.subscribe(`${this.#prefix}*`, {
      callback: (error, msg) => {
        if (error !== null) {
          this.#failAll(error);
          return;
        }
        const token = msg.subject.slice(this.#prefix.length);
        const pending = this.#pending.get(token);
        if (pending === undefined) return;
        this.#pending.delete(token);
        if (msg.data.length === 0 && msg.headers?.code === 503) {
          pending.reject(namedError("NoResponders", `no responders: '${pending.subject}'`));
        } else {
          pending.resolve(msg);
        }
      },
    });
    this.#sub = sub;
    void sub.closed.then(() => {
      if (this.#sub === sub && this.#nc.isClosed()) {
        this.#failAll(namedError("ClosedConnectionError", "the connection closed"));
      }
    });
  }

  #failAll(error: Error): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const request of pending) request.reject(error);
    this.#stopSweeperIfIdle();
  }

  #sweep(): void {
    const now = performance.now();
    for (const [token, pending] of this.#pending) {
      if (pending.expires > now) continue;
      this.#pending.delete(token);
      pending.reject(namedError("TimeoutError", "timeout"));
    }
    this.#stopSweeperIfIdle();
  }

  #stopSweeperIfIdle(): void {
    if (this.#pending.size > 0 || this.#sweeper === undefined) return;
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }
}
