// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

// A later `no-restricted-imports` replaces an earlier one for the files it matches, so every
// package-specific rule below repeats these.
const everywhere = [
  { group: ["@aether/*/src/*", "@aether/*/src"], message: "Import the package by name." },
  { group: ["@aether/*/internal/*"], message: "Package internals are not public." },
  { regex: "^nats(/|$)", message: "Use the @nats-io/* v3 packages." },
];

const natsOnlyInSubpaths = {
  group: ["@nats-io/*", "@aether/nats", "@aether/nats/*"],
  message:
    "NATS is an optional peer: only the NATS subpath (event-sourcing/jetstream, event-bus/nats) may import it, so the root entry loads without it.",
};

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/coverage/**", "**/.turbo/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    // Type-aware rules read each file's nearest tsconfig.json, so they see the types tsc sees.
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    files: ["**/*.mjs", "**/*.js"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
  },
  {
    rules: {
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "no-restricted-imports": ["error", { patterns: everywhere }],
    },
  },
  {
    files: ["**/*.ts"],
    rules: {
      // The cluster is timers, watchers and promises: a dropped promise is a silent bug.
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      // `async` without `await` is how an EventStore method turns a validation throw into the
      // rejection its contract promises; removing it would make those throws synchronous.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    files: ["**/test/**/*.ts"],
    rules: {
      // vitest's asymmetric matchers (expect.any, objectContaining) are typed `any`.
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      // Tests throw non-Errors on purpose, to check the code that catches them.
      "@typescript-eslint/only-throw-error": "off",
    },
  },
  {
    files: ["packages/*/src/**/*.ts"],
    rules: {
      "no-console": "error",
      "max-params": ["error", 3],
    },
  },
  {
    files: ["packages/kernel/src/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            ...everywhere,
            { group: ["node:*"], message: "The kernel stays runtime-neutral." },
            { group: ["@aether/*"], message: "The kernel depends on no other Aether package." },
          ],
        },
      ],
    },
  },
  {
    // The shared NATS layer sits right above the kernel: the packages that use it sit above it.
    files: ["packages/nats/src/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            ...everywhere,
            {
              group: ["@aether/*", "!@aether/kernel"],
              message: "@aether/nats depends on @aether/kernel only.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["packages/event-sourcing/src/**/*.ts", "packages/event-bus/src/**/*.ts"],
    ignores: ["packages/event-sourcing/src/jetstream/**", "packages/event-bus/src/nats/**"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [...everywhere, natsOnlyInSubpaths] }],
    },
  },
);
