import { describeSimulationSeeds } from "./support/simulationSuite.js";

// 2723: a leader that planned from a view behind its own map write gave a claimed shard away
// (before the leader waited for its watch to reach the map's revision).
describeSimulationSeeds(501, 1000, [2723]);
