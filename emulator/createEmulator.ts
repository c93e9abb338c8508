import { ArmError } from "./arm/armError.js";
import { checkApiVersion } from "./arm/apiVersion.js";
import { OperationEngine } from "./arm/operationEngine.js";
import { publicBaseUrl, requestUrl, type RequestContext } from "./arm/requestContext.js";
import { errorResponse, withStandardHeaders } from "./arm/responses.js";
import { invalidatingView, ReadCache, type ReadCacheMode } from "./arm/readCache.js";
import { Router, type Route } from "./arm/router.js";
import { SubscriptionThrottle } from "./arm/throttling.js";
import type { EmulatorRequest, EmulatorResponse } from "./arm/types.js";
import { EmulatorClock, type TimeMode } from "./clock.js";
import { registerCompute } from "./compute/registerCompute.js";
import { registerSiteRecovery } from "./siteRecovery/registerSiteRecovery.js";
import { StorageAccounts } from "./storage/storageAccounts.js";
import { ControlApi } from "./control/controlApi.js";
import { registerControlRoutes, CONTROL_PREFIX } from "./control/controlRoutes.js";
import { FaultEngine } from "./faults/faultEngine.js";
import type { FaultEffect } from "./faults/faultRule.js";
import { Scheduler } from "./scheduler.js";
import type { EmulatorServices, EmulatorSettings } from "./services.js";
import { ResourceStore } from "./store/resourceStore.js";
import { emptyState, type EmulatorState } from "./store/state.js";
import type { StatePersistence } from "./store/statePersistence.js";
import { ChangeTracker } from "./store/changeTracker.js";
import { SaveCoordinator } from "./store/saveCoordinator.js";

/** A request routed and checked: what its handler needs besides the request itself. */
interface ResolvedRequest {
  url: URL;
  isControl: boolean;
  route: Route;
  params: Record<string, string>;
  apiVersion: string;
  baseUrl: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** How to build an emulator. */
export interface EmulatorOptions {
  /** `virtual` (default): time moves only when advanced; `real`: it follows the wall clock. */
  time?: TimeMode;
  /** In real time, emulated ms per real ms. @default 1 */
  timeScale?: number;
  /** Emulated start time. @default the wall clock, rounded down to the second */
  startTime?: Date;
  /** Seed of the fault rules' random source. @default 1 */
  seed?: number;
  /** Items per page in lists. @default 50 */
  pageSize?: number;
  /** Largest request body accepted. @default 4 MiB */
  maxBodyBytes?: number;
  /** Site Recovery's copy speed per VM in MB/s (initial replication and resync time). @default 50 */
  replicationBandwidthMBps?: number;
  /** Enforce ARM's subscription token buckets (429 when empty). They always count for the headers. @default false */
  throttling?: boolean;
  /**
   * Where state is kept between runs; its saved state, if any, is loaded at start. A request is
   * answered once what it changed (or saw) is saved; when saving fails it gets 500
   * `StatePersistenceFailed` and the emulator goes back to the saved state.
   */
  persistence?: StatePersistence;
  /**
   * Answer a GET repeated while nothing changed (same URL, same emulated millisecond, no change of
   * state in between) with the answer computed the first time (`on`). `off` computes every GET
   * afresh; `verify` computes every GET and answers 500 when a kept answer differs from it or a GET
   * changed the state (for testing the emulator). @default "on"
   */
  readCache?: ReadCacheMode;
}

/** An ARM emulator for Microsoft.Compute and Microsoft.RecoveryServices (vaults and Site Recovery). */
export interface Emulator {
  /** Answers one request. Never rejects: every failure becomes an ARM error response. */
  handle(request: EmulatorRequest): Promise<EmulatorResponse>;
  /** Control surface: reset, snapshot, restore, time, faults, region outages, maintenance waves. */
  readonly control: ControlApi;
  readonly clock: EmulatorClock;
  readonly faults: FaultEngine;
  /**
   * The stored resources. Its records are live: change one through a call of the store (`put` it
   * again) for later GETs to see the change, since answers are kept between changes.
   */
  readonly resources: ResourceStore;
  /** How many ARM requests (not control calls) it has answered. */
  readonly requestCount: number;
  /**
   * Saves what changed now, with its persistence (if any): in-process control calls change the
   * state without a request. Rejects with the persistence's error after rolling back to the saved state.
   */
  persist(): Promise<void>;
}

/**
 * Creates an emulator: a pure request handler over one state document, with the Compute and
 * Site Recovery services registered. Adapters (`createInProcessHttpClient`, `startEmulatorServer`) put it on a transport.
 */
export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const clock = new EmulatorClock(options.time ?? "virtual", options.startTime?.getTime() ?? Math.floor(Date.now() / 1000) * 1000, options.timeScale ?? 1);
  const persistence = options.persistence;
  const tracker = new ChangeTracker();
  const startMs = clock.now();
  let state: EmulatorState = persistence?.load() ?? emptyState(startMs, options.seed ?? 1);
  if (persistence !== undefined) tracker.attach(state, false);
  clock.set(state.nowMs);
  let dirty = false;
  let requestCount = 0;
  const reads = new ReadCache<ResolvedRequest>(options.readCache ?? "on");
  /** The state changed, or may have: save it, and forget the answers kept. */
  const changed = (): void => {
    dirty = true;
    reads.invalidate();
  };

  const getState = (): EmulatorState => state;
  const nextSeq = (): number => ++state.sequence;
  const scheduler = new Scheduler(getState, nextSeq);
  const operations = new OperationEngine(getState, scheduler);
  const resources = new ResourceStore(getState);
  const settings: EmulatorSettings = {
    pageSize: options.pageSize ?? 50,
    maxBodyBytes: options.maxBodyBytes ?? 4 * 1024 * 1024,
    replicationBandwidthMBps: options.replicationBandwidthMBps ?? 50,
  };

  const services: EmulatorServices = {
    state: getState,
    resources,
    clock,
    scheduler,
    operations,
    settings,
    now: () => clock.now(),
    advance(ms) {
      clock.advanceBy(ms);
      if (scheduler.runDue(clock.now()) > 0 || ms > 0) changed();
    },
    isRegionDown: (location) => state.regionsDown.includes(location.toLowerCase()),
    regionOutages: (location) => state.regionOutages.filter((o) => o.region === location.toLowerCase()),
    isHyperVSiteDown: (fabricId) => state.hyperVSiteOutages.some((o) => o.fabricId === fabricId.toLowerCase() && o.to === null),
    hyperVSiteOutages: (fabricId) => state.hyperVSiteOutages.filter((o) => o.fabricId === fabricId.toLowerCase()),
    nextId: (prefix) => `${prefix}-${nextSeq()}`,
  };
  const throttle = new SubscriptionThrottle(options.throttling ?? false);
  const faults = new FaultEngine(getState, () => services.nextId("fault"));

  const router = new Router();
  const compute = registerCompute(services, router);
  const storage = new StorageAccounts(services);
  storage.register(router);
  const siteRecovery = registerSiteRecovery(services, router, compute, storage);
  const control = new ControlApi(services, faults, compute.maintenance, siteRecovery, {
    replaceState(next) {
      state = persistence === undefined ? next : tracker.attach(next, true);
      clock.set(next.nowMs);
      changed();
    },
    freshState: () => emptyState(clock.now(), options.seed ?? 1),
  });
  const controlRouter = new Router();
  registerControlRoutes(controlRouter, control);

  /** Routes a request and checks what ARM checks before a service sees it; throws {@link ArmError} 4xx for what fails. */
  function resolve(request: EmulatorRequest): ResolvedRequest {
    const url = requestUrl(request.url);
    const isControl = url.pathname.toLowerCase().startsWith(CONTROL_PREFIX);
    if (request.body !== undefined && Buffer.byteLength(request.body) > settings.maxBodyBytes) {
      throw new ArmError(413, "RequestEntityTooLarge", `The request content size exceeds the maximum of ${settings.maxBodyBytes} bytes.`);
    }
    const lookup = (isControl ? controlRouter : router).lookup(request.method, url.pathname);
    if (lookup.kind === "none") {
      throw new ArmError(
        404,
        isControl ? "UnknownControlOperation" : "InvalidResourceType",
        `The resource path '${url.pathname}' is not served by this emulator.`,
      );
    }
    if (lookup.kind === "methodNotAllowed") {
      throw new ArmError(
        405,
        "HttpMethodNotAllowed",
        `The requested resource does not support http method '${request.method}'. Allowed: ${lookup.allowed.join(", ")}.`,
      );
    }
    const { route, params } = lookup.match;
    if (!isControl) requestCount++;
    const apiVersion = route.apiVersions.length === 0 ? "" : checkApiVersion(url, route.apiVersions, route.resourceType, params.location ?? "global");
    const subscriptionId = params.subscriptionId;
    if (subscriptionId !== undefined && !GUID.test(subscriptionId)) {
      throw new ArmError(400, "InvalidSubscriptionId", `The provided subscription identifier '${subscriptionId}' is malformed or invalid.`);
    }
    return { url, isControl, route, params, apiVersion, baseUrl: publicBaseUrl(url, request.headers) };
  }

  function answer(request: EmulatorRequest): EmulatorResponse {
    if (scheduler.runDue(clock.now()) > 0) changed();
    const readKey = reads.keyOf(request);
    const kept = readKey === undefined ? undefined : reads.get(readKey, clock.now());
    if (kept !== undefined) requestCount++;
    const resolved = kept?.target ?? resolve(request);
    const { url, isControl, route } = resolved;
    const subscriptionId = resolved.params.subscriptionId;
    const rateLimit = subscriptionId === undefined ? {} : throttle.take(subscriptionId, request.method, clock.now());
    const effects = isControl ? [] : faults.effectsFor({ method: request.method, path: url.pathname, operationId: route.operationId });
    const immediate = effects.find((e): e is Extract<FaultEffect, { type: "error" | "drop" }> => e.type === "error" || e.type === "drop");
    const delayMs = effects.reduce((sum, e) => sum + (e.type === "latency" ? e.ms : 0), 0);
    if (effects.length > 0) changed();
    if (immediate?.type === "drop") return { status: 0, headers: {}, drop: true };
    if (immediate?.type === "error") {
      throw new ArmError(
        immediate.status,
        immediate.code,
        immediate.message ?? `Injected fault: ${immediate.code}.`,
        undefined,
        undefined,
        immediate.retryAfterSeconds,
      );
    }
    const response = kept === undefined || reads.verifying ? runHandler(request, resolved, readKey, effects) : kept.response;
    if (kept !== undefined && reads.verifying) reads.check(kept, response, request.url);
    const withLimits: EmulatorResponse = Object.assign({}, response, { headers: Object.assign({}, response.headers, rateLimit) });
    if (delayMs > 0) withLimits.delayMs = delayMs;
    return withLimits;
  }

  /** Runs the route's handler; keeps the answer of a GET that changes nothing, forgets the kept ones after anything else. */
  function runHandler(request: EmulatorRequest, resolved: ResolvedRequest, readKey: string | undefined, effects: FaultEffect[]): EmulatorResponse {
    const { route } = resolved;
    const ctx: RequestContext = {
      method: request.method,
      url: resolved.url,
      params: resolved.params,
      apiVersion: resolved.apiVersion,
      baseUrl: resolved.baseUrl,
      headers: request.headers,
      rawBody: request.body,
    };
    const failure = effects.find((e) => e.type === "operationFailure");
    if (failure?.type === "operationFailure") {
      ctx.injectedFailure = { code: failure.code, message: failure.message ?? `Injected failure: ${failure.code}.`, httpStatus: failure.httpStatus ?? 500 };
    }
    const readsOnly = request.method === "GET" && route.changesState !== true && !resolved.isControl;
    if (request.method !== "GET") dirty = true;
    if (!readsOnly) reads.invalidate();
    const stateBefore = readsOnly && reads.verifying ? JSON.stringify(state) : undefined;
    try {
      const response = route.handler(ctx);
      if (stateBefore !== undefined && JSON.stringify(state) !== stateBefore) {
        throw new Error(`GET ${request.url} changed the state: its route must be declared with changesState`);
      }
      if (readsOnly && readKey !== undefined && effects.length === 0) reads.set(readKey, clock.now(), { target: resolved, response });
      return response;
    } finally {
      if (!readsOnly) reads.invalidate();
    }
  }

  const saves =
    persistence === undefined
      ? undefined
      : new SaveCoordinator(persistence, {
          get dirty() {
            return dirty;
          },
          begin() {
            dirty = false;
            state.nowMs = clock.now();
            return { state, changes: tracker.take() };
          },
          rollBack() {
            reads.invalidate();
            state = tracker.attach(persistence.load() ?? emptyState(startMs, options.seed ?? 1), false);
            // Real time goes on; virtual time goes back with the state.
            if (clock.mode === "virtual") clock.set(state.nowMs);
            dirty = false;
          },
        });

  async function handle(request: EmulatorRequest): Promise<EmulatorResponse> {
    try {
      saves?.ready();
    } catch (error) {
      return withStandardHeaders(errorResponse(persistenceFailed(error)), request.headers, clock.now());
    }
    let response: EmulatorResponse;
    try {
      response = answer(request);
    } catch (error) {
      response = errorResponse(error instanceof ArmError ? error : internalError(error));
    }
    if (saves !== undefined) {
      try {
        await saves.settle();
      } catch (error) {
        response = errorResponse(persistenceFailed(error));
      }
    }
    return withStandardHeaders(response, request.headers, clock.now());
  }

  return {
    handle,
    persist: async () => {
      saves?.ready();
      await saves?.save();
    },
    control: invalidatingView(control, reads),
    clock,
    faults,
    resources: invalidatingView(resources, reads),
    get requestCount() {
      return requestCount;
    },
  };
}

function persistenceFailed(error: unknown): ArmError {
  return new ArmError(500, "StatePersistenceFailed", `The emulator could not persist its state: ${error instanceof Error ? error.message : String(error)}`);
}

function internalError(error: unknown): ArmError {
  process.emitWarning(`azure-dr emulator: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return new ArmError(500, "InternalServerError", "The emulator encountered an internal error. Please retry the request.");
}
