import type { Finding } from '../api/findings';
import { capPodFindings, findingCounts } from './podFindings';

const noSidecar = (name: string, namespace = 'prod'): Finding => ({
  code: 'IST0103',
  severity: 'warning',
  message: `Pod ${name} has no istio-proxy although namespace ${namespace} is injected.`,
  resource: { kind: 'Pod', name, namespace },
  hint: 'Restart its workload (rollout restart) so the injector adds the sidecar.',
  blocking: false,
});
const namespaceFinding: Finding = {
  code: 'IST0102',
  severity: 'info',
  message: 'Namespace shop is not enabled for injection.',
  resource: { kind: 'Namespace', name: 'shop' },
  hint: 'Onboard it.',
  blocking: false,
};

describe('capPodFindings', () => {
  it('passes findings within the limit unchanged', () => {
    const findings = [noSidecar('a'), namespaceFinding, noSidecar('b')];
    expect(capPodFindings(findings, 2)).toEqual(findings);
  });

  it('keeps the first pods of a code and counts the rest in one finding, per code', () => {
    const findings = [
      ...Array.from({ length: 5000 }, (_, i) =>
        noSidecar(`backend-${i}`, i < 4000 ? 'prod' : 'canary'),
      ),
      namespaceFinding,
      { ...noSidecar('odd'), code: 'MESH-POD' },
    ];
    const capped = capPodFindings(findings, 3);
    expect(capped.map(f => f.resource?.name ?? f.code)).toEqual([
      'backend-0',
      'backend-1',
      'backend-2',
      'shop',
      'odd',
      'IST0103',
    ]);
    expect(capped[5]).toEqual({
      code: 'IST0103',
      severity: 'warning',
      blocking: false,
      hint: 'Restart its workload (rollout restart) so the injector adds the sidecar.',
      count: 4997,
      message:
        '4,997 more pods in canary, prod with the same finding (IST0103), not listed one by one.',
    });
    // Counted by severity as before capping: 5,001 warnings, 1 info.
    expect(findingCounts(capped)).toEqual({ error: 0, warning: 5001, info: 1 });
    expect(findingCounts(capped)).toEqual(findingCounts(findings));
  });
});
