import type { ExecutionContext } from "ava";
import { DrClient, createFakeBackend, type FakeBackend, type FakeBackendOptions } from "../../sdk/index.js";

/** A DrClient on a fresh embedded fake backend, closed when the test ends. */
export async function fakeClient(t: ExecutionContext, options: FakeBackendOptions = {}): Promise<{ dr: DrClient; backend: FakeBackend }> {
  const backend = await createFakeBackend(options);
  const dr = new DrClient(backend);
  t.teardown(() => dr.close());
  return { dr, backend };
}
