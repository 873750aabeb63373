import { serviceOfHost } from '../kube/hosts';
import type {
  IstioGateway,
  IstioVirtualService,
  KubePod,
  KubeService,
} from '../kube/types';
import { matchesLabels } from '../labelSelector';
import { principalOf, serviceAccountOf, sortedPrincipals } from './identity';

/**
 * A Gateway that routes traffic to a Service, and the VirtualService that binds them.
 *
 * @public
 */
export interface ServiceExposure {
  gateway: { name: string; namespace: string };
  virtualService: string;
}

/**
 * The Gateways through which a Service is exposed: VirtualServices bound to a Gateway (a
 * `gateways` entry other than the reserved `mesh`) with a route whose destination is the
 * Service. `gateways` entries are `name` (the VirtualService's namespace) or `ns/name`.
 *
 * @public
 */
export function serviceExposures(
  service: KubeService,
  virtualServices: IstioVirtualService[],
): ServiceExposure[] {
  const name = service.metadata?.name;
  const namespace = service.metadata?.namespace ?? '';
  const exposures = new Map<string, ServiceExposure>();
  for (const vs of virtualServices) {
    const vsNamespace = vs.metadata?.namespace ?? namespace;
    const destinations = [
      ...(vs.spec?.http ?? []).flatMap(r => r.route ?? []),
      ...(vs.spec?.tcp ?? []).flatMap(r => r.route ?? []),
      ...(vs.spec?.tls ?? []).flatMap(r => r.route ?? []),
    ].map(d => serviceOfHost(d.destination?.host ?? '', vsNamespace));
    if (
      !destinations.some(
        d => d !== undefined && d.name === name && d.namespace === namespace,
      )
    ) {
      continue;
    }
    for (const reference of vs.spec?.gateways ?? []) {
      if (reference === 'mesh') continue;
      const [gwNamespace, gwName] = reference.includes('/')
        ? reference.split('/', 2)
        : [vsNamespace, reference];
      exposures.set(`${gwNamespace}/${gwName}/${vs.metadata?.name}`, {
        gateway: { name: gwName, namespace: gwNamespace },
        virtualService: vs.metadata?.name ?? '',
      });
    }
  }
  return [...exposures.values()];
}

/**
 * The identities of the gateway proxies a Gateway selects: pods (in any namespace, Istio's
 * default) whose labels include the Gateway's `spec.selector`, as principals.
 *
 * @public
 */
export function gatewayPrincipals(
  gateway: IstioGateway,
  pods: KubePod[],
  trustDomain: string,
): string[] {
  const selector = gateway.spec?.selector ?? {};
  if (Object.keys(selector).length === 0) return [];
  return sortedPrincipals(
    pods
      .filter(pod => matchesLabels(pod.metadata?.labels, selector))
      .map(pod =>
        principalOf(
          trustDomain,
          pod.metadata?.namespace ?? '',
          serviceAccountOf(pod),
        ),
      ),
  );
}
