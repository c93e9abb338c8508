import test from "ava";
import fc from "fast-check";
import { createEmulator } from "../../../emulator/index.js";
import { GlobMatcher } from "../../../emulator/faults/globMatcher.js";
import { errorCode, rgUrl, send } from "../../helpers/emulatorRequests.js";
import { rawVmBody } from "../../helpers/fixtures.js";

const setBody = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  location: "westeurope",
  sku: { name: "Aligned" },
  properties: { platformFaultDomainCount: 2, platformUpdateDomainCount: 5, ...extra },
});

/** JSON text of `setBody` with `nested` (raw JSON) as an extra property. */
const setBodyWith = (nested: string): string => JSON.stringify(setBody()).replace(/\}\}$/, `,"extra":${nested}}}`);

const nestedObjects = (depth: number): string => `${'{"a":'.repeat(depth - 1)}{}${"}".repeat(depth - 1)}`;

test("a body nested deeper than 64 levels gets 400 InvalidRequestContent and is never stored", async (t) => {
  const emulator = createEmulator();
  const url = `${rgUrl("rg")}/availabilitySets/deep`;
  const before = JSON.stringify(emulator.control.snapshot());
  for (const nested of [nestedObjects(63), `${"[".repeat(100_000)}${"]".repeat(100_000)}`]) {
    const response = await send(emulator, "PUT", url, setBodyWith(nested));
    t.is(response.status, 400);
    t.is(errorCode(response), "InvalidRequestContent");
    t.regex(String((response.json.error as { message: string }).message), /MaxDepth of 64/);
  }
  t.is((await send(emulator, "GET", url)).status, 404);
  t.is(JSON.stringify(emulator.control.snapshot()), before, "nothing changed");
  // 62 levels inside the body's two: 64 in all, the deepest accepted; braces inside strings do not count.
  const deepest = await send(emulator, "PUT", url, setBodyWith(`[${nestedObjects(61)}, "{{{{[[[[\\"{{{{"]`));
  t.is(deepest.status, 200, deepest.body);
  t.is((await send(emulator, "GET", url)).status, 200);
});

test("a deeply nested control request is refused too, and a snapshot holding the deepest bodies restores", async (t) => {
  const emulator = createEmulator();
  const deepFault = `{"match":{"method":"GET"},"effect":{"type":"drop"},"x":${nestedObjects(70)}}`;
  const refused = await send(emulator, "POST", "http://127.0.0.1:1/_emulator/faults", deepFault);
  t.is(errorCode(refused), "InvalidRequestContent");
  t.deepEqual(emulator.control.listFaults(), []);
  t.is((await send(emulator, "PUT", `${rgUrl("rg")}/availabilitySets/deep`, setBodyWith(`[${nestedObjects(61)}]`))).status, 200);
  const snapshot = JSON.stringify(emulator.control.snapshot());
  const restored = await send(emulator, "PUT", "http://127.0.0.1:1/_emulator/snapshot", snapshot);
  t.is(restored.status, 204, restored.body);
});

test("__proto__, constructor and prototype as names in the path get 400, not 500, and nothing is stored", async (t) => {
  const emulator = createEmulator();
  const before = JSON.stringify(emulator.control.snapshot());
  for (const name of ["__proto__", "constructor", "prototype", "Constructor", "%5F%5Fproto%5F%5F"]) {
    for (const url of [`${rgUrl("rg")}/availabilitySets/${name}`, `${rgUrl(name)}/availabilitySets/as1`]) {
      const response = await send(emulator, "PUT", url, setBody());
      t.is(response.status, 400, url);
      t.is(errorCode(response), "ReservedResourceName", url);
    }
    t.is(errorCode(await send(emulator, "PUT", `${rgUrl("rg")}/virtualMachines/${name}`, rawVmBody("rg", "vm1"))), "ReservedResourceName");
    t.is(errorCode(await send(emulator, "DELETE", `http://127.0.0.1:1/_emulator/faults/${name}`)), "ReservedResourceName");
  }
  t.is(JSON.stringify(emulator.control.snapshot()), before);
  t.is((await send(emulator, "PUT", `${rgUrl("rg")}/availabilitySets/prototypes`, setBody())).status, 200, "a name merely containing one is fine");
});

test("__proto__, constructor and prototype as body keys (tags included) get 400 naming the key, and pollute nothing", async (t) => {
  const emulator = createEmulator();
  const url = `${rgUrl("rg")}/availabilitySets/as1`;
  const cases: [string, string][] = [
    [`{"location":"westeurope","tags":{"__proto__":{"polluted":"yes"}},"sku":{"name":"Aligned"}}`, "tags.__proto__"],
    [`{"location":"westeurope","tags":{"constructor":"x"},"sku":{"name":"Aligned"}}`, "tags.constructor"],
    [`{"location":"westeurope","properties":{"platformFaultDomainCount":2,"PROTOTYPE":{}}}`, "properties.PROTOTYPE"],
    [`{"__proto__":{"location":"westeurope"}}`, "__proto__"],
  ];
  for (const [body, target] of cases) {
    const response = await send(emulator, "PUT", url, body);
    t.is(response.status, 400, body);
    t.is(errorCode(response), "InvalidRequestContent", body);
    t.is((response.json.error as { target?: string }).target, target);
  }
  t.is((await send(emulator, "GET", url)).status, 404);
  t.is(({} as Record<string, unknown>).polluted, undefined);
  const fault = await send(emulator, "POST", "http://127.0.0.1:1/_emulator/faults", `{"match":{"__proto__":{}},"effect":{"type":"drop"}}`);
  t.is(errorCode(fault), "InvalidRequestContent");
  const inProcess = t.throws(() => emulator.control.addFault(JSON.parse(`{"match":{"constructor":"x"},"effect":{"type":"drop"}}`)));
  t.is((inProcess as { code?: string }).code, "InvalidFaultRule");
  t.deepEqual(emulator.control.listFaults(), []);
});

test("a request URL that does not parse, or a malformed forwarded host, gets 400 rather than 500", async (t) => {
  const emulator = createEmulator();
  const unparsable = await emulator.handle({ method: "GET", url: "http://a b/subscriptions", headers: {} });
  t.is(unparsable.status, 400);
  t.is(JSON.parse(unparsable.body ?? "").error.code, "InvalidRequestUri");
  for (const headers of [{ "x-forwarded-host": "evil/path?" }, { "x-forwarded-host": "a b" }, { "x-forwarded-proto": "javascript" }]) {
    const response = await send(emulator, "PUT", `${rgUrl("rg")}/virtualMachines/vm1`, rawVmBody("rg", "vm1"), headers);
    t.is(response.status, 400, JSON.stringify(headers));
    t.is(errorCode(response), "InvalidHostName");
  }
  t.is((await send(emulator, "GET", `${rgUrl("rg")}/virtualMachines/vm1`)).status, 404, "nothing was created");
});

/** The glob semantics as a regular expression (the former matcher): the reference on small inputs. */
function referenceGlob(glob: string): RegExp {
  const source = glob
    .split("**")
    .map((part) =>
      part
        .split("*")
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join("[^/]*"),
    )
    .join(".*");
  return new RegExp(`^${source}$`, "i");
}

test("fault-rule globs match exactly as the reference: * within a segment, ** across, case-insensitively", (t) => {
  const glob = fc.string({ unit: fc.constantFrom("a", "B", "/", "*", "*", ".", "?", "("), maxLength: 12 });
  const path = fc.string({ unit: fc.constantFrom("a", "b", "A", "/", ".", "?", "("), maxLength: 16 });
  fc.assert(
    fc.property(glob, path, (g, p) => new GlobMatcher(g).matches(p) === referenceGlob(g).test(p)),
    { numRuns: 20_000 },
  );
  // Paths built to match: the glob with every star replaced by text it may match.
  const matchingPair = fc
    .array(fc.oneof(fc.constantFrom("a", "b", "/"), fc.constant("*"), fc.constant("**")), { maxLength: 10 })
    .chain((parts) =>
      fc.tuple(
        fc.constant(parts.join("")),
        fc.tuple(
          ...parts.map((part) =>
            part === "**"
              ? fc.string({ unit: fc.constantFrom("a", "/"), maxLength: 4 })
              : part === "*"
                ? fc.string({ unit: fc.constantFrom("a", "b"), maxLength: 4 })
                : fc.constant(part.toUpperCase()),
          ),
        ),
      ),
    );
  fc.assert(
    fc.property(matchingPair, ([g, filled]) => new GlobMatcher(g).matches(filled.join("")) === referenceGlob(g).test(filled.join(""))),
    { numRuns: 5_000 },
  );
  t.true(
    new GlobMatcher("/subscriptions/*/resourceGroups/**/virtualMachines/web-*").matches(
      "/subscriptions/S/resourcegroups/rg/providers/Microsoft.Compute/virtualMachines/WEB-1",
    ),
  );
  t.false(new GlobMatcher("/subscriptions/*/virtualMachines").matches("/subscriptions/a/b/virtualMachines"));
});

test("a glob with many stars against a long path answers without backtracking", (t) => {
  // A backtracking regular expression takes ~n^10 steps here; the matcher at most path x pattern.
  const path = `/${"a".repeat(20_000)}`;
  t.false(new GlobMatcher("/*a*a*a*a*a*a*a*a*a*a*b").matches(path));
  t.false(new GlobMatcher("**a**a**a**a**a**a**a**a**a**a**b").matches(path));
  t.true(new GlobMatcher("**a**a**a**a**a**a**a**a**a**a**a").matches(path));
  t.true(new GlobMatcher("/*a*a*a*a*a*a*a*a*a*a*").matches(path));
});

test("a fault rule with a pathological glob still fires on the requests it matches", async (t) => {
  const emulator = createEmulator();
  emulator.control.addFault({ match: { path: "/subscriptions/*/resourceGroups/*a*a*a*a*a*a*a*a*b/**" }, effect: { type: "error", status: 503, code: "Down" } });
  const hit = await send(emulator, "GET", `${rgUrl("aaaaaaaaaaaaaaaab")}/availabilitySets/x`);
  t.is(errorCode(hit), "Down");
  const miss = await send(emulator, "GET", `${rgUrl("a".repeat(80))}/availabilitySets/x`);
  t.is(errorCode(miss), "ResourceNotFound");
});
