import type { Router } from "../arm/router.js";
import { VersionShapedRouter } from "../arm/versionShape.js";
import { VAULT_VERSION_SHAPES } from "../arm/versionShapeTables.js";
import type { EmulatorServices } from "../services.js";
import { AsrJobs } from "./asrJobs.js";
import type { AsrContext } from "./asrContext.js";
import { ContainerMappings } from "./containerMappings.js";
import { Containers } from "./containers.js";
import { Fabrics } from "./fabrics.js";
import { HyperVFailback } from "./hyperVFailback.js";
import { HyperVSites } from "./hyperVSites.js";
import { ItemFailover } from "./itemFailover.js";
import { SwitchProtection } from "./switchProtection.js";
import { NetworkMappings } from "./networkMappings.js";
import { PlanExecution } from "./planExecution.js";
import { Policies } from "./policies.js";
import { RecoveryPlans } from "./recoveryPlans.js";
import { ReplicationEvents } from "./replicationEvents.js";
import { ProtectedItems } from "./protectedItems.js";
import type { ComputeService } from "../compute/registerCompute.js";
import type { StorageAccounts } from "../storage/storageAccounts.js";
import { Vaults } from "./vaults.js";

/** The Site Recovery service's parts other services reach. */
export interface SiteRecoveryService extends AsrContext {
  fabrics: Fabrics;
  containers: Containers;
  containerMappings: ContainerMappings;
  networkMappings: NetworkMappings;
  policies: Policies;
  hyperVSites: HyperVSites;
  protectedItems: ProtectedItems;
  itemFailover: ItemFailover;
}

/** Builds Microsoft.RecoveryServices (vaults and Site Recovery) and adds its routes; vault answers take the shape of the request's api-version. */
export function registerSiteRecovery(services: EmulatorServices, router: Router, compute: ComputeService, storage: StorageAccounts): SiteRecoveryService {
  const jobs = new AsrJobs(services);
  const vaults = new Vaults(services);
  const asr: AsrContext = { services, jobs, vaults };
  const fabrics = new Fabrics(asr);
  const containers = new Containers(asr, fabrics);
  const policies = new Policies(asr);
  const containerMappings = new ContainerMappings(asr, containers, policies);
  const networkMappings = new NetworkMappings(asr, fabrics);
  const hyperVSites = new HyperVSites(asr, fabrics, containers);
  const protectedItems = new ProtectedItems(asr, containers, containerMappings, policies, compute, storage, hyperVSites);
  vaults.register(new VersionShapedRouter(router, VAULT_VERSION_SHAPES));
  jobs.registerRoutes(router);
  fabrics.register(router);
  containers.register(router);
  policies.register(router);
  containerMappings.register(router);
  networkMappings.register(router);
  hyperVSites.register(router);
  protectedItems.register(router);
  new ReplicationEvents(asr).register(router);
  const hyperVFailback = new HyperVFailback(asr, protectedItems, hyperVSites, compute);
  const itemFailover = new ItemFailover(asr, protectedItems, compute, hyperVFailback);
  itemFailover.register(router);
  const recoveryPlans = new RecoveryPlans(asr, protectedItems);
  recoveryPlans.register(router);
  new PlanExecution(asr, itemFailover, recoveryPlans).register(router);
  new SwitchProtection(asr, containers, containerMappings, protectedItems, compute, storage, hyperVFailback).register(router);
  return { ...asr, fabrics, containers, containerMappings, networkMappings, policies, hyperVSites, protectedItems, itemFailover };
}
