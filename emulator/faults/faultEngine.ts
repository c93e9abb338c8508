import { ArmError } from "../arm/armError.js";
import { parseInput } from "../arm/parseInput.js";
import { GlobMatcher } from "./globMatcher.js";
import { faultRuleInputSchema, type FaultEffect, type FaultRule } from "./faultRule.js";
import type { EmulatorState } from "../store/state.js";

/** A request as fault rules see it. */
export interface FaultTarget {
  method: string;
  path: string;
  operationId: string | undefined;
}

/**
 * Deterministic fault injection: rules match by method, path glob (without backtracking, see
 * {@link GlobMatcher}) and operation id, and fire by count (`skip`, `times`) or by a probability
 * drawn from a seeded source kept in the state, so the same requests always meet the same faults.
 */
export class FaultEngine {
  private readonly compiled = new Map<string, GlobMatcher>();

  constructor(
    private readonly getState: () => EmulatorState,
    private readonly nextId: () => string,
  ) {}

  /** Adds a rule; answers 400 InvalidFaultRule (naming the field) when it is malformed. */
  add(input: unknown): FaultRule {
    const { id, ...rest } = parseInput(faultRuleInputSchema, input, "InvalidFaultRule", "Fault rule");
    const ruleId = id ?? this.nextId();
    if (this.getState().faults.some((r) => r.id === ruleId)) {
      throw new ArmError(409, "FaultRuleExists", `A fault rule with id '${ruleId}' already exists.`, "id");
    }
    const rule: FaultRule = { id: ruleId, match: rest.match, effect: rest.effect, seen: 0, fired: 0 };
    if (rest.skip !== undefined) rule.skip = rest.skip;
    if (rest.times !== undefined) rule.times = rest.times;
    if (rest.probability !== undefined) rule.probability = rest.probability;
    this.getState().faults.push(rule);
    return rule;
  }

  list(): FaultRule[] {
    return this.getState().faults;
  }

  /** Removes one rule, or all of them when no id is given. Returns how many were removed. */
  remove(id?: string): number {
    const state = this.getState();
    const before = state.faults.length;
    state.faults = id === undefined ? [] : state.faults.filter((r) => r.id !== id);
    return before - state.faults.length;
  }

  /** The effects of every rule that fires for this request, in the order the rules were added. */
  effectsFor(target: FaultTarget): FaultEffect[] {
    const effects: FaultEffect[] = [];
    for (const rule of this.getState().faults) {
      if (!this.matches(rule, target)) continue;
      rule.seen++;
      if (rule.skip !== undefined && rule.seen <= rule.skip) continue;
      if (rule.times !== undefined && rule.fired >= rule.times) continue;
      if (rule.probability !== undefined && this.nextRandom() >= rule.probability) continue;
      rule.fired++;
      effects.push(rule.effect);
    }
    return effects;
  }

  private matches(rule: FaultRule, target: FaultTarget): boolean {
    const { method, path, operationId } = rule.match;
    if (method !== undefined && method.toUpperCase() !== target.method) return false;
    if (operationId !== undefined && operationId.toLowerCase() !== target.operationId?.toLowerCase()) return false;
    if (path !== undefined && !this.globFor(path).matches(target.path)) return false;
    return true;
  }

  private globFor(glob: string): GlobMatcher {
    let matcher = this.compiled.get(glob);
    if (matcher === undefined) {
      matcher = new GlobMatcher(glob);
      this.compiled.set(glob, matcher);
    }
    return matcher;
  }

  /** mulberry32 over the state's random word: deterministic for a given seed. */
  private nextRandom(): number {
    const state = this.getState();
    state.randomState = (state.randomState + 0x6d2b79f5) >>> 0;
    let t = state.randomState;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
