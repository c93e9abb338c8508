import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import test from "ava";

const CHILD = resolve(__dirname, "../helpers/planCrashChild.ts");

interface Line {
  event: string;
  [key: string]: unknown;
}

/** Runs the child in `mode` until it prints a line with `until` (then kills it hard) or exits. */
function runChild(mode: string, stateFile: string, until?: string): Promise<{ lines: Line[]; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, mode, stateFile], { env: { ...process.env, NODE_NO_WARNINGS: "1" } });
    const lines: Line[] = [];
    let out = "";
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      for (let newline = out.indexOf("\n"); newline >= 0; newline = out.indexOf("\n")) {
        const line = JSON.parse(out.slice(0, newline)) as Line;
        out = out.slice(newline + 1);
        lines.push(line);
        if (line.event === until) child.kill("SIGKILL");
      }
    });
    child.on("error", fail);
    child.on("exit", () => done({ lines, stderr }));
  });
}

test("a process killed in the middle of a plan failover is taken over by another, which finishes it without a second failover", async (t) => {
  const stateFile = join(mkdtempSync(join(tmpdir(), "azure-dr-crash-")), "emulator.json");
  const first = await runChild("start", stateFile, "manual");
  const manual = first.lines.find((l) => l.event === "manual");
  t.truthy(manual, `the first process reached the manual action: ${first.stderr}`);
  const jobName = (manual?.handle as { jobName?: string } | undefined)?.jobName;

  const second = await runChild("resume", stateFile);
  const done = second.lines.find((l) => l.event === "done");
  t.truthy(done, `the second process finished: ${second.stderr}`);
  t.is(done?.jobName, jobName, "it followed the job the first process started");
  t.is(done?.state, "Succeeded");
  t.is(done?.failoverJobs, 1, "one failover in all");
  t.deepEqual(done?.phases, ["failedOver", "failedOver", "failedOver", "failedOver"]);
  t.is(done?.items, 4);
});
