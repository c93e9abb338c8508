/** One Azure public-cloud region. */
export interface AzureRegion {
  /** Programmatic name, e.g. `westeurope`. */
  readonly name: string;
  readonly displayName: string;
  readonly geography: string;
  /** Its paired region (Microsoft's table; some pairs are one-way), or undefined when it has none. */
  readonly pairedRegion: string | undefined;
  /**
   * Largest fault-domain count of a managed (`Aligned`) availability set there, from the
   * `availabilitySets` SKU capability `MaximumPlatformFaultDomainCount`; undefined when unknown.
   */
  readonly maxFaultDomains: 2 | 3 | undefined;
}

const row = (name: string, displayName: string, geography: string, pairedRegion?: string, maxFaultDomains?: 2 | 3): AzureRegion => ({
  name,
  displayName,
  geography,
  pairedRegion,
  maxFaultDomains,
});

/**
 * Azure's public regions, their pairs and fault-domain limits. Sources: Microsoft's region list
 * (reliability docs, 09/2025) for pairs and geographies; a snapshot of `az vm list-skus
 * --resource-type availabilitySets` for fault domains. See emulator/FIDELITY.md for the caveats.
 */
export const AZURE_REGIONS: readonly AzureRegion[] = [
  row("australiacentral", "Australia Central", "Australia", "australiacentral2", 2),
  row("australiacentral2", "Australia Central 2", "Australia", "australiacentral", 2),
  row("australiaeast", "Australia East", "Australia", "australiasoutheast", 2),
  row("australiasoutheast", "Australia Southeast", "Australia", "australiaeast", 2),
  row("austriaeast", "Austria East", "Austria"),
  row("belgiumcentral", "Belgium Central", "Belgium"),
  row("brazilsouth", "Brazil South", "Brazil", "southcentralus", 3),
  row("brazilsoutheast", "Brazil Southeast", "Brazil", "brazilsouth", 2),
  row("canadacentral", "Canada Central", "Canada", "canadaeast", 3),
  row("canadaeast", "Canada East", "Canada", "canadacentral", 2),
  row("centralindia", "Central India", "India", "southindia", 3),
  row("centralus", "Central US", "United States", "eastus2", 3),
  row("chilecentral", "Chile Central", "Chile"),
  row("denmarkeast", "Denmark East", "Denmark"),
  row("eastasia", "East Asia", "Asia Pacific", "southeastasia", 2),
  row("eastus", "East US", "United States", "westus", 3),
  row("eastus2", "East US 2", "United States", "centralus", 3),
  row("francecentral", "France Central", "France", "francesouth", 3),
  row("francesouth", "France South", "France", "francecentral", 2),
  row("germanynorth", "Germany North", "Germany", "germanywestcentral", 2),
  row("germanywestcentral", "Germany West Central", "Germany", "germanynorth", 2),
  row("indonesiacentral", "Indonesia Central", "Indonesia"),
  row("israelcentral", "Israel Central", "Israel", undefined, 2),
  row("italynorth", "Italy North", "Italy", undefined, 2),
  row("japaneast", "Japan East", "Japan", "japanwest", 3),
  row("japanwest", "Japan West", "Japan", "japaneast", 2),
  row("jioindiacentral", "Jio India Central", "India", "jioindiawest", 2),
  row("jioindiawest", "Jio India West", "India", "jioindiacentral", 2),
  row("koreacentral", "Korea Central", "Korea", "koreasouth", 2),
  row("koreasouth", "Korea South", "Korea", "koreacentral", 2),
  row("malaysiasouth", "Malaysia South", "Malaysia", undefined, 2),
  row("malaysiawest", "Malaysia West", "Malaysia"),
  row("mexicocentral", "Mexico Central", "Mexico", undefined, 2),
  row("newzealandnorth", "New Zealand North", "New Zealand"),
  row("northcentralus", "North Central US", "United States", "southcentralus", 3),
  row("northeurope", "North Europe", "Europe", "westeurope", 3),
  row("norwayeast", "Norway East", "Norway", "norwaywest", 2),
  row("norwaywest", "Norway West", "Norway", "norwayeast", 2),
  row("polandcentral", "Poland Central", "Poland", undefined, 2),
  row("qatarcentral", "Qatar Central", "Qatar", undefined, 2),
  row("southafricanorth", "South Africa North", "South Africa", "southafricawest", 2),
  row("southafricawest", "South Africa West", "South Africa", "southafricanorth", 2),
  row("southcentralus", "South Central US", "United States", "northcentralus", 3),
  row("southeastasia", "Southeast Asia", "Asia Pacific", "eastasia", 2),
  row("southindia", "South India", "India", "centralindia", 2),
  row("spaincentral", "Spain Central", "Spain", undefined, 2),
  row("swedencentral", "Sweden Central", "Sweden", "swedensouth", 3),
  row("swedensouth", "Sweden South", "Sweden", "swedencentral", 2),
  row("switzerlandnorth", "Switzerland North", "Switzerland", "switzerlandwest", 2),
  row("switzerlandwest", "Switzerland West", "Switzerland", "switzerlandnorth", 2),
  row("taiwannorth", "Taiwan North", "Taiwan", undefined, 2),
  row("taiwannorthwest", "Taiwan Northwest", "Taiwan", undefined, 2),
  row("uaecentral", "UAE Central", "UAE", "uaenorth", 2),
  row("uaenorth", "UAE North", "UAE", "uaecentral", 2),
  row("uksouth", "UK South", "United Kingdom", "ukwest", 2),
  row("ukwest", "UK West", "United Kingdom", "uksouth", 2),
  row("westcentralus", "West Central US", "United States", "westus2", 2),
  row("westeurope", "West Europe", "Europe", "northeurope", 3),
  row("westindia", "West India", "India", "southindia", 2),
  row("westus", "West US", "United States", "eastus", 3),
  row("westus2", "West US 2", "United States", "westcentralus", 3),
  row("westus3", "West US 3", "United States", "eastus", 3),
];
