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
          testTimeout: 180_000,
          hookTimeout: 120_000,
          // Integration tests start real processes and bind ports; run files one at a time on 2 cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
