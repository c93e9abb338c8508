import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import test from "ava";

const run = promisify(execFile);

test("the Hyper-V example runs on the fake: two VMs protected, rehearsed, failed over without data loss, failed back and reprotected", async (t) => {
  const { stdout } = await run(process.execPath, ["--import", "tsx", resolve(__dirname, "../../examples/hyperv-to-azure.ts")], {
    cwd: resolve(__dirname, "../.."),
  });
  t.regex(stdout, /1 host\(s\) registered: hv-host-01; VMs discovered: (sql-0, web-0|web-0, sql-0)/);
  t.is([...stdout.matchAll(/: protected \(Normal\)$/gm)].length, 2);
  t.is([...stdout.matchAll(/failed over to Azure as \S+-az, data loss 0 s, committed$/gm)].length, 2);
  t.is([...stdout.matchAll(/failed back on-premises, committed, reprotected \(protected\)$/gm)].length, 2);
  const times = [...stdout.matchAll(/^(\S+Z) {2}/gm)].map((m) => Date.parse(m[1] as string));
  t.true((times.at(-1) ?? 0) - (times[0] ?? 0) > 5 * 3_600_000, "hours of virtual time");
});
