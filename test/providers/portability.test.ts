// State written on one machine works for `destroy` on another: the serialized provider names no
// path, and finds its logic wherever the host runs (a project that installed azure-dr, or a
// checkout of it). And a VM's admin password never comes back among a provider's outputs.
import test, { type ExecutionContext } from "ava";
import { join } from "node:path";
import { homedir, tmpdir } from "node:os";
import { DrClient, createFakeBackend, isResourceNotFoundError } from "../../sdk/index.js";
import {
  PulumiHost,
  REPO,
  SAMPLES,
  ensureBuilt,
  projectWithAzureDr,
  resolvesPackagesFrom,
  serializeProvider,
  tempDir,
  vmInputs,
  type Props,
} from "../helpers/pulumiHost.js";

test.before("dist/ holds the current providers (the host loads the built code)", async () => {
  await ensureBuilt();
});

async function startHost(t: ExecutionContext, stateFile: string, cwd?: string): Promise<PulumiHost> {
  const host = await PulumiHost.start(cwd === undefined ? {} : { cwd });
  t.teardown(() => host.stop());
  await host.configure({ "azure-dr:backend": "fake", "azure-dr:fakeStateFile": stateFile });
  return host;
}

async function gone(stateFile: string, read: (dr: DrClient) => Promise<unknown>): Promise<boolean> {
  const dr = new DrClient(await createFakeBackend({ stateFile }));
  try {
    await read(dr);
    return false;
  } catch (error) {
    if (isResourceNotFoundError(error)) return true;
    throw error;
  } finally {
    await dr.close();
  }
}

test("state written by a host in one project is refreshed and destroyed by a host in another project, and by one in a folder where nothing resolves (the checkout's own package)", async (t) => {
  const stateFile = join(tempDir("state", t), "emulator.json");
  const here = projectWithAzureDr(t);
  const there = projectWithAzureDr(t);
  const writer = await startHost(t, stateFile, here);
  const { text } = await serializeProvider("Vault");
  const created = await writer.create({ ...SAMPLES.Vault.valid, __provider: text });
  const stored = JSON.stringify(created.properties);
  for (const path of [here, there, REPO, tmpdir(), homedir()]) t.false(stored.includes(path), `state names no ${path}`);

  const reader = await startHost(t, stateFile, there);
  const refreshed = await reader.read(created.id, created.properties);
  t.is(refreshed.id, created.id);

  const bareFolder = tempDir("bare", t);
  t.false(resolvesPackagesFrom(bareFolder));
  const bare = await startHost(t, stateFile, bareFolder);
  t.is((await bare.read(created.id, refreshed.properties)).id, created.id, "the host's own @pulumi/pulumi sits in a checkout of azure-dr: its dist/ is found");

  await reader.delete(created.id, refreshed.properties);
  t.true(await gone(stateFile, (dr) => dr.vaults.get({ resourceGroup: "dr-rg", name: "dr-vault" })));
});

test("a VM's admin password is never among the outputs of create, update or read, and outputs an older release kept lose it at the next refresh", async (t) => {
  const stateFile = join(tempDir("state", t), "emulator.json");
  const host = await startHost(t, stateFile);
  const { text } = await serializeProvider("VirtualMachine");
  const password = "Very-Secret-Passw0rd!";
  const { sshPublicKey: _key, ...vm } = vmInputs("web-0");
  const { inputs, failures } = await host.check({}, { ...vm, adminPassword: password, __provider: text });
  t.deepEqual(failures, []);
  t.is(inputs.adminPassword, password, "check keeps it: the engine stores the inputs, encrypted as the program made them secret");

  const created = await host.create(inputs);
  const updated = await host.update(created.id, created.properties, inputs);
  const read = await host.read(created.id, { ...updated.properties, adminPassword: password } as Props);
  for (const [step, properties] of [
    ["create", created.properties],
    ["update", updated.properties],
    ["read", read.properties],
    ["read's inputs", read.inputs ?? {}],
  ] as const) {
    t.false(JSON.stringify(properties).includes(password), `${step} does not return the password`);
  }
  t.is(read.properties.virtualMachineId, created.id);
});
