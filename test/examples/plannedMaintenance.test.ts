import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import test from "ava";

const run = promisify(execFile);

test("the planned-maintenance example runs on the fake and maintains every VM, one update domain at a time", async (t) => {
  const { stdout } = await run(process.execPath, ["--import", "tsx", resolve(__dirname, "../../examples/planned-maintenance.ts")], {
    cwd: resolve(__dirname, "../.."),
  });
  t.regex(stdout, /4\/4 VMs maintained by their owner before Azure's window/);
  const domainStarts = [...stdout.matchAll(/^(\S+)\s+update domain (\d): maintaining/gm)].map((m) => ({
    at: Date.parse(m[1] as string),
    domain: Number(m[2]),
  }));
  t.deepEqual(
    domainStarts.map((d) => d.domain),
    [0, 1],
  );
  const [first, second] = domainStarts;
  t.true((second?.at ?? 0) - (first?.at ?? 0) >= 40 * 60_000, "the second domain starts after the first is done plus the 30-minute gap");
});
