import { jsonResponse } from "../arm/responses.js";
import type { Router } from "../arm/router.js";
import { COMPUTE_API_VERSIONS, COMPUTE_RG_TEMPLATE } from "./computeApi.js";
import type { VirtualMachines } from "./virtualMachines.js";
import { vmSizeCatalog } from "./vmSizeCatalog.js";

/**
 * Adds `VirtualMachines_ListAvailableSizes`: the sizes a VM can be resized to, `{ value: [...] }`
 * without paging as Compute answers. Every size of the catalogue qualifies (the real list depends
 * on the VM's hardware cluster: inferred). 404 ResourceNotFound for a missing VM.
 */
export function registerVmAvailableSizes(router: Router, virtualMachines: VirtualMachines): void {
  router.add({
    method: "GET",
    template: `${COMPUTE_RG_TEMPLATE}/virtualMachines/{vmName}/vmSizes`,
    operationId: "VirtualMachines_ListAvailableSizes",
    apiVersions: COMPUTE_API_VERSIONS,
    resourceType: "virtualMachines",
    handler: (ctx) => {
      virtualMachines.require(ctx);
      return jsonResponse(200, { value: vmSizeCatalog() });
    },
  });
}
