// Virtual time is the fake backend's promise: the same drill on the same estate reports the same
// times, RPO and RTO, however fast the machine runs it (pollers' real zero-delay timers must not
// decide where the clock jumps).
import test from "ava";
import type { TopologyInput } from "../../sdk/index.js";
import { drillSampleEstate, SAMPLE_ESTATES } from "../helpers/sampleDrill.js";

/** The virtual times of a full drill of `topology` on a fresh fake backend. */
async function drillTimes(topology: TopologyInput): Promise<string> {
  const { report, endedAt } = await drillSampleEstate(topology);
  return JSON.stringify({
    outcome: report.outcome,
    plans: report.plans.map((plan) => ({
      rpoSeconds: plan.rpoSeconds,
      rtoSeconds: plan.rtoSeconds,
      steps: plan.steps.map((step) => [step.name, step.startedAt, step.endedAt, step.items.map((item) => item.dataLossSeconds)]),
    })),
    end: endedAt.toISOString(),
  });
}

for (const [name, topology] of SAMPLE_ESTATES) {
  test.serial(`${name}: the same full drill, run four times, reports the same times, RPO and RTO`, async (t) => {
    const runs: string[] = [];
    for (let i = 0; i < 4; i++) runs.push(await drillTimes(topology));
    t.true(runs[0]?.includes('"outcome":"passed"'), runs[0]);
    t.deepEqual(new Set(runs).size, 1, runs.join("\n"));
  });
}
