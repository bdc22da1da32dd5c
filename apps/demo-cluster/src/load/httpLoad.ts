import type { BankTotals } from "../domain/bankReadModel.js";
import type { ClusterView } from "../runtime/clusterView.js";
import { LoadRun, loadAccountIds, type LoadProgress, type TransferResult } from "./loadRun.js";
import { jsonRequest } from "./httpClient.js";
import type { LoadConfig } from "./loadConfig.js";

export interface HttpLoadSummary {
  nodes: string[];
  progress: LoadProgress;
  before: BankTotals;
  after: BankTotals;
  /** Total money unchanged by the run and no transfer half-done, per the read model. */
  moneyConserved: boolean;
}

const INITIAL_BALANCE = 1_000;

const json = jsonRequest;

async function settledTotals(url: string, timeoutMs: number): Promise<BankTotals> {
  const deadline = Date.now() + timeoutMs;
  let last: BankTotals | undefined;
  for (;;) {
    const { body } = await json<{ bank: BankTotals }>(`${url}/api/summary`);
    // Quiet: no transfer half-done, and nothing new arrived since the last look.
    if (body.bank.inTransit === 0 && last?.eventsApplied === body.bank.eventsApplied)
      return body.bank;
    last = body.bank;
    if (Date.now() >= deadline) return body.bank;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Transfers through every node's HTTP API, round robin, at a steady rate; the read model of the
 * first node says whether money was conserved.
 */
export async function runHttpLoad(
  config: LoadConfig,
  onProgress: (progress: LoadProgress) => void,
): Promise<HttpLoadSummary> {
  const { body: view } = await json<ClusterView>(`${config.url}/api/cluster`);
  const nodes = view.nodes
    .filter((n) => n.status === "up" && n.httpUrl !== undefined)
    .map((n) => n.httpUrl!);
  if (nodes.length === 0) nodes.push(config.url);
  let next = 0;
  const nextNode = () => nodes[next++ % nodes.length]!;

  const accounts = loadAccountIds(config.accounts);
  for (let i = 0; i < accounts.length; i += 50) {
    await Promise.all(
      accounts.slice(i, i + 50).map(async (actorId) => {
        const url = `${nextNode()}/api/accounts/${actorId}/commands`;
        // Stable commandIds: a second run opens and funds nothing twice.
        await json(url, {
          body: { type: "Open", owner: actorId, commandId: `open:${actorId}` },
        });
        const funded = await json(url, {
          body: { type: "Deposit", amount: INITIAL_BALANCE, commandId: `seed:${actorId}` },
        });
        if (funded.status !== 200)
          throw new Error(`Could not fund ${actorId}: ${JSON.stringify(funded.body)}`);
      }),
    );
  }
  const before = await settledTotals(config.url, 10_000);

  const send = async (request: {
    from: string;
    to: string;
    amount: number;
  }): Promise<TransferResult> => {
    const { status, body } = await json<{ status?: string }>(`${nextNode()}/api/transfers`, {
      body: request,
    });
    if (status === 200) return body.status === "refunded" ? "refunded" : "completed";
    if (status === 409 || status === 422) return "refused";
    return "failed";
  };
  const run = new LoadRun(send, {
    rate: config.rate,
    durationMs: config.duration,
    accounts,
    maxInFlight: config.maxInFlight,
  }).start();
  const ticker = setInterval(() => onProgress(run.progress()), 1000);
  const progress = await run.finished;
  clearInterval(ticker);
  // Transfers whose client gave up are finished by the leader's recovery within ~12 s.
  const after = await settledTotals(config.url, 30_000);
  return {
    nodes,
    progress,
    before,
    after,
    moneyConserved: after.conserved && after.inTransit === 0 && after.total === before.total,
  };
}
