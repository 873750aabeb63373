import type { EffectiveMtls } from '@mesh-portal/backstage-plugin-mesh-common';

/** Which object sets the effective mode, in words. */
export function mtlsSourceText(m: EffectiveMtls): string {
  const { source } = m;
  const name = `${source.namespace ? `${source.namespace}/` : ''}${
    source.name ?? ''
  }`;
  switch (source.scope) {
    case 'workload':
      return `PeerAuthentication ${name} (workload selector)`;
    case 'namespace':
      return `PeerAuthentication ${name} (namespace-wide)`;
    case 'mesh':
      return `PeerAuthentication ${name} (mesh-wide, root namespace)`;
    default:
      return 'No PeerAuthentication: Istio default (acts as PERMISSIVE)';
  }
}
