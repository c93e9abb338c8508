/** A Site Recovery job: how the service tracks any change it makes. */
export interface Job {
  id: string;
  name: string;
  /** e.g. `EnableDr`, `DisableDr`, `TestFailover`. */
  scenario: string;
  friendlyName: string;
  /** `NotStarted`, `InProgress`, `Succeeded`, `Failed`, `Cancelled`, `Suspended` or `Other`. */
  state: string;
  stateDescription: string;
  tasks: JobTask[];
  errors: JobError[];
  /** What the job allows now: `Cancel`, `Restart`, `Resume`. */
  allowedActions: string[];
  startTime: Date | undefined;
  endTime: Date | undefined;
  targetName: string;
  /** For failover jobs (`FailoverJobDetails`, `TestFailoverJobDetails`): each VM with the recovery point it is recovered from. */
  items: JobItem[];
}

/** A VM a failover job works on. */
export interface JobItem {
  /** The replicated item's name. */
  name: string;
  friendlyName: string;
  recoveryPointId: string | undefined;
  recoveryPointTime: Date | undefined;
}

/** One step of a job. */
export interface JobTask {
  name: string;
  friendlyName: string;
  state: string;
  startTime: Date | undefined;
  endTime: Date | undefined;
}

/** Why a job failed. */
export interface JobError {
  code: string;
  message: string;
  recommendedAction: string | undefined;
}

/** A progress event of a wait: the job (or item) as last read. */
export interface JobProgress {
  job: Job;
  /** Share of tasks done (0-100). */
  percent: number;
}

/** Share of a job's tasks that are done (succeeded or skipped), 0-100. */
export function jobPercent(job: Job): number {
  if (job.tasks.length === 0) return job.state === "Succeeded" ? 100 : 0;
  return Math.round((job.tasks.filter((t) => t.state === "Succeeded" || t.state === "Skipped").length / job.tasks.length) * 100);
}
