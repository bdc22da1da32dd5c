import { readFileSync } from "node:fs";
import { zValidator } from "@hono/zod-validator";
import { describeIssues, type Event } from "@aether/kernel";
import { Hono, type Context } from "hono";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import { streamSSE } from "hono/streaming";
import type { z } from "zod";
import type { DemoNode } from "../demoNode.js";
import {
  accountIdSchema,
  commandBodySchema,
  domainEventsQuerySchema,
  loadBodySchema,
  transferBodySchema,
} from "./apiSchemas.js";
import { errorResponse } from "./errorResponse.js";

const dashboardHtml = readFileSync(new URL("../../public/dashboard.html", import.meta.url), "utf8");

export interface HttpApiOptions {
  /** Resolves when the node may answer: a paused (frozen) node keeps requests waiting. */
  gate?: () => Promise<void> | undefined;
}

// A 400 names each offending field with zod's message.
const hook = (result: { success: boolean; error?: z.core.$ZodError }, c: Context) => {
  if (result.success || result.error === undefined) return undefined;
  return c.json(
    { error: "INVALID_REQUEST", message: describeIssues(result.error as z.ZodError) },
    400,
  );
};

// Under load thousands of account events a second would drown a browser: the stream carries at
// most this many per flush, plus how many it left out.
const ACCOUNT_EVENTS_PER_FLUSH = 8;
const FLUSH_MS = 250;

/** The HTTP API of one node (see the README's API table), its metrics and its dashboard. */
export function httpApi(node: DemoNode, options: HttpApiOptions = {}): Hono {
  const app = new Hono();
  app.use("*", cors());
  if (options.gate !== undefined) {
    const gate = options.gate;
    app.use("*", async (_c, next) => {
      await gate();
      await next();
    });
  }

  app.onError((error, c) => {
    if (error instanceof HTTPException) {
      return c.json({ error: "INVALID_REQUEST", message: error.message }, error.status);
    }
    const response = errorResponse(error);
    if (response.status === 500) node.logger.error({ err: error }, "request failed");
    if (response.retryAfterSeconds !== undefined)
      c.header("Retry-After", String(response.retryAfterSeconds));
    return c.json(response.body, response.status);
  });

  const idOf = (c: Context): string => {
    const parsed = accountIdSchema.safeParse(c.req.param("id"));
    if (!parsed.success)
      throw new HTTPException(400, { message: `id: ${describeIssues(parsed.error)}` });
    return parsed.data;
  };

  app.get("/", (c) => c.html(dashboardHtml));
  app.get("/healthz", (c) => c.json({ status: "ok", nodeId: node.nodeId }));
  app.get("/readyz", (c) =>
    node.runtime.isReady()
      ? c.json({ status: "ready", nodeId: node.nodeId })
      : c.json({ status: "not ready", nodeId: node.nodeId }, 503),
  );
  app.get("/metrics", async (c) => {
    c.header("Content-Type", node.metrics.registry.contentType);
    return c.body(await node.metrics.registry.metrics());
  });

  app.post("/api/accounts/:id/commands", zValidator("json", commandBodySchema, hook), async (c) => {
    const actorId = idOf(c);
    const { commandId, timeoutMs, ...command } = c.req.valid("json");
    const started = performance.now();
    try {
      const result = await node.send(actorId, command, {
        ...(commandId === undefined ? {} : { commandId }),
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      });
      node.metrics.observeCommand(
        result.repeated ? "repeated" : "ok",
        (performance.now() - started) / 1000,
      );
      return c.json(result);
    } catch (error) {
      node.metrics.observeCommand(
        errorResponse(error).outcome,
        (performance.now() - started) / 1000,
      );
      throw error;
    }
  });

  app.post("/api/transfers", zValidator("json", transferBodySchema, hook), async (c) => {
    const { timeoutMs, transferId, ...request } = c.req.valid("json");
    const started = performance.now();
    try {
      const outcome = await node.transfer(
        { ...request, ...(transferId === undefined ? {} : { transferId }) },
        timeoutMs,
      );
      node.metrics.observeCommand("ok", (performance.now() - started) / 1000);
      return c.json(outcome);
    } catch (error) {
      node.metrics.observeCommand(
        errorResponse(error).outcome,
        (performance.now() - started) / 1000,
      );
      throw error;
    }
  });

  app.get("/api/accounts/:id", async (c) => {
    const actorId = idOf(c);
    const account = await node.readAccount(actorId);
    if (account === undefined) {
      return c.json(
        { error: "UNKNOWN_ACTOR", message: `No account ${JSON.stringify(actorId)}` },
        404,
      );
    }
    return c.json(account);
  });

  app.get("/api/accounts/:id/history", async (c) => {
    const actorId = idOf(c);
    const events = await node.history(actorId);
    if (events.length === 0) {
      return c.json(
        { error: "UNKNOWN_ACTOR", message: `No account ${JSON.stringify(actorId)}` },
        404,
      );
    }
    return c.json({ actorId, version: events.at(-1)?.version ?? 0, events });
  });

  app.get("/api/cluster", (c) => c.json(node.view()));

  app.get("/api/domain-events", zValidator("query", domainEventsQuerySchema, hook), (c) => {
    const { limit, type } = c.req.valid("query");
    return c.json({ events: node.domainEvents.recent(limit, type) });
  });

  app.get("/api/summary", (c) =>
    c.json({
      nodeId: node.nodeId,
      cluster: node.view(),
      bank: node.readModel.totals(),
      commandsAnswered: node.metrics.commandsAnswered,
      transfersRecovered: node.transfersRecovered,
      cache: node.runtime.cacheStats(),
      load: node.loadProgress() ?? null,
      controls: node.control?.actions ?? [],
    }),
  );

  app.get("/api/events", (c) =>
    streamSSE(c, async (stream) => {
      let pending: Event[] = [];
      let left = 0;
      const stopAccounts = node.onAccountEvent((event) => {
        if (pending.length < ACCOUNT_EVENTS_PER_FLUSH) pending.push(event);
        else left++;
      });
      const stopDomain = node.domainEvents.listen((event) => {
        void stream.writeSSE({ event: "domain", data: JSON.stringify(event) });
      });
      const closed = new Promise<void>((resolve) => stream.onAbort(resolve));
      await stream.writeSSE({ event: "hello", data: JSON.stringify({ nodeId: node.nodeId }) });
      const timer = setInterval(() => {
        if (pending.length === 0 && left === 0) return;
        const batch = pending;
        const skipped = left;
        pending = [];
        left = 0;
        void stream.writeSSE({
          event: "account",
          data: JSON.stringify({ events: batch, skipped }),
        });
      }, FLUSH_MS);
      await closed;
      clearInterval(timer);
      stopAccounts();
      stopDomain();
    }),
  );

  app.get("/api/load", (c) => c.json({ load: node.loadProgress() ?? null }));
  app.post("/api/load", zValidator("json", loadBodySchema, hook), async (c) => {
    const { rate, durationSeconds } = c.req.valid("json");
    return c.json({ load: await node.startLoad({ rate, durationMs: durationSeconds * 1000 }) });
  });
  app.delete("/api/load", (c) => c.json({ load: node.stopLoad() ?? null }));

  for (const action of ["kill", "pause", "resume", "leave"] as const) {
    app.post(`/api/nodes/:nodeId/${action}`, async (c) => {
      const control = node.control;
      if (control === undefined || !control.actions.includes(action)) {
        const message =
          control === undefined
            ? "Node control is offered by the local launcher only"
            : `This mode offers ${control.actions.join(", ")}, not ${action}`;
        return c.json({ error: "NOT_AVAILABLE", message }, 404);
      }
      const nodeId = c.req.param("nodeId");
      await control.run(nodeId, action);
      return c.json({ nodeId, action });
    });
  }
  return app;
}
