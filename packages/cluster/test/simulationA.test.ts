import { describeSimulationSeeds } from "./support/simulationSuite.js";

describeSimulationSeeds(1, 500);
