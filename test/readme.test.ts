import { exec } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";
import test from "ava";
import { NO_CONFIG } from "./helpers/cliProcess.js";

const REPO = resolve(__dirname, "..");
const run = promisify(exec);

/** The commands of the README's "Try it" block, each as `{ setup, command }` (`npm ci && npm run drill` -> npm ci, npm run drill). */
function tryItCommands(): { line: string; command: string }[] {
  const readme = readFileSync(resolve(REPO, "README.md"), "utf8");
  const block = /## Try it\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  return block
    .split("\n")
    .map((line) => line.replace(/#.*$/, "").trim())
    .filter((line) => line !== "")
    .map((line) => ({ line, command: line.replace(/^npm ci && /, "") }));
}

test("the README's set-up commands are the drill and the tests, each after npm ci", (t) => {
  t.deepEqual(
    tryItCommands().map((c) => c.line),
    ["npm ci && npm run drill", "npm ci && npm test"],
  );
});

// `npm ci` already ran (this is the test suite it installed); `npm test` is this very run.
test("the README's main command runs as written: a drill of the sample estate that passes and writes its reports", async (t) => {
  const drill = tryItCommands().find((c) => c.command === "npm run drill");
  if (drill === undefined) return t.fail("no `npm run drill` in the README");
  const env = { ...process.env, ...NO_CONFIG };
  const { stdout } = await run(drill.command, { cwd: REPO, env });
  t.regex(stdout, /Drill of vault dr-rg\/shop-vault on fake \(rehearsal\): PASSED/);
  t.regex(stdout, /shop +passed +\d+m \d\ds +\d+m \d\ds/);
  t.regex(stdout, /Reports: drill-report\.json, drill-report\.html/);
  const report = JSON.parse(readFileSync(resolve(REPO, "drill-report.json"), "utf8")) as { outcome: string };
  t.is(report.outcome, "passed");
});
