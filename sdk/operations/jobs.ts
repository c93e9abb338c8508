import type { JobWaitOptions, SiteRecoveryGateway } from "../azure/siteRecoveryGateway.js";
import type { Clock } from "../clock.js";
import { DrTimeoutError, OperationFailedError } from "../errors.js";
import { jobPercent, type Job } from "../model/job.js";
import { validate } from "../model/validate.js";
import { vaultRefSchema, type VaultRef } from "../model/vault.js";
import { z } from "zod";

const jobNameSchema = z.string().regex(/^[A-Za-z0-9-]{1,100}$/, "must be a job name (a GUID)");
const TERMINAL = new Set(["Succeeded", "Failed", "Cancelled", "Suspended"]);
/** Site Recovery asks clients to wait 30 seconds between polls. */
const POLL_MS = 30_000;

/** Options of {@link JobOperations.wait}. */
export interface JobWaitUntilOptions extends JobWaitOptions {
  /** Give up (DrTimeoutError) after this much of the backend's time. @default 24 hours */
  timeoutInMs?: number;
}

/** Site Recovery jobs: read, list, cancel, restart, resume, and wait for one. */
export class JobOperations {
  /** @internal */
  constructor(
    private readonly asr: SiteRecoveryGateway,
    private readonly clock: Clock,
  ) {}

  /** Reads a job. @throws ResourceNotFoundError; ValidationError. */
  async get(vault: VaultRef, name: string): Promise<Job> {
    return this.asr.getJob(validate(vaultRefSchema, vault, "vault"), validate(jobNameSchema, name, "name"));
  }

  /** Lists the vault's jobs, newest first. @throws ValidationError. */
  list(vault: VaultRef): AsyncIterable<Job> {
    return this.asr.listJobs(validate(vaultRefSchema, vault, "vault"));
  }

  /** Cancels a running job. @throws ValidationError (Azure's `JobActionNotAllowed` when `Cancel` is not allowed); OperationFailedError. */
  async cancel(vault: VaultRef, name: string, options: JobWaitOptions = {}): Promise<Job> {
    return this.asr.cancelJob(validate(vaultRefSchema, vault, "vault"), validate(jobNameSchema, name, "name"), options);
  }

  /** Restarts a failed job. @throws ValidationError (`JobActionNotAllowed` unless the job failed); OperationFailedError. */
  async restart(vault: VaultRef, name: string, options: JobWaitOptions = {}): Promise<Job> {
    return this.asr.restartJob(validate(vaultRefSchema, vault, "vault"), validate(jobNameSchema, name, "name"), options);
  }

  /** Resumes a suspended job. @throws ValidationError (`JobActionNotAllowed` unless suspended); OperationFailedError. */
  async resume(vault: VaultRef, name: string, comments?: string, options: JobWaitOptions = {}): Promise<Job> {
    return this.asr.resumeJob(validate(vaultRefSchema, vault, "vault"), validate(jobNameSchema, name, "name"), comments, options);
  }

  /**
   * Waits until a job ends (succeeded, suspended, cancelled or failed), reporting it on each
   * reading; an `AbortSignal` stops the wait, never the job.
   * @returns the job when it succeeded or is suspended (waiting for the user).
   * @throws OperationFailedError (`OperationFailed`) when it failed or was cancelled; DrTimeoutError; DrError `Aborted`.
   */
  async wait(vault: VaultRef, name: string, options: JobWaitUntilOptions = {}): Promise<Job> {
    const ref = validate(vaultRefSchema, vault, "vault");
    validate(jobNameSchema, name, "name");
    const deadline = this.clock.now().getTime() + (options.timeoutInMs ?? 24 * 3600_000);
    for (;;) {
      const job = await this.asr.getJob(ref, name);
      options.onProgress?.({ job, percent: jobPercent(job) });
      if (TERMINAL.has(job.state)) {
        if (job.state === "Failed" || job.state === "Cancelled") {
          const error = job.errors[0];
          throw new OperationFailedError(
            job.friendlyName,
            `${job.friendlyName} ${job.state.toLowerCase()}${error === undefined ? "" : `: ${error.code}: ${error.message}`}`,
            error === undefined ? {} : { azureCode: error.code },
          );
        }
        return job;
      }
      const now = this.clock.now().getTime();
      if (now >= deadline) throw new DrTimeoutError(`job ${job.friendlyName} (${name}) still ${job.state} at the deadline`);
      await this.clock.sleep(Math.min(POLL_MS, deadline - now), options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal });
    }
  }
}
