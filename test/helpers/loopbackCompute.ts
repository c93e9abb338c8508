import { ComputeManagementClient, type VirtualMachine } from "@azure/arm-compute";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { bearerTokenAuthenticationPolicyName } from "@azure/core-rest-pipeline";
import type { ExecutionContext } from "ava";
import { createEmulator, startEmulatorServer, type Emulator, type EmulatorOptions, type EmulatorRequest, type EmulatorResponse } from "../../emulator/index.js";
import { nicId, SUB } from "./fixtures.js";

/** One request the loopback server handed to the emulator. */
export interface SeenRequest {
  method: string;
  /** The URL path as sent, e.g. `/subscriptions/.../virtualMachines/vm1/start`. */
  path: string;
  /** The query string without `?`. */
  query: string;
}

/** What the loopback server has seen, for asserting on retries and paging. */
export class RequestLog {
  private readonly seen: SeenRequest[] = [];

  record(request: EmulatorRequest): void {
    const url = new URL(request.url);
    this.seen.push({ method: request.method, path: url.pathname, query: url.search.replace(/^\?/, "") });
  }

  /** Every request, in arrival order. */
  get all(): readonly SeenRequest[] {
    return this.seen;
  }

  /** How many requests had this method and this path (ARM compares paths case-insensitively). */
  count(method: string, path: string): number {
    const wanted = path.toLowerCase();
    return this.seen.filter((r) => r.method === method.toUpperCase() && r.path.toLowerCase() === wanted).length;
  }

  /** Forgets what was seen so far. */
  clear(): void {
    this.seen.length = 0;
  }
}

/** An emulator served over loopback HTTP, closed when the test ends. */
export interface LoopbackEmulator {
  emulator: Emulator;
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** Requests that reached the emulator (not those the server refused itself, e.g. 413). */
  requests: RequestLog;
}

/** What {@link loopbackCompute} returns. */
export interface LoopbackCompute extends LoopbackEmulator {
  client: ComputeManagementClient;
  subscriptionId: string;
}

/** A credential that hands out a meaningless token; the bearer policy is removed anyway. */
export const fakeTokenCredential: TokenCredential = {
  async getToken(): Promise<AccessToken> {
    return { token: "loopback-test-token", expiresOnTimestamp: Date.now() + 3_600_000 };
  },
};

/** Starts `createEmulator(options)` behind `startEmulatorServer` on 127.0.0.1 with a request log. */
export async function startLoopbackEmulator(t: ExecutionContext, options: EmulatorOptions = {}): Promise<LoopbackEmulator> {
  const emulator = createEmulator(options);
  const requests = new RequestLog();
  const server = await startEmulatorServer(
    {
      handle(request: EmulatorRequest): Promise<EmulatorResponse> {
        requests.record(request);
        return emulator.handle(request);
      },
    },
    { port: 0 },
  );
  t.teardown(() => server.close());
  return { emulator, url: server.url, requests };
}

/**
 * The official `ComputeManagementClient`, configured the way a user points it at a local emulator:
 * the emulator's `http://127.0.0.1:PORT` as endpoint, `allowInsecureConnection`, a fake credential,
 * no bearer policy (it refuses plain http), and fast retries.
 */
export async function loopbackCompute(t: ExecutionContext, options: EmulatorOptions = {}, subscriptionId: string = SUB): Promise<LoopbackCompute> {
  const loopback = await startLoopbackEmulator(t, options);
  const client = new ComputeManagementClient(fakeTokenCredential, subscriptionId, {
    endpoint: loopback.url,
    allowInsecureConnection: true,
    retryOptions: { maxRetries: 3, retryDelayInMs: 20, maxRetryDelayInMs: 50 },
  });
  client.pipeline.removePolicy({ name: bearerTokenAuthenticationPolicyName });
  return { ...loopback, client, subscriptionId };
}

/** An official-client VM model of a small Ubuntu VM with one NIC, as a user would send it; `extra` overrides top-level fields. */
export function vmModel(resourceGroup: string, name: string, extra: Partial<VirtualMachine> = {}): VirtualMachine {
  return {
    location: "westeurope",
    hardwareProfile: { vmSize: "Standard_D2s_v5" },
    storageProfile: {
      imageReference: { publisher: "Canonical", offer: "0001-com-ubuntu-server-jammy", sku: "22_04-lts-gen2", version: "latest" },
      osDisk: { createOption: "FromImage", name: `${name}-os`, managedDisk: { storageAccountType: "Premium_LRS" } },
    },
    osProfile: { computerName: name, adminUsername: "azureuser", adminPassword: "Correct-Horse-42!" },
    networkProfile: { networkInterfaces: [{ id: nicId(resourceGroup, `${name}-nic`), primary: true }] },
    ...extra,
  };
}
