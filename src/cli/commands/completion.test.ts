import { execFileSync } from "node:child_process";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { CliError } from "../cli-error.js";
import { completionCommand } from "./completion.js";

function program(): Command {
  const p = new Command("sluice");
  p.command("get").description("list resources");
  p.command("set").description("change a rollout's template");
  p.command("terminate").description("end an analysis run");
  return p;
}

describe("sluice completion", () => {
  it("bash: a script bash parses, completing commands and set image", () => {
    const script = completionCommand(program(), "bash");
    expect(script).toContain('compgen -W "get set terminate"');
    expect(script).toMatch(/set\).*image env args command/);
    execFileSync("bash", ["-n"], { input: script }); // throws on a syntax error
  });

  it("zsh: a #compdef script with the commands and kinds", () => {
    const script = completionCommand(program(), "zsh");
    expect(script.startsWith("#compdef sluice\n")).toBe(true);
    expect(script).toContain("sluice) compadd -- get set terminate ;;");
    expect(script).toContain("terminate) compadd -- analysisrun ar ;;");
    expect(script).toContain("compdef _sluice sluice");
  });

  it("fish: one complete line per command, with its description quoted", () => {
    const script = completionCommand(program(), "fish");
    expect(script).toContain("complete -c sluice -n __fish_use_subcommand -a 'set' -d 'change a rollout\\'s template'");
    expect(script).toContain("__fish_seen_subcommand_from terminate' -a 'analysisrun ar'");
  });

  it("refuses an unknown shell in one line naming the shells it knows", () => {
    expect(() => completionCommand(program(), "tcsh")).toThrow(CliError);
    expect(() => completionCommand(program(), "tcsh")).toThrow(/unknown shell "tcsh"; use one of bash, zsh, fish/);
  });
});
