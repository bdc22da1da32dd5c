// A request that is repeated after failures that may pass (no responders, no answer in time)
// until one deadline runs out, then fails as a typed AetherError. NATS_URL defaults to localhost.
import { isAetherError } from "@aether/kernel";
import { Deadline, InboxRequester, retrying } from "@aether/nats";
import { connect } from "@nats-io/transport-node";

const nc = await connect({ servers: process.env["NATS_URL"] ?? "nats://127.0.0.1:4222" });
const requester = InboxRequester.for(nc); // one reply subscription per connection
const ask = (subject: string) =>
  retrying(
    { deadline: new Deadline(500), requestTimeoutMs: 100 }, // the whole call, then each attempt
    `ask ${subject}`,
    (timeoutMs) => requester.request(subject, "ping", { timeoutMs }),
  );

nc.subscribe("greeter", {
  callback: (_error, msg) => {
    msg.respond("pong");
  },
});
console.log(new TextDecoder().decode((await ask("greeter")).data)); // pong

try {
  await ask("nobody.home");
} catch (error) {
  if (isAetherError(error)) console.log(error.code, error.retryable); // UNAVAILABLE true
}
await nc.drain();
