import { JetStreamEventStore } from "@aether/event-sourcing/jetstream";
import { createId } from "@aether/kernel";
import { NatsServer, uniqueName } from "@aether/test-support";
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { Session } from "node:inspector/promises";
import { writeFileSync } from "node:fs";
await using server = await NatsServer.start();
const nc = await connect({ servers: server.url, noAsyncTraces: true });
const js = jetstream(nc);
const store = new JetStreamEventStore(nc, { namespace: uniqueName("p") });
for (let v = 1; v <= 100; v++) await Promise.all(Array.from({ length: 1000 }, (_, a) => store.saveEvent({ id: createId(), eventType: "Deposited", actorId: `acc-${a}`, version: v, data: { amount: v, currency: "EUR", note: "bench deposit" } })));
const aether = async () => { const t = performance.now(); let n = 0; for await (const item of store.subscribeAll()) { if (item.type === "event") n++; else if (item.type === "caughtUp") break; } return performance.now() - t; };
const raw = async () => { const t = performance.now(); const c = await js.consumers.get(store.streamName); const m = await c.consume(); let n = 0; for await (const x of m) { x.json(); if (++n === 100000) break; } await m.close(); return performance.now() - t; };
for (let i = 0; i < 3; i++) console.log("aether", (await aether()).toFixed(0), "raw", (await raw()).toFixed(0));
const session = new Session(); session.connect();
for (const [name, fn] of [["aether", aether], ["raw", raw]] as const) {
  await session.post("Profiler.enable"); await session.post("Profiler.start");
  console.log(name, (await fn()).toFixed(0));
  const { profile } = await session.post("Profiler.stop");
  writeFileSync(`/tmp/${name}.cpuprofile`, JSON.stringify(profile));
}
await nc.close();
