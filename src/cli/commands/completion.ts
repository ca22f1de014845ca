import type { Command } from "commander";

/** A bash completion script for the commands and their subcommands. */
export function completionCommand(program: Command): string {
  const top = program.commands.map((c) => c.name()).join(" ");
  const kinds =
    "rollout rollouts ro analysistemplate at clusteranalysistemplate cat analysisrun ar pipeline pipelines pl release releases rel";
  return `# bash completion for sluice; load with: source <(sluice completion)
_sluice() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    sluice) COMPREPLY=($(compgen -W "${top}" -- "$cur")); return ;;
    get|describe|delete) COMPREPLY=($(compgen -W "${kinds}" -- "$cur")); return ;;
    set) COMPREPLY=($(compgen -W "env args command" -- "$cur")); return ;;
    -f|--filename|lint|import) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
}
complete -F _sluice sluice`;
}
