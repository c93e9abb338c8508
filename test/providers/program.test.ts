// Layer 3 (PULUMI-DYNAMIC-PROVIDERS.md §3): Pulumi programs run with the testing kit, each azure-dr
// resource created on the emulator by its own serialized provider. Pulumi's runtime state is
// global: these tests run one at a time.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import test from "ava";
import { parse } from "yaml";
import type * as ShopExample from "../../examples/dr-topology/index.js";
import { CONFIG_KEYS, withDrClient } from "../../providers/core/index.js";
import { AvailabilitySet, ProgramRunError, VirtualMachine, runOnEmulator, unwrapSecrets, type RegisteredResource } from "../../providers/index.js";
import { isResourceNotFoundError, serveEmulator, type ProtectedVm } from "../../sdk/index.js";
import { vmInput } from "../helpers/fixtures.js";

const REPO = resolve(__dirname, "../..");
const DYNAMIC = "pulumi-nodejs:dynamic/azure-dr:";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

interface ProjectFile {
  name: string;
  main: string;
  runtime: { name: string; options: { typescript: boolean; nodeargs: string; packagemanager: string } };
  config: Record<string, string>;
}

function projectFile(): ProjectFile {
  return parse(readFileSync(resolve(REPO, "Pulumi.yaml"), "utf8")) as ProjectFile;
}

/** A resource of another provider (mocked by the kit). */
class Other extends pulumi.CustomResource {
  constructor(name: string, props: pulumi.Inputs) {
    super("test:index:Other", name, props);
  }
}

function tempStateFile(): string {
  return join(mkdtempSync(join(tmpdir(), "azure-dr-program-")), "state.json");
}

const lower = (ids: readonly string[]): string[] => ids.map((id) => id.toLowerCase());

test.serial("Pulumi.yaml: the nodejs runtime runs the example's folder as TypeScript through tsx, on the fake backend by default", async (t) => {
  const project = projectFile();
  t.like(project, {
    name: "azure-dr-example",
    main: "examples/dr-topology/",
    runtime: { name: "nodejs", options: { typescript: false, packagemanager: "npm" } },
  });
  t.deepEqual(project.config, { "azure-dr:backend": "fake", "azure-dr:fakeStateFile": ".azure-dr/pulumi-fake-state.json" });
  // Pulumi's nodejs runtime runs `node <nodeargs> run.js`, which does `require("<main>/")` for a CommonJS project.
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [...project.runtime.options.nodeargs.split(" "), "-e", "process.stdout.write(require.resolve(process.argv[1]))", `${resolve(REPO, project.main)}/`],
    { cwd: REPO },
  );
  t.is(stdout, resolve(REPO, "examples/dr-topology/index.ts"));
});

// Blocked by a provider bug: the host passes `__provider` in create's inputs (as in every call's
// properties) and the cores parse them strictly, so VirtualMachine, ReplicationPolicy,
// ReplicationInfrastructure, ProtectedVm and RecoveryPlan fail with `Unrecognized key: "__provider"`.
test.serial("the example: a two-tier shop protected to North Europe, created on the emulator by its serialized providers", async (t) => {
  const project = projectFile();
  const run = await runOnEmulator(
    // As Pulumi's runtime runs a CommonJS program: `require("<main>/")` inside the stack.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    () => require(`${resolve(REPO, project.main)}/`) as typeof ShopExample,
    { project: project.name, stack: "dev", config: { ...project.config, [CONFIG_KEYS.fakeStateFile]: tempStateFile() } },
  );

  // The resource graph.
  const stack = run.resource("pulumi:pulumi:Stack", "azure-dr-example-dev");
  const topology = run.resource("azure-dr:index:DrTopology", "shop-dr");
  t.false(topology.custom, "DrTopology is a component");
  t.is(topology.parent, stack.urn);
  const dynamic = run.resources.filter((r) => r.type.startsWith("pulumi-nodejs:"));
  const kinds = (resources: readonly RegisteredResource[]): Record<string, number> =>
    resources.reduce<Record<string, number>>((count, r) => ({ ...count, [r.type.slice(DYNAMIC.length)]: (count[r.type.slice(DYNAMIC.length)] ?? 0) + 1 }), {});
  t.true(
    dynamic.every((r) => r.type.startsWith(DYNAMIC) && r.custom),
    "every azure-dr resource is a dynamic resource of module azure-dr",
  );
  const children = dynamic.filter((r) => r.parent === topology.urn);
  t.deepEqual(kinds(children), { Vault: 1, ReplicationPolicy: 1, ReplicationInfrastructure: 1, AvailabilitySet: 2, ProtectedVm: 4, RecoveryPlan: 1 });
  t.true(
    children.every((r) => r.urn.startsWith("urn:pulumi:dev::azure-dr-example::") && r.urn.endsWith(`::azure-dr:index:DrTopology$${r.type}::${r.name}`)),
    "their URNs carry the component's type",
  );
  t.deepEqual(
    dynamic
      .filter((r) => r.parent === stack.urn)
      .map((r) => r.name)
      .sort(),
    ["db-0", "db-1", "db-as", "web-0", "web-1", "web-as"],
    "the source tiers are the program's own resources",
  );
  for (const r of dynamic) {
    t.is(typeof r.inputs.__provider, "string", `${r.name}: __provider is the serialized provider`);
    t.regex(String(r.inputs.__provider), /^exports\.handler = /);
    t.is(r.outputs.__provider, r.inputs.__provider, `${r.name}: the host keeps __provider in the outputs`);
  }
  const texts = (kind: string): Set<unknown> => new Set(dynamic.filter((r) => r.type === DYNAMIC + kind).map((r) => r.inputs.__provider));
  t.is(texts("ProtectedVm").size, 1, "one provider (one serialized text) per kind");
  t.not([...texts("ProtectedVm")][0], [...texts("VirtualMachine")][0]);

  // The wiring: each tier's protected VMs use its target availability set; the plan's groups are the tiers.
  const recoverySet = (tier: string): unknown => run.resource(`${DYNAMIC}AvailabilitySet`, `shop-dr-${tier}-avset`).outputs.availabilitySetId;
  for (const tier of ["db", "web"]) {
    for (const index of [0, 1]) {
      const vm = run.resource(`${DYNAMIC}ProtectedVm`, `shop-dr-${tier}-${index}`);
      t.is(vm.inputs.recoveryAvailabilitySetId, recoverySet(tier));
      t.is(vm.inputs.virtualMachineId, run.resource(`${DYNAMIC}VirtualMachine`, `${tier}-${index}`).outputs.virtualMachineId);
    }
  }

  // The stack's exports and the component's outputs.
  const plan = run.resource(`${DYNAMIC}RecoveryPlan`, "shop-dr-plan");
  t.is(plan.outputs.planId, run.outputs.planId);
  const protectedIds = (tier: string): unknown[] =>
    [0, 1].map((index) => run.resource(`${DYNAMIC}ProtectedVm`, `shop-dr-${tier}-${index}`).outputs.protectedVmId);
  t.deepEqual(run.outputs.protectedVmIds, { db: protectedIds("db"), web: protectedIds("web") });
  t.like(topology.outputs, { planId: run.outputs.planId, vaultId: run.outputs.vaultId, protectedVmIds: run.outputs.protectedVmIds });

  // What the program left in the emulator.
  const vault = { resourceGroup: "shop-dr-rg", name: "shop-vault" };
  await run.withClient(async (dr) => {
    const items: ProtectedVm[] = [];
    for await (const item of dr.protectedVms.list(vault)) items.push(item);
    t.deepEqual(items.map((item) => item.virtualMachineId.slice(item.virtualMachineId.lastIndexOf("/") + 1)).sort(), ["db-0", "db-1", "web-0", "web-1"]);
    for (const item of items) {
      t.like(item, { sourceRegion: "westeurope", targetRegion: "northeurope", phase: "protected", activeLocation: "Primary" }, item.name);
      t.is(item.recoveryResourceGroupId?.toLowerCase(), "/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/shop-rg-dr");
    }

    const boot = (await dr.recoveryPlans.get(vault, String(run.outputs.planName))).groups.filter((g) => g.type === "Boot");
    t.is(boot.length, 2, "two boot groups");
    t.deepEqual(lower(boot[0]?.protectedVmIds ?? []), lower(run.outputs.protectedVmIds.db), "the database tier first");
    t.deepEqual(
      boot[0]?.after.map((a) => [a.kind, a.name]),
      [["manual", "check-db"]],
      "then a manual check",
    );
    t.deepEqual(lower(boot[1]?.protectedVmIds ?? []), lower(run.outputs.protectedVmIds.web), "then the web tier");

    for (const tier of ["db", "web"]) {
      const source = await dr.availabilitySets.get("shop-rg", `${tier}-as`);
      t.is(source.location, "westeurope");
      t.deepEqual(
        source.virtualMachineIds.map((id) => id.slice(id.lastIndexOf("/") + 1).toLowerCase()),
        [`${tier}-0`, `${tier}-1`],
      );
      t.like(await dr.availabilitySets.get("shop-rg-dr", `${tier}-as-dr`), { location: "northeurope", faultDomainCount: 2 });
    }
  });
});

test.serial("secrets are unwrapped before they reach the provider, and the outputs of secret inputs are secret", async (t) => {
  let faultDomainsSecret: Promise<boolean> | undefined;
  const run = await runOnEmulator(() => {
    const set = new AvailabilitySet("secret-as", {
      resourceGroup: "app-rg",
      name: "web-as",
      location: "westeurope",
      faultDomainCount: pulumi.secret(3),
      tags: { owner: pulumi.secret("ops-team"), tier: "web" },
    });
    const other = new Other("other", { size: 1 });
    faultDomainsSecret = pulumi.isSecret(set.faultDomainCount);
    return { setId: set.availabilitySetId, faultDomains: set.faultDomainCount, otherId: other.id, backend: new pulumi.Config("azure-dr").require("backend") };
  });

  const registered = run.resource(`${DYNAMIC}AvailabilitySet`, "secret-as");
  t.deepEqual(registered.inputs.faultDomainCount, { [SIG_KEY]: SECRET_SIG, value: 3 }, "the program sent a secret (mocks pass the wrappers on: T8)");
  t.deepEqual(unwrapSecrets(registered.inputs.tags), { owner: "ops-team", tier: "web" });

  await run.withClient(async (dr) => {
    t.like(
      await dr.availabilitySets.get("app-rg", "web-as"),
      { faultDomainCount: 3, tags: { owner: "ops-team", tier: "web" } },
      "the provider got plain values",
    );
  });
  const state = readFileSync(String(run.stateFile), "utf8");
  t.false(state.includes(SECRET_SIG) || state.includes(SIG_KEY), "no secret wrapper reached the emulator's state");

  t.deepEqual(registered.outputs.faultDomainCount, { [SIG_KEY]: SECRET_SIG, value: 3 }, "an output whose input was secret is secret, as the engine marks it");
  // The engine marks tags.owner secret; Pulumi's Node SDK then makes the whole tags output secret (it cannot hold secret sub-properties).
  t.deepEqual(registered.outputs.tags, { [SIG_KEY]: SECRET_SIG, value: { owner: "ops-team", tier: "web" } });
  t.true(await faultDomainsSecret, "so the program sees a secret output");
  t.is(run.outputs.faultDomains, 3);

  t.is(run.outputs.backend, "fake", "the program reads the same stack configuration as the providers");
  t.is(run.outputs.otherId, "other_id", "other resources are mocked: their id is <name>_id ...");
  t.deepEqual(run.resource("test:index:Other", "other").outputs, { size: 1 }, "... and their outputs are their inputs");
});

test.serial("invalid arguments fail the program with the check failure naming the property; what depends on it is not created", async (t) => {
  const config = { [CONFIG_KEYS.backend]: "fake", [CONFIG_KEYS.fakeStateFile]: tempStateFile() };
  const error = await t.throwsAsync(
    runOnEmulator(
      () => {
        const set = new AvailabilitySet("web-as", { resourceGroup: "app-rg", name: "web-as", location: "westeurope", faultDomainCount: 0 });
        const vm = new VirtualMachine("web-0", {
          resourceGroup: "app-rg",
          name: "web-0",
          ...vmInput("app-rg", "web-0"),
          availabilitySetId: set.availabilitySetId,
        });
        return { vmId: vm.virtualMachineId };
      },
      { config },
    ),
    { instanceOf: ProgramRunError },
  );
  t.deepEqual(error.failures, [
    {
      type: `${DYNAMIC}AvailabilitySet`,
      name: "web-as",
      step: "check",
      message: "property faultDomainCount has a problem: must be 1 to 3",
      checkFailures: [{ property: "faultDomainCount", reason: "must be 1 to 3" }],
    },
  ]);
  t.is(error.message, "pulumi-nodejs:dynamic/azure-dr:AvailabilitySet resource 'web-as': property faultDomainCount has a problem: must be 1 to 3");
  await withDrClient(config, async (dr) => {
    for (const read of [dr.availabilitySets.get("app-rg", "web-as"), dr.virtualMachines.get("app-rg", "web-0")]) {
      const gone = await t.throwsAsync(read);
      t.true(isResourceNotFoundError(gone));
    }
  });
});

test.serial("a program that throws fails the run; the next run starts afresh", async (t) => {
  const error = await t.throwsAsync(
    runOnEmulator(() => {
      throw new Error("no region given");
    }),
    { instanceOf: ProgramRunError },
  );
  t.deepEqual(
    error.failures.map((f) => [f.step, f.message]),
    [["program", "no region given"]],
  );
  const run = await runOnEmulator(() => ({ answer: pulumi.output(42) }));
  t.deepEqual(run.outputs, { answer: 42 });
  t.deepEqual(
    run.resources.map((r) => r.type),
    ["pulumi:pulumi:Stack"],
  );
});

test.serial("on the emulator backend (azure-dr:emulatorUrl), the providers and the client of the run reach the emulator server", async (t) => {
  const server = await serveEmulator();
  t.teardown(() => server.close());
  const run = await runOnEmulator(
    () => {
      const set = new AvailabilitySet("web-as", { resourceGroup: "app-rg", name: "web-as", location: "westeurope", updateDomainCount: 3 });
      return { setId: set.availabilitySetId };
    },
    { config: { [CONFIG_KEYS.backend]: "emulator", [CONFIG_KEYS.emulatorUrl]: server.url } },
  );
  t.is(run.stateFile, undefined);
  t.is(run.config[CONFIG_KEYS.fakeStateFile], undefined, "no temp state file for another backend");
  t.regex(run.outputs.setId, /\/availabilitySets\/web-as$/i);
  t.is((await run.withClient((dr) => dr.availabilitySets.get("app-rg", "web-as"))).updateDomainCount, 3);
});

test.serial("the kit never touches Azure, and runs one program at a time", async (t) => {
  const azure = { [CONFIG_KEYS.backend]: "azure", [CONFIG_KEYS.subscriptionId]: "11111111-1111-1111-1111-111111111111" };
  await t.throwsAsync(
    runOnEmulator(() => ({}), { config: azure }),
    { message: /never touches Azure: set azure-dr:backend to 'fake'/ },
  );
  const first = runOnEmulator(() => ({}));
  await t.throwsAsync(
    runOnEmulator(() => ({})),
    { message: /one program at a time/ },
  );
  await t.notThrowsAsync(first);
});
