import { applyConflicts } from './ClusterGateway';

describe('applyConflicts', () => {
  it("reads the managers and fields of the API server's FieldManagerConflict causes", () => {
    // As k8s.io/apimachinery managedfields/internal/conflict.go writes them (an Update
    // manager is printed with its API version).
    const status = {
      message: 'Apply failed with 3 conflicts: …',
      details: {
        causes: [
          { reason: 'FieldManagerConflict', message: 'conflict with "kubectl"', field: '.spec.http' },
          { reason: 'FieldManagerConflict', message: 'conflict with "kubectl"', field: '.spec.hosts' },
          {
            reason: 'FieldManagerConflict',
            message: 'conflict with "kubectl-edit" using networking.istio.io/v1',
            field: '.spec.gateways',
          },
          { type: 'FieldValueInvalid', message: 'not a conflict', field: '.spec' },
        ],
      },
    };
    expect(applyConflicts(status, status.message)).toEqual([
      { manager: 'kubectl', fields: ['.spec.http', '.spec.hosts'] },
      { manager: 'kubectl-edit', fields: ['.spec.gateways'] },
    ]);
  });

  it('falls back to the managers the message names when there are no causes', () => {
    const message =
      'Apply failed with 2 conflicts: conflicts with "argocd-controller":\n- .spec.http\nconflicts with "kubectl" using networking.istio.io/v1:\n- .spec.hosts';
    expect(applyConflicts(undefined, message)).toEqual([
      { manager: 'argocd-controller', fields: [] },
      { manager: 'kubectl', fields: [] },
    ]);
  });
});
