export { describeCoordinationContract } from "./coordinationContract.js";

export type { CoordinationContext, CoordinationFactory } from "./coordinationContract.js";
