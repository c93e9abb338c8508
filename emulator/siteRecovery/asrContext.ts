import type { EmulatorServices } from "../services.js";
import type { AsrJobs } from "./asrJobs.js";
import type { Vaults } from "./vaults.js";

/** What every part of the Site Recovery service shares. */
export interface AsrContext {
  services: EmulatorServices;
  jobs: AsrJobs;
  vaults: Vaults;
}
