import { KubeConfig } from "@kubernetes/client-node";

/** Loads a kubeconfig as kubectl does: --kubeconfig, else $KUBECONFIG or ~/.kube/config, else in-cluster. */
export function loadKubeConfig(opts: { kubeconfig?: string; context?: string }): KubeConfig {
  const kc = new KubeConfig();
  if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
  else kc.loadFromDefault();
  if (opts.context) {
    if (!kc.getContexts().some((c) => c.name === opts.context))
      throw new Error(
        `--context ${opts.context}: no such context in the kubeconfig; see \`kubectl config get-contexts\``,
      );
    kc.setCurrentContext(opts.context);
  }
  if (!kc.getCurrentCluster())
    throw new Error("no Kubernetes cluster configured: pass --kubeconfig, set KUBECONFIG, or run in a cluster");
  return kc;
}
