import { afterEach } from "vitest";
import { LoadGenerator, type LoadOptions } from "../../src/demo/load.js";
import { ControllerProcess } from "./controller.js";

/**
 * What an integration test starts, stopped after each test, newest first. A step that fails does not
 * keep the others from running: a test that already failed should not leak processes as well.
 *
 * @example
 * const started = teardownAfterEach();
 * it("…", async () => {
 *   const c = await started.controller();
 *   started.load({ url: c.routerUrl, host: "web", ratePerSecond: 20 });
 * });
 */
export function teardownAfterEach() {
  const steps: (() => unknown)[] = [];
  afterEach(async () => {
    for (const step of steps.splice(0).reverse())
      await Promise.resolve()
        .then(step)
        .catch(() => {});
  });
  const defer = (step: () => unknown) => {
    steps.push(step);
  };
  return {
    defer,
    /** A real `sluice up` (see {@link ControllerProcess} for the arguments). */
    async controller(...args: ConstructorParameters<typeof ControllerProcess>): Promise<ControllerProcess> {
      const c = await new ControllerProcess(...args).start();
      defer(() => c.destroy());
      return c;
    },
    /** Steady user traffic, already started. */
    load(opts: LoadOptions): LoadGenerator {
      const l = new LoadGenerator(opts);
      l.start();
      defer(() => l.stop());
      return l;
    },
  };
}
