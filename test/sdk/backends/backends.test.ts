import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import test from "ava";
import { DrClient, ValidationError, createAzureBackend, createEmulatorBackend, createFakeBackend, serveEmulator } from "../../../sdk/index.js";
import { vmInput } from "../../helpers/fixtures.js";

test("the emulator backend drives a served emulator over loopback HTTP with the same client", async (t) => {
  const served = await serveEmulator({ port: 0 });
  t.teardown(() => served.close());
  const dr = new DrClient(await createEmulatorBackend({ url: served.url }));
  const set = await dr.availabilitySets.createOrUpdate("app-rg", "web-as", { location: "westeurope" });
  const start = dr.clock.now().getTime();
  await dr.virtualMachines.create("app-rg", "web-0", vmInput("app-rg", "web-0", { availabilitySetId: set.id }));
  await dr.virtualMachines.deallocate("app-rg", "web-0");
  t.is((await dr.virtualMachines.getStatus("app-rg", "web-0")).powerState, "deallocated");
  t.true(dr.clock.now().getTime() - start >= 150_000, "the LRO polls advanced the server's virtual clock");
  await dr.clock.sleep(3_600_000);
  t.is(served.emulator.clock.now(), dr.clock.now().getTime(), "the SDK's waits advance the server's clock");
});

test("on the emulator backend, concurrent waits and chained operations overlap on the server's virtual clock instead of adding up", async (t) => {
  const served = await serveEmulator({ port: 0 });
  t.teardown(() => served.close());
  const dr = new DrClient(await createEmulatorBackend({ url: served.url }));
  const before = dr.clock.now().getTime();
  await Promise.all(Array.from({ length: 10 }, () => dr.clock.sleep(300_000)));
  t.is(served.emulator.clock.now() - before, 300_000, "ten five-minute waits side by side take five minutes");

  const chain = async (name: string): Promise<void> => {
    await dr.virtualMachines.create("app-rg", name, vmInput("app-rg", name));
    await dr.virtualMachines.deallocate("app-rg", name);
  };
  const oneStart = dr.clock.now().getTime();
  await chain("solo-0");
  const one = dr.clock.now().getTime() - oneStart;
  const manyStart = dr.clock.now().getTime();
  await Promise.all(Array.from({ length: 8 }, (_, i) => chain(`vm-${i}`)));
  const many = dr.clock.now().getTime() - manyStart;
  t.true(many <= one + 60_000, `eight create-then-deallocate chains took ${many / 1000} s of virtual time; one took ${one / 1000} s`);
  t.is(served.emulator.clock.now(), dr.clock.now().getTime());
});

test("on the emulator backend, fractional waits (as a progress estimate computes them) end, each once, on the server's clock", async (t) => {
  const served = await serveEmulator({ port: 0 });
  t.teardown(() => served.close());
  const dr = new DrClient(await createEmulatorBackend({ url: served.url }));
  const before = served.emulator.clock.now();
  const requestsBefore = served.emulator.requestCount;
  await Promise.all([dr.clock.sleep(2_487_272.7), dr.clock.sleep(0.4), dr.clock.sleep(1_000.5), dr.clock.sleep(1_000.2)]);
  t.is(served.emulator.clock.now() - before, 2_487_273, "the clock stops at the whole millisecond after the longest wait");
  t.is(dr.clock.now().getTime(), served.emulator.clock.now());
  t.true(
    served.emulator.requestCount - requestsBefore <= 4,
    `the waits took ${served.emulator.requestCount - requestsBefore} clock requests (one per distinct wake-up)`,
  );
});

test("the emulator backend refuses plain http to anything but loopback", async (t) => {
  const error = await t.throwsAsync(createEmulatorBackend({ url: "http://10.0.0.5:8080" }), { instanceOf: ValidationError });
  t.is(error.field, "url");
  await t.throwsAsync(createEmulatorBackend({ url: "not a url" }), { instanceOf: ValidationError });
});

test("the emulator backend says when nothing answers", async (t) => {
  const served = await serveEmulator({ port: 0 });
  const url = served.url;
  await served.close();
  const error = await t.throwsAsync(createEmulatorBackend({ url }));
  t.is((error as { code?: string }).code, "ServiceUnavailable");
});

test("the Azure backend asks the credential for the ARM scope of its cloud", async (t) => {
  const scopes: string[][] = [];
  const credential: TokenCredential = {
    async getToken(requested: string | string[], _options?: GetTokenOptions): Promise<AccessToken | null> {
      scopes.push(Array.isArray(requested) ? requested : [requested]);
      throw Object.assign(new Error("no login in this test"), { name: "CredentialUnavailableError" });
    },
  };
  const dr = new DrClient(
    createAzureBackend({ subscriptionId: "11111111-1111-1111-1111-111111111111", credential, cloud: "AzureUSGovernment", retryOptions: { maxRetries: 0 } }),
  );
  const error = await t.throwsAsync(dr.availabilitySets.get("rg", "as1"));
  t.is((error as { code?: string }).code, "AuthenticationFailed");
  t.deepEqual(scopes[0], ["https://management.usgovcloudapi.net/.default"]);
});

test("the Azure backend validates its subscription id", (t) => {
  const error = t.throws(() => createAzureBackend({ subscriptionId: "my-subscription" }), { instanceOf: ValidationError });
  t.is(error.field, "subscriptionId");
});

test("two fake backends can share one emulator", async (t) => {
  const first = await createFakeBackend();
  const second = await createFakeBackend({ emulator: first.emulator });
  await new DrClient(first).availabilitySets.createOrUpdate("rg", "shared", { location: "westeurope" });
  t.is((await new DrClient(second).availabilitySets.get("rg", "shared")).name, "shared");
});

test("a fake backend in real time sleeps on the wall clock, scaled", async (t) => {
  const backend = await createFakeBackend({ time: "real", timeScale: 1000 });
  const before = backend.clock.now().getTime();
  await backend.clock.sleep(20_000);
  t.true(backend.clock.now().getTime() - before >= 20_000);
});
