/**
 * Codes of our own findings (those that do not mirror an `istioctl analyze` code).
 *
 * @public
 */
export const MeshFindingCodes = {
  /** Pod template lacks `app` / `version` labels (Kiali, telemetry, subsets need them). */
  missingAppVersionLabels: 'MESH-001',
  /** VirtualService for a host a Gateway serves is not bound to that Gateway. */
  virtualServiceNotLinkedToGateway: 'MESH-002',
  /** VS/DR uses a short host while living in another namespace than the service. */
  crossNamespaceShortHost: 'MESH-003',
  /** STRICT mTLS while callers have no sidecar. */
  callersWithoutSidecar: 'MESH-004',
  /** DestinationRule `tls.mode` DISABLE/SIMPLE toward an in-mesh host. */
  destinationRuleTlsOverride: 'MESH-005',
  /** Canary request cannot be carried out (no canary version, bad weights, unknown subset). */
  invalidCanary: 'MESH-006',
  /** hostNetwork pods are never injected. */
  hostNetworkPod: 'MESH-007',
  /** An existing namespace PeerAuthentication is kept as it is. */
  existingPeerAuthentication: 'MESH-008',
  /** A Service port declares no protocol Istio can parse: Istio sniffs it; the user decides. */
  undeclaredPortProtocol: 'MESH-009',
  /** Workload opted out of injection. */
  workloadOptedOut: 'MESH-010',
  /** Requested port or gateway does not fit. */
  invalidExpose: 'MESH-011',
  /** A workload named in the request is not one of the entity's. */
  unknownWorkload: 'MESH-012',
  /** A VirtualService http route is shadowed by an earlier catch-all (IST0131-like). */
  shadowedRoute: 'MESH-013',
  /** A PeerAuthentication Istio ignores: an older one of the same level wins. */
  shadowedPeerAuthentication: 'MESH-014',
  /** `portLevelMtls` keeps some ports on another mode than the policy's. */
  portLevelMtls: 'MESH-015',
  /** Onboarding keeps a mesh-wide STRICT policy instead of writing a namespace PERMISSIVE one. */
  meshWideStrict: 'MESH-016',
  /** The namespace opts out of injection (`istio-injection=disabled`). */
  namespaceOptedOut: 'MESH-017',
  /** A `name.namespace` host, which Istio does not expand to a Service. */
  partiallyQualifiedHost: 'MESH-018',
  /** A timeout, retry or traffic-policy setting that cannot work as asked, or a note on Istio's defaults. */
  /** Fields of an object are owned by another applier (e.g. a GitOps controller) that would revert the change. */
  fieldManagerConflict: 'MESH-028',
  /** Fields last written by kubectl edit/patch/client-side apply are taken over (their content kept). */
  fieldTakeover: 'MESH-029',
  resilience: 'MESH-030',
  /** A declared caller has no sidecar: it has no mTLS identity an ALLOW policy could name. */
  accessCallerWithoutSidecar: 'MESH-019',
  /** A declared caller (catalog) has no workload in the cluster: no principal for it. */
  accessCallerNotFound: 'MESH-020',
  /** An ALLOW policy denies every request it does not list (deny-by-default). */
  accessDeniesUnlisted: 'MESH-021',
  /** The service's workloads accept plaintext (mTLS not STRICT): plaintext has no principal. */
  accessPlaintextDenied: 'MESH-022',
  /** Another AuthorizationPolicy applies to the service's workloads; kept as it is. */
  accessOtherPolicy: 'MESH-023',
  /** A caller's service account is also the identity of workloads that are not callers. */
  accessSharedServiceAccount: 'MESH-024',
  /** An AuthorizationPolicy of the name we would write exists and is not ours. */
  accessPolicyNotOwned: 'MESH-025',
  /** The service is exposed through an ingress Gateway: the gateway's identity is allowed. */
  accessIngressGateway: 'MESH-026',
  /** An AuthorizationPolicy names a principal whose service account does not exist. */
  unknownServiceAccountPrincipal: 'MESH-027',
  /** A workload's pods would not be replaced after a template change (paused, OnDelete). */
  rolloutBlocked: 'MESH-031',
  /** No ingress gateway (or no single one) to select for a new Gateway: the user must say. */
  ingressGatewayUnknown: 'MESH-032',
} as const;
