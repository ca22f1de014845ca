import type { Command } from "commander";
import { CliError } from "../cli-error.js";

/** The shells `sluice completion` writes a script for. */
export const COMPLETION_SHELLS = ["bash", "zsh", "fish"] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

const KINDS =
  "rollout rollouts ro analysistemplate at clusteranalysistemplate cat analysisrun ar pipeline pipelines pl release releases rel";
const SET_WHAT = "image env args command";

/** A completion script for the commands and their subcommands, in the given shell's language. */
export function completionCommand(program: Command, shell: string = "bash"): string {
  const top = program.commands.map((c) => c.name()).join(" ");
  switch (shell) {
    case "bash":
      return bash(top);
    case "zsh":
      return zsh(top);
    case "fish":
      return fish(program);
    default:
      throw new CliError(`sluice completion: unknown shell "${shell}"; use one of ${COMPLETION_SHELLS.join(", ")}`);
  }
}

function bash(top: string): string {
  return `# bash completion for sluice; load with: source <(sluice completion bash)
_sluice() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    sluice) COMPREPLY=($(compgen -W "${top}" -- "$cur")); return ;;
    get|describe|delete) COMPREPLY=($(compgen -W "${KINDS}" -- "$cur")); return ;;
    set) COMPREPLY=($(compgen -W "${SET_WHAT}" -- "$cur")); return ;;
    terminate) COMPREPLY=($(compgen -W "analysisrun ar" -- "$cur")); return ;;
    -f|--filename|lint|import) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
}
complete -F _sluice sluice`;
}

function zsh(top: string): string {
  return `#compdef sluice
# zsh completion for sluice; load with: source <(sluice completion zsh)
_sluice() {
  local prev=\${words[CURRENT-1]}
  case $prev in
    sluice) compadd -- ${top} ;;
    get|describe|delete) compadd -- ${KINDS} ;;
    set) compadd -- ${SET_WHAT} ;;
    terminate) compadd -- analysisrun ar ;;
    -f|--filename|lint|import) _files ;;
  esac
}
if (( $+functions[compdef] )); then compdef _sluice sluice; fi`;
}

/** fish names each subcommand with its description, so the list shows what each does. */
function fish(program: Command): string {
  const quote = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  const lines = [
    "# fish completion for sluice; load with: sluice completion fish | source",
    "complete -c sluice -f",
    ...program.commands.map(
      (c) => `complete -c sluice -n __fish_use_subcommand -a ${quote(c.name())} -d ${quote(c.description())}`,
    ),
    `complete -c sluice -n '__fish_seen_subcommand_from get describe delete' -a '${KINDS}'`,
    `complete -c sluice -n '__fish_seen_subcommand_from set' -a '${SET_WHAT}'`,
    `complete -c sluice -n '__fish_seen_subcommand_from terminate' -a 'analysisrun ar'`,
    `complete -c sluice -n '__fish_seen_subcommand_from lint import' -F`,
  ];
  return lines.join("\n");
}
