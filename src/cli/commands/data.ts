import type { Command } from "commander";

/** `splitscape data list|make` (placeholder until the data layer lands). */
export function registerData(program: Command): void {
  program.command("data").description("built-in datasets");
}
