// Virtual time is the fake backend's promise: the same drill on the same estate reports the same
// times, RPO and RTO, however fast the machine runs it (pollers' real zero-delay timers must not
// decide where the clock jumps).
import test from "ava";
import {
  DrClient,
  SAMPLE_HYPERV_TOPOLOGY,
  SAMPLE_TOPOLOGY,
  createFakeBackend,
  provisionEstate,
  runDrill,
  topologySchema,
  type TopologyInput,
} from "../../sdk/index.js";

const START = new Date("2026-03-02T08:00:00Z");

/** The virtual times of a full drill of `topology` on a fresh fake backend. */
async function drillTimes(topology: TopologyInput): Promise<string> {
  const backend = await createFakeBackend({ startTime: START, replicationBandwidthMBps: 512 });
  const dr = new DrClient(backend);
  try {
    const parsed = topologySchema.parse(topology);
    const estate = await provisionEstate(dr, parsed, backend.subscriptionId);
    await dr.clock.sleep(20 * 60_000);
    const report = await runDrill(dr, { vault: estate.vault, backend: "fake", testNetworkId: parsed.network.testNetworkId, full: true });
    return JSON.stringify({
      outcome: report.outcome,
      plans: report.plans.map((plan) => ({
        rpoSeconds: plan.rpoSeconds,
        rtoSeconds: plan.rtoSeconds,
        steps: plan.steps.map((step) => [step.name, step.startedAt, step.endedAt, step.items.map((item) => item.dataLossSeconds)]),
      })),
      end: dr.clock.now().toISOString(),
    });
  } finally {
    await dr.close();
  }
}

for (const [name, topology] of [
  ["Azure to Azure", SAMPLE_TOPOLOGY],
  ["Hyper-V to Azure", SAMPLE_HYPERV_TOPOLOGY],
] as const) {
  test.serial(`${name}: the same full drill, run four times, reports the same times, RPO and RTO`, async (t) => {
    const runs: string[] = [];
    for (let i = 0; i < 4; i++) runs.push(await drillTimes(topology));
    t.true(runs[0]?.includes('"outcome":"passed"'), runs[0]);
    t.deepEqual(new Set(runs).size, 1, runs.join("\n"));
  });
}
