#!/usr/bin/env node
import { Command } from "commander";
import { drillCommand } from "./drillCommand.js";
import { emulatorCommand } from "./emulatorCommand.js";
import { reportFailure } from "./failure.js";
import { maintenanceCommand } from "./maintenanceCommand.js";
import { commitCommand, failoverCommands, reprotectCommand, statusCommand, testFailoverCommands } from "./operatorCommands.js";

const program = new Command("azure-dr")
  .description("Availability and disaster recovery for Azure VMs, against Azure or an offline emulator.")
  .version("0.1.0")
  .addCommand(drillCommand())
  .addCommand(statusCommand());
for (const command of [...testFailoverCommands(), ...failoverCommands(), commitCommand(), reprotectCommand(), emulatorCommand()]) program.addCommand(command);
program.addCommand(maintenanceCommand());

/** Commander's errors (unknown option, bad value) are thrown rather than exiting, so that failure.ts gives them their exit code. */
function throwOnCommanderErrors(command: Command): void {
  command.exitOverride();
  for (const sub of command.commands) throwOnCommanderErrors(sub);
}
throwOnCommanderErrors(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.exitCode = reportFailure(error);
});
