import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { ArmError } from "../arm/armError.js";
import { errorResponse, withStandardHeaders } from "../arm/responses.js";
import type { EmulatorRequest, EmulatorResponse } from "../arm/types.js";
import type { RequestHandler } from "./inProcessHttpClient.js";

/** Where and how to listen. */
export interface EmulatorServerOptions {
  /** Port on loopback; 0 picks a free one. @default 0 */
  port?: number;
  /** Loopback address to bind. Only loopback addresses are accepted. @default "127.0.0.1" */
  host?: string;
  /** Largest request body read, in bytes. @default 4 MiB */
  maxBodyBytes?: number;
}

/** A running emulator server. */
export interface EmulatorServer {
  /** `http://host:port`, the endpoint to give clients. */
  readonly url: string;
  /** Stops accepting connections and waits for open ones to end. */
  close(): Promise<void>;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/**
 * Serves an emulator over plain HTTP on a loopback address. Bodies over the limit get 413 and
 * malformed requests get ARM errors; no request can crash the server.
 */
export async function startEmulatorServer(emulator: RequestHandler, options: EmulatorServerOptions = {}): Promise<EmulatorServer> {
  const host = options.host ?? "127.0.0.1";
  if (!LOOPBACK.has(host)) throw new RangeError(`the emulator listens on loopback only (127.0.0.1, ::1, localhost), not '${host}'`);
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const server: Server = createServer((req, res) => {
    serve(emulator, req, res, maxBodyBytes).catch((error: unknown) => {
      process.emitWarning(`azure-dr emulator server: ${(error as Error).message}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
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

async function serve(emulator: RequestHandler, req: IncomingMessage, res: ServerResponse, maxBodyBytes: number): Promise<void> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  const body = await readBody(req, maxBodyBytes);
  let response: EmulatorResponse;
  if (body === tooLarge) {
    response = withStandardHeaders(
      errorResponse(new ArmError(413, "RequestEntityTooLarge", `The request content size exceeds the maximum of ${maxBodyBytes} bytes.`)),
      headers,
      Date.now(),
    );
    res.setHeader("connection", "close");
  } else {
    const request: EmulatorRequest = { method: req.method ?? "GET", url: `http://${headers.host ?? "127.0.0.1"}${req.url ?? "/"}`, headers };
    if (body !== "") request.body = body;
    response = await emulator.handle(request);
  }
  if (response.delayMs !== undefined) await sleep(response.delayMs);
  if (response.drop === true) {
    req.socket.destroy();
    return;
  }
  res.writeHead(response.status, response.headers);
  res.end(response.body);
}

const tooLarge = Symbol("tooLarge");

function readBody(req: IncomingMessage, maxBodyBytes: number): Promise<string | typeof tooLarge> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) over = true;
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(over ? tooLarge : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
