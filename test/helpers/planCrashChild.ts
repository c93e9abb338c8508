// A process that works on recovery plan "shop" with its emulator state in a file, for the
// crash-and-resume test. `start`: sets the shop up, starts a planned failover and, at the manual
// action, prints the job and hangs (the test kills it there). `resume`: runs the same failover
// again on the same state, resuming at the manual action, and prints what it found.
import { DrClient, createFakeBackend } from "../../sdk/index.js";
import { VAULT, shopPlan } from "./siteRecoveryFixtures.js";

async function main(mode: string, stateFile: string): Promise<void> {
  const backend = await createFakeBackend({ stateFile, replicationBandwidthMBps: 512 });
  const dr = new DrClient(backend);
  if (mode === "start") {
    await shopPlan(dr, true);
    await dr.recoveryPlans.failover(
      VAULT,
      "shop",
      { kind: "planned" },
      {
        onManualAction: async ({ handle }) => {
          process.stdout.write(`${JSON.stringify({ event: "manual", handle })}\n`);
          return new Promise<boolean>(() => undefined);
        },
      },
    );
    return;
  }
  const result = await dr.recoveryPlans.failover(VAULT, "shop", { kind: "planned" }, { onManualAction: () => true });
  let failoverJobs = 0;
  for await (const job of dr.jobs.list(VAULT)) if (job.scenario === "UnplannedFailover") failoverJobs++;
  const phases = await Promise.all(result.plan.groups.flatMap((g) => g.protectedVmIds).map(async (id) => (await dr.protectedVms.get(id)).phase));
  process.stdout.write(
    `${JSON.stringify({ event: "done", jobName: result.handle.jobName, state: result.state, failoverJobs, phases, items: result.items.length })}\n`,
  );
  await dr.close();
}

main(process.argv[2] ?? "", process.argv[3] ?? "").catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
