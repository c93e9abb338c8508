import type { ComputeManagementClient } from "@azure/arm-compute";
import { createEmulator } from "../emulator/index.js";
import type { Figure } from "./lib/figures.js";
import { NO_POLL_DELAY, officialComputeClient } from "./lib/officialClient.js";
import { perSecond, sequentially, timeMs } from "./lib/timing.js";
import { rawVmModel } from "./lib/vmModel.js";

const BENCHMARK = "compute throughput";
const RESOURCE_GROUP = "bench-rg";

/** Sizes of the loops; the defaults are those recorded in BENCHMARKS.md. */
export interface ComputeThroughputOptions {
  /** @default 5000 */
  gets?: number;
  /** @default 1000 */
  availabilitySets?: number;
  /** @default 1000 */
  vms?: number;
  /** GETs before the GET loop; a fifth as many sets and a twentieth as many VMs before theirs. @default 1000 */
  warmUp?: number;
}

/**
 * Requests per second through the official `ComputeManagementClient` on the in-process emulator:
 * a GET loop on one VM, a loop of synchronous availability-set PUTs, and a loop of VM creations
 * (LROs polled to the end). Each loop is sequential: one request in flight, as one caller sees it.
 */
export async function runComputeThroughput(options: ComputeThroughputOptions = {}): Promise<Figure[]> {
  const { gets = 5_000, availabilitySets = 1_000, vms = 1_000, warmUp = 1_000 } = options;
  const emulator = createEmulator();
  const client = officialComputeClient(emulator);

  await createVm(client, "vm-target");
  await sequentially(warmUp, () => client.virtualMachines.get(RESOURCE_GROUP, "vm-target"));
  const getMs = await timeMs(() => sequentially(gets, () => client.virtualMachines.get(RESOURCE_GROUP, "vm-target")));

  await sequentially(warmUp / 5, (i) => createAvailabilitySet(client, `warm-as-${i}`));
  const setMs = await timeMs(() => sequentially(availabilitySets, (i) => createAvailabilitySet(client, `as-${i}`)));

  await sequentially(warmUp / 20, (i) => createVm(client, `warm-vm-${i}`));
  const requestsBefore = emulator.requestCount;
  const vmMs = await timeMs(() => sequentially(vms, (i) => createVm(client, `vm-${i}`)));
  const vmRequests = emulator.requestCount - requestsBefore;

  return [
    {
      benchmark: BENCHMARK,
      metric: `virtualMachines.get, ${gets} sequential`,
      value: perSecond(gets, getMs),
      unit: "req/s",
      target: { comparison: ">=", value: 3_000 },
    },
    { benchmark: BENCHMARK, metric: `availabilitySets.createOrUpdate, ${availabilitySets} names`, value: perSecond(availabilitySets, setMs), unit: "req/s" },
    { benchmark: BENCHMARK, metric: `virtualMachines.createOrUpdate (LRO), ${vms} VMs`, value: perSecond(vms, vmMs), unit: "VMs/s" },
    { benchmark: BENCHMARK, metric: "  ARM requests during the VM loop", value: perSecond(vmRequests, vmMs), unit: "req/s" },
    { benchmark: BENCHMARK, metric: "  ARM requests per VM creation", value: vmRequests / vms, unit: "req" },
  ];
}

async function createVm(client: ComputeManagementClient, name: string): Promise<void> {
  await client.virtualMachines.createOrUpdate(RESOURCE_GROUP, name, rawVmModel(RESOURCE_GROUP, name), NO_POLL_DELAY);
}

async function createAvailabilitySet(client: ComputeManagementClient, name: string): Promise<void> {
  await client.availabilitySets.createOrUpdate(RESOURCE_GROUP, name, {
    location: "westeurope",
    platformFaultDomainCount: 2,
    platformUpdateDomainCount: 5,
    sku: { name: "Aligned" },
  });
}
