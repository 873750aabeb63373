import { MeshFindingCodes } from '../api/codes';
import type { Finding } from '../api/findings';
import { gatewayHostCovers, partiallyQualifiedService } from '../kube/hosts';
import type {
  IstioHttpRouteDestination,
  IstioVirtualService,
} from '../kube/types';
import { matchesLabels } from '../labelSelector';
import type { BundleIndex } from './bundle';

function destinationsOf(vs: IstioVirtualService): IstioHttpRouteDestination[] {
  return [
    ...(vs.spec?.http ?? []).flatMap(r => r.route ?? []),
    ...(vs.spec?.tcp ?? []).flatMap(r => r.route ?? []),
    ...(vs.spec?.tls ?? []).flatMap(r => r.route ?? []),
  ];
}

/** IST0101 (host / subset / gateway not found), IST0112, IST0132, MESH-003 for VirtualServices. */
export function virtualServiceChecks(index: BundleIndex): Finding[] {
  const findings: Finding[] = [];
  for (const vs of index.bundle.virtualServices) {
    const name = vs.metadata?.name ?? '';
    const namespace = vs.metadata?.namespace ?? '';
    const resource = { kind: 'VirtualService', name, namespace };

    for (const destination of destinationsOf(vs)) {
      const host = destination.destination.host;
      const service = index.service(host, namespace);
      const meant = partiallyQualifiedService(host);
      if (!service && meant && index.serviceNamed(meant)) {
        findings.push({
          code: MeshFindingCodes.partiallyQualifiedHost,
          severity: 'error',
          message: `VirtualService ${name} routes to "${host}": Istio expands only names without a dot, so this names no Service (requests get 503 NR/UH).`,
          resource,
          hint: `Use ${meant.name}.${meant.namespace}.svc.cluster.local${
            meant.namespace === namespace ? ` or ${meant.name}` : ''
          }.`,
          blocking: true,
        });
        continue;
      }
      if (!service) {
        if (!index.hostIsCheckable(host, namespace)) continue;
        const elsewhere = index.sameNameElsewhere(host, namespace);
        findings.push(
          elsewhere.length > 0
            ? {
                code: MeshFindingCodes.crossNamespaceShortHost,
                severity: 'error',
                message: `VirtualService ${name} routes to "${host}", which means ${host}.${namespace}; the service lives in ${elsewhere
                  .map(s => s.metadata?.namespace)
                  .join(', ')}.`,
                resource,
                hint: `Use the full host ${host}.${elsewhere[0].metadata?.namespace}.svc.cluster.local.`,
                blocking: true,
              }
            : {
                code: 'IST0101',
                severity: 'error',
                message: `VirtualService ${name} routes to host ${host}, which matches no service.`,
                resource,
                hint: 'Fix the destination host, or create the Service.',
                blocking: true,
              },
        );
        continue;
      }
      const subset = destination.destination.subset;
      if (subset) {
        const rules = index.destinationRulesFor(host, namespace);
        if (
          !rules.some(dr =>
            (dr.spec?.subsets ?? []).some(s => s.name === subset),
          )
        ) {
          findings.push({
            code: 'IST0101',
            severity: 'error',
            message: `VirtualService ${name} routes to subset ${subset} of ${host}, which no DestinationRule defines: requests get 503 (NC).`,
            resource,
            hint: `Add subset ${subset} to the DestinationRule for ${host} (apply it before the VirtualService).`,
            blocking: true,
          });
        }
      }
      const ports = service.spec?.ports ?? [];
      if (
        ports.length > 1 &&
        destination.destination.port?.number === undefined
      ) {
        findings.push({
          code: 'IST0112',
          severity: 'error',
          message: `VirtualService ${name} routes to ${host}, which has ${ports.length} ports, without naming one.`,
          resource,
          hint: `Set destination.port.number (one of ${ports
            .map(p => p.port)
            .join(', ')}).`,
          blocking: true,
        });
      }
    }

    for (const gatewayRef of vs.spec?.gateways ?? []) {
      if (gatewayRef === 'mesh') continue;
      const gateway = index.gateway(gatewayRef, namespace);
      if (!gateway) {
        if (
          !index.knownNamespaces.has(
            index.gatewayNamespace(gatewayRef, namespace),
          )
        )
          continue;
        findings.push({
          code: 'IST0101',
          severity: 'error',
          message: `VirtualService ${name} is bound to gateway ${gatewayRef}, which does not exist.`,
          resource,
          hint: 'Fix the gateways entry (name or namespace/name) or create the Gateway.',
          blocking: true,
        });
        continue;
      }
      // istioctl reports IST0132 once per Gateway, when NONE of the VirtualService's hosts is
      // served there for its namespace (gateways.go, vsHostInGateway).
      const served = (gateway.spec?.servers ?? []).flatMap(s => s.hosts ?? []);
      const namespaces = {
        virtualService: namespace,
        gateway: gateway.metadata?.namespace ?? namespace,
      };
      const hosts = vs.spec?.hosts ?? [];
      if (
        hosts.length > 0 &&
        !hosts.some(host =>
          served.some(pattern => gatewayHostCovers(pattern, host, namespaces)),
        )
      ) {
        findings.push({
          code: 'IST0132',
          severity: 'error',
          message: `VirtualService ${name} hosts ${hosts.join(
            ', ',
          )} are not served by gateway ${gatewayRef} for namespace ${namespace} (${
            served.join(', ') || 'no hosts'
          }).`,
          resource,
          hint: `Add a host to the Gateway's servers (with a namespace prefix that admits ${namespace}), or fix the VirtualService hosts.`,
          blocking: true,
        });
      }
    }

    // Handbook: "Forgetting to link a VirtualService to a Gateway is a classic mistake."
    if ((vs.spec?.gateways ?? []).length === 0) {
      for (const host of vs.spec?.hosts ?? []) {
        if (host === '*' || index.service(host, namespace)) continue;
        const gateway = index.bundle.gateways.find(gw =>
          (gw.spec?.servers ?? []).some(s =>
            (s.hosts ?? []).some(
              p => !p.endsWith('*') && gatewayHostCovers(p, host),
            ),
          ),
        );
        if (gateway) {
          findings.push({
            code: MeshFindingCodes.virtualServiceNotLinkedToGateway,
            severity: 'warning',
            message: `VirtualService ${name} is for host ${host}, which Gateway ${gateway.metadata?.name} serves, but it is not bound to that Gateway: ingress traffic ignores it.`,
            resource,
            hint: `Add "gateways: [${
              gateway.metadata?.namespace === namespace
                ? gateway.metadata?.name
                : `${gateway.metadata?.namespace}/${gateway.metadata?.name}`
            }]" to the VirtualService.`,
            blocking: false,
          });
        }
      }
    }
  }
  return findings;
}

/** IST0173 (subset selects no pods), IST0174 (host matches no service), MESH-003 for DestinationRules. */
export function destinationRuleChecks(index: BundleIndex): Finding[] {
  const findings: Finding[] = [];
  const routedSubsets = new Map<string, number>();
  for (const vs of index.bundle.virtualServices) {
    for (const d of destinationsOf(vs)) {
      const target = index.service(
        d.destination.host,
        vs.metadata?.namespace ?? '',
      );
      if (target && d.destination.subset) {
        const key = `${target.metadata?.namespace}/${target.metadata?.name}/${d.destination.subset}`;
        routedSubsets.set(
          key,
          Math.max(routedSubsets.get(key) ?? 0, d.weight ?? 100),
        );
      }
    }
  }

  for (const dr of index.bundle.destinationRules) {
    const name = dr.metadata?.name ?? '';
    const namespace = dr.metadata?.namespace ?? '';
    const resource = { kind: 'DestinationRule', name, namespace };
    const host = dr.spec?.host ?? '';
    const service = index.service(host, namespace);
    if (!service) {
      if (!index.hostIsCheckable(host, namespace)) continue;
      const elsewhere = index.sameNameElsewhere(host, namespace);
      findings.push(
        elsewhere.length > 0
          ? {
              code: MeshFindingCodes.crossNamespaceShortHost,
              severity: 'error',
              message: `DestinationRule ${name} is for "${host}", which means ${host}.${namespace}; the service lives in ${elsewhere
                .map(s => s.metadata?.namespace)
                .join(', ')}. Its subsets do not apply there.`,
              resource,
              hint: `Move it to ${elsewhere[0].metadata?.namespace} or use host ${host}.${elsewhere[0].metadata?.namespace}.svc.cluster.local.`,
              blocking: true,
            }
          : {
              code: 'IST0174',
              severity: 'warning',
              message: `DestinationRule ${name} host ${host} matches no service.`,
              resource,
              hint: 'Fix the host or delete the DestinationRule.',
              blocking: false,
            },
      );
      continue;
    }
    const pods = index.podsOf(service);
    for (const subset of dr.spec?.subsets ?? []) {
      if (pods.some(pod => matchesLabels(pod.metadata?.labels, subset.labels)))
        continue;
      const weight =
        routedSubsets.get(
          `${service.metadata?.namespace}/${service.metadata?.name}/${subset.name}`,
        ) ?? 0;
      findings.push({
        code: 'IST0173',
        severity: weight > 0 ? 'error' : 'warning',
        message: `Subset ${
          subset.name
        } of DestinationRule ${name} selects no pods${
          weight > 0 ? ': traffic routed to it gets 503 (UH)' : ''
        }.`,
        resource,
        hint: `Check the subset labels (${JSON.stringify(
          subset.labels ?? {},
        )}) against the pods, or remove the subset.`,
        blocking: weight > 0,
      });
    }
  }
  return findings;
}
