import { detectCanaryController } from './canaryController';
import type { IstioVirtualService } from './types';

const vs = (metadata: IstioVirtualService['metadata']): IstioVirtualService => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'backend', namespace: 'prod', ...metadata },
  spec: { hosts: ['backend'] },
});

describe('detectCanaryController', () => {
  it('finds nothing on a VirtualService the portal or a person wrote', () => {
    expect(detectCanaryController(undefined)).toBeUndefined();
    expect(detectCanaryController(null)).toBeUndefined();
    expect(
      detectCanaryController(
        vs({
          managedFields: [
            { manager: 'mesh-portal', operation: 'Apply' },
            { manager: 'kubectl-edit', operation: 'Update' },
          ],
          annotations: { 'mesh-portal.io/stable-subset': 'v1' },
          ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'x' }],
        }),
      ),
    ).toBeUndefined();
  });

  it('recognizes Flagger by owner, field manager and annotation', () => {
    expect(
      detectCanaryController(
        vs({
          ownerReferences: [
            { apiVersion: 'flagger.app/v1beta1', kind: 'Canary', name: 'backend', controller: true },
          ],
        }),
      ),
    ).toEqual({ name: 'Flagger', evidence: 'owner Canary/backend (flagger.app)' });
    expect(
      detectCanaryController(vs({ managedFields: [{ manager: 'flagger', operation: 'Update' }] })),
    ).toEqual({ name: 'Flagger', evidence: 'managedFields manager "flagger"' });
    expect(
      detectCanaryController(
        vs({ annotations: { 'flagger.kubernetes.io/original-configuration': '{"hosts":["backend"]}' } }),
      ),
    ).toEqual({ name: 'Flagger', evidence: 'annotation flagger.kubernetes.io/original-configuration' });
  });

  it('recognizes Argo Rollouts by owner, either manager name and annotation', () => {
    expect(
      detectCanaryController(
        vs({ ownerReferences: [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'backend' }] }),
      ),
    ).toEqual({ name: 'Argo Rollouts', evidence: 'owner Rollout/backend (argoproj.io)' });
    for (const manager of ['argo-rollouts', 'rollouts-controller']) {
      expect(
        detectCanaryController(vs({ managedFields: [{ manager: 'mesh-portal' }, { manager }] })),
      ).toEqual({ name: 'Argo Rollouts', evidence: `managedFields manager "${manager}"` });
    }
    expect(
      detectCanaryController(
        vs({ annotations: { 'argo-rollouts.argoproj.io/managed-by-rollouts': 'backend' } }),
      ),
    ).toEqual({ name: 'Argo Rollouts', evidence: 'annotation argo-rollouts.argoproj.io/managed-by-rollouts' });
  });

  it('does not take a Rollout or Canary of another API group for these controllers', () => {
    expect(
      detectCanaryController(
        vs({
          ownerReferences: [
            { apiVersion: 'rollouts.kruise.io/v1beta1', kind: 'Rollout', name: 'backend' },
            { apiVersion: 'example.com/v1', kind: 'Canary', name: 'backend' },
          ],
        }),
      ),
    ).toBeUndefined();
  });
});
