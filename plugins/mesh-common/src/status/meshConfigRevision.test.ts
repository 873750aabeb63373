import type { KubeNamespace, KubePod } from '../kube/types';
import {
  meshConfigMapCandidates,
  meshConfigMapName,
} from './meshConfigRevision';

const namespace = (labels: Record<string, string>): KubeNamespace => ({
  metadata: { name: 'prod', labels },
});

/** An injected pod of a revision, as the injector annotates it. */
const podOf = (revision: string, name: string): KubePod => ({
  metadata: {
    name,
    namespace: 'prod',
    annotations: {
      'sidecar.istio.io/status': JSON.stringify({
        initContainers: ['istio-init'],
        containers: ['istio-proxy'],
        revision,
      }),
    },
  },
  spec: { containers: [{ name: 'app' }, { name: 'istio-proxy' }] },
});

describe('meshConfigMapName', () => {
  it('is istio for the default revision and istio-<rev> for another', () => {
    expect(meshConfigMapName()).toBe('istio');
    expect(meshConfigMapName('default')).toBe('istio');
    expect(meshConfigMapName('1-24-2')).toBe('istio-1-24-2');
  });
});

describe('meshConfigMapCandidates', () => {
  it("tries the namespace's revision, then the pods' revisions (most pods first), then istio", () => {
    expect(
      meshConfigMapCandidates(
        [namespace({ 'istio.io/rev': 'prod-stable' })],
        [podOf('1-23', 'a'), podOf('1-24', 'b'), podOf('1-24', 'c')],
      ),
    ).toEqual(['istio-prod-stable', 'istio-1-24', 'istio-1-23', 'istio']);
  });

  it('takes the default revision where istio-injection=enabled wins over istio.io/rev', () => {
    expect(
      meshConfigMapCandidates(
        [namespace({ 'istio-injection': 'enabled', 'istio.io/rev': 'canary' })],
        [podOf('canary', 'a')],
      ),
    ).toEqual(['istio', 'istio-canary']);
  });

  it('is istio alone without a revision anywhere', () => {
    expect(meshConfigMapCandidates([namespace({})], [])).toEqual(['istio']);
    expect(
      meshConfigMapCandidates([namespace({})], [podOf('default', 'a')]),
    ).toEqual(['istio']);
  });
});
