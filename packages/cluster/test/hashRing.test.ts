import { ClusterNode, InMemoryCoordination } from "@aether/cluster";
import { describe, expect, it } from "vitest";
import { VIRTUAL_NODES, assignShards } from "../src/internal/hashRing.js";
import { seededRandom } from "./support/simulation.js";

function moved(
  before: readonly (string | undefined)[],
  after: readonly (string | undefined)[],
): number[] {
  return before.flatMap((owner, shard) => (owner === after[shard] ? [] : [shard]));
}

function randomIds(random: () => number, count: number): string[] {
  return Array.from({ length: count }, () => `node-${Math.floor(random() * 1e9).toString(36)}`);
}

describe("cluster hash ring", () => {
  it(`uses ${VIRTUAL_NODES} virtual nodes: a join to N nodes moves at most 1.25 × shardCount/N of 1,024 shards, only to the newcomer`, () => {
    const random = seededRandom(7);
    for (let trial = 0; trial < 40; trial++) {
      const size = 1 + (trial % 4); // 1..4 nodes, then one joins
      const ids = randomIds(random, size);
      const newcomer = `new-${trial}`;
      const before = assignShards(ids, 1024);
      const after = assignShards([...ids, newcomer], 1024);
      const movedShards = moved(before, after);
      expect(movedShards.length / (1024 / (size + 1)), `trial ${trial}`).toBeLessThanOrEqual(1.25);
      expect(movedShards.every((shard) => after[shard] === newcomer)).toBe(true);
    }
  });

  it("moves on average about 1/N of 64 shards on a join", () => {
    const random = seededRandom(11);
    let ratio = 0;
    const trials = 100;
    for (let trial = 0; trial < trials; trial++) {
      const ids = randomIds(random, 3);
      ratio +=
        moved(assignShards(ids, 64), assignShards([...ids, `x${trial}`], 64)).length / (64 / 4);
    }
    expect(ratio / trials).toBeGreaterThan(0.85);
    expect(ratio / trials).toBeLessThan(1.15);
  });

  it("moves only the departed node's shards on a leave or failure", () => {
    const random = seededRandom(3);
    for (let trial = 0; trial < 20; trial++) {
      const ids = randomIds(random, 2 + (trial % 5));
      const gone = ids[trial % ids.length]!;
      const before = assignShards(ids, 1024);
      const after = assignShards(
        ids.filter((id) => id !== gone),
        1024,
      );
      for (const shard of moved(before, after)) expect(before[shard]).toBe(gone);
      expect(after.includes(gone)).toBe(false);
    }
  });

  it("spreads 1,024 shards within 1.35 × the fair share on up to 6 nodes", () => {
    const random = seededRandom(5);
    for (let trial = 0; trial < 30; trial++) {
      const ids = randomIds(random, 2 + (trial % 5));
      const counts = new Map<string, number>();
      for (const owner of assignShards(ids, 1024))
        counts.set(owner!, (counts.get(owner!) ?? 0) + 1);
      expect(counts.size).toBe(ids.length);
      expect(
        Math.max(...counts.values()) / (1024 / ids.length),
        `trial ${trial}`,
      ).toBeLessThanOrEqual(1.35);
    }
  });

  it("does not depend on the order nodes are listed in", () => {
    const ids = ["c", "a", "b", "d"];
    expect(assignShards(ids, 256)).toEqual(assignShards([...ids].reverse(), 256));
  });

  it("maps an actor id to the same shard on every node and release (SHA-256 of the UTF-8 id)", async () => {
    const coordination = new InMemoryCoordination();
    const node = await ClusterNode.start({ coordination, nodeId: "solo", shardCount: 1024 });
    try {
      // Golden values: changing them moves every actor of every deployed cluster.
      expect(["acc-1", "acc-2", "ünïcødé", "a".repeat(1024)].map((id) => node.shardFor(id)))
        .toMatchInlineSnapshot(`
        [
          441,
          171,
          723,
          104,
        ]
      `);
      const counts = new Array<number>(64).fill(0);
      const small = await ClusterNode.start({
        coordination: new InMemoryCoordination(),
        nodeId: "s",
        shardCount: 64,
      });
      for (let i = 0; i < 64_000; i++) counts[small.shardFor(`actor-${i}`)]!++;
      expect(Math.min(...counts)).toBeGreaterThan(800);
      expect(Math.max(...counts)).toBeLessThan(1200);
      expect(() => node.shardFor("")).toThrow(/actorId/);
      await small.close();
    } finally {
      await node.close();
    }
  });
});
