#!/usr/bin/env node
import { Command } from "commander";
import { drillCommand } from "./drillCommand.js";
import { emulatorCommand } from "./emulatorCommand.js";
import { maintenanceCommand } from "./maintenanceCommand.js";
import { commitCommand, failoverCommands, reprotectCommand, statusCommand, testFailoverCommands } from "./operatorCommands.js";

const program = new Command("azure-dr")
  .description("Availability and disaster recovery for Azure VMs, against Azure or an offline emulator.")
  .version("0.1.0")
  .addCommand(drillCommand())
  .addCommand(statusCommand());
for (const command of [...testFailoverCommands(), ...failoverCommands(), commitCommand(), reprotectCommand(), emulatorCommand()]) program.addCommand(command);
program.addCommand(maintenanceCommand());

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`azure-dr: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
