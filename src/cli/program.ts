import { type Command, InvalidArgumentError, Option } from "commander";
import type { ApiClient } from "../api/client.js";
import { ROLES } from "../api/roles.js";
import { registerClusterCommands } from "./commands/cluster-commands.js";
import { registerPipelineCommands } from "./commands/pipeline-commands.js";
import { ROLLOUT_VERBS, type RolloutVerb } from "./commands/rollout-verbs.js";
import type { Format, Output } from "./output.js";
import { VERSION } from "./version.js";

// Startup time matters (a person runs the CLI dozens of times an hour): each command imports its
// module inside its action, so `sluice --version` or `sluice get` never loads the Kubernetes client,
// the controller or the router. Add a command the same way: one entry, `await import(...)` inside.

/** Wires every command into commander. Each command's work lives in its own file under commands/. */
export function registerCommands(program: Command, out: Output): void {
  program
    .description("Progressive delivery that measures, then promotes or rolls back by itself.")
    .version(VERSION, "-v, --version")
    .option("--state-dir <dir>", "state directory of the local controller (default .sluice or $SLUICE_STATE_DIR)")
    .option("--verbose", "print error details")
    .option("--kubeconfig <file>", "act on a Kubernetes cluster: kubeconfig file (default $KUBECONFIG, ~/.kube/config)")
    .option("--context <name>", "act on a Kubernetes cluster: the kubeconfig context")
    .option("-n, --namespace <ns>", "act on a Kubernetes cluster: the namespace (default the context's, else default)")
    .showHelpAfterError();
  // Synchronous on purpose: the cluster connection loads its heavy modules on its first request.
  let connect: typeof import("./connect.js").connect | undefined;
  const api = (): ApiClient => {
    if (!connect) throw new Error("internal: api() called before the connection module was loaded");
    return connect(program.opts());
  };
  // Every action runs after this hook, so api() is ready whichever command it is.
  program.hook("preAction", async () => {
    const m = await import("./connect.js");
    if (m.isClusterMode(program.opts())) await m.prepareClusterMode();
    connect = m.connect;
  });
  const exit = (code: number) => {
    process.exitCode = code;
  };
  const outputOption = () =>
    new Option("-o, --output <format>", "table, wide, json or yaml")
      .choices(["table", "wide", "json", "yaml"])
      .default("table");

  program
    .command("up")
    .description("start the controller, its API and the traffic router")
    .option("--listen <host:port>", "the router's listener", "127.0.0.1:8080")
    .option("--api-listen <host:port>", "the API's listener", "127.0.0.1:0")
    .option("--detach", "run in the background and return")
    .option("--keep-apps", "leave replicas running when stopped with Ctrl-C")
    .action(async (o) =>
      (await import("./commands/up.js")).upCommand({ ...o, stateDir: program.opts().stateDir }, out),
    );

  program
    .command("dashboard")
    .description("where the web dashboard is; on a cluster (--context), serve it locally with your kube credentials")
    .option("--listen <host:port>", "where to serve it on a cluster", "127.0.0.1:0")
    .action(async (o) => {
      const { stateDir, kubeconfig, context, namespace } = program.opts();
      const { dashboardCommand } = await import("./commands/dashboard.js");
      await dashboardCommand({ stateDir, kubeconfig, context, namespace, listen: o.listen }, out);
    });

  program
    .command("controller")
    .description(
      "run the Kubernetes controller, in or out of cluster (--kubeconfig, --context; -n for one namespace only)",
    )
    .option("--no-leader-elect", "act at once, without a Lease (run one replica only)")
    .option("--lease-namespace <ns>", "namespace of the leader-election Lease (default $POD_NAMESPACE)")
    .option("--lease-name <name>", "name of the leader-election Lease", "sluice-controller")
    .option("--identity <id>", "this replica's name in the Lease (default $POD_NAME or host-pid)")
    .option("--lease-duration <seconds>", "how long a Lease holds without renewal; a standby takes over after it", "15")
    .option("--renew-deadline <seconds>", "the leader stops acting if it cannot renew for this long", "10")
    .option("--retry-period <seconds>", "how often the Lease is renewed or tried", "2")
    .option("--metrics-listen <host:port>", "where /metrics, /healthz and /readyz are served", "127.0.0.1:8090")
    .option("--concurrent-reconciles <n>", "rollouts of one namespace reconciled at once", "1")
    .option(
      "--allow-local-commands",
      "run command metrics that name no image inside the controller's process (default: refused; they run as Jobs)",
    )
    .option("--log-format <format>", "json or text (default: json when stderr is not a terminal, text on one)")
    .option("--log-level <level>", "trace, debug, info, warn, error, fatal or silent", "info")
    .action(async (o) => {
      // --kubeconfig, --context and -n are the global options (commander reads them anywhere).
      const { kubeconfig, context, namespace } = program.opts();
      const { controllerCommand } = await import("./commands/controller.js");
      await controllerCommand({ kubeconfig, context, namespace, ...o }, out);
    });

  program
    .command("down")
    .description("stop the controller, the router and the replicas")
    .option("--keep-apps", "leave the replicas running")
    .action(async (o) =>
      (await import("./commands/down.js")).downCommand({ ...o, stateDir: program.opts().stateDir }, out),
    );

  program
    .command("apply")
    .description("create or update resources from files, directories or - (stdin)")
    .requiredOption("-f, --filename <path...>", "YAML or JSON files, directories, or -")
    .option("--dry-run", "validate and report without storing")
    .action(async (o) => {
      const { applyCommand } = await import("./commands/apply.js");
      await applyCommand(api(), o.filename, { dryRun: o.dryRun }, out);
    });

  program
    .command("delete <kind> <name>")
    .description("delete a resource (a rollout's replicas and routes go with it)")
    .action(async (kind: string, name: string) => {
      const { resolveKind } = await import("./kinds.js");
      await api().delete(`/${resolveKind(kind).plural}/${name}`);
      out.log(`${kind}/${name} deleted`);
    });

  program
    .command("get <kind> [name]")
    .description("list resources, or show one; --watch follows changes (a live view for a rollout)")
    .addOption(outputOption())
    .option("-w, --watch", "keep printing as things change")
    .option("--pipeline <name>", "get releases: only this pipeline's")
    .action(
      async (kind: string, name: string | undefined, o: { output: Format; watch?: boolean; pipeline?: string }) => {
        const { getCommand } = await import("./commands/get.js");
        await getCommand(api(), kind, name, { ...o, reconnect: api }, out);
      },
    );

  program
    .command("describe <kind> <name>")
    .description("everything about a resource, with every analysis value behind each decision")
    .action(async (kind: string, name: string) => {
      const { describeCommand } = await import("./commands/describe.js");
      await describeCommand(api(), kind, name, out);
    });

  program
    .command("status <name>")
    .description("a rollout's phase; exit 0 Healthy, 1 Degraded, 2 timed out, 3 controller lost (with --watch)")
    .option("-w, --watch", "wait until Healthy or Degraded")
    .option("-t, --timeout <duration>", "give up after this long with --watch (e.g. 90s, 10m)", parseTimeout)
    .addOption(
      new Option("-o, --output <format>", "text, or json: one object per line (each change with --watch)")
        .choices(["text", "json"])
        .default("text"),
    )
    .action(async (name: string, o: { watch?: boolean; timeout?: number; output: "text" | "json" }) => {
      const { statusCommand } = await import("./commands/status.js");
      const timeout = o.timeout ? { timeoutMs: o.timeout } : {};
      exit(await statusCommand(api(), name, { ...o, ...timeout, reconnect: api }, out));
    });

  for (const verb of Object.keys(ROLLOUT_VERBS) as RolloutVerb[]) {
    if (verb === "promote-full") continue;
    const cmd = program.command(`${verb} <name>`).description(ROLLOUT_VERBS[verb].help);
    if (verb === "promote") cmd.option("--full", ROLLOUT_VERBS["promote-full"].help);
    cmd.action(async (name: string, o: { full?: boolean }) => {
      const { rolloutActionCommand } = await import("./commands/rollout-actions.js");
      await rolloutActionCommand(api(), o.full ? "promote-full" : verb, name, {}, out);
    });
  }

  program
    .command("undo <name>")
    .description("roll back to the previous revision, or to --to-revision N")
    .option("--to-revision <n>", "revision number to go back to", parseInteger)
    .action(async (name: string, o: { toRevision?: number }) => {
      const body = o.toRevision ? { toRevision: o.toRevision } : {};
      const { rolloutChangeCommand } = await import("./commands/rollout-actions.js");
      await rolloutChangeCommand(
        api(),
        "undo",
        name,
        body,
        out,
        (r) => `rollout "${name}" rolling back${r.status?.message ? `: ${r.status.message}` : ""}`,
      );
    });

  program
    .command("gate")
    .description("gates that wait for a person")
    .command("open <name>")
    .description("open the gate a rollout waits at (a gate step or manual hook), recorded with who and why")
    .option("--gate <gate>", "which gate, when several wait")
    .option("--reason <text>", "why, for the record")
    .action(async (name: string, o: { gate?: string; reason?: string }) => {
      const { gateOpenCommand } = await import("./commands/gate.js");
      await gateOpenCommand(api(), name, o, out);
    });

  program
    .command("terminate")
    .description("end something that runs")
    .command("analysisrun <name>")
    .description("end a running analysis run with the verdict its measurements give so far (undecided: Inconclusive)")
    .option("--reason <text>", "why, for the record")
    .action(async (name: string, o: { reason?: string }) => {
      const { terminateRunCommand } = await import("./commands/terminate.js");
      await terminateRunCommand(api(), name, o, out);
    });

  const set = program.command("set").description("change a rollout's template, which rolls out a new revision");
  set
    .command("image <name> <assignments...>")
    .description("set CONTAINER=IMAGE in a Kubernetes pod template")
    .action(async (name: string, assignments: string[]) => {
      const { parseImageAssignments } = await import("./commands/set.js");
      const { rolloutChangeCommand } = await import("./commands/rollout-actions.js");
      const body = { image: parseImageAssignments(assignments) };
      await rolloutChangeCommand(api(), "set image", name, body, out, () => newRevision(name, "image"));
    });
  set
    .command("env <name> <assignments...>")
    .description("set KEY=VALUE (or remove KEY-) in the environment")
    .action(async (name: string, assignments: string[]) => {
      const { parseEnvAssignments } = await import("./commands/set.js");
      const { rolloutChangeCommand } = await import("./commands/rollout-actions.js");
      const body = { env: parseEnvAssignments(assignments) };
      await rolloutChangeCommand(api(), "set env", name, body, out, () => newRevision(name, "env"));
    });
  set
    .command("args <name> [args...]")
    .description("replace the arguments")
    .action(async (name: string, args: string[]) => {
      const { rolloutChangeCommand } = await import("./commands/rollout-actions.js");
      await rolloutChangeCommand(api(), "set args", name, { args }, out, () => newRevision(name, "args"));
    });
  set
    .command("command <name> <command> [args...]")
    .description("replace the command (and arguments)")
    .action(async (name: string, command: string, args: string[]) => {
      const body = { command, ...(args.length ? { args } : {}) };
      const { rolloutChangeCommand } = await import("./commands/rollout-actions.js");
      await rolloutChangeCommand(api(), "set command", name, body, out, () => newRevision(name, "command"));
    });

  const token = program.command("token").description("named API tokens with roles (needs an admin token)");
  token
    .command("create <name>")
    .description("make a token; it is printed once, on stdout")
    .addOption(
      new Option("--role <role>", "what it may do: viewer, operator, approver or admin")
        .choices(ROLES)
        .makeOptionMandatory(),
    )
    .addOption(outputOption())
    .action(async (name: string, o: { role: string; output: Format }) =>
      (await import("./commands/token.js")).tokenCreateCommand(api(), name, o, out),
    );
  token
    .command("list")
    .description("every token: name, role, created, by whom, last used, revoked (never the token)")
    .addOption(outputOption())
    .action(async (o: { output: Format }) => (await import("./commands/token.js")).tokenListCommand(api(), o, out));
  token
    .command("revoke <name>")
    .description("refuse a token from now on (401)")
    .action(async (name: string) => (await import("./commands/token.js")).tokenRevokeCommand(api(), name, out));

  registerPipelineCommands(program, { api, exit, outputOption, parseTimeout }, out);
  registerClusterCommands(program, outputOption, out);

  program
    .command("lint <paths...>")
    .description("validate manifests; prints every error and exits 1 when there is one")
    .action(async (paths: string[]) => exit(await (await import("./lint.js")).lintCommand(paths, out)));

  program
    .command("import <paths...>")
    .description("translate Argo Rollouts and Flagger manifests into Sluice resources (YAML on stdout)")
    .option("--drop-unsupported", "import a resource even when a metric or gate it has cannot be translated (warned)")
    .action(async (paths: string[], o: { dropUnsupported?: boolean }) => {
      const { importCommand } = await import("./commands/import.js");
      exit(await importCommand(paths, out, { dropUnsupported: o.dropUnsupported === true }));
    });

  program
    .command("load <url>")
    .description("send requests at a fixed rate, like hey; prints a latency histogram and a status-code table")
    .requiredOption("-r, --rate <n>", "requests per second (at most 1000)")
    .requiredOption("-d, --duration <duration>", "how long to send, e.g. 30s, 2m")
    .option("-c, --concurrency <n>", "requests in flight at once (at most 256)", "10")
    .option("-m, --method <method>", "GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS", "GET")
    .option("-H, --header <header...>", 'a request header, "Name: value" (repeatable)')
    .option("--body <text>", "request body (at most 64 KiB)")
    .option("--timeout <seconds>", "per-request timeout", "10")
    .addOption(new Option("-o, --output <format>", "table or json").choices(["table", "json"]).default("table"))
    .action(async (url: string, o) => {
      const { runLoadCommand } = await import("./commands/load.js");
      await runLoadCommand(url, o, out);
    });

  program
    .command("demo")
    .description("a release travels canary → staging → production; a bad one is stopped in canary")
    .option("--fast", "short pauses and soak: the whole demo ends in under a minute")
    .option("--interactive", "wait for you to run the printed `sluice approve` instead of approving by itself")
    .action(async (o: { fast?: boolean; interactive?: boolean }) =>
      exit(await (await import("./commands/demo.js")).demoCommand(o, out)),
    );

  program
    .command("version")
    .description("print the version")
    .action(() => out.log(VERSION));

  program
    .command("completion")
    .argument("[shell]", "bash, zsh or fish", "bash")
    .description("print a completion script: source <(sluice completion bash|zsh); sluice completion fish | source")
    .action(async (shell: string) =>
      out.log((await import("./commands/completion.js")).completionCommand(program, shell)),
    );
}

function newRevision(name: string, what: string): string {
  return `rollout "${name}" ${what} updated; a new revision is rolling out`;
}

function parseInteger(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a positive integer");
  return n;
}

function parseTimeout(v: string): number {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(v);
  if (!m) throw new InvalidArgumentError('use a duration like "90s" or "10m"');
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? "s") as "ms" | "s" | "m" | "h"];
  return Number(m[1]) * unit;
}
