import { defineConfig } from "vitest/config";

// Two tiers: unit tests sit beside the code; integration tests in test/ start real processes and servers.
export default defineConfig({
  test: {
    projects: [
      { test: { name: "unit", include: ["src/**/*.test.ts", "demo/**/*.test.ts"], testTimeout: 10_000 } },
      {
        test: {
          name: "integration",
          include: ["test/**/*.test.ts"],
          exclude: ["test/multicluster/**", "**/node_modules/**"],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          // Integration tests start real processes and bind ports; run files one at a time on 2 cores.
          fileParallelism: false,
        },
      },
      {
        // Hub and target control planes (three at once): its own tier, so CI can run it beside the others.
        test: {
          name: "multicluster",
          include: ["test/multicluster/**/*.test.ts"],
          testTimeout: 180_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
