import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  AccessActionRequest,
  AccessPlan,
  BuiltPlan,
  IngressGatewayChoiceInput,
  IstioDestinationRule,
  KubeService,
  MeshActionRequest,
  MtlsCaller,
  MtlsWorkload,
  effectiveMtlsMode,
  matchesLabels,
  planAccess,
  planCanary,
  planExpose,
  planMtls,
  planOnboard,
  planResilience,
  resolveAccessCallers,
  selectWorkloads,
  trafficSplits,
  TrafficSplit,
  weakestMtlsMode,
  workloadRef,
  ClusterSnapshot,
  entityServices,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { AccessInputs } from './accessInputs';

/** What some actions need beyond the snapshot, read by the caller for that action only. */
export interface PlanInputs {
  /** mtls STRICT: who calls the entity's Services. */
  callers?: MtlsCaller[];
  /** expose: the cluster's ingress gateways and the configured selector. */
  ingressGateways?: IngressGatewayChoiceInput;
  /** mtls: the DestinationRules of every namespace (callers use their own namespace's). */
  destinationRules?: IstioDestinationRule[];
  /** access: the declared callers, their pods and the gateways exposing the Services. */
  access?: AccessInputs;
}

/**
 * Builds the plan for one action from a cluster snapshot: picks the inputs the mesh-common
 * builder needs and names the request field when the entity does not fit it.
 */
export function planAction(
  entity: Entity,
  request: MeshActionRequest,
  snapshot: ClusterSnapshot,
  inputs: PlanInputs = {},
): BuiltPlan & { namespace: string } {
  const callers = inputs.callers ?? [];
  const entityRef = stringifyEntityRef(entity);
  const namespace =
    snapshot.namespaces[0]?.metadata?.name ??
    snapshot.pods[0]?.metadata?.namespace;
  if (!namespace) {
    throw new InputError(
      `entity ${entityRef} has no workloads in cluster ${snapshot.cluster}: nothing to plan`,
    );
  }
  const services = entityServices(snapshot);

  switch (request.action) {
    case 'onboard':
      if (request.workloads) {
        // Names are resolved here too so that a name two kinds share is a 400 naming the
        // field; the plan reports names that match nothing.
        const { ambiguous } = selectWorkloads(
          snapshot.workloads,
          request.workloads,
        );
        if (ambiguous.length > 0) {
          throw new InputError(
            `workloads: ${ambiguous
              .map(a => `${a.name} is ambiguous (${a.matches.join(', ')})`)
              .join('; ')}: name it as Kind/name`,
          );
        }
      }
      return {
        namespace,
        ...planOnboard({
          namespace,
          namespaceObject: snapshot.namespaces[0],
          scope: request.scope,
          mode: request.mode,
          revision: request.revision,
          workloads: snapshot.workloads,
          selectWorkloads: request.workloads,
          services,
          pods: snapshot.pods,
          peerAuthentications: snapshot.peerAuthentications,
          rootNamespace: snapshot.meshConfig.rootNamespace,
          restart: request.restart,
          portProtocols: request.portProtocols,
          entityRef,
        }),
      };
    case 'canary': {
      const service = pickService(services, request.service);
      return {
        namespace,
        ...planCanary({
          service,
          workloads: snapshot.workloads,
          ...splitObjects(snapshot, service, request.virtualService),
          weights: request.weights,
          preset: request.preset,
          stable: request.stable,
          canary: request.canary,
          entityRef,
        }),
      };
    }
    case 'mtls': {
      let workload: MtlsWorkload | undefined;
      if (request.scope === 'workload') {
        const { selected, ambiguous } = selectWorkloads(snapshot.workloads, [
          request.workload ?? '',
        ]);
        if (ambiguous.length > 0) {
          throw new InputError(
            `workload: ${
              request.workload
            } is ambiguous (${ambiguous[0].matches.join(
              ', ',
            )}): name it as Kind/name`,
          );
        }
        const found = selected[0];
        if (!found) {
          throw new InputError(
            `workload: ${
              request.workload
            } is not one of ${entityRef}'s workloads (${snapshot.workloads
              .map(workloadRef)
              .join(', ')})`,
          );
        }
        workload = {
          kind: found.kind ?? 'Deployment',
          name: found.metadata?.name ?? '',
          labels:
            found.spec?.selector?.matchLabels ??
            found.spec?.template?.metadata?.labels ??
            {},
        };
      }
      return {
        namespace,
        ...planMtls({
          mode: request.mode,
          scope: request.scope,
          namespace,
          workload,
          target:
            services.map(s => s.metadata?.name).join(', ') ||
            entity.metadata.name,
          callers,
          destinationRules:
            inputs.destinationRules ?? snapshot.destinationRules,
          meshConfig: snapshot.meshConfig,
          // STRICT on the namespace protects every Service there; on a workload, the entity's.
          services: (request.scope === 'namespace'
            ? snapshot.services.filter(s => s.metadata?.namespace === namespace)
            : services
          ).map(s => s.metadata?.name ?? ''),
          // A workload's own policy is found by name and selector in the core.
          existingPeerAuthentication:
            request.scope === 'namespace'
              ? snapshot.peerAuthentications.find(
                  pa =>
                    pa.metadata?.namespace === namespace &&
                    pa.metadata?.name === 'default',
                )
              : undefined,
          peerAuthentications: snapshot.peerAuthentications,
          namespaceWorkloads: snapshot.namespaceWorkloads,
          force: request.force,
          entityRef,
        }),
      };
    }
    case 'expose': {
      const service = pickService(services, request.service);
      // A Gateway that already has the name we would use (given, or the default
      // `<service>-gateway`, e.g. the handbook's frontend-gateway) is bound to, never replaced.
      const gatewayName =
        request.gateway ?? `${service.metadata?.name}-gateway`;
      return {
        namespace,
        ...planExpose({
          service,
          hosts: request.hosts,
          gateway: request.gateway,
          existingGateway: snapshot.gateways.find(
            g => g.metadata?.name === gatewayName,
          ),
          gatewayPods: snapshot.gatewayPods,
          ingressGateways: inputs.ingressGateways,
          port: request.port,
          entityRef,
        }),
      };
    }
    case 'resilience': {
      const service = pickService(services, request.service);
      return {
        namespace,
        ...planResilience({
          service,
          ...splitObjects(snapshot, service, request.virtualService),
          timeout: request.timeout,
          retries: request.retries,
          outlierDetection: request.outlierDetection,
          connectionPool: request.connectionPool,
          entityRef,
        }),
      };
    }
    case 'access': {
      if (!inputs.access) throw new Error('access plan without its inputs');
      return planServiceAccess(
        entityRef,
        request,
        snapshot,
        pickService(services, request.service),
        inputs.access,
      );
    }
    default:
      throw new InputError('action: unknown action');
  }
}

/**
 * The access plan of one Service: its pods, the weakest mTLS mode of its workloads, the
 * declared callers resolved in this cluster and the gateways exposing it.
 */
export function planServiceAccess(
  entityRef: string,
  request: Pick<AccessActionRequest, 'mode'>,
  snapshot: ClusterSnapshot,
  service: KubeService,
  access: AccessInputs,
): AccessPlan & { namespace: string } {
  const namespace = service.metadata?.namespace ?? '';
  const selector = service.spec?.selector ?? {};
  const selects = (labels: Record<string, string> | undefined) =>
    Object.keys(selector).length > 0 && matchesLabels(labels, selector);
  const { trustDomain, rootNamespace } = snapshot.meshConfig;
  const servicePods = snapshot.pods.filter(
    p => p.metadata?.namespace === namespace && selects(p.metadata?.labels),
  );
  const modes = snapshot.workloads
    .filter(
      w =>
        w.metadata?.namespace === namespace &&
        selects(w.spec?.template?.metadata?.labels),
    )
    .map(
      w =>
        effectiveMtlsMode({
          namespace,
          workload: w.metadata?.name,
          workloadLabels: w.spec?.template?.metadata?.labels ?? {},
          peerAuthentications: snapshot.peerAuthentications,
          rootNamespace,
        }).mode,
    );
  const mtlsMode =
    modes.length > 0
      ? weakestMtlsMode(modes)
      : effectiveMtlsMode({
          namespace,
          peerAuthentications: snapshot.peerAuthentications,
          rootNamespace,
        }).mode;
  const resolved = resolveAccessCallers({
    callers: access.callers,
    pods: access.pods,
    trustDomain,
    cluster: snapshot.cluster,
  });
  return {
    namespace,
    ...planAccess({
      mode: request.mode,
      service,
      servicePods,
      callers: resolved.callers,
      unresolvedCallers: resolved.unresolved,
      callerPods: resolved.pods,
      namespacePods: access.pods,
      ingress: access.ingress.get(service.metadata?.name ?? '') ?? [],
      authorizationPolicies: snapshot.authorizationPolicies,
      mtlsMode,
      identity: { trustDomain, rootNamespace },
      entityRef,
    }),
  };
}

function pickService(services: KubeService[], wanted?: string): KubeService {
  const names = services.map(s => s.metadata?.name).join(', ') || 'none';
  if (wanted) {
    const found = services.find(s => s.metadata?.name === wanted);
    if (!found)
      throw new InputError(
        `service: ${wanted} is not one of the entity's Services (${names})`,
      );
    return found;
  }
  if (services.length !== 1) {
    throw new InputError(
      `service: required when the entity has ${
        services.length === 0 ? 'no' : 'several'
      } Services (${names})`,
    );
  }
  return services[0];
}

/**
 * The VirtualService and DestinationRule now routing a Service: the ones its traffic split in the
 * status names, so the canary and the resilience editor change what the Mesh tab shows.
 *
 * Several VirtualServices may route one Service (a mesh one and one bound to an ingress
 * Gateway): each steers only its own traffic, so changing "the first" would change traffic the
 * user did not pick. The request names the split's VirtualService (`virtualService`, as the
 * status shows it); without it the split must be the only one, else a 400 lists them.
 */
function splitObjects(
  snapshot: ClusterSnapshot,
  service: KubeService,
  wanted: string | undefined,
) {
  const splits = trafficSplits(
    [service],
    snapshot.virtualServices,
    snapshot.destinationRules,
    snapshot.pods,
  );
  const serviceName = service.metadata?.name;
  const routed = splits.filter(s => s.virtualService);
  const describe = () =>
    routed
      .map(s =>
        s.gateways.length > 0
          ? `${s.virtualService} (gateways ${s.gateways.join(', ')})`
          : s.virtualService,
      )
      .join(', ');
  let split: TrafficSplit | undefined = splits[0];
  if (wanted !== undefined) {
    split = routed.find(s => s.virtualService === wanted);
    if (!split) {
      throw new InputError(
        routed.length === 0
          ? `virtualService: no VirtualService routes Service ${serviceName}; leave virtualService out to create one`
          : `virtualService: ${wanted} does not route Service ${serviceName} (its VirtualServices: ${describe()})`,
      );
    }
  } else if (routed.length > 1) {
    throw new InputError(
      `virtualService: required when several VirtualServices route Service ${serviceName} (${describe()}): each steers only its own traffic`,
    );
  }
  return {
    existingVirtualService: snapshot.virtualServices.find(
      vs => vs.metadata?.name === split?.virtualService,
    ),
    existingDestinationRule: snapshot.destinationRules.find(
      dr => dr.metadata?.name === split?.destinationRule,
    ),
  };
}
