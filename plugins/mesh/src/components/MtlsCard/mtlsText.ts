import type {
  EffectiveMtls,
  PortMtls,
} from '@mesh-portal/backstage-plugin-mesh-common';

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
      return 'Istio default, no PeerAuthentication (acts as PERMISSIVE)';
  }
}

/** Which policy sets a port's mode apart, in words. */
export function portMtlsSourceText(p: PortMtls): string {
  const { source } = p;
  return `PeerAuthentication ${source.namespace ? `${source.namespace}/` : ''}${
    source.name ?? ''
  } (portLevelMtls)`;
}
