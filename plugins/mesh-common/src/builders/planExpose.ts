import { MeshFindingCodes } from '../api/codes';
import type { Finding } from '../api/findings';
import { gatewayHostCovers } from '../kube/hosts';
import type { IstioGateway, KubeService } from '../kube/types';
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
  /** Selector of the ingress gateway pods (default `istio: ingressgateway`). */
  ingressSelector?: Record<string, string>;
  entityRef?: string;
}

/**
 * Plans exposure through the ingress gateway: a Gateway (HTTP port 80 for `hosts`, unless an
 * existing one is given) and a VirtualService `<service>-ingress` bound to it (`gateways`
 * names it — the handbook's classic mistake is forgetting this), with the same hosts and a
 * destination naming the service port.
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
  } else {
    gatewayRef = input.gateway ?? `${serviceName}-gateway`;
    objects.push(
      planned(
        {
          apiVersion: NETWORKING_V1,
          kind: 'Gateway',
          metadata: ownedMetadata(gatewayRef, namespace, input.entityRef),
          spec: {
            selector: input.ingressSelector ?? { istio: 'ingressgateway' },
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
