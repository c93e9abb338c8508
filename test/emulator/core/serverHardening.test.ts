import { connect } from "node:net";
import test, { type ExecutionContext } from "ava";
import { createEmulator, startEmulatorServer, type EmulatorServerOptions } from "../../../emulator/index.js";
import { DrClient, DrError, ValidationError, createEmulatorBackend, serveEmulator } from "../../../sdk/index.js";
import { emulatorUrl, startCli } from "../../helpers/cliProcess.js";
import { SUB } from "../../helpers/fixtures.js";

const API = "api-version=2026-03-01";
const SET_PATH = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/availabilitySets`;
const SET_BODY = JSON.stringify({
  location: "westeurope",
  sku: { name: "Aligned" },
  properties: { platformFaultDomainCount: 2, platformUpdateDomainCount: 5 },
});
const TOKEN = "s3cret-control-token";

async function serve(
  t: ExecutionContext,
  options: EmulatorServerOptions = {},
): Promise<{ url: string; port: number; emulator: ReturnType<typeof createEmulator> }> {
  const emulator = createEmulator();
  const server = await startEmulatorServer(emulator, { port: 0, ...options });
  t.teardown(() => server.close());
  return { url: server.url, port: Number(new URL(server.url).port), emulator };
}

/**
 * Writes `head` (and `body` parts) on a raw socket, never ending the request unless told, and
 * resolves with everything the server sent once it closes the connection.
 */
function rawExchange(port: number, head: string, body: (string | Buffer)[] = [], endRequest = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(head);
      for (const part of body) socket.write(part);
      if (endRequest) socket.end();
    });
    let received = "";
    socket.on("data", (chunk: Buffer) => (received += chunk.toString("utf8")));
    socket.on("error", (error: NodeJS.ErrnoException) => (error.code === "ECONNRESET" || error.code === "EPIPE" ? undefined : reject(error)));
    socket.on("close", () => resolve(received));
  });
}

function statusOf(raw: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]);
}

function codeOf(raw: string): string | undefined {
  const split = raw.indexOf("\r\n\r\n");
  let body = raw.slice(split + 4);
  if (/^transfer-encoding: chunked$/im.test(raw.slice(0, split))) {
    let decoded = "";
    for (let size = parseInt(body, 16); size > 0; size = parseInt(body, 16)) {
      const start = body.indexOf("\r\n") + 2;
      decoded += body.slice(start, start + size);
      body = body.slice(start + size + 2);
    }
    body = decoded;
  }
  return (JSON.parse(body) as { error?: { code?: string } }).error?.code;
}

async function call(url: string, init: RequestInit = {}): Promise<{ status: number; code: string | undefined; headers: Headers }> {
  const response = await fetch(url, init);
  const text = await response.text();
  const code = text === "" ? undefined : (JSON.parse(text) as { error?: { code?: string } }).error?.code;
  return { status: response.status, code, headers: response.headers };
}

const JSON_HEADERS = { "content-type": "application/json" };

test("a body over the cap is answered 413 as soon as it crosses it, without waiting for the rest, and the connection is closed", async (t) => {
  const { url, port } = await serve(t, { maxBodyBytes: 1024 });
  const head = (extra: string): string => `PUT ${SET_PATH}/big?${API} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n${extra}\r\n`;
  // Chunked, never finished: the answer can only come from the server stopping at the cap.
  const chunk = "x".repeat(2000);
  const streamed = await rawExchange(port, head("Transfer-Encoding: chunked\r\n"), [`${chunk.length.toString(16)}\r\n${chunk}\r\n`]);
  t.is(statusOf(streamed), 413);
  t.is(codeOf(streamed), "RequestEntityTooLarge");
  t.regex(streamed, /connection: close/i);
  // A Content-Length over the cap is refused before a byte of the body is sent.
  const declared = await rawExchange(port, head("Content-Length: 1073741824\r\n"));
  t.is(statusOf(declared), 413);
  t.is(codeOf(declared), "RequestEntityTooLarge");
  t.is((await call(`${url}${SET_PATH}/big?${API}`)).status, 404, "nothing was stored, and the server still answers");
  t.is((await call(`${url}${SET_PATH}/small?${API}`, { method: "PUT", headers: JSON_HEADERS, body: SET_BODY })).status, 200, "a body under the cap is served");
});

test("an absolute-form request target or a malformed Host header gets 400, and nothing is stored", async (t) => {
  const { url, port } = await serve(t);
  const absolute = await rawExchange(port, `GET http://evil${SET_PATH}?${API} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`, [], true);
  t.is(statusOf(absolute), 400);
  t.is(codeOf(absolute), "InvalidRequestUri");
  const asterisk = await rawExchange(port, `OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`, [], true);
  t.is(codeOf(asterisk), "InvalidRequestUri");
  for (const host of ["evil/x?", "a b", "127.0.0.1:99999", "[nope]"]) {
    const raw = await rawExchange(
      port,
      `PUT ${SET_PATH}/as1?${API} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${SET_BODY.length}\r\nConnection: close\r\n\r\n`,
      [SET_BODY],
      true,
    );
    t.is(statusOf(raw), 400, host);
    t.is(codeOf(raw), "InvalidHostName", host);
  }
  t.is((await call(`${url}${SET_PATH}/as1?${API}`)).status, 404);
});

test("__proto__, constructor and prototype ids over HTTP get 400, not 500", async (t) => {
  const { url } = await serve(t);
  for (const name of ["__proto__", "constructor", "prototype"]) {
    const response = await call(`${url}${SET_PATH}/${name}?${API}`, { method: "PUT", headers: JSON_HEADERS, body: SET_BODY });
    t.is(response.status, 400);
    t.is(response.code, "ReservedResourceName");
  }
  const tags = await call(`${url}${SET_PATH}/as1?${API}`, {
    method: "PUT",
    headers: JSON_HEADERS,
    body: `{"location":"westeurope","tags":{"__proto__":{"a":"b"}}}`,
  });
  t.is(tags.code, "InvalidRequestContent");
});

test("control routes refuse requests from another origin or site, and mutations not sent as JSON", async (t) => {
  const { url, port, emulator } = await serve(t);
  const before = emulator.clock.now();
  const advance = (headers: Record<string, string>, body = '{"ms":60000}'): Promise<{ status: number; code: string | undefined }> =>
    call(`${url}/_emulator/clock/advance`, { method: "POST", headers, body });
  for (const origin of ["http://evil.example", "null", `http://127.0.0.1:${port + 1}`, `https://127.0.0.1:${port}`]) {
    const refused = await advance({ ...JSON_HEADERS, origin });
    t.is(refused.status, 403, origin);
    t.is(refused.code, "CrossSiteRequestRefused");
  }
  t.is((await advance({ ...JSON_HEADERS, "sec-fetch-site": "cross-site" })).status, 403);
  // What a browser may send without a preflight: text/plain, a form, or no content type at all.
  for (const contentType of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
    const refused = await advance({ "content-type": contentType });
    t.is(refused.status, 415, contentType);
    t.is(refused.code, "UnsupportedMediaType");
  }
  const bodiless = await call(`${url}/_emulator/reset`, { method: "POST" });
  t.is(bodiless.status, 415);
  t.is(emulator.clock.now(), before, "no refused request moved the clock");
  t.is((await call(`${url}/_emulator/clock`)).status, 200, "reads need no content type");
  t.is((await advance({ "content-type": "application/json; charset=utf-8", origin: `http://localhost:${port}` })).status, 200, "its own origin is fine");
  t.is(emulator.clock.now(), before + 60_000);
  // DNS rebinding: a page's name resolving to 127.0.0.1 shows in the Host header.
  const rebound = await rawExchange(port, `GET /_emulator/snapshot HTTP/1.1\r\nHost: attacker.example:${port}\r\nConnection: close\r\n\r\n`, [], true);
  t.is(statusOf(rebound), 403);
  t.is(codeOf(rebound), "CrossSiteRequestRefused");
  const armFromPage = await call(`${url}${SET_PATH}/as1?${API}`, {
    method: "PUT",
    headers: { ...JSON_HEADERS, origin: "http://evil.example" },
    body: SET_BODY,
  });
  t.is(armFromPage.status, 403, "ARM routes refuse other origins too");
});

test("with a control token, control routes demand it as a bearer token; ARM routes do not", async (t) => {
  const { url } = await serve(t, { controlToken: TOKEN });
  const missing = await call(`${url}/_emulator/clock`);
  t.is(missing.status, 401);
  t.is(missing.code, "AuthenticationFailed");
  t.regex(missing.headers.get("www-authenticate") ?? "", /^Bearer /);
  for (const authorization of [`Bearer ${TOKEN}x`, `Basic ${TOKEN}`, `Bearer ${TOKEN.slice(1)}`, "Bearer"]) {
    const wrong = await call(`${url}/_emulator/clock`, { headers: { authorization } });
    t.is(wrong.status, 401, authorization);
    t.is(wrong.code, "InvalidAuthenticationToken");
  }
  t.is((await call(`${url}/_emulator/reset`, { method: "POST", headers: JSON_HEADERS })).status, 401);
  t.is((await call(`${url}/_emulator/clock`, { headers: { authorization: `bearer ${TOKEN}` } })).status, 200);
  t.is((await call(`${url}/_emulator/reset`, { method: "POST", headers: { ...JSON_HEADERS, authorization: `Bearer ${TOKEN}` } })).status, 204);
  t.is((await call(`${url}${SET_PATH}/none?${API}`)).status, 404, "ARM routes need no control token");
  await t.throwsAsync(startEmulatorServer(createEmulator(), { controlToken: "short" }), { instanceOf: RangeError, message: /controlToken/ });
  await t.throwsAsync(startEmulatorServer(createEmulator(), { controlToken: "has a space" }), { instanceOf: RangeError });
});

test.serial("the emulator backend sends the control token, from its option or AZURE_DR_EMULATOR_TOKEN", async (t) => {
  const saved = process.env.AZURE_DR_EMULATOR_TOKEN;
  t.teardown(() => {
    if (saved === undefined) delete process.env.AZURE_DR_EMULATOR_TOKEN;
    else process.env.AZURE_DR_EMULATOR_TOKEN = saved;
  });
  delete process.env.AZURE_DR_EMULATOR_TOKEN;
  const served = await serveEmulator({ port: 0, controlToken: TOKEN });
  t.teardown(() => served.close());

  const refused = await t.throwsAsync(createEmulatorBackend({ url: served.url }), { instanceOf: DrError });
  t.is(refused.code, "ServiceError");
  t.regex(refused.message, /401.*AZURE_DR_EMULATOR_TOKEN/);
  const bad = await t.throwsAsync(createEmulatorBackend({ url: served.url, controlToken: "no spaces allowed" }), { instanceOf: ValidationError });
  t.is(bad.field, "controlToken");

  const dr = new DrClient(await createEmulatorBackend({ url: served.url, controlToken: TOKEN }));
  const start = served.emulator.clock.now();
  await dr.clock.sleep(600_000);
  t.is(served.emulator.clock.now(), start + 600_000, "its waits advance the server's clock through the guarded control route");

  process.env.AZURE_DR_EMULATOR_TOKEN = TOKEN;
  const fromEnv = new DrClient(await createEmulatorBackend({ url: served.url }));
  await fromEnv.clock.sleep(60_000);
  t.is(served.emulator.clock.now(), start + 660_000);
});

test("azure-dr emulator takes its control token from --control-token or AZURE_DR_EMULATOR_TOKEN, and refuses a malformed one", async (t) => {
  const cli = startCli(t, ["emulator", "--port", "0"], { env: { AZURE_DR_EMULATOR_TOKEN: TOKEN } });
  const url = await emulatorUrl(cli);
  t.is((await call(`${url}/_emulator/clock`)).status, 401);
  t.is((await call(`${url}/_emulator/clock`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
  t.notRegex(cli.stdout() + cli.stderr(), new RegExp(TOKEN), "the token is never printed");
  const malformed = startCli(t, ["emulator", "--port", "0", "--control-token", "short"], { env: { AZURE_DR_EMULATOR_TOKEN: undefined } });
  t.is(await malformed.exited, 2);
  t.regex(malformed.stderr(), /control token/);
});
