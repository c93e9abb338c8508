import { ValidationError } from "../errors.js";
import { maintenancePlanSchema, type MaintenancePlan } from "../model/maintenancePlan.js";
import { validate } from "../model/validate.js";

/**
 * Parses a plan given to a run (as {@link planMaintenance} made it, possibly written to JSON and
 * read back, or edited by hand) and checks the rules a run relies on: each VM in one step only,
 * and no step that would start two update domains of one availability set at once.
 * @throws ValidationError (`ValidationFailed`) naming the field (`plan.steps[2].vms`) and the rule.
 */
export function checkPlan(input: unknown): MaintenancePlan {
  const plan = validate(maintenancePlanSchema, input, "plan");
  const seen = new Map<string, number>();
  plan.steps.forEach((step, i) => {
    const domains = new Map<string, number>();
    for (const vm of step.vms) {
      const key = vm.id.toLowerCase();
      const earlier = seen.get(key);
      if (earlier !== undefined) throw new ValidationError(`plan.steps[${i}].vms`, `VM ${vm.name} is already in step ${earlier}; a VM is maintained once`);
      seen.set(key, step.index);
      if (vm.availabilitySetId === undefined) continue;
      const set = vm.availabilitySetId.toLowerCase();
      const other = domains.get(set);
      const ud = vm.updateDomain ?? 0;
      if (other !== undefined && other !== ud) {
        throw new ValidationError(
          `plan.steps[${i}].vms`,
          `would take update domains ${other} and ${ud} of availability set ${vm.availabilitySetName ?? vm.availabilitySetId} down at once`,
        );
      }
      domains.set(set, ud);
    }
  });
  return plan;
}
