import test from "ava";
import {
  AZURE_REGIONS,
  ValidationError,
  availabilitySetInputSchema,
  findRegion,
  formatResourceId,
  normalizeRegion,
  pairedRegionOf,
  parseResourceId,
  suggestRecoveryRegion,
} from "../../../sdk/index.js";
import { computeId } from "../../helpers/fixtures.js";

test("region lookups accept programmatic and display names", (t) => {
  t.is(findRegion("West Europe")?.name, "westeurope");
  t.is(normalizeRegion("East US 2"), "eastus2");
  t.is(findRegion("atlantis"), undefined);
});

test("region pairs follow Microsoft's table, including one-way pairs", (t) => {
  t.is(pairedRegionOf("westeurope"), "northeurope");
  t.is(pairedRegionOf("northeurope"), "westeurope");
  t.is(pairedRegionOf("brazilsouth"), "southcentralus");
  t.is(pairedRegionOf("southcentralus"), "northcentralus");
  t.is(pairedRegionOf("italynorth"), undefined);
});

test("a recovery region is the pair, else a region of the same geography", (t) => {
  t.is(suggestRecoveryRegion("uksouth"), "ukwest");
  t.is(suggestRecoveryRegion("polandcentral"), undefined, "a region alone in its geography has no suggestion");
  t.is(suggestRecoveryRegion("nowhere"), undefined);
});

test("every pair named in the table is itself a known region", (t) => {
  const names = new Set(AZURE_REGIONS.map((r) => r.name));
  for (const region of AZURE_REGIONS) if (region.pairedRegion !== undefined) t.true(names.has(region.pairedRegion), `${region.name} -> ${region.pairedRegion}`);
});

test("parseResourceId splits an id and checks its type and parts", (t) => {
  const id = computeId("app-rg", "virtualMachines", "web-0");
  const parsed = parseResourceId(id, { expectedType: "microsoft.compute/VIRTUALMACHINES" });
  t.deepEqual(parsed, {
    subscriptionId: "00000000-0000-0000-0000-000000000000",
    resourceGroup: "app-rg",
    provider: "Microsoft.Compute",
    type: "virtualMachines",
    name: "web-0",
  });
  t.is(formatResourceId(parsed), id);
  const wrongType = t.throws(() => parseResourceId(id, { field: "setId", expectedType: "Microsoft.Compute/availabilitySets" }), {
    instanceOf: ValidationError,
  });
  t.is(wrongType.field, "setId");
  t.throws(() => parseResourceId("/subscriptions/not-a-guid/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/x"), {
    instanceOf: ValidationError,
    message: /GUID/,
  });
  t.throws(() => parseResourceId("web-0"), { instanceOf: ValidationError });
});

test("the availability set schema applies defaults and the region's fault-domain maximum", (t) => {
  t.deepEqual(availabilitySetInputSchema.parse({ location: "West Europe" }), {
    location: "westeurope",
    faultDomainCount: 2,
    updateDomainCount: 5,
    sku: "Aligned",
  });
  t.true(availabilitySetInputSchema.safeParse({ location: "westeurope", faultDomainCount: 3 }).success);
  t.false(availabilitySetInputSchema.safeParse({ location: "ukwest", faultDomainCount: 3 }).success);
});
