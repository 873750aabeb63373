import { backendV1, podOf } from '../__fixtures__/handbook';
import { imageVersion, podMeshStatus } from './podMeshStatus';

describe('podMeshStatus', () => {
  it('sees a classic sidecar, its version and revision', () => {
    expect(podMeshStatus(podOf(backendV1))).toEqual({
      name: 'backend-v1-abc12',
      phase: 'Running',
      ready: true,
      injected: true,
      nativeSidecar: false,
      proxyVersion: '1.24.2',
      revision: 'default',
      optedOut: false,
      ambient: false,
    });
  });

  it('sees a native sidecar in initContainers', () => {
    const status = podMeshStatus(podOf(backendV1, { native: true }));
    expect(status.injected).toBe(true);
    expect(status.nativeSidecar).toBe(true);
  });

  it('ignores an istio-proxy init container without restartPolicy Always', () => {
    const pod = podOf(backendV1, { injected: false });
    pod.spec!.initContainers = [
      { name: 'istio-proxy', image: 'proxyv2:1.24.2' },
    ];
    expect(podMeshStatus(pod).injected).toBe(false);
  });

  it('prefers the proxyImage annotation and the istio.io/rev annotation', () => {
    const pod = podOf(backendV1);
    pod.metadata!.annotations = {
      ...pod.metadata!.annotations,
      'sidecar.istio.io/proxyImage':
        'registry.local:5000/istio/proxyv2:1.25.0-distroless',
      'istio.io/rev': 'canary',
    };
    const status = podMeshStatus(pod);
    expect(status.proxyVersion).toBe('1.25.0');
    expect(status.revision).toBe('canary');
  });

  it('reports opt-out, ambient and not-ready pods', () => {
    const optedOut = podOf(backendV1, { injected: false });
    optedOut.metadata!.labels = {
      ...optedOut.metadata!.labels,
      'sidecar.istio.io/inject': 'false',
    };
    expect(podMeshStatus(optedOut)).toMatchObject({
      injected: false,
      optedOut: true,
      ambient: false,
    });

    const ambient = podOf(backendV1, { injected: false });
    ambient.metadata!.annotations = {
      'ambient.istio.io/redirection': 'enabled',
    };
    ambient.status = {
      phase: 'Pending',
      conditions: [{ type: 'Ready', status: 'False' }],
    };
    expect(podMeshStatus(ambient)).toMatchObject({
      injected: false,
      ambient: true,
      ready: false,
      phase: 'Pending',
    });
  });
});

describe('imageVersion', () => {
  it.each([
    ['docker.io/istio/proxyv2:1.24.2', '1.24.2'],
    ['localhost:5000/proxyv2', undefined],
    ['istio/proxyv2:1.23.0@sha256:abc', '1.23.0'],
    [undefined, undefined],
  ])('%p → %p', (image, version) => {
    expect(imageVersion(image)).toBe(version);
  });
});
