/**
 * The same availability-set scenario against real Azure. Opt-in: AZURE_DR_LIVE=1 with
 * AZURE_SUBSCRIPTION_ID and AZURE_DR_LIVE_RESOURCE_GROUP (an existing resource group), signed in
 * for DefaultAzureCredential (az login, environment variables or a managed identity).
 */
import test from "ava";
import { DrClient, ResourceNotFoundError, createAzureBackend } from "../../sdk/index.js";

const live = process.env.AZURE_DR_LIVE === "1";
const subscriptionId = process.env.AZURE_SUBSCRIPTION_ID ?? "";
const resourceGroup = process.env.AZURE_DR_LIVE_RESOURCE_GROUP ?? "";
const liveTest = live ? test : test.skip;
const skipNote = live ? "" : " (skipped: set AZURE_DR_LIVE=1, AZURE_SUBSCRIPTION_ID and AZURE_DR_LIVE_RESOURCE_GROUP to run against Azure)";

liveTest(`live: an availability set is created, tagged, read and deleted${skipNote}`, async (t) => {
  const dr = new DrClient(createAzureBackend({ subscriptionId }));
  const name = `azure-dr-live-${Date.now()}`;
  const set = await dr.availabilitySets.createOrUpdate(resourceGroup, name, {
    location: process.env.AZURE_DR_LIVE_LOCATION ?? "westeurope",
    faultDomainCount: 2,
  });
  t.teardown(() => dr.availabilitySets.delete(resourceGroup, name));
  t.is(set.faultDomainCount, 2);
  t.deepEqual((await dr.availabilitySets.updateTags(resourceGroup, name, { purpose: "azure-dr-live" })).tags, { purpose: "azure-dr-live" });
  await dr.availabilitySets.delete(resourceGroup, name);
  await t.throwsAsync(dr.availabilitySets.get(resourceGroup, name), { instanceOf: ResourceNotFoundError });
});
