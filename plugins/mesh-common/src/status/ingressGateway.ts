import { MeshFindingCodes } from '../api/codes';
import type { Finding } from '../api/findings';
import type {
  IstioGateway,
  KubeContainer,
  KubePod,
  KubeWorkload,
} from '../kube/types';
import { matchesLabels } from '../labelSelector';
import { ISTIO_PROXY_CONTAINER } from './podMeshStatus';

/**
 * Label the Kubernetes Gateway API deployment (and Istio's) puts on gateway pods.
 *
 * @public
 */
export const LABEL_GATEWAY_NAME = 'istio.io/gateway-name';
/**
 * Values of the `istio` label of ingress gateway pods: `ingressgateway` from istioctl /
 * IstioOperator installs, `ingress` from the documented Helm install
 * (`helm install istio-ingress istio/gateway`: the chart's `gateway.selectorLabels` sets `istio:` to the
 * release name without its `istio-` prefix — istio/istio
 * manifests/charts/gateway/templates/_helpers.tpl).
 *
 * @public
 */
export const INGRESS_ISTIO_LABEL_VALUES = [
  'ingressgateway',
  'ingress',
] as const;
/** Annotation choosing istiod's injection templates; `gateway` renders a router proxy. */
const ANNOTATION_INJECT_TEMPLATES = 'inject.istio.io/templates';

/**
 * True when a pod spec carries an Istio proxy of type router, the way istiod tells a gateway
 * from a sidecar: the proxy is started as `pilot-agent proxy router` (istio/istio
 * manifests/charts/istio-control/istio-discovery/files/gateway-injection-template.yaml renders
 * `args: [proxy, router, …]`; pilot/pkg/model/context.go, `Router NodeType = "router"`,
 * "standalone proxies acting as L7/L4 routers"; a sidecar is `proxy sidecar`).
 *
 * @public
 */
export function hasRouterProxy(spec: {
  containers?: KubeContainer[];
}): boolean {
  const proxy = spec.containers?.find(c => c.name === ISTIO_PROXY_CONTAINER);
  const args = proxy?.args ?? [];
  const at = args.indexOf('proxy');
  return at >= 0 && args[at + 1] === 'router';
}

/**
 * The pod-label selector of an ingress gateway pod (or pod template), if it is one:
 * `istio.io/gateway-name: <name>` (Gateway API deployments), else `istio: ingressgateway` or
 * `istio: ingress`.
 */
function ingressSelectorOf(
  labels: Record<string, string> | undefined,
): Record<string, string> | undefined {
  if (labels?.[LABEL_GATEWAY_NAME]) {
    return { [LABEL_GATEWAY_NAME]: labels[LABEL_GATEWAY_NAME] };
  }
  const istio = labels?.istio;
  if (
    istio &&
    (INGRESS_ISTIO_LABEL_VALUES as readonly string[]).includes(istio)
  ) {
    return { istio };
  }
  return undefined;
}

/**
 * An ingress gateway found in the cluster: what a Gateway's `selector` must say to be served
 * by it, and where its pods run.
 *
 * @public
 */
export interface IngressGatewayCandidate {
  namespace: string;
  selector: Record<string, string>;
  /** The pods (or, when none runs, the Deployments) that carry it. */
  names: string[];
}

/**
 * The ingress gateways of a cluster, from its pods and Deployments: those labelled as ingress
 * gateways (see {@link INGRESS_ISTIO_LABEL_VALUES}, `istio.io/gateway-name`) that run a proxy
 * of type router ({@link hasRouterProxy}). A Deployment counts where no pod runs yet (scaled
 * to zero, or not rolled out) when its pod template asks for the `gateway` injection template
 * or already holds the router proxy. Grouped by namespace and selector.
 *
 * @public
 */
export function ingressGatewayCandidates(
  pods: KubePod[],
  deployments: KubeWorkload[] = [],
): IngressGatewayCandidate[] {
  const candidates: IngressGatewayCandidate[] = [];
  const add = (
    namespace: string,
    selector: Record<string, string>,
    name: string,
  ) => {
    const existing = candidates.find(
      c =>
        c.namespace === namespace &&
        JSON.stringify(c.selector) === JSON.stringify(selector),
    );
    if (existing) {
      if (!existing.names.includes(name)) existing.names.push(name);
    } else {
      candidates.push({ namespace, selector, names: [name] });
    }
  };
  for (const pod of pods) {
    const selector = ingressSelectorOf(pod.metadata?.labels);
    if (!selector || !hasRouterProxy(pod.spec ?? {})) continue;
    add(pod.metadata?.namespace ?? '', selector, pod.metadata?.name ?? '');
  }
  for (const deployment of deployments) {
    const template = deployment.spec?.template;
    const selector = ingressSelectorOf(template?.metadata?.labels);
    if (!selector) continue;
    const namespace = deployment.metadata?.namespace ?? '';
    const templates = (
      template?.metadata?.annotations?.[ANNOTATION_INJECT_TEMPLATES] ?? ''
    ).split(',');
    const router =
      templates.map(t => t.trim()).includes('gateway') ||
      hasRouterProxy(template?.spec ?? {});
    const running = pods.some(
      pod =>
        pod.metadata?.namespace === namespace &&
        matchesLabels(pod.metadata?.labels, selector),
    );
    if (router && !running) {
      add(namespace, selector, deployment.metadata?.name ?? '');
    }
  }
  return candidates;
}

/**
 * Input of {@link chooseIngressGatewaySelector}.
 *
 * @public
 */
export interface IngressGatewayChoiceInput {
  cluster: string;
  candidates: IngressGatewayCandidate[];
  /** `mesh.clusters.<cluster>.ingressGatewaySelector`: the operator's word, used as given. */
  configured?: Record<string, string>;
  /** Where to look first when several gateways run (default `istio-system`). */
  preferredNamespace?: string;
}

/**
 * The selector a new Gateway gets, with findings that say where it comes from.
 *
 * @public
 */
export interface IngressGatewayChoice {
  /** Absent when nothing can be chosen without the user (a blocking finding says why). */
  selector?: Record<string, string>;
  findings: Finding[];
}

/**
 * A map selector as Kubernetes prints it (`labels.SelectorFromSet(...).String()`: keys sorted,
 * `key=value` joined by commas) — also the `labelSelector` query that lists its pods.
 *
 * @public
 */
export function selectorString(selector: Record<string, string>): string {
  return Object.keys(selector)
    .sort()
    .map(key => `${key}=${selector[key]}`)
    .join(',');
}

/**
 * Picks the pod selector for a new ingress Gateway from the gateways found in the cluster,
 * never from a default (`istio: ingressgateway` matches no pod of a Helm-installed gateway,
 * and a Gateway whose selector matches no pod is served by nobody): the configured selector
 * if any; else the only gateway found; else, among several, the only one in the preferred
 * namespace, saying which. No gateway, or several that the namespace does not tell apart, is
 * a blocking finding asking the user to configure the selector.
 *
 * @public
 */
export function chooseIngressGatewaySelector(
  input: IngressGatewayChoiceInput,
): IngressGatewayChoice {
  const preferred = input.preferredNamespace ?? 'istio-system';
  const configKey = `mesh.clusters.${input.cluster}.ingressGatewaySelector`;
  const describe = (c: IngressGatewayCandidate) =>
    `${selectorString(c.selector)} (${c.namespace}: ${c.names.join(', ')})`;
  if (input.configured && Object.keys(input.configured).length > 0) {
    return { selector: { ...input.configured }, findings: [] };
  }
  if (input.candidates.length === 0) {
    return {
      findings: [
        {
          code: MeshFindingCodes.ingressGatewayUnknown,
          severity: 'error',
          message: `No ingress gateway found in cluster ${input.cluster}: no pod labelled istio=ingressgateway, istio=ingress or istio.io/gateway-name runs a router proxy. A new Gateway would select no pod.`,
          hint: `Install an ingress gateway, or set ${configKey} to the labels of your gateway pods (e.g. istio: my-gateway).`,
          blocking: true,
        },
      ],
    };
  }
  if (input.candidates.length === 1) {
    return { selector: { ...input.candidates[0].selector }, findings: [] };
  }
  const inPreferred = input.candidates.filter(c => c.namespace === preferred);
  if (inPreferred.length === 1) {
    const chosen = inPreferred[0];
    return {
      selector: { ...chosen.selector },
      findings: [
        {
          code: MeshFindingCodes.ingressGatewayUnknown,
          severity: 'info',
          message: `Several ingress gateways run in cluster ${
            input.cluster
          }; the Gateway selects ${describe(
            chosen,
          )}, the one in ${preferred}. Others: ${input.candidates
            .filter(c => c !== chosen)
            .map(describe)
            .join('; ')}.`,
          hint: `To use another, set ${configKey}.`,
          blocking: false,
        },
      ],
    };
  }
  return {
    findings: [
      {
        code: MeshFindingCodes.ingressGatewayUnknown,
        severity: 'error',
        message: `Several ingress gateways run in cluster ${
          input.cluster
        } and ${
          inPreferred.length === 0 ? 'none' : 'more than one'
        } in ${preferred}: ${input.candidates.map(describe).join('; ')}.`,
        hint: `Set ${configKey} to the selector of the one to expose through.`,
        blocking: true,
      },
    ],
  };
}

/**
 * True when a Gateway's `selector` matches one of the pods (an empty selector matches every
 * pod, as Kubernetes' `SelectorFromSet` does). Pods of every namespace count: Istio applies a
 * Gateway to matching proxies in any namespace unless PILOT_SCOPE_GATEWAY_TO_NAMESPACE is set.
 *
 * @public
 */
export function gatewaySelectsAnyPod(
  selector: Record<string, string> | undefined,
  pods: KubePod[],
): boolean {
  return pods.some(pod => matchesLabels(pod.metadata?.labels, selector ?? {}));
}

/**
 * IST0101 for a Gateway whose `selector` matches none of the pods (listed by that selector
 * across namespaces): no proxy serves it, so nothing bound to it receives traffic. Mirrors
 * istio/istio pkg/config/analysis/analyzers/gateway/gateway.go,
 * `IngressGatewayPortAnalyzer.analyzeGateway` (analyzer "gateway.IngressGatewayPortAnalyzer"),
 * which counts the pods of all namespaces matching the selector and reports
 * `msg.NewReferencedResourceNotFound(r, "selector", …)` ("Referenced %s not found: %q") when
 * there are none. An empty selector selects every pod and is never reported.
 *
 * @public
 */
export function unservedGatewayFinding(
  gateway: IstioGateway,
  pods: KubePod[],
  consequence = 'traffic for its hosts never arrives',
): Finding | undefined {
  const selector = gateway.spec?.selector ?? {};
  if (Object.keys(selector).length === 0) return undefined;
  if (gatewaySelectsAnyPod(selector, pods)) return undefined;
  const name = gateway.metadata?.name ?? '';
  return {
    code: 'IST0101',
    severity: 'error',
    message: `Gateway ${name}: Referenced selector not found: "${selectorString(
      selector,
    )}". No pod in the cluster has these labels, so no gateway proxy serves it and ${consequence}.`,
    resource: { kind: 'Gateway', name, namespace: gateway.metadata?.namespace },
    hint: 'Set the selector to the labels of your ingress gateway pods (the Helm gateway chart labels them istio: <release name without istio->, e.g. istio: ingress).',
    blocking: true,
  };
}
