import test from "ava";
import { InvalidStateError, OperationFailedError, ResourceNotFoundError, ValidationError, isDrError } from "../../sdk/index.js";
import { fakeClient } from "../helpers/fakeClient.js";
import { computeId, vmInput } from "../helpers/fixtures.js";

test("create provisions a running VM and takes virtual, not real, time", async (t) => {
  const { dr } = await fakeClient(t);
  const before = dr.clock.now().getTime();
  const vm = await dr.virtualMachines.create("app-rg", "web-0", vmInput("app-rg", "web-0"));
  t.like(vm, { name: "web-0", resourceGroup: "app-rg", location: "westeurope", size: "Standard_D2s_v5", provisioningState: "Succeeded", managedDisks: true });
  t.regex(vm.vmId ?? "", /^[0-9a-f-]{36}$/);
  const status = await dr.virtualMachines.getStatus("app-rg", "web-0");
  t.is(status.powerState, "running");
  t.true(dr.clock.now().getTime() - before >= 60_000, "creation took at least a minute of emulated time");
});

test("VMs of a set are placed round-robin over its update and fault domains", async (t) => {
  const { dr } = await fakeClient(t);
  const set = await dr.availabilitySets.createOrUpdate("app-rg", "web-as", { location: "westeurope", faultDomainCount: 2, updateDomainCount: 3 });
  const placements: [number | undefined, number | undefined][] = [];
  for (let i = 0; i < 7; i++) {
    await dr.virtualMachines.create("app-rg", `web-${i}`, vmInput("app-rg", `web-${i}`, { availabilitySetId: set.id }));
    const status = await dr.virtualMachines.getStatus("app-rg", `web-${i}`);
    placements.push([status.updateDomain, status.faultDomain]);
  }
  t.deepEqual(placements, [
    [0, 0],
    [1, 1],
    [2, 0],
    [0, 1],
    [1, 0],
    [2, 1],
    [0, 0],
  ]);
  const members = (await dr.availabilitySets.get("app-rg", "web-as")).virtualMachineIds;
  t.is(members.length, 7);
  t.true(members.includes(computeId("app-rg", "virtualMachines", "web-3")));
});

test("a VM cannot join a set of another resource group: refused before any request", async (t) => {
  const { dr, backend } = await fakeClient(t);
  const set = await dr.availabilitySets.createOrUpdate("other-rg", "web-as", { location: "westeurope" });
  const before = backend.emulator.requestCount;
  const error = await t.throwsAsync(dr.virtualMachines.create("app-rg", "web-0", vmInput("app-rg", "web-0", { availabilitySetId: set.id })), {
    instanceOf: ValidationError,
  });
  t.is(error.field, "availabilitySetId");
  t.is(backend.emulator.requestCount, before);
});

test("an availabilitySetId of another resource type is refused before any request", async (t) => {
  const { dr } = await fakeClient(t);
  const error = await t.throwsAsync(
    dr.virtualMachines.create("app-rg", "web-0", vmInput("app-rg", "web-0", { availabilitySetId: computeId("app-rg", "virtualMachines", "web-9") })),
    { instanceOf: ValidationError },
  );
  t.is(error.field, "availabilitySetId");
  t.regex(error.rule, /Microsoft\.Compute\/availabilitySets/);
});

test("a VM cannot join a set after creation: Azure refuses and nothing changes", async (t) => {
  const { dr } = await fakeClient(t);
  const set = await dr.availabilitySets.createOrUpdate("app-rg", "web-as", { location: "westeurope" });
  await dr.virtualMachines.create("app-rg", "web-0", vmInput("app-rg", "web-0"));
  const error = await t.throwsAsync(dr.virtualMachines.create("app-rg", "web-0", vmInput("app-rg", "web-0", { availabilitySetId: set.id })), {
    instanceOf: InvalidStateError,
  });
  t.is(error.azureCode, "PropertyChangeNotAllowed");
  t.is((await dr.virtualMachines.get("app-rg", "web-0")).availabilitySetId, undefined);
  t.deepEqual((await dr.availabilitySets.get("app-rg", "web-as")).virtualMachineIds, []);
});

test("a VM with managed disks cannot join a Classic set", async (t) => {
  const { dr } = await fakeClient(t);
  const set = await dr.availabilitySets.createOrUpdate("app-rg", "classic-as", { location: "westeurope", sku: "Classic" });
  const error = await t.throwsAsync(dr.virtualMachines.create("app-rg", "web-0", vmInput("app-rg", "web-0", { availabilitySetId: set.id })), {
    instanceOf: ValidationError,
  });
  t.is(error.azureCode, "InvalidParameter");
  await t.throwsAsync(dr.virtualMachines.get("app-rg", "web-0"), { instanceOf: ResourceNotFoundError });
});

test("power actions move the VM through its power states", async (t) => {
  const { dr } = await fakeClient(t);
  await dr.virtualMachines.create("app-rg", "web-0", vmInput("app-rg", "web-0"));
  const power = async (): Promise<string> => (await dr.virtualMachines.getStatus("app-rg", "web-0")).powerState;
  await dr.virtualMachines.powerOff("app-rg", "web-0");
  t.is(await power(), "stopped");
  await dr.virtualMachines.start("app-rg", "web-0");
  t.is(await power(), "running");
  await dr.virtualMachines.restart("app-rg", "web-0");
  t.is(await power(), "running");
  await dr.virtualMachines.deallocate("app-rg", "web-0");
  t.is(await power(), "deallocated");
  await dr.virtualMachines.redeploy("app-rg", "web-0");
  t.is(await power(), "running");
});

test("restart of a deallocated VM is refused with InvalidStateError", async (t) => {
  const { dr } = await fakeClient(t);
  await dr.virtualMachines.create("app-rg", "web-0", vmInput("app-rg", "web-0"));
  await dr.virtualMachines.deallocate("app-rg", "web-0");
  const error = await t.throwsAsync(dr.virtualMachines.restart("app-rg", "web-0"), { instanceOf: InvalidStateError });
  t.is(error.azureCode, "OperationNotAllowed");
  t.is((await dr.virtualMachines.getStatus("app-rg", "web-0")).powerState, "deallocated");
});

test("a failed action surfaces as OperationFailedError and shows in the provisioning state", async (t) => {
  const { dr, backend } = await fakeClient(t);
  await dr.virtualMachines.create("app-rg", "web-0", vmInput("app-rg", "web-0"));
  await dr.virtualMachines.powerOff("app-rg", "web-0");
  backend.emulator.control.addFault({
    match: { operationId: "VirtualMachines_Start" },
    effect: { type: "operationFailure", code: "AllocationFailed", message: "No capacity." },
    times: 1,
  });
  const error = await t.throwsAsync(dr.virtualMachines.start("app-rg", "web-0"), { instanceOf: OperationFailedError });
  t.is(error.azureCode, "AllocationFailed");
  const status = await dr.virtualMachines.getStatus("app-rg", "web-0");
  t.is(status.powerState, "stopped");
  t.is(status.provisioningState, "Failed");
  await dr.virtualMachines.start("app-rg", "web-0");
  t.is((await dr.virtualMachines.getStatus("app-rg", "web-0")).powerState, "running");
});

/** Starts `deallocate` and aborts the wait once the operation is accepted (its status polls are slowed down). */
async function abortedDeallocate(
  dr: Awaited<ReturnType<typeof fakeClient>>["dr"],
  backend: Awaited<ReturnType<typeof fakeClient>>["backend"],
): Promise<unknown> {
  backend.emulator.control.addFault({ id: "slow-polls", match: { operationId: "ComputeOperationStatus_Get" }, effect: { type: "latency", ms: 200 } });
  const aborter = new AbortController();
  const waiting = dr.virtualMachines.deallocate("app-rg", "web-0", { abortSignal: aborter.signal });
  setTimeout(() => aborter.abort(), 50);
  const outcome = await waiting.then(
    () => undefined,
    (error: unknown) => error,
  );
  backend.emulator.control.removeFaults("slow-polls");
  return outcome;
}

test("aborting a wait stops waiting but the operation goes on in Azure", async (t) => {
  const { dr, backend } = await fakeClient(t);
  await dr.virtualMachines.create("app-rg", "web-0", vmInput("app-rg", "web-0"));
  const error = await abortedDeallocate(dr, backend);
  t.true(isDrError(error));
  t.is(isDrError(error) ? error.code : undefined, "Aborted");
  t.is((await dr.virtualMachines.getStatus("app-rg", "web-0")).powerState, "deallocating");
  await dr.clock.sleep(5 * 60_000);
  t.is((await dr.virtualMachines.getStatus("app-rg", "web-0")).powerState, "deallocated");
});

test("an action while another runs is refused with InvalidStateError", async (t) => {
  const { dr, backend } = await fakeClient(t);
  await dr.virtualMachines.create("app-rg", "web-0", vmInput("app-rg", "web-0"));
  await abortedDeallocate(dr, backend);
  const error = await t.throwsAsync(dr.virtualMachines.restart("app-rg", "web-0"), { instanceOf: InvalidStateError });
  t.is(error.azureCode, "Conflict");
});

test("an already aborted signal sends nothing", async (t) => {
  const { dr, backend } = await fakeClient(t);
  await dr.virtualMachines.create("app-rg", "web-0", vmInput("app-rg", "web-0"));
  const before = backend.emulator.requestCount;
  const aborter = new AbortController();
  aborter.abort();
  const error = await t.throwsAsync(dr.virtualMachines.redeploy("app-rg", "web-0", { abortSignal: aborter.signal }));
  t.is(isDrError(error) ? error.code : undefined, "Aborted");
  t.is(backend.emulator.requestCount, before);
});

test("delete removes the VM and its membership in the set", async (t) => {
  const { dr } = await fakeClient(t);
  const set = await dr.availabilitySets.createOrUpdate("app-rg", "web-as", { location: "westeurope" });
  await dr.virtualMachines.create("app-rg", "web-0", vmInput("app-rg", "web-0", { availabilitySetId: set.id }));
  await t.throwsAsync(dr.availabilitySets.delete("app-rg", "web-as"), { instanceOf: InvalidStateError });
  await dr.virtualMachines.delete("app-rg", "web-0");
  await t.throwsAsync(dr.virtualMachines.get("app-rg", "web-0"), { instanceOf: ResourceNotFoundError });
  t.deepEqual((await dr.availabilitySets.get("app-rg", "web-as")).virtualMachineIds, []);
  await dr.availabilitySets.delete("app-rg", "web-as");
});

test("list returns VMs of a resource group and of the subscription", async (t) => {
  const { dr } = await fakeClient(t);
  await dr.virtualMachines.create("rg-a", "a-0", vmInput("rg-a", "a-0"));
  await dr.virtualMachines.create("rg-b", "b-0", vmInput("rg-b", "b-0", { location: "eastus" }));
  const names = async (rg?: string): Promise<string[]> => {
    const out: string[] = [];
    for await (const vm of dr.virtualMachines.list(rg)) out.push(vm.name);
    return out.sort();
  };
  t.deepEqual(await names("rg-a"), ["a-0"]);
  t.deepEqual(await names(), ["a-0", "b-0"]);
});

const invalidVms: { title: string; overrides: Record<string, unknown>; field: string }[] = [
  { title: "no network interface", overrides: { networkInterfaceIds: [] }, field: "networkInterfaceIds" },
  {
    title: "a network interface id of the wrong type",
    overrides: { networkInterfaceIds: [computeId("app-rg", "virtualMachines", "x")] },
    field: "networkInterfaceIds[0]",
  },
  { title: "both an image and an attached OS disk", overrides: { osDisk: { attachManagedDiskId: "/subscriptions/x/disk" } }, field: "image" },
  { title: "an image without credentials", overrides: { sshPublicKey: undefined }, field: "adminPassword" },
  { title: "a short admin password", overrides: { sshPublicKey: undefined, adminPassword: "short" }, field: "adminPassword" },
  {
    title: "duplicate data disk LUNs",
    overrides: {
      dataDisks: [
        { lun: 0, sizeGB: 10 },
        { lun: 0, sizeGB: 20 },
      ],
    },
    field: "dataDisks",
  },
  { title: "a zone outside 1-3", overrides: { zone: "4" }, field: "zone" },
];

for (const { title, overrides, field } of invalidVms) {
  test(`create refuses ${title} before any request`, async (t) => {
    const { dr, backend } = await fakeClient(t);
    const error = await t.throwsAsync(dr.virtualMachines.create("app-rg", "web-0", vmInput("app-rg", "web-0", overrides as never)), {
      instanceOf: ValidationError,
    });
    t.is(error.field, field);
    t.is(backend.emulator.requestCount, 0);
  });
}
