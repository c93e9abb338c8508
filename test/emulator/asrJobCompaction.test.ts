// A Site Recovery job that ended for good keeps only what its view shows (emulator/siteRecovery/
// asrJobs.ts, `compact`): what its kind needed to run it is dropped, from the job and from its
// operation, and equal task lists are shared between ended jobs, so that a vault's tens of
// thousands of jobs cost little memory. These tests check that their answers do not change, that
// snapshots (and states saved before compaction existed) restore them, and that a failed job keeps
// what restarting it needs.
import test from "ava";
import type { EmulatorState } from "../../emulator/index.js";
import type { StoredResource } from "../../emulator/store/state.js";
import {
  a2aPolicyInput,
  ASR_RG,
  buildA2aSetup,
  collect,
  createProtectableVm,
  createVault,
  enableProtection,
  loopbackSiteRecovery,
  LRO,
  POLICY,
  VAULT,
  type LoopbackSiteRecovery,
} from "../helpers/loopbackSiteRecovery.js";

const JOB_TYPE = "microsoft.recoveryservices/vaults/replicationjobs";

/** The job records of the emulator, by id. */
function jobRecords(env: LoopbackSiteRecovery): StoredResource[] {
  return env.emulator.resources.ofType(JOB_TYPE);
}

/** A job record's service-side fields. */
function internalOf(job: StoredResource): { kind: string; state: string; operationId: string; data: Record<string, unknown>; tasks: unknown[] } {
  return job.internal as unknown as { kind: string; state: string; operationId: string; data: Record<string, unknown>; tasks: unknown[] };
}

test("ended jobs keep only what their view shows: no run data on the job or its operation, one shared list per set of tasks", async (t) => {
  const env = await loopbackSiteRecovery(t);
  const setup = await buildA2aSetup(env);
  await enableProtection(env, setup, "item-a", setup.vm);
  await enableProtection(env, setup, "item-b", await createProtectableVm(env.compute, "vm-app-1"));

  const jobs = jobRecords(env);
  t.true(jobs.length >= 6, "the setup's jobs and both enable jobs");
  const snapshot = env.emulator.control.snapshot();
  for (const job of jobs) {
    const internal = internalOf(job);
    t.is(internal.state, "Succeeded");
    t.deepEqual(internal.data, {}, `job '${internal.kind}' dropped its run data`);
    const operation = snapshot.operations[internal.operationId.toLowerCase()];
    if (operation !== undefined) t.deepEqual(operation.data, { jobId: job.id }, `the operation of '${internal.kind}' keeps only its job`);
  }
  const enables = jobs.filter((job) => internalOf(job).kind === "asr.item.enable");
  t.is(enables.length, 2);
  t.is(internalOf(enables[0] as StoredResource).tasks, internalOf(enables[1] as StoredResource).tasks, "the two enable jobs share one task list");
  t.true(internalOf(enables[0] as StoredResource).tasks.length > 0);
});

test("ended jobs answer the same after a snapshot is restored, and a state saved with their run data loads and answers the same", async (t) => {
  const env = await loopbackSiteRecovery(t);
  const setup = await buildA2aSetup(env);
  await enableProtection(env, setup, "item-a", setup.vm);
  const listed = await collect(env.asr.replicationJobs.list(VAULT, ASR_RG));
  const got = await Promise.all(listed.map((job) => env.asr.replicationJobs.get(VAULT, ASR_RG, job.name ?? "")));
  t.deepEqual(got, listed, "each job reads as listed");
  const snapshot = env.emulator.control.snapshot();

  env.emulator.control.reset();
  env.emulator.control.restore(JSON.parse(JSON.stringify(snapshot)) as EmulatorState);
  t.deepEqual(await collect(env.asr.replicationJobs.list(VAULT, ASR_RG)), listed, "restored: same jobs, same bodies");

  // What the previous version saved: ended jobs with the data their kinds ran with, each its own task list.
  const older = JSON.parse(JSON.stringify(snapshot)) as EmulatorState;
  for (const record of Object.values(older.resources)) {
    if (record.type !== JOB_TYPE) continue;
    record.internal.data = { itemId: `${record.id}/item`, jobId: record.id, record: { id: record.id, body: { name: "x" } } };
  }
  env.emulator.control.restore(older);
  t.deepEqual(await collect(env.asr.replicationJobs.list(VAULT, ASR_RG)), listed, "a state with run data answers the same");
  t.deepEqual(await Promise.all(listed.map((job) => env.asr.replicationJobs.get(VAULT, ASR_RG, job.name ?? ""))), listed);
});

test("a failed job keeps what restarting it needs, and is compacted once the restart succeeds", async (t) => {
  const env = await loopbackSiteRecovery(t);
  await createVault(env);
  env.emulator.control.addFault({
    match: { operationId: "ReplicationPolicies_Create" },
    effect: { type: "operationFailure", code: "PolicyStoreDown" },
    times: 1,
  });
  await t.throwsAsync(env.asr.replicationPolicies.beginCreateAndWait(VAULT, ASR_RG, POLICY, { properties: { providerSpecificInput: a2aPolicyInput() } }, LRO));
  const failed = jobRecords(env).find((job) => internalOf(job).state === "Failed");
  if (failed === undefined) return t.fail("no failed job");
  t.not(internalOf(failed).data.record, undefined, "the failed job keeps the policy it creates");

  await env.asr.replicationJobs.beginRestartAndWait(VAULT, ASR_RG, String(failed.body.name), LRO);
  env.emulator.control.advanceClock(3_600_000);
  const done = await env.asr.replicationJobs.get(VAULT, ASR_RG, String(failed.body.name));
  t.is(done.properties?.state, "Succeeded");
  t.is((await env.asr.replicationPolicies.get(VAULT, ASR_RG, POLICY)).name, POLICY, "the restarted job created the policy from the data it kept");
  t.deepEqual(internalOf(failed).data, {}, "then it is compacted");
});
