import type { KubeNamespace, KubePod } from '../kube/types';
import { namespaceInjection } from './namespaceInjection';
import { podMeshStatus } from './podMeshStatus';

/** The ConfigMap of the default revision's meshConfig. */
const DEFAULT_MESH_CONFIG_MAP = 'istio';

/**
 * The name of the ConfigMap istiod of a revision reads its meshConfig from: `istio` for the
 * default revision (none, or `default`), `istio-<revision>` for another (istio/istio
 * pilot/pkg/bootstrap/mesh.go `getMeshConfigMapName`; the istio-discovery chart names its
 * ConfigMap `istio{{- if not (eq .Values.revision "") }}-{{ .Values.revision }}{{- end }}`).
 *
 * @public
 */
export function meshConfigMapName(revision?: string): string {
  return !revision || revision === 'default'
    ? DEFAULT_MESH_CONFIG_MAP
    : `${DEFAULT_MESH_CONFIG_MAP}-${revision}`;
}

/**
 * The meshConfig ConfigMaps to read for the entity's namespaces, first existing wins: the
 * revision the namespace selects (`istio.io/rev`; the default one with
 * `istio-injection=enabled`, which wins, see {@link namespaceInjection}), then the revisions its injected pods run (the
 * `sidecar.istio.io/status` revision — what a revision tag resolved to, since a tag has no
 * ConfigMap of its own), most pods first, then the default `istio`.
 *
 * @public
 */
export function meshConfigMapCandidates(
  namespaces: KubeNamespace[],
  pods: KubePod[],
): string[] {
  const revisions: string[] = [];
  for (const namespace of namespaces) {
    const injection = namespaceInjection(namespace);
    if (injection.mode === 'revision' && injection.revision)
      revisions.push(injection.revision);
    if (injection.mode === 'sidecar') revisions.push('default');
  }
  const podCounts = new Map<string, number>();
  for (const pod of pods) {
    const revision = podMeshStatus(pod).revision;
    if (revision) podCounts.set(revision, (podCounts.get(revision) ?? 0) + 1);
  }
  revisions.push(
    ...[...podCounts].sort((a, b) => b[1] - a[1]).map(([revision]) => revision),
  );
  return [
    ...new Set([...revisions.map(meshConfigMapName), DEFAULT_MESH_CONFIG_MAP]),
  ];
}
