// What the resources register with the engine, under Pulumi's own mocks (no provider runs): the
// names and aliases of DrTopology's children (keyed by VM name, not list position), and the
// forced secrecy of credentials (a VM's admin password).
import * as pulumi from "@pulumi/pulumi";
import type { RegisterResourceRequest, RegisterResourceResponse } from "@pulumi/pulumi/proto/resource_pb";
import test from "ava";
import { DrTopology, VirtualMachine, type DrTier, type VirtualMachineArgs } from "../../providers/index.js";
import { prepareSerialization, unwrapSecrets } from "../../providers/testing.js";
import { rgId, vmId, vmInputs } from "../helpers/pulumiHost.js";

const SIG_KEY = pulumi.runtime.specialSigKey;
const SECRET_SIG = pulumi.runtime.specialSecretSig;
const PROTECTED_VM = "pulumi-nodejs:dynamic/azure-dr:ProtectedVm";

/** A resource as the program registered it. */
interface Registration {
  type: string;
  name: string;
  urn: string;
  /** The names of its aliases (structured aliases: the mock monitor supports them). */
  aliases: string[];
  additionalSecretOutputs: string[];
  /** The inputs, as they travel to the engine (secrets still wrapped). */
  inputs: Record<string, unknown>;
}

type Callback<R> = (error: unknown, response?: R) => void;
interface Monitor {
  registerResource(request: RegisterResourceRequest, callback: Callback<RegisterResourceResponse>): unknown;
}

function inputsOf(request: RegisterResourceRequest): Record<string, unknown> {
  const object = request.getObject();
  return object === undefined ? {} : (pulumi.runtime.deserializeProperties(object) as Record<string, unknown>);
}

/** Runs `program` under Pulumi's mocks (every resource's state is its inputs) and returns what it registered. */
async function register(program: () => void): Promise<Registration[]> {
  await prepareSerialization();
  await pulumi.runtime.setMocks(
    { newResource: (args) => ({ id: `${args.name}_id`, state: args.inputs as Record<string, unknown> }), call: (args) => args.inputs },
    "project",
    "stack",
    false,
  );
  const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
  const registered: Registration[] = [];
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) =>
    original(request, (error, response) => {
      if (error == null && response !== undefined) {
        registered.push({
          type: request.getType(),
          name: request.getName(),
          urn: response.getUrn(),
          aliases: request.getAliasesList().map((alias) => alias.getSpec()?.getName() ?? alias.getUrn()),
          additionalSecretOutputs: request.getAdditionalsecretoutputsList(),
          inputs: inputsOf(request),
        });
      }
      callback(error, response);
    });
  // The program's error is kept until every registration is answered: the next run replaces the mock monitor.
  let failure: unknown;
  await pulumi.runtime.runInPulumiStack(async () => {
    try {
      program();
    } catch (error) {
      failure = error;
    }
    return {};
  });
  await pulumi.runtime.disconnect();
  if (failure !== undefined) throw failure;
  return registered;
}

/** A topology whose tiers are given. */
function topology(tiers: DrTier[], migrateFromPositionalNames?: boolean): void {
  new DrTopology("shop", {
    vault: { resourceGroup: "dr-rg", name: "dr-vault" },
    sourceRegion: "westeurope",
    targetRegion: "northeurope",
    recoveryResourceGroupId: rgId("app-rg-dr"),
    cacheStorageAccountId: `${rgId("app-rg")}/providers/Microsoft.Storage/storageAccounts/cachewesteurope`,
    tiers,
    ...(migrateFromPositionalNames === undefined ? {} : { migrateFromPositionalNames }),
  });
}

/** The protected VMs registered: name to URN. */
function protectedVms(registered: readonly Registration[]): Record<string, string> {
  return Object.fromEntries(registered.filter((r) => r.type === PROTECTED_VM).map((r) => [r.name, r.urn]));
}

/** The protected VM registered for the VM with this ARM id. */
function protectionOf(registered: readonly Registration[], id: string): Registration {
  const found = registered.find((r) => r.type === PROTECTED_VM && r.inputs.virtualMachineId === id);
  if (found === undefined) throw new Error(`no protection of ${id}`);
  return found;
}

const [A, B, C, D] = ["app-a", "app-b", "app-c", "db-a"].map((name) => vmId("app-rg", name)) as [string, string, string, string];

test.serial(
  "DrTopology: each VM's protection is named after the VM; reordering, removing and moving VMs leaves the others' names and URNs as they were",
  async (t) => {
    const before = await register(() =>
      topology([
        { name: "db", virtualMachineIds: [D] },
        { name: "app", virtualMachineIds: [A, B, C] },
      ]),
    );
    t.deepEqual(Object.keys(protectedVms(before)).sort(), ["shop-app-a", "shop-app-b", "shop-app-c", "shop-db-a"]);
    t.is(protectionOf(before, A).name, "shop-app-a");

    // B removed, C before A, D moved to the app tier, in the keyed form.
    const after = await register(() =>
      topology([
        { name: "db", virtualMachineIds: [] },
        { name: "app", virtualMachineIds: [C], virtualMachines: { "app-a": A, "db-a": D } },
      ]),
    );
    const urns = protectedVms(after);
    t.deepEqual(Object.keys(urns).sort(), ["shop-app-a", "shop-app-c", "shop-db-a"]);
    for (const id of [A, C, D]) t.is(protectionOf(after, id).urn, protectionOf(before, id).urn, `${id} keeps its URN`);
    t.true(
      after.every((r) => r.aliases.length === 0),
      "no aliases unless asked for",
    );
  },
);

test.serial("DrTopology: ids not known yet are named by position; two VMs of one name are refused, naming it", async (t) => {
  const registered = await register(() => topology([{ name: "app", virtualMachineIds: [pulumi.output(A), B] }]));
  t.deepEqual(Object.keys(protectedVms(registered)).sort(), ["shop-app-0", "shop-app-b"]);

  await t.throwsAsync(
    register(() =>
      topology([
        { name: "db", virtualMachineIds: [A] },
        { name: "app", virtualMachines: { "app-a": vmId("other-rg", "app-a") } },
      ]),
    ),
    { message: /two VMs are named 'app-a' \(tiers db and app\)/ },
  );
});

test.serial(
  "DrTopology: migrating a stack of azure-dr 0.1 gives each protection its positional name as an alias, except a name another VM now goes by",
  async (t) => {
    const registered = await register(() =>
      topology(
        [
          { name: "app", virtualMachineIds: [A, vmId("app-rg", "app-0"), B] },
          { name: "db", virtualMachineIds: [D] },
        ],
        true,
      ),
    );
    const aliases = Object.fromEntries(registered.filter((r) => r.type === PROTECTED_VM).map((r) => [r.name, r.aliases]));
    t.deepEqual(aliases, {
      // app-a was shop-app-0 in 0.1, but shop-app-0 is now the VM app-0's own name.
      "shop-app-a": [],
      "shop-app-0": ["shop-app-1"],
      "shop-app-b": ["shop-app-2"],
      "shop-db-a": ["shop-db-0"],
    });
  },
);

test.serial(
  "VirtualMachine: the admin password is registered as a secret input and a secret output, even when the program gave it in plain text",
  async (t) => {
    const password = "Plain-Text-Passw0rd!";
    const registered = await register(() => {
      new VirtualMachine("web-0", { ...(vmInputs("web-0") as unknown as VirtualMachineArgs), adminPassword: password });
      new VirtualMachine("web-1", vmInputs("web-1") as unknown as VirtualMachineArgs, { additionalSecretOutputs: ["tags"] });
    });
    const vm = registered.find((r) => r.name === "web-0");
    t.deepEqual(vm?.inputs.adminPassword, { [SIG_KEY]: SECRET_SIG, value: password }, "a secret input");
    t.true(vm?.additionalSecretOutputs.includes("adminPassword"), "a secret output");
    t.is((unwrapSecrets(vm?.inputs) as Record<string, unknown>).adminPassword, password, "the provider gets it as the program gave it");
    t.false(JSON.stringify({ ...vm?.inputs, adminPassword: null }).includes(password), "nowhere else in plain text");

    const other = registered.find((r) => r.name === "web-1");
    t.false("adminPassword" in (other?.inputs ?? {}), "no password, no input");
    t.deepEqual(other?.additionalSecretOutputs.slice().sort(), ["adminPassword", "tags"], "the program's own secret outputs are kept");
  },
);
