import {
  ClusterMeshStatusOk,
  IstioAuthorizationPolicy,
  KubeWorkload,
  accessPolicyName,
  analyze,
  capPodFindings,
  effectiveMtlsMode,
  kialiLinks,
  matchesLabels,
  namespaceInjection,
  podLabelGroups,
  podMeshStatus,
  PodLabelGroup,
  policiesApplyingTo,
  serviceAccessStatuses,
  serviceStatus,
  snapshotBundle,
  trafficSplits,
  workloadPods,
  workloadRef,
  WorkloadKind,
  ClusterSnapshot,
  entityServices,
} from '@mesh-portal/backstage-plugin-mesh-common';

/**
 * Turns a snapshot into the status the Mesh tab shows. Composition only: every decision is a
 * mesh-common function.
 */
export function statusFromSnapshot(
  snapshot: ClusterSnapshot,
  options: { kialiUrl?: string; multiCluster: boolean },
): ClusterMeshStatusOk {
  const services = entityServices(snapshot);
  const groups = podLabelGroups(snapshot.pods);
  const workloads = snapshot.workloads.map(w => workloadStatus(w, groups));
  const namespace = snapshot.namespaces[0]?.metadata?.name ?? snapshot.pods[0]?.metadata?.namespace ?? '';
  const mtls = [
    effectiveMtlsMode({
      namespace,
      peerAuthentications: snapshot.peerAuthentications,
      rootNamespace: snapshot.meshConfig.rootNamespace,
    }),
    ...snapshot.workloads.map(w =>
      effectiveMtlsMode({
        namespace: w.metadata?.namespace ?? namespace,
        workload: w.metadata?.name,
        workloadLabels: w.spec?.template?.metadata?.labels ?? {},
        peerAuthentications: snapshot.peerAuthentications,
        rootNamespace: snapshot.meshConfig.rootNamespace,
      }),
    ),
  ];
  const serviceNames = new Set(services.map(s => s.metadata?.name));
  // A VS/DR concerns the entity when it names one of its Services as host or destination
  // (a gateway-bound VS has hosts like "*" and routes to the Service).
  const hostsOurs = (object: { spec?: { hosts?: string[]; host?: string; http?: Array<{ route?: Array<{ destination?: { host?: string } }> }> } }) =>
    [
      ...(object.spec?.hosts ?? []),
      object.spec?.host ?? '',
      ...(object.spec?.http ?? []).flatMap(r => (r.route ?? []).map(d => d.destination?.host ?? '')),
    ].some(h => serviceNames.has(h.split('.')[0]));
  const splits = trafficSplits(
    services,
    snapshot.virtualServices,
    snapshot.destinationRules,
    snapshot.pods,
    snapshot.workloads,
  );
  const accessPolicies = entityAuthorizationPolicies(snapshot, services, groups);
  // Every workload of the namespace: whether a policy selects any workload at all.
  const allFindings = analyze(snapshotBundle(snapshot));
  // The analyzer sees the whole namespace (hosts resolve against every Service); the entity's
  // page shows what concerns the entity: its Services, workloads, pods, the routing objects
  // for its hosts and the namespace itself.
  // Built only when the analyzer found something about a pod (10,000 names otherwise).
  let podNames: Set<string | undefined> | undefined;
  const isOurPod = (name: string) => (podNames ??= new Set(snapshot.pods.map(p => p.metadata?.name))).has(name);
  const ours = new Set<string>([
    ...services.map(s => `Service/${s.metadata?.name}`),
    ...snapshot.workloads.map(workloadRef),
    ...snapshot.virtualServices.filter(hostsOurs).map(vs => `VirtualService/${vs.metadata?.name}`),
    ...snapshot.destinationRules.filter(hostsOurs).map(dr => `DestinationRule/${dr.metadata?.name}`),
    ...snapshot.virtualServices
      .filter(hostsOurs)
      .flatMap(vs => (vs.spec?.gateways ?? []).map(g => `Gateway/${g.split('/').pop()}`)),
    ...accessPolicies.map(p => `AuthorizationPolicy/${p.metadata?.name}`),
  ]);
  const findings = capPodFindings(allFindings.filter(
    f =>
      !f.resource ||
      ['Namespace', 'PeerAuthentication'].includes(f.resource.kind) ||
      (f.resource.kind === 'Pod' ? isOurPod(f.resource.name) : ours.has(`${f.resource.kind}/${f.resource.name}`)),
  ));
  const app = snapshot.workloads[0]?.spec?.template?.metadata?.labels?.app;
  const kiali = options.kialiUrl
    ? kialiLinks({
        baseUrl: options.kialiUrl,
        namespace,
        app,
        workloads: snapshot.workloads.map(w => w.metadata?.name ?? ''),
        services: [...serviceNames].filter((n): n is string => !!n),
        config: [
          ...snapshot.virtualServices.filter(hostsOurs).map(vs => configRef('VirtualService', 'networking.istio.io', vs)),
          ...snapshot.destinationRules.filter(hostsOurs).map(dr => configRef('DestinationRule', 'networking.istio.io', dr)),
          ...snapshot.peerAuthentications
            .filter(pa => pa.metadata?.namespace === namespace)
            .map(pa => configRef('PeerAuthentication', 'security.istio.io', pa)),
          ...accessPolicies
            .filter(p => p.metadata?.namespace === namespace)
            .map(p => configRef('AuthorizationPolicy', 'security.istio.io', p)),
        ],
        clusterName: options.multiCluster ? snapshot.cluster : undefined,
      })
    : undefined;
  return {
    cluster: snapshot.cluster,
    ok: true,
    namespaces: snapshot.namespaces.map(ns => ({
      name: ns.metadata?.name ?? '',
      injection: namespaceInjection(ns),
    })),
    workloads,
    services: services.map(serviceStatus),
    trafficSplits: splits,
    mtls,
    findings,
    kiali,
    access: serviceAccessStatuses(services, snapshot.authorizationPolicies),
  };
}

/**
 * The AuthorizationPolicies that concern the entity: those that apply to its pods, its
 * Services' access policies, and those whose selector shares a label with a Service selector
 * of the entity (a policy meant for it that lost its workload).
 */
function entityAuthorizationPolicies(
  snapshot: ClusterSnapshot,
  services: ReturnType<typeof entityServices>,
  groups: PodLabelGroup[],
): IstioAuthorizationPolicy[] {
  // A policy selects by labels: asked once per label group, not per pod.
  const applying = new Set(
    groups.flatMap(group =>
      policiesApplyingTo(snapshot.authorizationPolicies, {
        namespace: group.namespace,
        labels: group.labels,
        rootNamespace: snapshot.meshConfig.rootNamespace,
      }),
    ),
  );
  const names = new Set(services.map(s => accessPolicyName(s.metadata?.name ?? '')));
  const selectors = services.map(s => s.spec?.selector ?? {});
  return snapshot.authorizationPolicies.filter(
    policy =>
      applying.has(policy) ||
      names.has(policy.metadata?.name ?? '') ||
      Object.entries(policy.spec?.selector?.matchLabels ?? {}).some(([key, value]) =>
        selectors.some(selector => selector[key] === value),
      ),
  );
}

function configRef(kind: string, group: string, object: { metadata?: { name?: string; namespace?: string } }) {
  return { kind, group, version: 'v1', name: object.metadata?.name ?? '', namespace: object.metadata?.namespace };
}

function workloadStatus(workload: KubeWorkload, groups: PodLabelGroup[]) {
  const selector = workload.spec?.selector?.matchLabels ?? workload.spec?.template?.metadata?.labels ?? {};
  const labels = workload.spec?.template?.metadata?.labels ?? {};
  const pods = groups
    .filter(g => g.namespace === (workload.metadata?.namespace ?? '') && matchesLabels(g.labels, selector))
    .flatMap(g => g.pods);
  return {
    kind: (workload.kind ?? 'Deployment') as WorkloadKind,
    name: workload.metadata?.name ?? '',
    namespace: workload.metadata?.namespace ?? '',
    labels: { ...labels, app: labels.app, version: labels.version },
    replicas: workload.spec?.replicas ?? 1,
    ...workloadPods(pods.map(podMeshStatus)),
  };
}
