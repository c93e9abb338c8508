// Questions asked at a terminal: a confirmation before a change off the fake backend, and the
// approval of a manual action; a person's answer is read from the terminal, never assumed.
import { PassThrough } from "node:stream";
import test from "ava";
import { askYesNo, confirmOperation, type Terminal } from "../../cli/confirmation.js";
import { CliStop, EXIT, reportFailure } from "../../cli/failure.js";
import { manualActionHandler, requireNoPendingManualAction } from "../../cli/manualActions.js";
import { resolveSettings } from "../../cli/settings.js";
import type { ManualActionRequest, PlanRunResult } from "../../sdk/index.js";

/** A terminal whose person types `answers` (one line each) and whose screen is kept. */
function terminal(answers: string[], interactive = true): Terminal & { screen: () => string } {
  const input = new PassThrough();
  for (const answer of answers) input.write(`${answer}\n`);
  let screen = "";
  const output = new PassThrough();
  output.on("data", (chunk: Buffer) => (screen += chunk.toString()));
  return { input: () => input, output, interactive, screen: () => screen };
}

const EMULATOR = resolveSettings({ backend: "emulator", emulatorUrl: "http://127.0.0.1:9" }, {});
const FAKE = resolveSettings({}, {});

test("only y or yes is a yes; anything else, or the end of input, is a no", async (t) => {
  for (const [answer, expected] of [
    ["y", true],
    ["YES", true],
    [" yes ", true],
    ["", false],
    ["n", false],
    ["yep", false],
  ] as const)
    t.is(await askYesNo(terminal([answer]), "Proceed?"), expected, answer);
  const closed = terminal([]);
  (closed.input() as PassThrough).end();
  t.false(await askYesNo(closed, "Proceed?"));
  t.is(closed.screen(), "Proceed? [y/N] ");
});

test("a change off the fake backend is confirmed at the terminal, by --yes, or refused with exit 2 without a terminal; on the fake backend nobody is asked", async (t) => {
  const yes = terminal(["y"]);
  await t.notThrowsAsync(confirmOperation(EMULATOR, "planned failover of recovery plan shop (4 VMs)", false, yes));
  t.is(yes.screen(), "planned failover of recovery plan shop (4 VMs) on backend emulator http://127.0.0.1:9. Proceed? [y/N] ");

  const no = terminal(["n"]);
  const declined = await t.throwsAsync(confirmOperation(EMULATOR, "commit of plan shop", false, no), { instanceOf: CliStop });
  t.is(declined.code, "NotConfirmed");
  const lines: string[] = [];
  t.is(
    reportFailure(declined, (text) => lines.push(text)),
    EXIT.failed,
  );
  t.regex(lines.join(""), /NotConfirmed: commit of plan shop: not confirmed, nothing was done/);

  const nobody = terminal([], false);
  const refused = await t.throwsAsync(confirmOperation(EMULATOR, "commit of plan shop", false, nobody), { message: /add --yes to confirm it/ });
  t.is(
    reportFailure(refused, () => undefined),
    EXIT.usage,
  );
  t.is(nobody.screen(), "");

  const flagged = terminal([], false);
  await t.notThrowsAsync(confirmOperation(EMULATOR, "commit of plan shop", true, flagged));
  const fake = terminal(["n"]);
  await t.notThrowsAsync(confirmOperation(FAKE, "commit of plan shop", false, fake));
  t.is(fake.screen(), "", "the fake backend asks nothing");
});

const request = { handle: { plan: "shop" }, step: { friendlyName: "Group 1 (end): manual action 'check-db'" } } as unknown as ManualActionRequest;

test("a manual action is approved by --approve-manual-actions or a person, said so either way, and never without them", async (t) => {
  const written: string[] = [];
  const write = (text: string): void => void written.push(text);
  t.true(await manualActionHandler({ approveAll: true, terminal: terminal([], false), write })(request));
  t.regex(written.join(""), /plan shop: waits at Group 1 \(end\): manual action 'check-db'\nplan shop: .* approved by --approve-manual-actions/);

  written.length = 0;
  const person = terminal(["y"]);
  t.true(await manualActionHandler({ approveAll: false, terminal: person, write })(request));
  t.regex(person.screen(), /plan shop: is the manual action done\? Resume the plan\? \[y\/N\] /);
  t.regex(written.join(""), /approved at the terminal/);

  written.length = 0;
  t.false(await manualActionHandler({ approveAll: false, terminal: terminal(["no"]), write })(request));
  t.regex(written.join(""), /not approved; the plan waits/);
  t.false(await manualActionHandler({ approveAll: false, terminal: terminal([], false), write })(request), "no terminal, no flag: not approved");

  const waiting = {
    state: "WaitingForUser",
    handle: { plan: "shop", jobName: "job-1" },
    steps: [{ friendlyName: "Group 1 (end): manual action 'check-db'", state: "Suspended" }],
  } as unknown as PlanRunResult;
  const stop = t.throws(() => requireNoPendingManualAction(waiting, "azure-dr failover --plan shop --planned"), { instanceOf: CliStop });
  t.is(
    reportFailure(stop, () => undefined),
    EXIT.invalidState,
  );
  t.regex(stop.message, /plan shop waits at Group 1 \(end\): manual action 'check-db' \(job job-1\)/);
  t.regex(stop.hint, /run `azure-dr failover --plan shop --planned --approve-manual-actions`/);
  t.notThrows(() => requireNoPendingManualAction({ ...waiting, state: "Succeeded" }, "azure-dr failover"));
});
