import { MeshFindingCodes } from '../api/codes';
import type { Finding } from '../api/findings';
import type { PlannedObject } from '../api/plan';
import type { IstioPeerAuthentication } from '../kube/types';
import { effectiveMtlsMode } from '../status/effectiveMtls';
import { peerAuthenticationsAtLevel } from '../status/peerAuthenticationPrecedence';
import { SECURITY_V1, ownedMetadata, planned } from './objects';

/**
 * The PeerAuthentication step of onboarding: a namespace PERMISSIVE `default`, so meshed and
 * not-yet-meshed pods keep talking (handbook 4.2) — unless
 * - the namespace already has a namespace-wide policy: the oldest one (the one Istio uses,
 *   istio/istio pilot/pkg/security/authn/policy_applier.go `ComposePeerAuthentication`) is kept
 *   and named;
 * - the mesh-wide policy (root namespace, no selector) is STRICT: onboarding does not weaken
 *   it behind the user's back; a finding says so and the mTLS action can add an exception.
 *
 * @internal
 */
export function planOnboardPeerAuthentication(input: {
  namespace: string;
  peerAuthentications?: IstioPeerAuthentication[];
  rootNamespace?: string;
  entityRef?: string;
}): { objects: PlannedObject[]; findings: Finding[] } {
  const policies = input.peerAuthentications ?? [];
  const namespacePolicy = peerAuthenticationsAtLevel(policies, {
    scope: 'namespace',
    namespace: input.namespace,
  }).effective;
  if (namespacePolicy) {
    const name = namespacePolicy.metadata?.name ?? '';
    return {
      objects: [],
      findings: [
        {
          code: MeshFindingCodes.existingPeerAuthentication,
          severity: 'info',
          message: `PeerAuthentication ${name} (mode ${
            namespacePolicy.spec?.mtls?.mode ?? 'UNSET'
          }) already sets the namespace's mTLS; it is kept.`,
          resource: {
            kind: 'PeerAuthentication',
            name,
            namespace: input.namespace,
          },
          hint: 'Use the mTLS action to change it.',
          blocking: false,
        },
      ],
    };
  }
  const inherited = effectiveMtlsMode({
    namespace: input.namespace,
    peerAuthentications: policies,
    rootNamespace: input.rootNamespace,
  });
  if (inherited.mode === 'STRICT' && inherited.source.scope === 'mesh') {
    return {
      objects: [],
      findings: [
        {
          code: MeshFindingCodes.meshWideStrict,
          severity: 'warning',
          message: `The mesh-wide PeerAuthentication ${inherited.source.name} (${inherited.source.namespace}) is STRICT; onboarding keeps it, so once these pods have a sidecar they reject callers without one.`,
          resource: {
            kind: 'PeerAuthentication',
            name: inherited.source.name ?? '',
            namespace: inherited.source.namespace,
          },
          hint: 'Onboard the callers first, or make a PERMISSIVE exception for this namespace with the mTLS action.',
          blocking: false,
        },
      ],
    };
  }
  return {
    objects: [
      planned(
        {
          apiVersion: SECURITY_V1,
          kind: 'PeerAuthentication',
          metadata: ownedMetadata('default', input.namespace, input.entityRef),
          spec: { mtls: { mode: 'PERMISSIVE' } },
        },
        'apply',
      ),
    ],
    findings: [],
  };
}
