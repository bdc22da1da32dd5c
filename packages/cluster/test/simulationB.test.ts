import { describeSimulationSeeds } from "./support/simulationSuite.js";

describeSimulationSeeds(501, 1000);
