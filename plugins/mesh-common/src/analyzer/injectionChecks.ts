import type { Finding } from '../api/findings';
import { namespaceInjection } from '../status/namespaceInjection';
import { podMeshStatus } from '../status/podMeshStatus';
import { servicePortProtocol } from '../status/serviceStatus';
import type { BundleIndex } from './bundle';

/** IST0102, IST0103, IST0123 on namespaces and pods; IST0118 on service ports. */
export function injectionChecks(index: BundleIndex): Finding[] {
  const findings: Finding[] = [];
  for (const ns of index.bundle.namespaces) {
    const name = ns.metadata?.name ?? '';
    const resource = { kind: 'Namespace', name };
    const injection = namespaceInjection(ns);
    if (injection.conflict) {
      findings.push({
        code: 'IST0123',
        severity: 'warning',
        message: `Namespace ${name}: ${injection.conflict}.`,
        resource,
        hint: 'Keep one injection label (istio-injection, istio.io/rev or istio.io/dataplane-mode).',
        blocking: false,
      });
    }
    if (injection.mode === 'none') {
      findings.push({
        code: 'IST0102',
        severity: 'info',
        message: `Namespace ${name} is not enabled for injection.`,
        resource,
        hint: 'Onboard it (label istio-injection=enabled, istio.io/rev=<rev> or istio.io/dataplane-mode=ambient).',
        blocking: false,
      });
    }
    if (injection.mode === 'sidecar' || injection.mode === 'revision') {
      for (const pod of index.bundle.pods.filter(
        p => p.metadata?.namespace === name,
      )) {
        const status = podMeshStatus(pod);
        if (status.injected || status.optedOut || pod.spec?.hostNetwork)
          continue;
        if (status.phase === 'Succeeded' || status.phase === 'Failed') continue;
        findings.push({
          code: 'IST0103',
          severity: 'warning',
          message: `Pod ${status.name} has no istio-proxy although namespace ${name} is injected.`,
          resource: { kind: 'Pod', name: status.name, namespace: name },
          hint: 'Restart its workload (rollout restart) so the injector adds the sidecar.',
          blocking: false,
        });
      }
    }
  }
  for (const service of index.bundle.services) {
    for (const port of service.spec?.ports ?? []) {
      if (servicePortProtocol(port) !== 'unknown') continue;
      findings.push({
        code: 'IST0118',
        severity: 'info',
        message: `Port ${port.port}${
          port.name ? ` (${port.name})` : ''
        } of Service ${
          service.metadata?.name
        } does not follow the naming convention: Istio sniffs the protocol.`,
        resource: {
          kind: 'Service',
          name: service.metadata?.name ?? '',
          namespace: service.metadata?.namespace,
        },
        hint: 'Name it http, http-*, grpc-*, tcp-*… or set appProtocol.',
        blocking: false,
      });
    }
  }
  return findings;
}
