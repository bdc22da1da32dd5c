import { aetherVitestConfig } from "@aether/vitest-config";
export default aetherVitestConfig();
