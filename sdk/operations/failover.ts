import type { JobWaitOptions, SiteRecoveryGateway } from "../azure/siteRecoveryGateway.js";
import type { Clock } from "../clock.js";
import { InvalidStateError, ValidationError } from "../errors.js";
import { logger } from "../logger.js";
import {
  failoverInputSchema,
  recoveryPointChoiceSchema,
  testFailoverInputSchema,
  type FailoverInput,
  type FailoverResult,
  type RecoveryPointChoice,
  type TestFailoverInput,
} from "../model/failover.js";
import type { ProtectedVm, RecoveryPoint } from "../model/protectedVm.js";
import { parseReplicatedItemId, type ReplicatedItemRef } from "../model/replicatedItemId.js";
import { validate } from "../model/validate.js";
import { z } from "zod";

/**
 * Failover of one protected VM (Azure-to-Azure): rehearse with a test failover and clean it up,
 * fail over (planned: source shut down first, no data loss; unplanned: from a recovery point, with
 * the data loss reported), change the recovery point or cancel before committing, and commit.
 * Every call reads the VM's state first and refuses, without sending the action, what Azure's
 * `allowedOperations` do not allow at that moment.
 */
export class FailoverOperations {
  /** @internal */
  constructor(
    private readonly asr: SiteRecoveryGateway,
    private readonly clock: Clock,
  ) {}

  /** Reads the item and checks that `operation` is allowed now. */
  private async expect(protectedVmId: string, operation: string): Promise<{ ref: ReplicatedItemRef; item: ProtectedVm }> {
    const ref = parseReplicatedItemId(protectedVmId);
    const item = await this.asr.getProtectedItem(ref);
    if (!item.allowedOperations.includes(operation)) {
      throw new InvalidStateError(
        `${item.name}: '${operation}' is not allowed while the VM is ${item.phase} (${item.protectionStateDescription || item.protectionState}); allowed now: [${item.allowedOperations.join(", ")}].`,
        { resourceId: item.id, azureCode: "OperationNotAllowed" },
      );
    }
    return { ref, item };
  }

  /** The recovery point a choice names (undefined: let the service take the latest, syncing pending data). */
  private async resolve(ref: ReplicatedItemRef, choice: RecoveryPointChoice): Promise<RecoveryPoint | undefined> {
    if (choice === "Latest") return undefined;
    const points: RecoveryPoint[] = [];
    for await (const point of this.asr.listRecoveryPoints(ref)) points.push(point);
    points.sort((a, b) => b.time.getTime() - a.time.getTime());
    const found =
      typeof choice === "object"
        ? points.find((p) => p.id.toLowerCase() === choice.id.toLowerCase())
        : choice === "LatestProcessed"
          ? points[0]
          : points.find((p) => p.type === (choice === "LatestApplicationConsistent" ? "ApplicationConsistent" : "CrashConsistent"));
    if (found === undefined) {
      throw new InvalidStateError(
        `${ref.item}: no recovery point matches ${typeof choice === "object" ? `id ${choice.id}` : choice} (${points.length} point(s) exist).`,
        { azureCode: "RecoveryPointNotFound" },
      );
    }
    return found;
  }

  /**
   * Test failover: brings up a copy of the VM in an isolated network from a recovery point;
   * production and replication go on. The job stays Suspended until {@link cleanupTest}.
   * @throws InvalidStateError: not protected, or a test failover is already pending cleanup; ValidationError; OperationFailedError; DrError `Aborted`.
   */
  async test(protectedVmId: string, input: TestFailoverInput, options: JobWaitOptions = {}): Promise<ProtectedVm> {
    const parsed = validate(testFailoverInputSchema, input, "");
    const { ref, item } = await this.expect(protectedVmId, "TestFailover");
    const point = await this.resolve(ref, parsed.recoveryPoint ?? "LatestProcessed");
    logger.info(`test failover of ${ref.item} into ${parsed.networkId}`);
    return this.asr.testFailover(ref, item.activeLocation === "Recovery" ? "RecoveryToPrimary" : "PrimaryToRecovery", parsed.networkId, point?.id, options);
  }

  /**
   * Cleans up a test failover: deletes the test VM and completes the test failover job.
   * @throws InvalidStateError when no test failover waits for cleanup; ValidationError; OperationFailedError.
   */
  async cleanupTest(protectedVmId: string, comments?: string, options: JobWaitOptions = {}): Promise<ProtectedVm> {
    if (comments !== undefined) validate(z.string().max(1024, "must be at most 1,024 characters"), comments, "comments");
    const { ref } = await this.expect(protectedVmId, "TestFailoverCleanup");
    return this.asr.testFailoverCleanup(ref, comments, options);
  }

  /**
   * Fails the VM over to the other region (its recovery region, or back to its primary after a reprotect: failback). `planned` shuts the source VM down first and syncs
   * (no data loss; refused when the source region is down); `unplanned` recovers from the chosen
   * point and reports the data lost since it. The VM is then `failedOver` until {@link commit}.
   * @throws InvalidStateError: not allowed now (e.g. not protected, part of a multi-VM group, source region down for `planned`); ValidationError; OperationFailedError; DrError `Aborted`.
   */
  async failover(protectedVmId: string, input: FailoverInput, options: JobWaitOptions = {}): Promise<FailoverResult> {
    const parsed = validate(failoverInputSchema, input, "");
    if (parsed.kind === "planned" && parsed.recoveryPoint !== undefined)
      throw new ValidationError("recoveryPoint", "a planned failover syncs the latest data; it takes no recoveryPoint");
    const { ref, item } = await this.expect(protectedVmId, "UnplannedFailover");
    const direction = item.activeLocation === "Recovery" ? "RecoveryToPrimary" : "PrimaryToRecovery";
    const point = parsed.kind === "planned" ? undefined : await this.resolve(ref, parsed.recoveryPoint ?? "Latest");
    const startedAt = this.clock.now();
    logger.info(`${parsed.kind} failover of ${ref.item}${point === undefined ? "" : ` from ${point.type} point ${point.time.toISOString()}`}`);
    const protectedVm = await this.asr.unplannedFailover(ref, direction, parsed.kind === "planned", point?.id, options);
    return this.result(ref, protectedVm, startedAt, point);
  }

  /**
   * Recreates the failed-over VM from another recovery point, before committing.
   * @throws InvalidStateError unless failed over and not committed; ValidationError; OperationFailedError.
   */
  async changeRecoveryPoint(protectedVmId: string, recoveryPoint: RecoveryPointChoice, options: JobWaitOptions = {}): Promise<FailoverResult> {
    const choice = validate(recoveryPointChoiceSchema, recoveryPoint, "recoveryPoint");
    const { ref, item } = await this.expect(protectedVmId, "ChangePit");
    const point = await this.resolve(ref, choice === "Latest" ? "LatestProcessed" : choice);
    const protectedVm = await this.asr.applyRecoveryPoint(ref, (point as RecoveryPoint).id, options);
    return this.result(ref, protectedVm, item.lastFailoverTime ?? this.clock.now(), point);
  }

  /**
   * Cancels an uncommitted failover: the failed-over VM is deleted, the source VM runs again and replication resumes.
   * @throws InvalidStateError unless failed over and not committed; OperationFailedError.
   */
  async cancel(protectedVmId: string, options: JobWaitOptions = {}): Promise<ProtectedVm> {
    const { ref } = await this.expect(protectedVmId, "CancelFailover");
    return this.asr.failoverCancel(ref, options);
  }

  /**
   * Commits the failover: final; recovery points are deleted and the VM runs in the recovery
   * region, unprotected until it is reprotected.
   * @throws InvalidStateError unless failed over and not committed (e.g. commit before failover); OperationFailedError.
   */
  async commit(protectedVmId: string, options: JobWaitOptions = {}): Promise<ProtectedVm> {
    const { ref } = await this.expect(protectedVmId, "Commit");
    logger.info(`commit failover of ${ref.item}`);
    return this.asr.failoverCommit(ref, options);
  }

  private async result(ref: ReplicatedItemRef, protectedVm: ProtectedVm, startedAt: Date, chosen: RecoveryPoint | undefined): Promise<FailoverResult> {
    let point = chosen;
    if (point === undefined && protectedVm.failoverRecoveryPointId !== undefined) {
      for await (const candidate of this.asr.listRecoveryPoints(ref))
        if (candidate.id.toLowerCase() === protectedVm.failoverRecoveryPointId.toLowerCase()) point = candidate;
    }
    const dataLossSeconds = point === undefined ? 0 : Math.max(0, Math.round((startedAt.getTime() - point.time.getTime()) / 1000));
    return { protectedVm, recoveryPoint: point, startedAt, dataLossSeconds };
  }
}
