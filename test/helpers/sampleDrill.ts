import {
  DrClient,
  SAMPLE_HYPERV_TOPOLOGY,
  SAMPLE_TOPOLOGY,
  createFakeBackend,
  provisionEstate,
  runDrill,
  topologySchema,
  type DrillReport,
  type FakeBackendOptions,
  type TopologyInput,
} from "../../sdk/index.js";

/** The built-in sample estates, by the kind of replication they use. */
export const SAMPLE_ESTATES = [
  ["Azure to Azure", SAMPLE_TOPOLOGY],
  ["Hyper-V to Azure", SAMPLE_HYPERV_TOPOLOGY],
] as const;

/** When every sample drill starts, so that runs can be compared. */
export const SAMPLE_START = new Date("2026-03-02T08:00:00Z");

/**
 * Provisions `topology` on a fresh fake backend (created with `options`), lets it replicate for
 * twenty minutes, then runs a rehearsal when `rehearseFirst`, and a full drill; closes the client.
 */
export async function drillSampleEstate(
  topology: TopologyInput,
  options: FakeBackendOptions = {},
  rehearseFirst = false,
): Promise<{ report: DrillReport; endedAt: Date }> {
  const backend = await createFakeBackend({ startTime: SAMPLE_START, replicationBandwidthMBps: 512, ...options });
  const dr = new DrClient(backend);
  try {
    const parsed = topologySchema.parse(topology);
    const estate = await provisionEstate(dr, parsed, backend.subscriptionId);
    await dr.clock.sleep(20 * 60_000);
    const drill = { vault: estate.vault, backend: "fake" as const, testNetworkId: parsed.network.testNetworkId };
    if (rehearseFirst) await runDrill(dr, drill);
    const report = await runDrill(dr, { ...drill, full: true });
    return { report, endedAt: dr.clock.now() };
  } finally {
    await dr.close();
  }
}
