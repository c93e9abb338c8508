import { createDefaultHttpClient, type HttpClient, type PipelineRequest } from "@azure/core-rest-pipeline";
import { z } from "zod";
import { abortedError, systemClock, throwIfAborted, type Clock } from "../clock.js";
import { POLL_INTERVAL_HEADER } from "../../emulator/arm/pollInterval.js";
import { withVirtualPollWaits } from "./virtualPollWaits.js";
import { VirtualSleepers } from "./virtualSleepers.js";
import { DrError } from "../errors.js";
import { subscriptionIdSchema } from "../model/names.js";
import { validate } from "../model/validate.js";
import { PUBLIC_ARM_ENDPOINT, PUBLIC_ARM_SCOPE, type Backend } from "./backend.js";
import { fakeCredential } from "./fakeCredential.js";
import { FAKE_SUBSCRIPTION_ID } from "./fakeBackend.js";

/** Options of {@link createEmulatorBackend}. */
export interface EmulatorBackendOptions {
  /** The emulator's URL as `azure-dr emulator` prints it, e.g. `http://127.0.0.1:8443`. */
  url: string;
  /** @default "00000000-0000-0000-0000-000000000000" */
  subscriptionId?: string;
  /**
   * The token the emulator was started with (`azure-dr emulator --control-token`), sent as
   * `Authorization: Bearer` on its control routes (the clock).
   * @default the `AZURE_DR_EMULATOR_TOKEN` environment variable, if set
   */
  controlToken?: string;
}

/** The environment variable holding the emulator's control token, for the server and its clients. */
export const EMULATOR_TOKEN_ENV = "AZURE_DR_EMULATOR_TOKEN";

/** A control token: 8 to 512 visible ASCII characters, as `startEmulatorServer` accepts. */
export const controlTokenSchema = z.string().regex(/^[\x21-\x7e]{8,512}$/, "must be 8 to 512 visible ASCII characters (no spaces)");

/**
 * The headers of a request to an emulator server's control surface (`/_emulator/...`): JSON, and
 * the control token as `Authorization: Bearer` when there is one (`token`, by default the
 * `AZURE_DR_EMULATOR_TOKEN` environment variable).
 */
export function emulatorControlHeaders(token: string | undefined = process.env[EMULATOR_TOKEN_ENV]): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token !== undefined && token !== "") headers.authorization = `Bearer ${token}`;
  return headers;
}

/** An emulator server as a backend: beside the ARM transport, its control surface. */
export interface EmulatorServerBackend extends Backend {
  readonly kind: "emulator";
  /** The emulator server's URL, as given. */
  readonly url: string;
  /**
   * Sends one request to the emulator server's control surface (`path` under `/_emulator/`), with
   * the backend's control token; resolves with the JSON answer.
   * @throws DrError `ServiceUnavailable` when nothing answers; DrError `ServiceError` (with the
   *   status: 401 for a missing or wrong control token) when it answers an error.
   */
  control(method: "GET" | "POST" | "DELETE", path: string, body?: unknown): Promise<unknown>;
}

/** Whether `backend` is an emulator server's. */
export function isEmulatorServerBackend(backend: Backend): backend is EmulatorServerBackend {
  return backend.kind === "emulator" && "control" in backend;
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

const optionsSchema = z.object({
  url: z.url("must be an absolute URL").refine((value) => {
    const url = URL.canParse(value) ? new URL(value) : undefined;
    return url !== undefined && (url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname)));
  }, "plain http is allowed only to a loopback emulator (127.0.0.1, localhost, [::1])"),
  subscriptionId: subscriptionIdSchema,
  controlToken: controlTokenSchema.optional(),
});

/**
 * An emulator server at a URL (started with `azure-dr emulator`). The clients keep addressing
 * `https://management.azure.com` (so bearer authentication and every link stay as against Azure);
 * the transport sends each request to the emulator, which builds its links for the forwarded host.
 * The clock is the emulator's: in virtual time the SDK's waits advance it through its control surface.
 * @throws ValidationError (`ValidationFailed`) for a bad URL, subscription id or control token;
 *   DrError `ServiceUnavailable` when no emulator answers at the URL; DrError `ServiceError` (status
 *   401) when the emulator demands a control token and none or another was given.
 */
export async function createEmulatorBackend(options: EmulatorBackendOptions): Promise<EmulatorServerBackend> {
  const envToken = process.env[EMULATOR_TOKEN_ENV];
  const controlToken = options.controlToken ?? (envToken === "" ? undefined : envToken);
  const parsed = validate(
    optionsSchema,
    { url: options.url, subscriptionId: options.subscriptionId ?? FAKE_SUBSCRIPTION_ID, ...(controlToken === undefined ? {} : { controlToken }) },
    "",
  );
  const base = new URL(parsed.url);
  const control = (method: string, path: string, body?: unknown): Promise<unknown> => emulatorControlRequest(base, parsed.controlToken, method, path, body);
  const remote = new RemoteClock(control);
  await remote.sync();
  return {
    kind: "emulator",
    subscriptionId: parsed.subscriptionId,
    credential: fakeCredential,
    endpoint: PUBLIC_ARM_ENDPOINT,
    tokenScope: PUBLIC_ARM_SCOPE,
    httpClient: withVirtualPollWaits(redirectingHttpClient(base, remote), remote.sleepers, POLL_INTERVAL_HEADER),
    clock: remote,
    pollIntervalHeader: POLL_INTERVAL_HEADER,
    retryOptions: { maxRetries: 3, retryDelayInMs: 10, maxRetryDelayInMs: 100 },
    close: async () => undefined,
    url: parsed.url,
    control,
  };
}

/**
 * One request to the control surface of the emulator server at `base`, with `token` (by default the
 * `AZURE_DR_EMULATOR_TOKEN` environment variable); resolves with the JSON answer.
 * @throws DrError `ServiceUnavailable` when nothing answers; DrError `ServiceError` (with the
 *   status) when it answers an error.
 */
export async function emulatorControlRequest(base: URL, token: string | undefined, method: string, path: string, body?: unknown): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(new URL(path, base), {
      method,
      headers: emulatorControlHeaders(token),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new DrError("ServiceUnavailable", `No emulator answers at ${base.origin}: ${(error as Error).message}`, { cause: error });
  }
  if (!response.ok) {
    const hint = response.status === 401 ? ` (its control token: the controlToken option or ${EMULATOR_TOKEN_ENV})` : "";
    throw new DrError("ServiceError", `The emulator at ${base.origin} answered ${response.status} to ${method} ${path}${hint}: ${await response.text()}`, {
      statusCode: response.status,
    });
  }
  return (await response.json()) as unknown;
}

/** What the control surface answers about its clock. */
interface ClockAnswer {
  now?: unknown;
  mode?: unknown;
  scale?: unknown;
}

/** Sends ARM requests to the emulator, telling it which public host the client believes it called. */
function redirectingHttpClient(target: URL, clock: RemoteClock): HttpClient {
  const inner = createDefaultHttpClient();
  const arm = new URL(PUBLIC_ARM_ENDPOINT);
  return {
    async sendRequest(request: PipelineRequest) {
      const url = new URL(request.url);
      if (url.host !== arm.host) return inner.sendRequest(request);
      // Pollers reuse the request's URL for their final GET: send a redirected copy, keep the original intact.
      const original = { url: request.url, allowInsecureConnection: request.allowInsecureConnection };
      url.protocol = target.protocol;
      url.host = target.host;
      request.url = url.toString();
      request.allowInsecureConnection = target.protocol === "http:";
      request.headers.set("x-forwarded-host", arm.host);
      request.headers.set("x-forwarded-proto", "https");
      try {
        const response = await inner.sendRequest(request);
        clock.observe(response.headers.get("date"));
        return response;
      } finally {
        request.url = original.url;
        if (original.allowInsecureConnection === undefined) delete request.allowInsecureConnection;
        else request.allowInsecureConnection = original.allowInsecureConnection;
        request.headers.delete("x-forwarded-host");
        request.headers.delete("x-forwarded-proto");
      }
    },
  };
}

/** The remote emulator's clock, seen from here. */
class RemoteClock implements Clock {
  private mode: "virtual" | "real" = "virtual";
  private scale = 1;
  private knownMs = 0;
  private knownAtRealMs = Date.now();

  /**
   * Waits on the remote virtual clock, side by side: the clock moves to the earliest wake-up of all
   * the waits (the SDK's sleeps and the waits between polls) once they are all registered, with an
   * absolute target, so that concurrent waits neither add up nor overshoot what another client did.
   */
  readonly sleepers = new VirtualSleepers({
    now: () => this.now().getTime(),
    advance: async (ms) =>
      this.set((await this.control("POST", "/_emulator/clock/advanceTo", { at: new Date(this.knownMs + ms).toISOString() })) as ClockAnswer),
  });

  constructor(private readonly control: (method: string, path: string, body?: unknown) => Promise<unknown>) {}

  now(): Date {
    return new Date(this.mode === "virtual" ? this.knownMs : this.knownMs + (Date.now() - this.knownAtRealMs) * this.scale);
  }

  async sleep(ms: number, options: { abortSignal?: AbortSignal } = {}): Promise<void> {
    throwIfAborted(options.abortSignal);
    if (this.mode === "real") return systemClock.sleep(ms / this.scale, options);
    await this.sleepers.sleep(ms, options.abortSignal, () => abortedError(options.abortSignal));
  }

  async sync(): Promise<void> {
    this.set((await this.control("GET", "/_emulator/clock")) as ClockAnswer);
  }

  /** Keeps the local view current from the emulator's `Date` headers (second precision). */
  observe(date: string | undefined): void {
    const ms = date === undefined ? Number.NaN : Date.parse(date);
    if (Number.isFinite(ms) && ms > this.now().getTime()) {
      this.knownMs = ms;
      this.knownAtRealMs = Date.now();
    }
  }

  private set(body: ClockAnswer): void {
    this.knownMs = Date.parse(String(body.now));
    this.knownAtRealMs = Date.now();
    if (body.mode === "virtual" || body.mode === "real") this.mode = body.mode;
    if (typeof body.scale === "number") this.scale = body.scale;
  }
}
