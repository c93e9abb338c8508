import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "ava";
import { DrClient, createFakeBackend } from "../../../sdk/index.js";
import { vmInput } from "../../helpers/fixtures.js";

test("a fake backend with a state file hands everything over to the next process, control calls included", async (t) => {
  const stateFile = join(mkdtempSync(join(tmpdir(), "azure-dr-state-")), "state.json");
  const first = new DrClient(await createFakeBackend({ stateFile }));
  await first.virtualMachines.create("app-rg", "web-0", vmInput("app-rg", "web-0"));
  const backend = first.backend as Awaited<ReturnType<typeof createFakeBackend>>;
  backend.emulator.control.setRegionDown("northeurope", true);
  backend.emulator.control.advanceClock(3_600_000);
  const before = first.clock.now().getTime();
  await first.close();

  const next = await createFakeBackend({ stateFile });
  t.teardown(() => next.close());
  t.is((await new DrClient(next).virtualMachines.get("app-rg", "web-0")).name, "web-0", "the resources");
  t.deepEqual(next.emulator.control.snapshot().regionsDown, ["northeurope"], "the control call's region outage");
  t.is(next.clock.now().getTime(), before, "the clock moved by the control call");
  await t.throwsAsync(createFakeBackend({ stateFile }), { message: /locked/ }, "one process at a time");
});
