import { waitFor } from "@aether/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** A running cluster reached only through its nodes' HTTP APIs, as a client would. */
export interface ClusterUnderTest {
  nodes: { nodeId: string; url: string }[];
  /** For node processes: resolves with the exit code once the node has ended. */
  exitCode?: (nodeId: string) => Promise<number | null>;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body: Record<string, unknown> & { message?: string; error?: string };
  headers: Headers;
}

export async function call(
  url: string,
  init?: { method?: string; body?: unknown },
): Promise<Reply> {
  const response = await fetch(url, {
    method: init?.method ?? (init?.body === undefined ? "GET" : "POST"),
    headers: { "content-type": "application/json" },
    ...(init?.body === undefined
      ? {}
      : { body: typeof init.body === "string" ? init.body : JSON.stringify(init.body) }),
  });
  const text = await response.text();
  let body: Reply["body"];
  try {
    body = JSON.parse(text) as Reply["body"];
  } catch {
    body = { text };
  }
  return { status: response.status, body, headers: response.headers };
}

export interface ClusterView {
  leader?: { nodeId: string; term: number };
  mapVersion: number;
  shards: (string | null)[];
  nodes: { nodeId: string; status: string }[];
}

export async function clusterView(url: string): Promise<ClusterView> {
  return (await call(`${url}/api/cluster`)).body as unknown as ClusterView;
}

/**
 * The HTTP API's contract, run against every mode (embedded, NATS): status codes, idempotent
 * commands, the transfer saga, the read model, topology, domain events, SSE and metrics.
 */
export function describeHttpApi(mode: string, start: () => Promise<ClusterUnderTest>): void {
  describe(`demo-cluster HTTP API (${mode})`, () => {
    let cluster: ClusterUnderTest;
    let urls: string[];
    const run = `${mode}-${Date.now().toString(36)}`;
    const account = (name: string) => `${name}-${run}`;
    const command = (node: number, actorId: string, body: unknown) =>
      call(`${urls[node]}/api/accounts/${actorId}/commands`, { body });

    beforeAll(async () => {
      cluster = await start();
      urls = cluster.nodes.map((node) => node.url);
      await waitFor(
        async () => {
          const view = await clusterView(urls[0]!);
          return (
            view.shards.every((owner) => owner !== null) &&
            view.leader !== undefined &&
            view.nodes.filter((node) => node.status === "up").length === urls.length
          );
        },
        { timeoutMs: 20_000, description: "every node up, every shard owned, a leader elected" },
      );
    }, 60_000);
    afterAll(async () => {
      await cluster?.close();
    });

    it("runs a command on the actor's owner from any node and reads it back from another", async () => {
      const alice = account("alice");
      const opened = await command(0, alice, { type: "Open", owner: "Alice" });
      expect(opened.status).toBe(200);
      const deposited = await command(1, alice, { type: "Deposit", amount: 100 });
      expect(deposited.status).toBe(200);
      expect(deposited.body).toMatchObject({ version: 2, state: { owner: "Alice", balance: 100 } });
      const view = await clusterView(urls[2]!);
      const read = await call(`${urls[2]}/api/accounts/${alice}`);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ version: 2, state: { balance: 100 } });
      expect(deposited.body["servedBy"]).toBe(view.shards[read.body["shardId"] as number]);
      const history = await call(`${urls[0]}/api/accounts/${alice}/history`);
      expect((history.body["events"] as { eventType: string }[]).map((e) => e.eventType)).toEqual([
        "AccountOpened",
        "MoneyDeposited",
      ]);
    });

    it("answers 400 with zod's message naming the field, and 404 for an unknown actor", async () => {
      const bad = await command(0, account("bad"), { type: "Deposit", amount: -5 });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/amount: must be greater than 0/);
      const badType = await command(0, account("bad"), { type: "Steal", amount: 5 });
      expect(badType.status).toBe(400);
      expect(badType.body.message).toMatch(/type/);
      const badJson = await call(`${urls[0]}/api/accounts/x/commands`, { body: "{not json" });
      expect(badJson.status).toBe(400);
      const badId = await call(`${urls[0]}/api/accounts/${"x".repeat(200)}`);
      expect(badId.status).toBe(400);
      expect(badId.body.message).toMatch(/^id: /);
      expect((await call(`${urls[1]}/api/accounts/${account("nobody")}`)).status).toBe(404);
      expect((await call(`${urls[1]}/api/accounts/${account("nobody")}/history`)).status).toBe(404);
      const deposit = await command(1, account("nobody"), { type: "Deposit", amount: 5 });
      expect(deposit.status).toBe(404);
      expect(deposit.body).toMatchObject({
        error: "ACCOUNT_NOT_OPEN",
        message: "The account is not open",
      });
    });

    it("answers a domain refusal with 409 or 422 and the actor's message, storing nothing", async () => {
      const bob = account("bob");
      await command(0, bob, { type: "Open", owner: "Bob" });
      await command(0, bob, { type: "Deposit", amount: 50 });
      const overdraw = await command(2, bob, { type: "Withdraw", amount: 80 });
      expect(overdraw.status).toBe(409);
      expect(overdraw.body).toMatchObject({
        error: "INSUFFICIENT_FUNDS",
        message: "Cannot withdraw 80: the balance is 50",
      });
      const huge = await command(1, bob, { type: "Deposit", amount: 5_000_000 });
      expect(huge.status).toBe(422);
      expect(huge.body.message).toBe("Amount 5000000 is over the limit of 1000000");
      const reopen = await command(1, bob, { type: "Open", owner: "Mallory" });
      expect(reopen.status).toBe(409);
      expect(reopen.body.message).toBe("The account is already open for Bob");
      expect((await call(`${urls[0]}/api/accounts/${bob}`)).body["version"]).toBe(2);
    });

    it("applies a command sent twice with one commandId once, through different nodes", async () => {
      const carol = account("carol");
      await command(0, carol, { type: "Open", owner: "Carol" });
      const first = await command(0, carol, { type: "Deposit", amount: 7, commandId: `c-${run}` });
      const again = await command(2, carol, { type: "Deposit", amount: 7, commandId: `c-${run}` });
      expect(first.body).toMatchObject({ version: 2, repeated: false });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ version: 2, repeated: true, state: { balance: 7 } });
      expect((again.body["events"] as { id: string }[])[0]?.id).toBe(
        (first.body["events"] as { id: string }[])[0]?.id,
      );
    });

    it("transfers between accounts, refunds a transfer to an unknown account, and the read model conserves money", async () => {
      const [dave, erin] = [account("dave"), account("erin")];
      await command(0, dave, { type: "Open", owner: "Dave" });
      await command(1, erin, { type: "Open", owner: "Erin" });
      await command(2, dave, { type: "Deposit", amount: 100 });
      const done = await call(`${urls[1]}/api/transfers`, {
        body: { from: dave, to: erin, amount: 30 },
      });
      expect(done.status).toBe(200);
      expect(done.body["status"]).toBe("completed");
      const refunded = await call(`${urls[2]}/api/transfers`, {
        body: { from: dave, to: account("ghost"), amount: 20 },
      });
      expect(refunded.body).toMatchObject({
        status: "refunded",
        reason: "The account is not open",
      });
      // The same transfer submitted again through another node moves nothing twice.
      const transferId = (done.body["transferId"] as string) ?? "";
      const again = await call(`${urls[2]}/api/transfers`, {
        body: { from: dave, to: erin, amount: 30, transferId },
      });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ transferId, status: "completed" });
      expect((again.body["withdraw"] as { repeated: boolean }).repeated).toBe(true);
      expect((again.body["deposit"] as { repeated: boolean }).repeated).toBe(true);
      const refused = await call(`${urls[0]}/api/transfers`, {
        body: { from: erin, to: dave, amount: 999 },
      });
      expect(refused.status).toBe(409);
      const same = await call(`${urls[0]}/api/transfers`, {
        body: { from: erin, to: erin, amount: 1 },
      });
      expect(same.status).toBe(422);
      expect((await call(`${urls[0]}/api/accounts/${dave}`)).body).toMatchObject({
        state: { balance: 70 },
      });
      expect((await call(`${urls[2]}/api/accounts/${erin}`)).body).toMatchObject({
        state: { balance: 30 },
      });
      for (const url of urls) {
        await waitFor(
          async () => {
            const bank = (await call(`${url}/api/summary`)).body["bank"] as {
              conserved: boolean;
              inTransit: number;
              total: number;
            };
            return bank.conserved && bank.inTransit === 0 && bank.total > 0;
          },
          { timeoutMs: 5_000, description: `read model of ${url} conserves money` },
        );
      }
    });

    it("streams account events over SSE", async () => {
      const controller = new AbortController();
      const response = await fetch(`${urls[1]}/api/events`, { signal: controller.signal });
      expect(response.headers.get("content-type")).toMatch(/text\/event-stream/);
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      const frank = account("frank");
      let seen = "";
      const sawEvent = (async () => {
        while (!seen.includes(`"actorId":"${frank}"`)) {
          const { value, done } = await reader.read();
          if (done) break;
          seen += value;
        }
      })();
      await waitFor(() => seen.includes("event: hello"), { description: "SSE hello" });
      await command(0, frank, { type: "Open", owner: "Frank" });
      await sawEvent;
      controller.abort();
      expect(seen).toMatch(/event: account/);
      expect(seen).toContain(`"eventType":"AccountOpened","actorId":"${frank}"`);
    });

    it("serves health, readiness and Prometheus metrics", async () => {
      expect((await call(`${urls[0]}/healthz`)).status).toBe(200);
      expect((await call(`${urls[0]}/readyz`)).status).toBe(200);
      const metrics = await (await fetch(`${urls[0]}/metrics`)).text();
      for (const name of [
        "aether_appends_total",
        "aether_version_conflicts_total",
        'aether_commands_total{outcome="ok"',
        "aether_command_duration_seconds_bucket",
        "aether_bus_deliveries_total",
        "aether_bus_dropped_total",
        "aether_leader_term",
        "aether_shards_owned",
        "aether_actor_cache_hits_total",
        "aether_actor_cache_misses_total",
      ]) {
        expect(metrics).toContain(name);
      }
      expect(metrics).toMatch(/aether_leader_term\{[^}]*\} [1-9]/);
      expect(metrics).toMatch(/aether_shards_owned\{[^}]*\} [1-9]/);
    });

    it("answers 503 with Retry-After while a killed node's shards have no live owner, then moves them and reports NodeFailed", async () => {
      const victim = cluster.nodes[2]!.nodeId;
      // An account on the node about to be killed, reached through another node.
      let actorId = "";
      for (let i = 0; ; i++) {
        actorId = account(`orphan${i}`);
        const opened = await command(0, actorId, { type: "Open", owner: "O" });
        if (opened.body["servedBy"] === victim) break;
      }
      const before = await clusterView(urls[0]!);
      expect((await call(`${urls[0]}/api/nodes/${victim}/kill`, { body: {} })).status).toBe(200);
      const late = await command(0, actorId, { type: "Deposit", amount: 1, timeoutMs: 300 });
      expect(late.status).toBe(503);
      expect(late.headers.get("retry-after")).toBe("1");
      expect(late.body.message).toMatch(/shard|answer/i);

      const after = await waitFor(
        async () => {
          const view = await clusterView(urls[0]!);
          return view.shards.every((owner) => owner !== null && owner !== victim)
            ? view
            : undefined;
        },
        { timeoutMs: 20_000, description: `shards of ${victim} served by the others` },
      );
      // Only the dead node's shards moved.
      before.shards.forEach((owner, shard) => {
        if (owner !== victim) expect(after.shards[shard]).toBe(owner);
      });
      const again = await command(1, actorId, { type: "Deposit", amount: 1, timeoutMs: 10_000 });
      expect(again.status).toBe(200);
      expect(again.body["servedBy"]).not.toBe(victim);
      const facts = await waitFor(
        async () => {
          const events = (await call(`${urls[0]}/api/domain-events?limit=500`)).body["events"] as {
            type: string;
            nodeId?: string;
          }[];
          return events.some((f) => f.type === "NodeFailed" && f.nodeId === victim) && events;
        },
        { timeoutMs: 10_000, description: `NodeFailed ${victim}` },
      );
      expect(facts.some((f) => f.type === "NodeLeft" && f.nodeId === victim)).toBe(false);
    });

    it("hands a leaving node's shards over and reports NodeLeft, not NodeFailed", async () => {
      const leaver = cluster.nodes[1]!.nodeId;
      expect((await call(`${urls[0]}/api/nodes/${leaver}/leave`, { body: {} })).status).toBe(200);
      await waitFor(
        async () => {
          const view = await clusterView(urls[0]!);
          return view.shards.every((owner) => owner === cluster.nodes[0]!.nodeId);
        },
        { timeoutMs: 20_000, description: `every shard on ${cluster.nodes[0]!.nodeId}` },
      );
      const facts = await waitFor(
        async () => {
          const events = (await call(`${urls[0]}/api/domain-events?limit=500`)).body["events"] as {
            type: string;
            nodeId?: string;
          }[];
          return events.some((f) => f.type === "NodeLeft" && f.nodeId === leaver) && events;
        },
        { timeoutMs: 10_000, description: `NodeLeft ${leaver}` },
      );
      expect(facts.some((f) => f.type === "NodeFailed" && f.nodeId === leaver)).toBe(false);
      const view = await clusterView(urls[0]!);
      expect(view.nodes.find((n) => n.nodeId === leaver)?.status).toBe("left");
      // A node process stopped by SIGTERM exits cleanly once it has left.
      if (cluster.exitCode !== undefined) expect(await cluster.exitCode(leaver)).toBe(0);
    });
  });
}
