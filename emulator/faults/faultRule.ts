import { z } from "zod";

const name = z.string().min(1).max(200);

/** Which requests a fault rule applies to; every given field must match. */
export const faultMatchSchema = z.strictObject({
  /** HTTP method, case-insensitive. */
  method: z.string().min(1).max(10).optional(),
  /** Glob over the URL path, case-insensitive: `*` stays within a segment, `**` crosses segments. */
  path: z.string().min(1).max(2000).optional(),
  /** The REST operation id, e.g. `VirtualMachines_PerformMaintenance`. */
  operationId: name.optional(),
});

/** What a matching request gets instead of (or on top of) its normal answer. */
export const faultEffectSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("error"),
    status: z.number().int().min(400).max(599),
    code: name,
    message: z.string().max(2000).optional(),
    retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
  }),
  z.strictObject({ type: z.literal("drop") }),
  z.strictObject({ type: z.literal("latency"), ms: z.number().int().min(0).max(60_000) }),
  z.strictObject({
    type: z.literal("operationFailure"),
    code: name,
    message: z.string().max(2000).optional(),
    httpStatus: z.number().int().min(400).max(599).optional(),
  }),
]);

/** A fault rule as given to the control surface. */
export const faultRuleInputSchema = z.strictObject({
  id: name.optional(),
  match: faultMatchSchema,
  effect: faultEffectSchema,
  /** Let this many matching requests through before the rule fires. */
  skip: z.number().int().min(0).optional(),
  /** Fire at most this many times (unlimited when absent). */
  times: z.number().int().min(1).optional(),
  /** Fire with this probability, drawn from the emulator's seeded random source. */
  probability: z.number().min(0).max(1).optional(),
});

/** Input of a fault rule. */
export type FaultRuleInput = z.input<typeof faultRuleInputSchema>;
/** Effect of a fault rule. */
export type FaultEffect = z.infer<typeof faultEffectSchema>;

/** A fault rule as stored, with its counters. */
export interface FaultRule {
  id: string;
  match: z.infer<typeof faultMatchSchema>;
  effect: FaultEffect;
  skip?: number;
  times?: number;
  probability?: number;
  /** Matching requests seen. */
  seen: number;
  /** Times the rule fired. */
  fired: number;
}
