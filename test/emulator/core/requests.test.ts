import test from "ava";
import { createEmulator } from "../../../emulator/index.js";
import { errorCode, rgUrl, send } from "../../helpers/emulatorRequests.js";
import { rawVmBody } from "../../helpers/fixtures.js";

const setBody = (fd = 2, ud = 5): Record<string, unknown> => ({
  location: "westeurope",
  sku: { name: "Aligned" },
  properties: { platformFaultDomainCount: fd, platformUpdateDomainCount: ud },
});

test("api-version is required, well formed and served", async (t) => {
  const emulator = createEmulator();
  const url = `${rgUrl("rg")}/availabilitySets/as1`;
  const missing = await emulator.handle({ method: "GET", url, headers: {} });
  t.is(missing.status, 400);
  t.is(JSON.parse(missing.body ?? "").error.code, "MissingApiVersionParameter");
  t.is(errorCode(await send(emulator, "GET", `${url}?api-version=latest`)), "InvalidApiVersionParameter");
  const unsupported = await send(emulator, "GET", `${url}?api-version=2019-07-02`);
  t.is(unsupported.status, 400);
  t.is(errorCode(unsupported), "NoRegisteredProviderFound");
  t.regex(String((unsupported.json.error as { message: string }).message), /'2015-06-15, 2016-03-30, 2016-04-30-preview, .*, 2025-11-01, 2026-03-01'/);
  for (const published of ["2025-11-01", "2019-07-01", "2016-04-30-preview", "2015-06-15"]) {
    t.is((await send(emulator, "GET", `${url}?api-version=${published}`)).status, 404, `published ${published} is served`);
  }
});

test("every response carries ARM's request and correlation headers", async (t) => {
  const emulator = createEmulator();
  const response = await send(emulator, "GET", `${rgUrl("rg")}/availabilitySets/none`, undefined, {
    "x-ms-correlation-request-id": "corr-1",
    "x-ms-client-request-id": "client-1",
  });
  t.regex(response.headers["x-ms-request-id"] ?? "", /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  t.is(response.headers["x-ms-correlation-request-id"], "corr-1");
  t.is(response.headers["x-ms-client-request-id"], "client-1");
  t.truthy(Date.parse(response.headers.date ?? ""));
  t.deepEqual(Object.keys(response.json.error as object).sort(), ["code", "message"]);
});

test("names and paths compare case-insensitively and keep the creator's casing", async (t) => {
  const emulator = createEmulator();
  t.is((await send(emulator, "PUT", `${rgUrl("My-RG")}/availabilitySets/Web-AS`, setBody())).status, 200);
  const read = await send(emulator, "GET", `${rgUrl("my-rg").replace("Microsoft.Compute", "microsoft.compute")}/AVAILABILITYSETS/web-as`);
  t.is(read.status, 200);
  t.is(read.json.name, "Web-AS");
});

test("malformed JSON, unknown paths, wrong methods and bad subscriptions get ARM errors", async (t) => {
  const emulator = createEmulator();
  const bad = await send(emulator, "PUT", `${rgUrl("rg")}/availabilitySets/as1`, "{ not json");
  t.is(bad.status, 400);
  t.is(errorCode(bad), "InvalidRequestContent");
  const unknown = await send(emulator, "GET", `${rgUrl("rg")}/dedicatedHosts/h1`);
  t.is(unknown.status, 404);
  t.is(errorCode(unknown), "InvalidResourceType");
  const method = await send(emulator, "POST", `${rgUrl("rg")}/availabilitySets/as1`);
  t.is(method.status, 405);
  const subscription = await send(emulator, "GET", rgUrl("rg", "not-a-guid") + "/availabilitySets/as1");
  t.is(errorCode(subscription), "InvalidSubscriptionId");
});

test("rejected requests change nothing", async (t) => {
  const emulator = createEmulator();
  await send(emulator, "PUT", `${rgUrl("rg")}/availabilitySets/as1`, setBody());
  await send(emulator, "PUT", `${rgUrl("other")}/availabilitySets/as2`, setBody());
  await send(emulator, "PUT", `${rgUrl("rg")}/virtualMachines/vm1`, rawVmBody("rg", "vm1"));
  emulator.control.advanceClock(10 * 60_000);
  const before = emulator.control.snapshot();
  const rejected: [string, string, unknown, string][] = [
    ["PUT", `${rgUrl("rg")}/availabilitySets/as3`, { ...setBody(3, 5), location: "uksouth" }, "InvalidParameter"],
    ["PUT", `${rgUrl("rg")}/availabilitySets/as3`, { ...setBody(2, 21), location: "uksouth" }, "InvalidParameter"],
    ["PUT", `${rgUrl("rg")}/availabilitySets/as1`, setBody(2, 6), "PropertyChangeNotAllowed"],
    ["PUT", `${rgUrl("rg")}/availabilitySets/as1`, { ...setBody(), location: "eastus" }, "InvalidResourceLocation"],
    ["PUT", `${rgUrl("rg")}/availabilitySets/bad..name.`, setBody(), "InvalidResourceName"],
    ["PUT", `${rgUrl("rg")}/availabilitySets/as3`, { ...setBody(), location: "moon" }, "LocationNotAvailableForResourceType"],
    [
      "PUT",
      `${rgUrl("rg")}/virtualMachines/vm2`,
      rawVmBody("rg", "vm2", {
        availabilitySet: { id: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/other/providers/Microsoft.Compute/availabilitySets/as2" },
      }),
      "InvalidParameter",
    ],
    [
      "PUT",
      `${rgUrl("rg")}/virtualMachines/vm1`,
      rawVmBody("rg", "vm1", {
        availabilitySet: { id: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/availabilitySets/as1" },
      }),
      "PropertyChangeNotAllowed",
    ],
    ["PUT", `${rgUrl("rg")}/virtualMachines/vm3`, { location: "westeurope", properties: {} }, "InvalidParameter"],
    ["POST", `${rgUrl("rg")}/virtualMachines/vm1/performMaintenance`, undefined, "OperationNotAllowed"],
    ["DELETE", `${rgUrl("rg")}/availabilitySets/as1`, undefined, "AvailabilitySetInUse"],
  ];
  await send(
    emulator,
    "PUT",
    `${rgUrl("rg")}/virtualMachines/vm4`,
    rawVmBody("rg", "vm4", {
      availabilitySet: { id: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/availabilitySets/as1" },
    }),
  );
  emulator.control.advanceClock(10 * 60_000);
  const baseline = emulator.control.snapshot();
  for (const [method, url, body, code] of rejected) {
    const response = await send(emulator, method, url, body);
    t.is(errorCode(response), code, `${method} ${url}`);
  }
  const after = emulator.control.snapshot();
  t.deepEqual(after.resources, baseline.resources);
  t.deepEqual(after.operations, baseline.operations);
  t.notDeepEqual(before.resources, baseline.resources);
});

test("a VM never stores or serves the admin password", async (t) => {
  const emulator = createEmulator();
  const created = await send(emulator, "PUT", `${rgUrl("rg")}/virtualMachines/vm1`, rawVmBody("rg", "vm1"));
  t.is(created.status, 201);
  t.false(JSON.stringify(created.json).includes("Correct-Horse-42!"));
  t.false(JSON.stringify(emulator.control.snapshot()).includes("Correct-Horse-42!"));
});

test("lists page with absolute nextLinks that keep the query", async (t) => {
  const emulator = createEmulator({ pageSize: 2 });
  for (let i = 0; i < 5; i++) await send(emulator, "PUT", `${rgUrl("rg")}/availabilitySets/as${i}`, setBody());
  const names: string[] = [];
  let url: string | undefined = `${rgUrl("rg")}/availabilitySets?api-version=2025-11-01`;
  let pages = 0;
  while (url !== undefined) {
    const page = await send(emulator, "GET", url);
    pages++;
    names.push(...(page.json.value as { name: string }[]).map((s) => s.name));
    url = page.json.nextLink as string | undefined;
    if (url !== undefined) {
      t.true(url.startsWith("https://management.azure.com/"));
      t.regex(url, /api-version=2025-11-01/);
    }
  }
  t.is(pages, 3);
  t.deepEqual(names.sort(), ["as0", "as1", "as2", "as3", "as4"]);
});

test("links follow the forwarded host the client called", async (t) => {
  const emulator = createEmulator();
  const created = await send(
    emulator,
    "PUT",
    `http://127.0.0.1:9/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1`,
    rawVmBody("rg", "vm1"),
    {
      "x-forwarded-host": "management.azure.com",
      "x-forwarded-proto": "https",
    },
  );
  t.regex(
    created.headers["azure-asyncoperation"] ?? "",
    /^https:\/\/management\.azure\.com\/subscriptions\/.*\/providers\/Microsoft\.Compute\/locations\/westeurope\/operations\//,
  );
  const direct = await send(
    emulator,
    "DELETE",
    `http://127.0.0.1:9/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/availabilitySets/none`,
  );
  t.is(direct.status, 204);
});

test("a region outage makes its VMs unreachable for actions and unknown in power", async (t) => {
  const emulator = createEmulator();
  await send(emulator, "PUT", `${rgUrl("rg")}/virtualMachines/vm1`, rawVmBody("rg", "vm1"));
  emulator.control.advanceClock(10 * 60_000);
  emulator.control.setRegionDown("West Europe", true);
  const start = await send(emulator, "POST", `${rgUrl("rg")}/virtualMachines/vm1/restart`);
  t.is(start.status, 503);
  const view = await send(emulator, "GET", `${rgUrl("rg")}/virtualMachines/vm1/instanceView`);
  t.true((view.json.statuses as { code: string }[]).some((s) => s.code === "PowerState/unknown"));
  emulator.control.setRegionDown("westeurope", false);
  t.is((await send(emulator, "POST", `${rgUrl("rg")}/virtualMachines/vm1/restart`)).status, 202);
});
