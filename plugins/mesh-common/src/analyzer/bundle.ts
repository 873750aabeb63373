import type {
  IstioAuthorizationPolicy,
  IstioDestinationRule,
  IstioGateway,
  IstioPeerAuthentication,
  IstioVirtualService,
  KubeNamespace,
  KubePod,
  KubeService,
  KubeServiceAccount,
  KubeWorkload,
} from '../kube/types';
import { serviceOfHost } from '../kube/hosts';
import { podLabelGroups } from '../status/podLabelGroups';

/**
 * Everything {@link analyze} looks at, as read from one cluster. Objects of namespaces not in
 * `namespaces` (or not holding a listed Service) are treated as unknown, not missing.
 *
 * @public
 */
export interface MeshBundle {
  namespaces: KubeNamespace[];
  services: KubeService[];
  /**
   * Workloads (Deployments, StatefulSets, DaemonSets): an AuthorizationPolicy selects a
   * workload when one of their pod templates (or a listed pod) matches its selector.
   */
  workloads?: KubeWorkload[];
  pods: KubePod[];
  virtualServices: IstioVirtualService[];
  destinationRules: IstioDestinationRule[];
  gateways: IstioGateway[];
  peerAuthentications?: IstioPeerAuthentication[];
  /**
   * Pods of any namespace that the bundle's Gateways select (listed by each Gateway's
   * selector). Absent = not read: a Gateway's selector is then not checked.
   */
  gatewayPods?: KubePod[];
  authorizationPolicies?: IstioAuthorizationPolicy[];
  /**
   * ServiceAccounts of the namespaces read: a principal naming a namespace none of them is in
   * is not checked.
   */
  serviceAccounts?: KubeServiceAccount[];
  /** Istio's root namespace (mesh-wide policies); default `istio-system`. */
  rootNamespace?: string;
}

/** Lookups shared by the checks. */
export class BundleIndex {
  readonly knownNamespaces: Set<string>;

  constructor(readonly bundle: MeshBundle) {
    this.knownNamespaces = new Set([
      ...bundle.namespaces.map(ns => ns.metadata?.name ?? ''),
      ...bundle.services.map(s => s.metadata?.namespace ?? ''),
    ]);
  }

  /** The Service a host names (resolved against `namespace`), `undefined` if none is listed. */
  service(host: string, namespace: string): KubeService | undefined {
    const target = serviceOfHost(host, namespace);
    if (!target) return undefined;
    return this.bundle.services.find(
      s =>
        s.metadata?.name === target.name &&
        s.metadata?.namespace === target.namespace,
    );
  }

  /** The listed Service with this name and namespace, if any. */
  serviceNamed(ref: {
    name: string;
    namespace: string;
  }): KubeService | undefined {
    return this.bundle.services.find(
      s =>
        s.metadata?.name === ref.name &&
        s.metadata?.namespace === ref.namespace,
    );
  }

  /**
   * True when the host is a cluster-local service name in a namespace we have read, so that
   * its absence from the bundle means it does not exist.
   */
  hostIsCheckable(host: string, namespace: string): boolean {
    const target = serviceOfHost(host, namespace);
    return target !== undefined && this.knownNamespaces.has(target.namespace);
  }

  /** Services of the same name in other namespaces (for "namespace hell" hints). */
  sameNameElsewhere(host: string, namespace: string): KubeService[] {
    const target = serviceOfHost(host, namespace);
    if (!target || host.includes('.')) return [];
    return this.bundle.services.filter(
      s =>
        s.metadata?.name === target.name &&
        s.metadata?.namespace !== target.namespace,
    );
  }

  /** DestinationRules whose host names the same service as `host` in `namespace`. */
  destinationRulesFor(host: string, namespace: string): IstioDestinationRule[] {
    const target = serviceOfHost(host, namespace);
    if (!target) return [];
    return this.bundle.destinationRules.filter(dr => {
      const drTarget = serviceOfHost(
        dr.spec?.host ?? '',
        dr.metadata?.namespace ?? '',
      );
      return (
        drTarget?.name === target.name &&
        drTarget.namespace === target.namespace
      );
    });
  }

  /** Pods a Service selects (decided once per group of pods with the same labels). */
  podsOf(service: KubeService): KubePod[] {
    const selector = service.spec?.selector ?? {};
    const keys = Object.keys(selector);
    if (keys.length === 0) return [];
    return podLabelGroups(this.bundle.pods)
      .filter(
        group =>
          group.namespace === (service.metadata?.namespace ?? '') &&
          keys.every(k => group.labels[k] === selector[k]),
      )
      .flatMap(group => group.pods);
  }

  /** The Gateway a VirtualService's `gateways` entry names (`name` or `ns/name`). */
  gateway(reference: string, vsNamespace: string): IstioGateway | undefined {
    const [namespace, name] = reference.includes('/')
      ? reference.split('/', 2)
      : [vsNamespace, reference];
    return this.bundle.gateways.find(
      gw =>
        gw.metadata?.name === name &&
        (gw.metadata?.namespace ?? vsNamespace) === namespace,
    );
  }

  gatewayNamespace(reference: string, vsNamespace: string): string {
    return reference.includes('/') ? reference.split('/', 2)[0] : vsNamespace;
  }
}
