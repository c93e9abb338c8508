import { ArmError } from "./armError.js";
import type { RequestContext } from "./requestContext.js";
import type { JsonObject, JsonValue } from "./types.js";

/**
 * One page of a list, `{ value, nextLink? }`, with an absolute `nextLink` that carries every query
 * parameter of the request plus a `$skiptoken`. With `render`, `items` are records and only those
 * of the page are rendered (a list of thousands answers a page at a time).
 * @throws ArmError 400 `InvalidSkipToken`.
 */
export function pageOf(ctx: RequestContext, items: JsonValue[], pageSize: number): JsonObject;
export function pageOf<T>(ctx: RequestContext, items: readonly T[], pageSize: number, render: (item: T) => JsonValue): JsonObject;
export function pageOf<T>(ctx: RequestContext, items: readonly T[], pageSize: number, render?: (item: T) => JsonValue): JsonObject {
  const token = ctx.url.searchParams.get("$skiptoken") ?? ctx.url.searchParams.get("$skipToken");
  const offset = token === null ? 0 : Number.parseInt(token, 10);
  if (!Number.isInteger(offset) || offset < 0 || (String(offset) !== token && token !== null)) {
    throw new ArmError(400, "InvalidSkipToken", `The skip token '${token ?? ""}' is not valid.`);
  }
  const slice = items.slice(offset, offset + pageSize);
  // Without `render`, the first overload's items are already JSON.
  const value = render === undefined ? (slice as JsonValue[]) : slice.map(render);
  const page: JsonObject = { value };
  if (offset + pageSize < items.length) {
    const next = new URL(ctx.url.pathname, ctx.baseUrl);
    for (const [key, v] of ctx.url.searchParams) if (key.toLowerCase() !== "$skiptoken") next.searchParams.append(key, v);
    next.searchParams.set("$skiptoken", String(offset + pageSize));
    page.nextLink = next.toString();
  }
  return page;
}
