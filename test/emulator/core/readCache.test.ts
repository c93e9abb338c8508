// The read cache: GETs repeated while nothing changes are answered again without running their
// handler. Whole drills (Azure to Azure and Hyper-V, every step of the cycle) run with the cache
// checking each kept answer against a fresh one, and every way of changing the state (a request, a
// scheduled event, the clock, the in-process control surface, the resource store) must be seen by
// the next GET. What a kept answer still gets per request: counting, throttling, fault rules, ids.
import test from "ava";
import { createEmulator, type Emulator, type EmulatorRequest, type EmulatorResponse } from "../../../emulator/index.js";
import type { TopologyInput } from "../../../sdk/index.js";
import { rgUrl, send } from "../../helpers/emulatorRequests.js";
import { rawVmBody } from "../../helpers/fixtures.js";
import { drillSampleEstate, SAMPLE_ESTATES, SAMPLE_START } from "../../helpers/sampleDrill.js";

/** The sample estate drilled on an emulator that checks every kept answer against a fresh one; every status answered. */
async function verifiedDrill(topology: TopologyInput): Promise<{ outcome: string; statuses: number[] }> {
  const statuses: number[] = [];
  const emulator = createEmulator({ readCache: "verify", startTime: SAMPLE_START, replicationBandwidthMBps: 512 });
  const handle = async (request: EmulatorRequest): Promise<EmulatorResponse> => {
    const response = await emulator.handle(request);
    statuses.push(response.status);
    return response;
  };
  const watched = new Proxy(emulator, { get: (target, key) => (key === "handle" ? handle : (Reflect.get(target, key, target) as unknown)) });
  const { report } = await drillSampleEstate(topology, { emulator: watched }, true);
  return { outcome: report.outcome, statuses };
}

for (const [name, topology] of SAMPLE_ESTATES) {
  test(`${name}: through a rehearsal and a full drill, no kept answer differs from a fresh one and no GET changes the state`, async (t) => {
    const { outcome, statuses } = await verifiedDrill(topology);
    t.is(outcome, "passed");
    t.true(statuses.length > 100, `${statuses.length} exchanges`);
    t.false(statuses.includes(500), "the verifying cache answers 500 when it finds a stale answer or a GET that changed the state");
  });
}

const vmUrl = `${rgUrl("rg")}/virtualMachines/vm-1`;

async function emulatorWithVm(): Promise<Emulator> {
  const emulator = createEmulator({ startTime: SAMPLE_START });
  const created = await send(emulator, "PUT", `${vmUrl}?api-version=2024-07-01`, rawVmBody("rg", "vm-1"));
  if (created.status !== 201) throw new Error(`the VM's PUT answered ${created.status}`);
  emulator.control.advanceClock(30 * 60_000); // the creation ends
  return emulator;
}

const getVm = async (emulator: Emulator, query = "") => send(emulator, "GET", `${vmUrl}?api-version=2024-07-01${query}`);

test("a GET sees every change made since the same GET: request, store, control surface, clock", async (t) => {
  const emulator = await emulatorWithVm();
  const before = await getVm(emulator);
  t.deepEqual((await getVm(emulator)).json, before.json, "nothing changed: the same answer");

  await send(emulator, "PATCH", `${vmUrl}?api-version=2024-07-01`, { tags: { env: "drill" } });
  const updating = await getVm(emulator);
  t.deepEqual(updating.json.tags, { env: "drill" }, "a request");
  t.is((updating.json.properties as { provisioningState: string }).provisioningState, "Updating");
  emulator.control.advanceClock(10 * 60_000);
  t.is(((await getVm(emulator)).json.properties as { provisioningState: string }).provisioningState, "Succeeded", "the clock, and the events it ran");

  const stored = emulator.resources.get(
    `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-1`,
  );
  if (stored === undefined) return t.fail("the VM is stored");
  emulator.resources.put({ ...stored, body: { ...stored.body, tags: { env: "store" } } });
  t.deepEqual((await getVm(emulator)).json.tags, { env: "store" }, "the resource store");

  const running = await getVm(emulator, "&$expand=instanceView");
  t.is((await send(emulator, "POST", `${vmUrl}/deallocate?api-version=2024-07-01`)).status, 202);
  t.notDeepEqual((await getVm(emulator, "&$expand=instanceView")).json, running.json, "a POST action");

  const powerState = async (): Promise<string | undefined> =>
    ((await getVm(emulator, "&$expand=instanceView")).json.properties as { instanceView: { statuses: { code: string }[] } }).instanceView.statuses
      .map((s) => s.code)
      .find((code) => code.startsWith("PowerState/"));
  emulator.control.advanceClock(10 * 60_000);
  t.is(await powerState(), "PowerState/deallocated");
  emulator.control.setRegionDown("westeurope", true);
  t.is(await powerState(), "PowerState/unknown", "the control surface");
  emulator.control.reset();
  t.is((await getVm(emulator)).status, 404, "the control surface's reset");
});

test("a kept answer is still counted, throttled, given fresh ids and subject to fault rules", async (t) => {
  const emulator = await emulatorWithVm();
  const first = await getVm(emulator);
  const counted = emulator.requestCount;
  const second = await getVm(emulator);
  t.is(emulator.requestCount, counted + 1);
  t.not(second.headers["x-ms-request-id"], first.headers["x-ms-request-id"]);
  t.is(
    Number(second.headers["x-ms-ratelimit-remaining-subscription-reads"]),
    Number(first.headers["x-ms-ratelimit-remaining-subscription-reads"]) - 1,
    "each GET takes its token",
  );
  emulator.faults.add({ match: { operationId: "VirtualMachines_Get" }, effect: { type: "error", status: 503, code: "ServiceUnavailable" }, times: 1 });
  t.is((await getVm(emulator)).status, 503, "a fault rule added directly to the engine applies to the next GET");
  t.deepEqual((await getVm(emulator)).json, first.json);
});
