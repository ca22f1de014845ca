import type { Command, Option } from "commander";
import type { Format, Output } from "../output.js";

// Each action imports its module when it runs, as program.ts does, to keep the CLI's start-up short.

/**
 * Wires `sluice cluster add|list|remove` into commander: the target clusters a hub's pipeline stages
 * may name. In `cluster add`, the global --kubeconfig/--context are the target's (what the hub will
 * use to reach it) and --hub-kubeconfig/--hub-context the hub's; elsewhere they are the hub's.
 */
export function registerClusterCommands(program: Command, outputOption: () => Option, out: Output): void {
  const cluster = program
    .command("cluster")
    .description("target clusters that pipeline stages run in (hub drives; see docs/multi-cluster.md)");
  cluster
    .command("add <name>")
    .description("register a target: --kubeconfig FILE [--context C] is the target's, stored as a Secret in the hub")
    .option("--hub-kubeconfig <file>", "the hub's kubeconfig (default $KUBECONFIG, ~/.kube/config)")
    .option("--hub-context <name>", "the hub's kubeconfig context")
    .action(async (name: string, o: { hubKubeconfig?: string; hubContext?: string }) => {
      const { clusterAddCommand } = await import("./cluster.js");
      await clusterAddCommand(name, { ...program.opts(), ...o }, out);
    });
  cluster
    .command("list")
    .description("registered targets: reachable, Kubernetes version and round-trip time, probed now")
    .addOption(outputOption())
    .action(async (o: { output: Format }) => {
      const { clusterListCommand } = await import("./cluster.js");
      await clusterListCommand({ ...program.opts(), ...o }, out);
    });
  cluster
    .command("remove <name>")
    .description("forget a target (its Secret is deleted; the target's own rollouts go on)")
    .action(async (name: string) => {
      const { clusterRemoveCommand } = await import("./cluster.js");
      await clusterRemoveCommand(name, program.opts(), out);
    });
}
