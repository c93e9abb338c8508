import { ComputeManagementClient } from "@azure/arm-compute";
import { createHttpHeaders, type HttpClient, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import { createEmulator, createInProcessHttpClient, type EmulatorResponse } from "../emulator/index.js";
import { type Figure, figuresOf } from "./lib/figures.js";
import { BENCH_SUBSCRIPTION_ID, NO_POLL_DELAY, benchCredential } from "./lib/officialClient.js";
import { median, perSecond, sequentially, timeMs } from "./lib/timing.js";
import { rawVmModel } from "./lib/vmModel.js";

const BENCHMARK = "emulator GET overhead";
const RESOURCE_GROUP = "bench-rg";
const VM_NAME = "vm-target";

/** Sizes of the loops; the defaults are those recorded in BENCHMARKS.md. */
export interface GetOverheadOptions {
  /** `virtualMachines.get` calls per side and round. @default 5000 */
  gets?: number;
  /** Rounds; the side that runs first alternates. @default 4 */
  rounds?: number;
  /** Calls per side before the first round. @default 1000 */
  warmUp?: number;
}

/**
 * What the emulator adds to a GET, seen from the official client: the same
 * `ComputeManagementClient.virtualMachines.get` loop (sequential, one call in flight) over the
 * emulator's in-process `HttpClient`, and over an `HttpClient` that answers every request with the
 * emulator's own answer to that GET, recorded once (no emulator at all). The client's pipeline,
 * deserialization included, is the same on both sides. Target: the emulator side keeps at least
 * 0.75 of the no-op side's throughput (median of the rounds). The same GETs on an emulator whose
 * read cache is off (every answer computed afresh) are measured too, without a target.
 */
export async function runGetOverhead(options: GetOverheadOptions = {}): Promise<Figure[]> {
  const { gets = 5_000, rounds = 4, warmUp = 1_000 } = options;
  const emulator = createEmulator();
  const emulatorClient = computeClient(createInProcessHttpClient(emulator));
  await emulatorClient.virtualMachines.createOrUpdate(RESOURCE_GROUP, VM_NAME, rawVmModel(RESOURCE_GROUP, VM_NAME), NO_POLL_DELAY);
  const uncachedClient = computeClient(createInProcessHttpClient(createEmulator({ readCache: "off" })));
  await uncachedClient.virtualMachines.createOrUpdate(RESOURCE_GROUP, VM_NAME, rawVmModel(RESOURCE_GROUP, VM_NAME), NO_POLL_DELAY);
  let canned: EmulatorResponse | undefined;
  const recordingClient = computeClient(
    createInProcessHttpClient({
      handle: async (request) => (canned = await emulator.handle(request)),
    }),
  );
  const recorded = await recordingClient.virtualMachines.get(RESOURCE_GROUP, VM_NAME);
  if (canned === undefined || canned.status !== 200) throw new Error("the emulator did not answer the GET with 200");
  const noOpClient = computeClient(cannedHttpClient(canned));
  const replayed = await noOpClient.virtualMachines.get(RESOURCE_GROUP, VM_NAME);
  if (JSON.stringify(replayed) !== JSON.stringify(recorded)) throw new Error("the no-op transport's answer does not deserialize as the emulator's");

  const loop = (client: ComputeManagementClient, count: number): Promise<void> =>
    sequentially(count, () => client.virtualMachines.get(RESOURCE_GROUP, VM_NAME));
  await loop(emulatorClient, warmUp);
  await loop(noOpClient, warmUp);
  await loop(uncachedClient, warmUp);
  const emulatorRates: number[] = [];
  const noOpRates: number[] = [];
  const uncachedRates: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const sides: [ComputeManagementClient, number[]][] = [
      [emulatorClient, emulatorRates],
      [noOpClient, noOpRates],
      [uncachedClient, uncachedRates],
    ];
    if (round % 2 === 1) sides.reverse();
    for (const [client, rates] of sides) rates.push(perSecond(gets, await timeMs(() => loop(client, gets))));
  }
  const emulatorRate = median(emulatorRates);
  const noOpRate = median(noOpRates);
  const uncachedRate = median(uncachedRates);
  const figure = figuresOf(BENCHMARK);
  return [
    figure(`virtualMachines.get over the emulator, ${gets} sequential, median of ${rounds}`, emulatorRate, "req/s"),
    figure(`virtualMachines.get over a no-op transport (canned answer), same count`, noOpRate, "req/s"),
    figure(`throughput emulator / no-op transport`, emulatorRate / noOpRate, "x", { comparison: ">=", value: 0.75 }),
    figure(`  emulator's own time per GET (difference of the two)`, (1000 / emulatorRate - 1000 / noOpRate) * 1000, "us"),
    figure(`virtualMachines.get over an emulator with its read cache off, same count`, uncachedRate, "req/s"),
    figure(`throughput emulator, read cache off / no-op transport`, uncachedRate / noOpRate, "x"),
  ];
}

function computeClient(httpClient: HttpClient): ComputeManagementClient {
  return new ComputeManagementClient(benchCredential, BENCH_SUBSCRIPTION_ID, { httpClient });
}

/** An `HttpClient` that answers every request with `response` (status, headers and body as the emulator sent them), doing nothing else. */
function cannedHttpClient(response: EmulatorResponse): HttpClient {
  const body = response.body ?? null;
  return {
    sendRequest: (request: PipelineRequest): Promise<PipelineResponse> =>
      Promise.resolve({ request, status: response.status, headers: createHttpHeaders(response.headers), bodyAsText: body }),
  };
}
