import { MeshFindingCodes } from '../api/codes';
import type { Finding, ResourceRef } from '../api/findings';
import type { FieldManagerOwner, FieldOwnershipConflict } from '../api/plan';
import type { KubeObjectMeta } from './types';

/**
 * Field managers of controllers that apply their own source again (GitOps, Helm, progressive
 * delivery): a change over their fields is reverted, so the portal never takes them over.
 * The names are the ones each tool writes as:
 * - Argo CD: `argocd-controller` (argo-cd common/common.go `ArgoCDSSAManager`, server-side
 *   apply syncs); `argocd-application-controller` (the controller binary, on client-side syncs)
 * - Flux: `kustomize-controller`, `helm-controller` (`controllerName` in each controller's main.go)
 * - Helm: `helm` (client-go names the manager after the binary)
 * - Flagger: `flagger`; Argo Rollouts: `argo-rollouts`, `rollouts-controller` (see canaryController.ts)
 */
const CONTROLLER_MANAGERS: Record<string, string> = {
  'argocd-controller': 'Argo CD',
  'argocd-application-controller': 'Argo CD',
  'argocd-server': 'Argo CD',
  'kustomize-controller': 'Flux',
  'helm-controller': 'Flux',
  helm: 'Helm',
  flagger: 'Flagger',
  'argo-rollouts': 'Argo Rollouts',
  'rollouts-controller': 'Argo Rollouts',
};

/**
 * kubectl's field managers: `kubectl` (server-side apply's default `--field-manager`),
 * `kubectl-client-side-apply`, and `kubectl-<command>` for edit, patch, label, annotate, set,
 * scale, replace, create… (kubectl pkg/cmd/*: `cmdutil.AddFieldManagerFlagVar(cmd, &o.FieldManager,
 * "kubectl-edit")`). A person ran them; nothing applies those fields again.
 */
const isKubectlManager = (manager: string) =>
  manager === 'kubectl' || manager.startsWith('kubectl-');

/**
 * Marks GitOps tools leave on the objects they sync. Argo CD and Flux may sync with kubectl's
 * client-side apply code, whose manager is `kubectl-client-side-apply`: on such an object a
 * kubectl manager is the controller, not a person.
 */
const GITOPS_MARKS: Array<{
  tool: string;
  labels?: string[];
  annotations?: string[];
  labelValues?: Record<string, string>;
}> = [
  { tool: 'Argo CD', annotations: ['argocd.argoproj.io/tracking-id'] },
  {
    tool: 'Flux',
    labels: ['kustomize.toolkit.fluxcd.io/name', 'helm.toolkit.fluxcd.io/name'],
  },
  {
    tool: 'Helm',
    annotations: ['meta.helm.sh/release-name'],
    labelValues: { 'app.kubernetes.io/managed-by': 'Helm' },
  },
];

/** The GitOps tool whose marks the object carries, if any. */
function gitOpsToolOf(
  metadata: KubeObjectMeta | undefined,
): string | undefined {
  const labels = metadata?.labels ?? {};
  const annotations = metadata?.annotations ?? {};
  return GITOPS_MARKS.find(
    mark =>
      (mark.labels ?? []).some(key => labels[key] !== undefined) ||
      (mark.annotations ?? []).some(key => annotations[key] !== undefined) ||
      Object.entries(mark.labelValues ?? {}).some(
        ([key, value]) => labels[key] === value,
      ),
  )?.tool;
}

/**
 * Who is behind a field manager: a controller that re-applies its source (blocks), a person
 * with kubectl (may be taken over after confirmation), or a manager the portal does not know
 * (blocks: it may be a controller). `object` is the live object's metadata: a kubectl manager
 * on an object a GitOps tool tracks is that tool.
 *
 * @public
 */
export function classifyFieldManager(
  manager: string,
  object?: KubeObjectMeta,
): FieldManagerOwner {
  const name = manager.toLowerCase();
  const tool = CONTROLLER_MANAGERS[name];
  if (tool) return { kind: 'controller', tool };
  if (isKubectlManager(name)) {
    const gitOps = gitOpsToolOf(object);
    return gitOps
      ? { kind: 'controller', tool: gitOps }
      : { kind: 'person', tool: 'kubectl' };
  }
  return { kind: 'unknown' };
}

/**
 * The fields another manager owns that a server-side apply of ours would change, as the API
 * server reports them in its conflict (`details.causes`).
 *
 * @public
 */
export interface FieldConflictReport {
  manager: string;
  /** e.g. `.spec.http`; empty when the server did not say. */
  fields: string[];
}

const fieldList = (fields: string[]) =>
  fields.length ? fields.join(', ') : 'some fields';

/**
 * What the plan does about one object's field-manager conflicts: controllers (and unknown
 * managers) block it, with the manager named and the YAML to commit to their source instead;
 * fields a person applied with kubectl are taken over, but only once the user confirms
 * (`takeOver`), which the plan announces as a non-blocking finding.
 *
 * @public
 */
export function fieldConflictsOfObject(input: {
  resource: ResourceRef;
  /** The live object's metadata (its labels say whether a GitOps tool tracks it). */
  live?: KubeObjectMeta;
  conflicts: FieldConflictReport[];
  /** The object as the portal would apply it, as YAML: what to commit instead. */
  yaml: string;
}): { conflicts: FieldOwnershipConflict[]; findings: Finding[] } {
  const { resource, live, yaml } = input;
  const label = `${resource.kind} ${resource.name}`;
  const conflicts = mergeByManager(input.conflicts).map(
    (report): FieldOwnershipConflict => {
      const owner = classifyFieldManager(report.manager, live);
      return owner.kind === 'person'
        ? {
            resource,
            manager: report.manager,
            owner,
            fields: report.fields,
            resolution: 'take-over',
          }
        : {
            resource,
            manager: report.manager,
            owner,
            fields: report.fields,
            resolution: 'commit',
            yaml,
          };
    },
  );
  const findings = conflicts.map((conflict): Finding => {
    const { manager, owner, fields } = conflict;
    if (conflict.resolution === 'take-over') {
      return {
        code: MeshFindingCodes.fieldTakeover,
        severity: 'warning',
        message: `${label}: ${fieldList(
          fields,
        )} were applied by a person with kubectl (field manager "${manager}"); applying takes them over.`,
        resource,
        hint: 'Confirm the take-over (takeOver) to apply; from then on edit these fields from the portal.',
        blocking: false,
      };
    }
    const who =
      owner.kind === 'controller'
        ? `${owner.tool} (field manager "${manager}"), which applies them again from its source and would revert this change`
        : `field manager "${manager}", which the portal does not know (it may be a controller that applies them again)`;
    return {
      code: MeshFindingCodes.fieldManagerConflict,
      severity: 'error',
      message: `${label}: ${fieldList(fields)} are owned by ${who}.`,
      resource,
      hint:
        owner.kind === 'controller'
          ? `Commit the YAML of ${label} shown in the plan to the source ${owner.tool} applies from.`
          : `Commit the YAML of ${label} shown in the plan to that manager's source, or, if nothing applies these fields again, apply with force (mesh.entity.force).`,
      blocking: true,
    };
  });
  return { conflicts, findings };
}

/** One report per manager, its fields in the order the server gave them. */
function mergeByManager(reports: FieldConflictReport[]): FieldConflictReport[] {
  const byManager = new Map<string, string[]>();
  for (const { manager, fields } of reports) {
    const known = byManager.get(manager) ?? [];
    byManager.set(manager, [
      ...known,
      ...fields.filter(f => !known.includes(f)),
    ]);
  }
  return [...byManager].map(([manager, fields]) => ({ manager, fields }));
}

/**
 * Whether an apply may force the fields of `now` (the conflicts the server reports at apply
 * time): every one must be a take-over the plan showed, same manager, no new field. Anything
 * else (a controller appeared, a person applied more) needs a new plan.
 *
 * @public
 */
export function takeOverStillConfirmed(
  planned: FieldOwnershipConflict[],
  now: FieldConflictReport[],
): boolean {
  return now.every(report =>
    planned.some(
      conflict =>
        conflict.resolution === 'take-over' &&
        conflict.manager === report.manager &&
        report.fields.every(field => conflict.fields.includes(field)),
    ),
  );
}
