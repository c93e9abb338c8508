import { jsonBody, optionalJsonBody, param, type RequestContext } from "../arm/requestContext.js";
import { emptyResponse, jsonResponse } from "../arm/responses.js";
import type { Router } from "../arm/router.js";
import type { JsonValue } from "../arm/types.js";
import { ArmError } from "../arm/armError.js";
import { MAX_JSON_DEPTH } from "../arm/unsafeInput.js";
import type { ControlApi } from "./controlApi.js";

/** The reserved path prefix of the control surface (never an ARM path). */
export const CONTROL_PREFIX = "/_emulator";

/** A snapshot nests stored request bodies (at most {@link MAX_JSON_DEPTH} deep) inside the state document. */
const SNAPSHOT_MAX_DEPTH = 2 * MAX_JSON_DEPTH;

function toJson(value: unknown): JsonValue {
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}

function numberField(ctx: RequestContext, field: string): number {
  const value = jsonBody(ctx)[field];
  if (typeof value !== "number") throw new ArmError(400, "InvalidRequestContent", `Field '${field}' must be a number.`, field);
  return value;
}

/** Serves {@link ControlApi} over HTTP under {@link CONTROL_PREFIX}. */
export function registerControlRoutes(router: Router, control: ControlApi): void {
  const add = (method: string, path: string, operationId: string, handler: (ctx: RequestContext) => ReturnType<typeof jsonResponse>): void =>
    router.add({ method, template: CONTROL_PREFIX + path, operationId, apiVersions: [], resourceType: "control", handler });

  add("POST", "/reset", "Control_Reset", () => {
    control.reset();
    return emptyResponse(204);
  });
  add("GET", "/snapshot", "Control_Snapshot", () => jsonResponse(200, toJson(control.snapshot())));
  add("PUT", "/snapshot", "Control_Restore", (ctx) => {
    control.restore(jsonBody(ctx, SNAPSHOT_MAX_DEPTH));
    return emptyResponse(204);
  });
  add("GET", "/clock", "Control_Clock", () => jsonResponse(200, { now: control.now().toISOString(), ...control.timeMode() }));
  add("POST", "/clock/advance", "Control_AdvanceClock", (ctx) => jsonResponse(200, { now: control.advanceClock(numberField(ctx, "ms")).toISOString() }));
  add("POST", "/clock/advanceTo", "Control_AdvanceClockTo", (ctx) =>
    jsonResponse(200, { now: control.advanceClockTo(String((jsonBody(ctx) as { at?: unknown }).at ?? "")).toISOString() }),
  );
  add("GET", "/faults", "Control_ListFaults", () => jsonResponse(200, { value: toJson(control.listFaults()) }));
  add("POST", "/faults", "Control_AddFault", (ctx) => jsonResponse(201, toJson(control.addFault(jsonBody(ctx)))));
  add("DELETE", "/faults", "Control_ClearFaults", () => jsonResponse(200, { removed: control.removeFaults() }));
  add("DELETE", "/faults/{id}", "Control_RemoveFault", (ctx) => {
    const id = param(ctx, "id");
    if (control.removeFaults(id) === 0) throw new ArmError(404, "FaultRuleNotFound", `No fault rule has id '${id}'.`);
    return emptyResponse(204);
  });
  add("PUT", "/regions/{region}/outage", "Control_RegionDown", (ctx) => jsonResponse(200, { regionsDown: control.setRegionDown(param(ctx, "region"), true) }));
  add("DELETE", "/regions/{region}/outage", "Control_RegionUp", (ctx) =>
    jsonResponse(200, { regionsDown: control.setRegionDown(param(ctx, "region"), false) }),
  );
  add("POST", "/replicationFaults", "Control_FailReplication", (ctx) => jsonResponse(201, toJson(control.failReplication(jsonBody(ctx)))));
  add("POST", "/failoverFaults", "Control_FailFailover", (ctx) => jsonResponse(201, control.failFailover(jsonBody(ctx))));
  add("POST", "/replicationFaults/clear", "Control_ClearReplicationFailure", (ctx) => {
    const target = jsonBody(ctx).target;
    if (typeof target !== "string") throw new ArmError(400, "InvalidRequestContent", "Field 'target' must be a string.", "target");
    control.clearReplicationFailure(target);
    return emptyResponse(204);
  });
  add("POST", "/hyperV/hosts", "Control_RegisterHyperVHosts", (ctx) => jsonResponse(201, toJson(control.registerHyperVHosts(jsonBody(ctx)))));
  const siteOutage = (ctx: RequestContext, down: boolean): ReturnType<typeof jsonResponse> => {
    const fabricId = jsonBody(ctx).fabricId;
    if (typeof fabricId !== "string") throw new ArmError(400, "InvalidRequestContent", "Field 'fabricId' must be a string.", "fabricId");
    return jsonResponse(200, { hyperVSitesDown: control.setHyperVSiteDown(fabricId, down) });
  };
  add("PUT", "/hyperV/sites/outage", "Control_HyperVSiteDown", (ctx) => siteOutage(ctx, true));
  add("DELETE", "/hyperV/sites/outage", "Control_HyperVSiteUp", (ctx) => siteOutage(ctx, false));
  add("GET", "/hyperV/vms", "Control_HyperVVms", (ctx) =>
    jsonResponse(200, { value: toJson(control.hyperVVms(ctx.url.searchParams.get("fabricId") ?? undefined)) }),
  );
  add("POST", "/hyperV/changeRates", "Control_SetHyperVChangeRate", (ctx) => jsonResponse(200, toJson(control.setHyperVChangeRate(jsonBody(ctx)))));
  add("POST", "/hyperV/vms/remove", "Control_RemoveHyperVVm", (ctx) => {
    const target = jsonBody(ctx).target;
    if (typeof target !== "string") throw new ArmError(400, "InvalidRequestContent", "Field 'target' must be a string.", "target");
    control.removeHyperVVm(target);
    return emptyResponse(204);
  });
  add("POST", "/maintenance/waves", "Control_ScheduleMaintenanceWave", (ctx) =>
    jsonResponse(201, toJson(control.scheduleMaintenanceWave(optionalJsonBody(ctx)))),
  );
  add("POST", "/maintenance/inPlaceWaves", "Control_ScheduleInPlaceMaintenance", (ctx) =>
    jsonResponse(201, toJson(control.scheduleInPlaceMaintenance(optionalJsonBody(ctx)))),
  );
  add("POST", "/maintenanceFaults", "Control_FailMaintenance", (ctx) => jsonResponse(201, toJson(control.failMaintenance(jsonBody(ctx)))));
  add("GET", "/maintenance/events", "Control_MaintenanceEvents", (ctx) =>
    jsonResponse(200, { value: toJson(control.maintenanceEvents(ctx.url.searchParams.get("virtualMachineId") ?? undefined)) }),
  );
}
