/**
 * The outputs of a `ProtectedVm` that are not inputs: the resource declares them (so a program can
 * read them), and the provider leaves them out of the inputs `read` gives back.
 */
export const PROTECTED_VM_OUTPUTS: readonly string[] = [
  "protectedVmId",
  "lifecycleId",
  "phase",
  "protectionState",
  "activeLocation",
  "replicationHealth",
  "sourceRegion",
  "targetRegion",
  "recoveryVmName",
];
