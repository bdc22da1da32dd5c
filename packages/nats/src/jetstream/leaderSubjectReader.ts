import { Deadline } from "../deadline.js";
import { retrying } from "../retrying.js";
import type { StoredMessage } from "./storedMessage.js";
import type { StreamClient } from "./streamClient.js";
import type { SubjectReadOptions } from "./subjectReader.js";

// Messages gathered before a chunk is handed over: long replays keep the per-message cost of async
// iteration low, short ones arrive in one chunk.
const CHUNK = 256;

/**
 * Streams every message on one subject in stream order, as `readSubject` does, but asks the stream
 * leader for each message in turn (`next_by_subj`) instead of reading through a consumer, which a
 * replicated stream may place on any replica: a lagging or diverged replica would then answer,
 * and two reads of one history could disagree. One request per message, so slower than a
 * consumer; for replicated streams, where consistency from call to call is what matters. Each
 * request retries within `budget.requestTimeoutMs` × 3 (a leader election in between).
 */
export async function* readSubjectFromLeader(
  client: StreamClient,
  options: Omit<SubjectReadOptions, "batch">,
): AsyncGenerator<StoredMessage[]> {
  const { requestTimeoutMs } = options.budget;
  const operation = `read ${options.subject} from the leader of ${client.stream}`;
  let seq = options.startSeq;
  let chunk: StoredMessage[] = [];
  for (;;) {
    const budget = { deadline: new Deadline(requestTimeoutMs * 3), requestTimeoutMs };
    const message = await retrying(budget, operation, (timeoutMs) =>
      client.nextMessage(options.subject, seq, timeoutMs),
    );
    if (message === undefined) break;
    chunk.push(message);
    seq = message.seq + 1;
    if (chunk.length === CHUNK) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}
