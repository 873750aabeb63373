import type { PortProtocolAnswer } from '../api/actions';
import { MeshFindingCodes } from '../api/codes';
import type { Finding } from '../api/findings';
import type { JsonObject, PlannedObject } from '../api/plan';
import type {
  IstioPeerAuthentication,
  KubeNamespace,
  KubePod,
  KubeService,
  KubeWorkload,
} from '../kube/types';
import { matchesLabels } from '../labelSelector';
import {
  LABEL_DATAPLANE_MODE,
  LABEL_ISTIO_INJECTION,
  LABEL_ISTIO_REV,
} from '../status/namespaceInjection';
import { LABEL_SIDECAR_INJECT, podMeshStatus } from '../status/podMeshStatus';
import { WORKLOAD_KINDS, selectWorkloads } from '../kube/workloads';
import { planned } from './objects';
import { planOnboardPeerAuthentication } from './onboardPeerAuthentication';
import { planPortProtocols } from './onboardPorts';

/**
 * Pod template annotation whose change makes a rollout restart.
 *
 * @public
 */
export const ANNOTATION_RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

/**
 * Input of {@link planOnboard}.
 *
 * @public
 */
export interface OnboardPlanInput {
  namespace: string;
  /** The live namespace (its labels decide what changes); absent = assume unlabelled. */
  namespaceObject?: KubeNamespace;
  /** `namespace`: label the namespace; `workload`: label the pod templates only. */
  scope: 'namespace' | 'workload';
  mode?: 'sidecar' | 'ambient';
  /** Istio revision (`istio.io/rev`); default revision when absent. */
  revision?: string;
  /** The entity's workloads (Deployments, StatefulSets, DaemonSets). */
  workloads: KubeWorkload[];
  /**
   * Only these workloads, by name or `Kind/name` (see {@link selectWorkloads}); default all.
   * Names that match nothing, or workloads of several kinds, are blocking findings.
   */
  selectWorkloads?: string[];
  /** The entity's Services (their ports' protocols are checked). */
  services: KubeService[];
  /** `appProtocol` per undeclared Service port, as the user answered. */
  portProtocols?: PortProtocolAnswer[];
  /** The entity's pods: workloads whose pods all have a proxy are not restarted. */
  pods?: KubePod[];
  /** PeerAuthentications of the namespace: an existing namespace-wide one is kept. */
  peerAuthentications?: IstioPeerAuthentication[];
  /** Istio's root namespace (meshConfig `rootNamespace`), where mesh-wide policies live. */
  rootNamespace?: string;
  /** Restart existing workloads so pods get a sidecar (default true; never in ambient). */
  restart?: boolean;
  /** Timestamp for `restartedAt` (ISO 8601); default now. */
  now?: string;
  entityRef?: string;
}

/**
 * A plan before the backend adds live objects and diffs.
 *
 * @public
 */
export interface BuiltPlan {
  /** In apply order. */
  objects: PlannedObject[];
  findings: Finding[];
  summary: string;
}

/**
 * Plans onboarding into the mesh, following the handbook's migration: a PERMISSIVE namespace
 * PeerAuthentication first (unless one exists), then the injection label (namespace, or pod
 * templates for `scope: workload`), the Service port protocols the user declared, then rollout restarts
 * (sidecar mode only: ambient needs none, and pod-template label changes roll out by
 * themselves).
 *
 * @public
 */
export function planOnboard(input: OnboardPlanInput): BuiltPlan {
  const mode = input.mode ?? 'sidecar';
  const findings: Finding[] = [];
  const objects: PlannedObject[] = [];
  const selection = input.selectWorkloads
    ? selectWorkloads(input.workloads, input.selectWorkloads)
    : { selected: input.workloads, unknown: [], ambiguous: [] };
  const workloads = selection.selected;
  for (const missing of selection.unknown) {
    findings.push({
      code: MeshFindingCodes.unknownWorkload,
      severity: 'error',
      message: `Workload ${missing} is not one of the entity's workloads in ${input.namespace}.`,
      hint: 'Pick workloads listed in the mesh status.',
      blocking: true,
    });
  }
  for (const { name, matches } of selection.ambiguous) {
    findings.push({
      code: MeshFindingCodes.unknownWorkload,
      severity: 'error',
      message: `Workload name ${name} is ambiguous in ${
        input.namespace
      }: ${matches.join(', ')}.`,
      hint: 'Name it as Kind/name.',
      blocking: true,
    });
  }

  // 1. PERMISSIVE first, so meshed and not-yet-meshed pods keep talking (handbook 4.2).
  const peerAuthentication = planOnboardPeerAuthentication(input);
  objects.push(...peerAuthentication.objects);
  findings.push(...peerAuthentication.findings);

  // 2. Injection labels.
  /** Workload scope: the pod-template labels that onboard a workload. */
  let templateLabels: Record<string, string> | undefined;
  /** Workloads whose pod template we change: that change rolls their pods by itself. */
  const relabelled = new Set<KubeWorkload>();
  const currentLabels = input.namespaceObject?.metadata?.labels ?? {};
  const revision = keptRevision(input.revision, currentLabels);
  const optedOut = currentLabels[LABEL_ISTIO_INJECTION] === 'disabled';
  if (optedOut) findings.push(namespaceOptOutFinding(input.namespace, mode));
  // In sidecar mode a namespace labelled istio-injection=disabled matches no injection webhook
  // (not even with the pod label), so nothing below would take effect: labels stay as they are.
  const honourOptOut = optedOut && mode === 'sidecar';
  // One injection label set, the other two removed (`null`), so no IST0123 conflict remains.
  const desiredLabels: Record<string, string | null> = {
    [LABEL_ISTIO_INJECTION]: null,
    [LABEL_ISTIO_REV]: null,
    [LABEL_DATAPLANE_MODE]: null,
  };
  if (mode === 'ambient') {
    desiredLabels[LABEL_DATAPLANE_MODE] = 'ambient';
  } else if (revision) {
    desiredLabels[LABEL_ISTIO_REV] = revision;
  } else {
    desiredLabels[LABEL_ISTIO_INJECTION] = 'enabled';
  }

  if (honourOptOut) {
    // Nothing to label: see namespaceOptOutFinding.
  } else if (input.scope === 'namespace') {
    const current = currentLabels;
    // Only touch labels that differ; `null` removes a label that would conflict (IST0123).
    const patchLabels = Object.fromEntries(
      Object.entries(desiredLabels).filter(([key, value]) =>
        value === null ? current[key] !== undefined : current[key] !== value,
      ),
    );
    if (Object.keys(patchLabels).length > 0 || !input.namespaceObject) {
      objects.push(
        planned(
          {
            apiVersion: 'v1',
            kind: 'Namespace',
            metadata: {
              name: input.namespace,
              labels: input.namespaceObject
                ? patchLabels
                : withoutNulls(desiredLabels),
            },
          } as JsonObject,
          'patch',
          'merge',
        ),
      );
    }
  } else {
    templateLabels =
      mode === 'ambient'
        ? { [LABEL_DATAPLANE_MODE]: 'ambient' }
        : {
            [LABEL_SIDECAR_INJECT]: 'true',
            ...(revision ? { [LABEL_ISTIO_REV]: revision } : {}),
          };
    for (const workload of workloads) {
      const current = workload.spec?.template?.metadata?.labels ?? {};
      if (matchesLabels(current, templateLabels)) continue;
      relabelled.add(workload);
      objects.push(
        planned(
          {
            apiVersion: workload.apiVersion ?? 'apps/v1',
            kind: workload.kind ?? 'Deployment',
            metadata: {
              name: workload.metadata?.name ?? '',
              namespace: input.namespace,
            },
            spec: { template: { metadata: { labels: templateLabels } } },
          } as JsonObject,
          'patch',
          'merge',
        ),
      );
    }
  }

  // 3. Service ports Istio cannot classify: declared only as the user answered.
  const ports = planPortProtocols(
    input.services,
    input.namespace,
    input.portProtocols,
  );
  objects.push(...ports.objects);
  findings.push(...ports.findings);

  // 4. Rollout restarts: injection happens at pod creation, so pods without a proxy, or with
  // the proxy of another revision than the one explicitly requested, are replaced. The restart
  // is what `kubectl rollout restart` does for the three kinds (see WORKLOAD_KINDS). A
  // pod-template label change (workload scope) rolls the pods by itself, so those workloads get
  // no restart. Without an explicit revision, any proxy is taken as the right one: pods report
  // the actual revision (`istio.io/rev`), which a revision tag such as `default` points to, so
  // comparing names would restart pods that are already right.
  const restart = input.restart ?? true;
  if (restart && mode === 'sidecar' && !honourOptOut) {
    const now = input.now ?? new Date().toISOString();
    for (const workload of workloads) {
      if (
        !(WORKLOAD_KINDS as readonly string[]).includes(
          workload.kind ?? 'Deployment',
        )
      )
        continue;
      if (relabelled.has(workload)) continue;
      const labels = workload.spec?.template?.metadata?.labels ?? {};
      if (labels[LABEL_SIDECAR_INJECT] === 'false') continue;
      // Workload scope onboards through the pod-template label only: a workload that already
      // carries it but whose pods predate it still needs a restart.
      if (templateLabels && !matchesLabels(labels, templateLabels)) continue;
      const own = podsOf(workload, input.pods);
      if (
        own &&
        own.length > 0 &&
        own.every(pod => {
          const status = podMeshStatus(pod);
          return (
            status.injected &&
            (!input.revision || status.revision === input.revision)
          );
        })
      )
        continue;
      const blocked = rolloutBlocked(workload);
      if (blocked) {
        findings.push(blocked);
        continue;
      }
      objects.push(
        planned(
          {
            apiVersion: workload.apiVersion ?? 'apps/v1',
            kind: workload.kind ?? 'Deployment',
            metadata: {
              name: workload.metadata?.name ?? '',
              namespace: input.namespace,
            },
            spec: {
              template: {
                metadata: { annotations: { [ANNOTATION_RESTARTED_AT]: now } },
              },
            },
          } as JsonObject,
          'restart',
          'merge',
        ),
      );
    }
  }
  if (mode === 'sidecar' && !honourOptOut) {
    // A relabelled workload only rolls if its controller rolls template changes.
    for (const workload of relabelled) {
      const blocked = rolloutBlocked(workload);
      if (blocked) findings.push(blocked);
    }
  }

  // Findings about the workloads themselves.
  for (const workload of workloads) {
    const name = workload.metadata?.name ?? '';
    const resource = {
      kind: workload.kind ?? 'Deployment',
      name,
      namespace: input.namespace,
    };
    const labels = workload.spec?.template?.metadata?.labels ?? {};
    const missing = ['app', 'version'].filter(key => !labels[key]);
    if (missing.length > 0) {
      findings.push({
        code: MeshFindingCodes.missingAppVersionLabels,
        severity: 'warning',
        message: `${
          resource.kind
        } ${name} pod template lacks label(s) ${missing.join(', ')}.`,
        resource,
        hint: 'Add app and version labels to the pod template: Kiali, Istio telemetry and canary subsets use them.',
        blocking: false,
      });
    }
    if (labels[LABEL_SIDECAR_INJECT] === 'false') {
      findings.push({
        code: MeshFindingCodes.workloadOptedOut,
        severity: 'warning',
        message: `${resource.kind} ${name} opts out (sidecar.istio.io/inject=false) and stays out of the mesh.`,
        resource,
        hint: 'Remove the label from the pod template to onboard it.',
        blocking: false,
      });
    }
    if (workload.spec?.template?.spec?.hostNetwork) {
      findings.push({
        code: MeshFindingCodes.hostNetworkPod,
        severity: 'warning',
        message: `${resource.kind} ${name} uses hostNetwork: Istio never injects it.`,
        resource,
        hint: 'Run it without hostNetwork to put it in the mesh.',
        blocking: false,
      });
    }
  }

  const restarts = objects.filter(o => o.operation === 'restart').length;
  const where =
    input.scope === 'namespace'
      ? `namespace ${input.namespace}`
      : `${workloads.length} workload(s) in ${input.namespace}`;
  const summary = `Onboard ${where} (${mode}${
    revision ? `, revision ${revision}` : ''
  }): ${objects.length} change(s)${
    restarts ? `, ${restarts} rollout restart(s)` : ''
  }.`;
  return { objects, findings, summary };
}

/**
 * Why a workload's pods would not be replaced after a template change, if they would not:
 * a paused Deployment (kubectl refuses to restart it: kubernetes/kubectl
 * pkg/polymorphichelpers/objectrestarter.go, defaultObjectRestarter), or a StatefulSet /
 * DaemonSet with `updateStrategy.type: OnDelete`, whose controller replaces a pod only when it
 * is deleted (kubernetes/api apps/v1 types.go, OnDeleteStatefulSetStrategyType /
 * OnDeleteDaemonSetStrategyType).
 */
function rolloutBlocked(workload: KubeWorkload): Finding | undefined {
  const kind = workload.kind ?? 'Deployment';
  const name = workload.metadata?.name ?? '';
  const resource = { kind, name, namespace: workload.metadata?.namespace };
  if (kind === 'Deployment' && workload.spec?.paused) {
    return {
      code: MeshFindingCodes.rolloutBlocked,
      severity: 'warning',
      message: `Deployment ${name} is paused: its pods keep running without the sidecar until it is resumed.`,
      resource,
      hint: `Resume it (kubectl rollout resume deployment/${name}), then onboard again to restart it.`,
      blocking: false,
    };
  }
  if (
    (kind === 'StatefulSet' || kind === 'DaemonSet') &&
    workload.spec?.updateStrategy?.type === 'OnDelete'
  ) {
    return {
      code: MeshFindingCodes.rolloutBlocked,
      severity: 'warning',
      message: `${kind} ${name} uses updateStrategy OnDelete: its pods get the sidecar only when they are deleted.`,
      resource,
      hint: `Delete its pods one at a time (kubectl delete pod) when it is safe to.`,
      blocking: false,
    };
  }
  return undefined;
}

function podsOf(
  workload: KubeWorkload,
  pods: KubePod[] | undefined,
): KubePod[] | undefined {
  if (!pods) return undefined;
  const selector =
    workload.spec?.selector?.matchLabels ??
    workload.spec?.template?.metadata?.labels;
  if (!selector || Object.keys(selector).length === 0) return undefined;
  return pods.filter(pod => matchesLabels(pod.metadata?.labels, selector));
}

function withoutNulls(
  labels: Record<string, string | null>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(labels).filter(([, v]) => v !== null),
  ) as Record<string, string>;
}

/**
 * The revision to inject: the requested one, else the namespace's own `istio.io/rev` when it is
 * the label in force (no `istio-injection`, which would win over it). Replacing a revision label
 * by `istio-injection=enabled` would silently move the pods to the default revision.
 */
function keptRevision(
  requested: string | undefined,
  namespaceLabels: Record<string, string>,
): string | undefined {
  if (requested) return requested;
  if (namespaceLabels[LABEL_ISTIO_INJECTION] !== undefined) return undefined;
  return namespaceLabels[LABEL_ISTIO_REV] || undefined;
}

function namespaceOptOutFinding(
  namespace: string,
  mode: 'sidecar' | 'ambient',
): Finding {
  const resource = { kind: 'Namespace', name: namespace };
  return mode === 'sidecar'
    ? {
        code: MeshFindingCodes.namespaceOptedOut,
        severity: 'error',
        message: `Namespace ${namespace} opts out of injection (istio-injection=disabled): no sidecar is injected there, not even into pods labelled sidecar.istio.io/inject=true. The plan does not override that choice.`,
        resource,
        hint: 'If the opt-out is obsolete, remove the label from the namespace, then onboard again.',
        blocking: true,
      }
    : {
        code: MeshFindingCodes.namespaceOptedOut,
        severity: 'warning',
        message: `Namespace ${namespace} has istio-injection=disabled; enrolling it in ambient removes that label (two injection labels conflict, IST0123).`,
        resource,
        hint: 'Check that nobody relies on the sidecar opt-out before applying.',
        blocking: false,
      };
}
