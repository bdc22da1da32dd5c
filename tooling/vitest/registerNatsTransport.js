// @ts-check
// Setup file of the `int` project: test-support's connectTo speaks through Node's NATS transport.
import { registerConnect } from "@aether/test-support";
import { connect } from "@nats-io/transport-node";

registerConnect(connect);
