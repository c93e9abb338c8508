import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { ArmError } from "../arm/armError.js";
import { errorResponse, withStandardHeaders } from "../arm/responses.js";
import type { EmulatorRequest, EmulatorResponse } from "../arm/types.js";
import type { RequestHandler } from "./inProcessHttpClient.js";
import { screenRequest, type ScreeningPolicy } from "./screenRequest.js";

/** Where and how to listen. */
export interface EmulatorServerOptions {
  /** Port on loopback; 0 picks a free one. @default 0 */
  port?: number;
  /** Loopback address to bind. Only loopback addresses are accepted. @default "127.0.0.1" */
  host?: string;
  /** Largest request body read, in bytes. @default 4 MiB */
  maxBodyBytes?: number;
  /**
   * A secret that control requests (`/_emulator/...`) must present as `Authorization: Bearer {token}`:
   * 8 to 512 visible ASCII characters. Without it the control surface is open to local processes
   * (browsers are refused either way).
   */
  controlToken?: string;
}

/** A running emulator server. */
export interface EmulatorServer {
  /** `http://host:port`, the endpoint to give clients. */
  readonly url: string;
  /** Stops accepting connections and waits for open ones to end. */
  close(): Promise<void>;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);
const CONTROL_TOKEN = /^[\x21-\x7e]{8,512}$/;

/**
 * Serves an emulator over plain HTTP on a loopback address. Requests are screened before their
 * body is read (see {@link screenRequest}: 400 `InvalidRequestUri`/`InvalidHostName`, 403
 * `CrossSiteRequestRefused`, 401 on control routes without the control token, 415
 * `UnsupportedMediaType`); a body over the limit gets 413 `RequestEntityTooLarge` as soon as it
 * crosses it (or its `Content-Length` announces it) and the connection is closed. No request can
 * crash the server.
 * @throws RangeError for a non-loopback host or a malformed control token.
 */
export async function startEmulatorServer(emulator: RequestHandler, options: EmulatorServerOptions = {}): Promise<EmulatorServer> {
  const host = options.host ?? "127.0.0.1";
  if (!LOOPBACK.has(host)) throw new RangeError(`the emulator listens on loopback only (127.0.0.1, ::1, localhost), not '${host}'`);
  if (options.controlToken !== undefined && !CONTROL_TOKEN.test(options.controlToken)) {
    throw new RangeError("controlToken: 8 to 512 visible ASCII characters (no spaces) are required");
  }
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const policy: ScreeningPolicy = { port: 0, controlToken: options.controlToken };
  const server: Server = createServer((req, res) => {
    serve(emulator, req, res, maxBodyBytes, policy).catch((error: unknown) => {
      process.emitWarning(`azure-dr emulator server: ${(error as Error).message}`);
      if (!res.headersSent) res.writeHead(500, { connection: "close" }).end();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  policy.port = address.port;
  const hostPart = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${hostPart}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeIdleConnections();
      }),
  };
}

async function serve(emulator: RequestHandler, req: IncomingMessage, res: ServerResponse, maxBodyBytes: number, policy: ScreeningPolicy): Promise<void> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  const method = req.method ?? "GET";
  const target = req.url ?? "/";
  const refusal = screenRequest(method, target, headers, policy);
  if (refusal !== undefined) {
    // The body is never read: the connection closes after the answer.
    answerAndClose(res, withStandardHeaders(errorResponse(refusal.error), headers, Date.now()), refusal.headers);
    return;
  }
  const body = await readBody(req, maxBodyBytes);
  if (body === tooLarge) {
    const error = new ArmError(413, "RequestEntityTooLarge", `The request content size exceeds the maximum of ${maxBodyBytes} bytes.`);
    answerAndClose(res, withStandardHeaders(errorResponse(error), headers, Date.now()));
    return;
  }
  const request: EmulatorRequest = { method, url: `http://${headers.host ?? `127.0.0.1:${policy.port}`}${target}`, headers };
  if (body !== "") request.body = body;
  const response = await emulator.handle(request);
  if (response.delayMs !== undefined) await sleep(response.delayMs);
  if (response.drop === true) {
    req.socket.destroy();
    return;
  }
  res.writeHead(response.status, response.headers);
  res.end(response.body);
}

/** Answers without reading (the rest of) the body; Node closes the socket once the answer is sent. */
function answerAndClose(res: ServerResponse, response: EmulatorResponse, extraHeaders: Record<string, string> = {}): void {
  res.writeHead(response.status, { ...response.headers, ...extraHeaders, connection: "close" });
  res.end(response.body);
}

const tooLarge = Symbol("tooLarge");

/**
 * The body as text, or {@link tooLarge} as soon as it is known to exceed the limit: from its
 * `Content-Length` before reading anything, or when the bytes read cross it. Then reading stops
 * (later chunks are not kept) and the caller answers and closes the connection.
 */
function readBody(req: IncomingMessage, maxBodyBytes: number): Promise<string | typeof tooLarge> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBodyBytes) return Promise.resolve(tooLarge);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBodyBytes) {
        chunks.push(chunk);
        return;
      }
      stop();
      req.on("error", () => undefined); // the client may reset while the refusal is sent
      chunks.length = 0;
      resolve(tooLarge);
    };
    const onEnd = (): void => {
      stop();
      resolve(Buffer.concat(chunks).toString("utf8"));
    };
    const onError = (error: Error): void => {
      stop();
      reject(error);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}
