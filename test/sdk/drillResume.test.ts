// A drill interrupted while it provisions its estate (here: the recovery plan cannot be created)
// resumes on the next run: the VMs are sent again as they were (a PUT of an existing VM keeps its
// disks), replication already enabled is reused, and the estate ends complete, with nothing twice.
import test from "ava";
import { type DrClient, SAMPLE_TOPOLOGY, provisionEstate, topologySchema } from "../../sdk/index.js";
import { fakeClient } from "../helpers/fakeClient.js";

test("an interrupted provisioning resumes: VMs keep their disks, protection is reused, the plans are created", async (t) => {
  const { dr, backend } = await fakeClient(t, { replicationBandwidthMBps: 512 });
  const topology = topologySchema.parse(SAMPLE_TOPOLOGY);
  backend.emulator.control.addFault({
    match: { operationId: "ReplicationRecoveryPlans_Create" },
    effect: { type: "operationFailure", code: "RecoveryPlanStoreUnavailable", message: "Interrupted." },
    times: 1,
  });
  await t.throwsAsync(provisionEstate(dr, topology, backend.subscriptionId));
  const disksBefore = await diskIds(dr, topology);
  t.true(disksBefore.length >= topology.vms.length && disksBefore.every((id) => id !== undefined));

  const resumed = await provisionEstate(dr, topology, backend.subscriptionId);
  t.false(resumed.existed);
  t.deepEqual(await diskIds(dr, topology), disksBefore, "the second PUT of each VM kept its managed disks");
  const items = [];
  for await (const item of dr.protectedVms.list(resumed.vault)) items.push(item);
  t.is(items.length, topology.vms.length, "no VM is protected twice");
  t.true(items.every((item) => item.phase === "protected"));
  for (const plan of topology.plans) t.is((await dr.recoveryPlans.get(resumed.vault, plan.name)).name, plan.name);
});

async function diskIds(dr: DrClient, topology: ReturnType<typeof topologySchema.parse>): Promise<(string | undefined)[]> {
  const ids: (string | undefined)[] = [];
  for (const vm of topology.vms) {
    const read = await dr.virtualMachines.get(vm.resourceGroup, vm.name);
    ids.push(...read.disks.map((d) => d.managedDiskId));
  }
  return ids;
}
