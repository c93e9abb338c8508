import type { DrClient } from "../../sdk/index.js";

/** Plain JSON values, as Pulumi passes inputs and keeps outputs. */
export type PlainValue = string | number | boolean | null | PlainValue[] | { [key: string]: PlainValue };
/** A property bag (inputs or outputs). */
export type Props = Record<string, PlainValue>;

/** What `check` answers: the checked inputs and the failures, each naming its property. */
export interface CheckResult {
  inputs: Props;
  failures: { property: string; reason: string }[];
}

/** What `diff` answers. */
export interface DiffResult {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
}

/** What `read` answers: nothing when the resource is gone. */
export interface ReadResult {
  id?: string;
  props?: Props;
  inputs?: Props;
}

/**
 * The logic of one resource kind, behind its dynamic provider: everything that runs in the
 * provider host, with a client built for the call.
 */
export interface ResourceCore {
  check(olds: Props, news: Props): CheckResult;
  diff(id: string, olds: Props, news: Props): DiffResult;
  create(dr: DrClient, inputs: Props): Promise<{ id: string; outs: Props }>;
  read(dr: DrClient, id: string, props: Props): Promise<ReadResult>;
  update(dr: DrClient, id: string, olds: Props, news: Props): Promise<{ outs: Props }>;
  delete(dr: DrClient, id: string, props: Props): Promise<void>;
}
