import test from "ava";
import { InvalidStateError, ResourceNotFoundError, ValidationError, type AvailabilitySet } from "../../sdk/index.js";
import { fakeClient } from "../helpers/fakeClient.js";
import { computeId } from "../helpers/fixtures.js";

test("createOrUpdate creates a set with the given domains and defaults to the Aligned sku", async (t) => {
  const { dr } = await fakeClient(t);
  const set = await dr.availabilitySets.createOrUpdate("app-rg", "web-as", {
    location: "West Europe",
    faultDomainCount: 3,
    updateDomainCount: 10,
    tags: { tier: "web" },
  });
  t.like(set, { id: computeId("app-rg", "availabilitySets", "web-as"), name: "web-as", resourceGroup: "app-rg", location: "westeurope", sku: "Aligned" });
  t.is(set.faultDomainCount, 3);
  t.is(set.updateDomainCount, 10);
  t.deepEqual(set.tags, { tier: "web" });
  t.deepEqual(await dr.availabilitySets.get("app-rg", "web-as"), set);
});

test("defaults are 2 fault domains and 5 update domains", async (t) => {
  const { dr } = await fakeClient(t);
  const set = await dr.availabilitySets.createOrUpdate("app-rg", "db-as", { location: "northeurope" });
  t.is(set.faultDomainCount, 2);
  t.is(set.updateDomainCount, 5);
});

test("names are looked up case-insensitively, as ARM does", async (t) => {
  const { dr } = await fakeClient(t);
  await dr.availabilitySets.createOrUpdate("App-RG", "Web-AS", { location: "westeurope" });
  const set = await dr.availabilitySets.get("app-rg", "web-as");
  t.is(set.name, "Web-AS");
});

test("list returns the sets of a resource group or of the subscription", async (t) => {
  const { dr } = await fakeClient(t);
  await dr.availabilitySets.createOrUpdate("rg-a", "one", { location: "westeurope" });
  await dr.availabilitySets.createOrUpdate("rg-a", "two", { location: "westeurope" });
  await dr.availabilitySets.createOrUpdate("rg-b", "three", { location: "eastus" });
  const names = async (iterable: AsyncIterable<AvailabilitySet>): Promise<string[]> => {
    const out: string[] = [];
    for await (const s of iterable) out.push(s.name);
    return out.sort();
  };
  t.deepEqual(await names(dr.availabilitySets.list("rg-a")), ["one", "two"]);
  t.deepEqual(await names(dr.availabilitySets.list()), ["one", "three", "two"]);
});

test("updateTags replaces the tags and nothing else", async (t) => {
  const { dr } = await fakeClient(t);
  await dr.availabilitySets.createOrUpdate("app-rg", "web-as", { location: "westeurope", faultDomainCount: 2, tags: { a: "1" } });
  const updated = await dr.availabilitySets.updateTags("app-rg", "web-as", { b: "2" });
  t.deepEqual(updated.tags, { b: "2" });
  t.is(updated.faultDomainCount, 2);
});

const invalidInputs: { title: string; resourceGroup: string; name: string; input: Record<string, unknown>; field: string }[] = [
  { title: "a name with a bad character", resourceGroup: "app-rg", name: "web/as", input: { location: "westeurope" }, field: "name" },
  { title: "a name ending with a dot", resourceGroup: "app-rg", name: "web.", input: { location: "westeurope" }, field: "name" },
  { title: "a resource group ending with a dot", resourceGroup: "rg.", name: "web", input: { location: "westeurope" }, field: "resourceGroup" },
  { title: "an unknown region", resourceGroup: "app-rg", name: "web", input: { location: "atlantis" }, field: "location" },
  {
    title: "fault domains above the region's maximum",
    resourceGroup: "app-rg",
    name: "web",
    input: { location: "uksouth", faultDomainCount: 3 },
    field: "faultDomainCount",
  },
  { title: "zero update domains", resourceGroup: "app-rg", name: "web", input: { location: "westeurope", updateDomainCount: 0 }, field: "updateDomainCount" },
  { title: "21 update domains", resourceGroup: "app-rg", name: "web", input: { location: "westeurope", updateDomainCount: 21 }, field: "updateDomainCount" },
  {
    title: "a fractional fault domain count",
    resourceGroup: "app-rg",
    name: "web",
    input: { location: "westeurope", faultDomainCount: 1.5 },
    field: "faultDomainCount",
  },
  { title: "an unknown field", resourceGroup: "app-rg", name: "web", input: { location: "westeurope", zones: ["1"] }, field: "" },
];

for (const { title, resourceGroup, name, input, field } of invalidInputs) {
  test(`createOrUpdate refuses ${title} before sending anything`, async (t) => {
    const { dr, backend } = await fakeClient(t);
    const before = backend.emulator.requestCount;
    const error = await t.throwsAsync(dr.availabilitySets.createOrUpdate(resourceGroup, name, input as never), { instanceOf: ValidationError });
    t.is(error.code, "ValidationFailed");
    t.is(error.field, field);
    t.truthy(error.rule);
    t.is(backend.emulator.requestCount, before, "no request was sent");
  });
}

test("changing the domain counts of an existing set is refused by Azure and changes nothing", async (t) => {
  const { dr } = await fakeClient(t);
  await dr.availabilitySets.createOrUpdate("app-rg", "web-as", { location: "westeurope", faultDomainCount: 2, updateDomainCount: 5 });
  const error = await t.throwsAsync(
    dr.availabilitySets.createOrUpdate("app-rg", "web-as", { location: "westeurope", faultDomainCount: 3, updateDomainCount: 5 }),
    {
      instanceOf: InvalidStateError,
    },
  );
  t.is(error.azureCode, "PropertyChangeNotAllowed");
  t.is(error.statusCode, 409);
  t.is((await dr.availabilitySets.get("app-rg", "web-as")).faultDomainCount, 2);
});

test("get of a missing set throws ResourceNotFoundError with Azure's code", async (t) => {
  const { dr } = await fakeClient(t);
  const error = await t.throwsAsync(dr.availabilitySets.get("app-rg", "missing"), { instanceOf: ResourceNotFoundError });
  t.is(error.code, "ResourceNotFound");
  t.is(error.azureCode, "ResourceNotFound");
  t.regex(error.requestId ?? "", /^[0-9a-f-]{36}$/);
});

test("delete removes a set, and deleting a missing one succeeds", async (t) => {
  const { dr } = await fakeClient(t);
  await dr.availabilitySets.createOrUpdate("app-rg", "web-as", { location: "westeurope" });
  await dr.availabilitySets.delete("app-rg", "web-as");
  await t.throwsAsync(dr.availabilitySets.get("app-rg", "web-as"), { instanceOf: ResourceNotFoundError });
  await t.notThrowsAsync(dr.availabilitySets.delete("app-rg", "web-as"));
});
