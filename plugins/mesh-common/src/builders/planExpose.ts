import { MeshFindingCodes } from '../api/codes';
import type { Finding } from '../api/findings';
import { gatewayHostCovers } from '../kube/hosts';
import type { IstioGateway, KubePod, KubeService } from '../kube/types';
import {
  chooseIngressGatewaySelector,
  unservedGatewayFinding,
  type IngressGatewayChoiceInput,
} from '../status/ingressGateway';
import { NETWORKING_V1, ownedMetadata, planned } from './objects';
import type { BuiltPlan } from './planOnboard';

/**
 * Input of {@link planExpose}.
 *
 * @public
 */
export interface ExposePlanInput {
  service: KubeService;
  hosts: string[];
  /** Gateway name; default `<service>-gateway`. */
  gateway?: string;
  /** An existing Gateway to bind to instead of creating one. */
  existingGateway?: IstioGateway;
  /** Service port; required when the service has several ports. */
  port?: number;
  /**
   * Selector of the ingress gateway pods for a new Gateway, when the caller knows it (e.g. a
   * template parameter); else it is chosen from `ingressGateways`.
   */
  ingressSelector?: Record<string, string>;
  /** The ingress gateways of the cluster and the configured selector, to choose from. */
  ingressGateways?: IngressGatewayChoiceInput;
  /**
   * Pods of the cluster that `existingGateway`'s selector matches (listed by that selector);
   * when given and empty, binding to it is refused (IST0101: no proxy serves it).
   */
  gatewayPods?: KubePod[];
  entityRef?: string;
}

/**
 * Plans exposure through the ingress gateway: a Gateway (HTTP port 80 for `hosts`, unless an
 * existing one is given) and a VirtualService `<service>-ingress` bound to it (`gateways`
 * names it — the handbook's classic mistake is forgetting this), with the same hosts and a
 * destination naming the service port.
 *
 * A new Gateway selects the ingress gateway pods found in the cluster
 * ({@link chooseIngressGatewaySelector}), never a default: `istio: ingressgateway` selects no
 * pod of a Helm-installed gateway (`istio: ingress`). An existing Gateway whose selector
 * matches no pod is reported as Istio's gateway analyzer does (IST0101) and blocks the plan.
 *
 * @public
 */
export function planExpose(input: ExposePlanInput): BuiltPlan {
  const findings: Finding[] = [];
  const serviceName = input.service.metadata?.name ?? '';
  const namespace = input.service.metadata?.namespace ?? '';
  const ports = input.service.spec?.ports ?? [];
  const resource = { kind: 'Service', name: serviceName, namespace };

  let port = input.port;
  if (port === undefined) {
    if (ports.length === 1) {
      port = ports[0].port;
    } else {
      findings.push({
        code: 'IST0112',
        severity: 'error',
        message: `Service ${serviceName} has ${ports.length} ports: name the one to expose.`,
        resource,
        hint: `Pass port (one of ${
          ports.map(p => p.port).join(', ') || 'none'
        }).`,
        blocking: true,
      });
    }
  } else if (!ports.some(p => p.port === port)) {
    findings.push({
      code: MeshFindingCodes.invalidExpose,
      severity: 'error',
      message: `Service ${serviceName} has no port ${port}.`,
      resource,
      hint: `Use one of ${ports.map(p => p.port).join(', ') || 'none'}.`,
      blocking: true,
    });
  }

  const objects = [];
  let gatewayRef: string;
  if (input.existingGateway) {
    const gwName = input.existingGateway.metadata?.name ?? '';
    const gwNamespace = input.existingGateway.metadata?.namespace ?? namespace;
    gatewayRef =
      gwNamespace === namespace ? gwName : `${gwNamespace}/${gwName}`;
    const served = (input.existingGateway.spec?.servers ?? []).flatMap(
      s => s.hosts ?? [],
    );
    const uncovered = input.hosts.filter(
      host =>
        !served.some(pattern =>
          gatewayHostCovers(pattern, host, {
            virtualService: namespace,
            gateway: gwNamespace,
          }),
        ),
    );
    if (uncovered.length > 0) {
      findings.push({
        code: 'IST0132',
        severity: 'error',
        message: `Gateway ${gatewayRef} does not serve ${uncovered.join(
          ', ',
        )}.`,
        resource: { kind: 'Gateway', name: gwName, namespace: gwNamespace },
        hint: 'Add the hosts to the Gateway, or expose through a new Gateway.',
        blocking: true,
      });
    }
    const unserved =
      input.gatewayPods &&
      unservedGatewayFinding(
        input.existingGateway,
        input.gatewayPods,
        `${input.hosts.join(', ')} would not be reachable through it`,
      );
    if (unserved) findings.push(unserved);
  } else {
    gatewayRef = input.gateway ?? `${serviceName}-gateway`;
    let selector = input.ingressSelector;
    if (!selector) {
      const choice = input.ingressGateways
        ? chooseIngressGatewaySelector(input.ingressGateways)
        : {
            findings: [
              {
                code: MeshFindingCodes.ingressGatewayUnknown,
                severity: 'error' as const,
                message:
                  'No ingress gateway selector is known: a new Gateway would select no pod.',
                hint: 'Say which pods serve ingress (e.g. istio: ingress).',
                blocking: true,
              },
            ],
          };
      selector = choice.selector;
      findings.push(...choice.findings);
    }
    objects.push(
      planned(
        {
          apiVersion: NETWORKING_V1,
          kind: 'Gateway',
          metadata: ownedMetadata(gatewayRef, namespace, input.entityRef),
          spec: {
            ...(selector ? { selector } : {}),
            servers: [
              {
                port: { number: 80, name: 'http', protocol: 'HTTP' },
                hosts: [...input.hosts],
              },
            ],
          },
        },
        'apply',
      ),
    );
  }

  objects.push(
    planned(
      {
        apiVersion: NETWORKING_V1,
        kind: 'VirtualService',
        metadata: ownedMetadata(
          `${serviceName}-ingress`,
          namespace,
          input.entityRef,
        ),
        spec: {
          hosts: [...input.hosts],
          gateways: [gatewayRef],
          http: [
            {
              route: [
                {
                  destination: {
                    host: serviceName,
                    ...(port !== undefined ? { port: { number: port } } : {}),
                  },
                },
              ],
            },
          ],
        },
      },
      'apply',
    ),
  );

  return {
    objects,
    findings,
    summary: `Expose ${serviceName}${
      port !== undefined ? `:${port}` : ''
    } at ${input.hosts.join(', ')} through Gateway ${gatewayRef}.`,
  };
}
