import { Config } from '@backstage/config';

/** One cluster the mesh plugin can reach, as configured for the Kubernetes plugin. */
export interface MeshClusterConfig {
  name: string;
  title?: string;
  url: string;
  serviceAccountToken?: string;
  caData?: string;
  caFile?: string;
  skipTLSVerify: boolean;
  kialiUrl?: string;
  /** `mesh.clusters.<name>.ingressGatewaySelector`: pod labels a new ingress Gateway selects. */
  ingressGatewaySelector?: Record<string, string>;
  /** `mesh.clusters.<name>.ingressGatewayNamespace`: preferred among several gateways. */
  ingressGatewayNamespace?: string;
}

/**
 * Reads the clusters from `kubernetes.clusterLocatorMethods` (the `config` locator; other
 * locators are discovered by the Kubernetes plugin at run time and are not supported here yet)
 * and joins the per-cluster `mesh.clusters.<name>` settings.
 */
export function readClusterConfigs(config: Config): MeshClusterConfig[] {
  const methods = config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? [];
  const meshClusters = config.getOptionalConfig('mesh.clusters');
  const clusters: MeshClusterConfig[] = [];
  for (const method of methods) {
    if (method.getString('type') !== 'config') continue;
    for (const c of method.getOptionalConfigArray('clusters') ?? []) {
      const name = c.getString('name');
      const authProvider = c.getOptionalString('authProvider') ?? 'serviceAccount';
      if (authProvider !== 'serviceAccount') {
        throw new Error(
          `kubernetes cluster ${name}: the mesh plugin supports authProvider serviceAccount only (got ${authProvider})`,
        );
      }
      clusters.push({
        name,
        title: c.getOptionalString('title'),
        url: c.getString('url'),
        serviceAccountToken: c.getOptionalString('serviceAccountToken'),
        caData: c.getOptionalString('caData'),
        caFile: c.getOptionalString('caFile'),
        skipTLSVerify: c.getOptionalBoolean('skipTLSVerify') ?? false,
        kialiUrl: meshClusters?.getOptionalString(`${name}.kialiUrl`),
        ingressGatewaySelector: stringMap(meshClusters?.getOptionalConfig(`${name}.ingressGatewaySelector`)),
        ingressGatewayNamespace: meshClusters?.getOptionalString(`${name}.ingressGatewayNamespace`),
      });
    }
  }
  return clusters;
}

/** A config object of string values (label key → value), read key by key so types are checked. */
function stringMap(config: Config | undefined): Record<string, string> | undefined {
  if (!config) return undefined;
  return Object.fromEntries(config.keys().map(key => [key, config.getString(key)]));
}
