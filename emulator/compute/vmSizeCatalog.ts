import type { JsonObject } from "../arm/types.js";

/** One VM size as `VirtualMachineSize` in Compute's answers. */
export interface VmSize extends JsonObject {
  name: string;
  numberOfCores: number;
  osDiskSizeInMB: number;
  resourceDiskSizeInMB: number;
  memoryInMB: number;
  maxDataDiskCount: number;
}

/** The largest OS disk every size takes (1023 GiB), as Compute reports it for each size. */
const OS_DISK_MB = 1_047_552;

/** [name, cores, memory GiB, temporary disk GiB, max data disks], from the published size tables. */
const SIZES: readonly (readonly [string, number, number, number, number])[] = [
  ["Standard_A1_v2", 1, 2, 10, 2],
  ["Standard_A2_v2", 2, 4, 20, 4],
  ["Standard_A4_v2", 4, 8, 40, 8],
  ["Standard_B1s", 1, 1, 4, 2],
  ["Standard_B2s", 2, 4, 8, 4],
  ["Standard_B2ms", 2, 8, 16, 4],
  ["Standard_B4ms", 4, 16, 32, 8],
  ["Standard_DS1_v2", 1, 3.5, 7, 4],
  ["Standard_DS2_v2", 2, 7, 14, 8],
  ["Standard_DS3_v2", 4, 14, 28, 16],
  ["Standard_D2s_v3", 2, 8, 16, 4],
  ["Standard_D4s_v3", 4, 16, 32, 8],
  ["Standard_D8s_v3", 8, 32, 64, 16],
  ["Standard_D2s_v5", 2, 8, 0, 4],
  ["Standard_D4s_v5", 4, 16, 0, 8],
  ["Standard_D8s_v5", 8, 32, 0, 16],
  ["Standard_D16s_v5", 16, 64, 0, 32],
  ["Standard_D32s_v5", 32, 128, 0, 32],
  ["Standard_D48s_v5", 48, 192, 0, 32],
  ["Standard_D64s_v5", 64, 256, 0, 32],
  ["Standard_E2s_v5", 2, 16, 0, 4],
  ["Standard_E4s_v5", 4, 32, 0, 8],
  ["Standard_E8s_v5", 8, 64, 0, 16],
  ["Standard_E16s_v5", 16, 128, 0, 32],
  ["Standard_F2s_v2", 2, 4, 16, 4],
  ["Standard_F4s_v2", 4, 8, 32, 8],
];

/**
 * The VM sizes Compute offers here, in every region it serves (the real offer differs by region and
 * hardware cluster; one catalogue for all is inferred). Fresh objects on each call.
 */
export function vmSizeCatalog(): VmSize[] {
  return SIZES.map(([name, cores, memoryGiB, tempGiB, maxDataDiskCount]) => ({
    name,
    numberOfCores: cores,
    osDiskSizeInMB: OS_DISK_MB,
    resourceDiskSizeInMB: tempGiB * 1024,
    memoryInMB: memoryGiB * 1024,
    maxDataDiskCount,
  }));
}
