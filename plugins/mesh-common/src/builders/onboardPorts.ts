import type { PortProtocolAnswer } from '../api/actions';
import { MeshFindingCodes } from '../api/codes';
import type { Finding } from '../api/findings';
import type { PlannedObject } from '../api/plan';
import type { KubeService } from '../kube/types';
import { servicePortProtocol } from '../status/serviceStatus';
import { planned } from './objects';

/**
 * Well-known ports of protocols that are not HTTP, for the hint only: Istio itself sniffs them
 * (only SMTP, DNS, MySQL and MongoDB ports are TCP without a declaration), so the plan never
 * declares them on its own.
 */
const NON_HTTP_PORT_HINTS: Record<number, string> = {
  2181: 'ZooKeeper',
  5432: 'PostgreSQL',
  5672: 'AMQP',
  6379: 'Redis',
  9042: 'Cassandra',
  9092: 'Kafka',
  11211: 'Memcached',
};

/**
 * Service port protocols for onboarding.
 *
 * A port whose protocol Istio cannot derive (see {@link servicePortProtocol}) is sniffed by
 * Istio. Guessing would be wrong for someone (`appProtocol: http` on PostgreSQL breaks it), so
 * the plan declares only what the user answered in `answers` (minimal strategic-merge patch of
 * `appProtocol`) and asks about the rest with a non-blocking finding.
 *
 * @internal
 */
export function planPortProtocols(
  services: KubeService[],
  namespace: string,
  answers: PortProtocolAnswer[] = [],
): { objects: PlannedObject[]; findings: Finding[] } {
  const objects: PlannedObject[] = [];
  const findings: Finding[] = [];
  for (const service of services) {
    const name = service.metadata?.name ?? '';
    const undeclared = (service.spec?.ports ?? []).filter(
      port => servicePortProtocol(port) === 'unknown',
    );
    const answered = undeclared.flatMap(port => {
      const answer = answers.find(
        a => a.service === name && a.port === port.port,
      );
      return answer ? [{ port, protocol: answer.protocol }] : [];
    });
    const open = undeclared.filter(
      port => !answered.some(a => a.port.port === port.port),
    );
    if (open.length > 0) {
      findings.push({
        code: MeshFindingCodes.undeclaredPortProtocol,
        severity: 'warning',
        message: `Service ${name} port(s) ${open
          .map(p => p.port)
          .join(
            ', ',
          )} declare no protocol (IST0118): Istio sniffs them, and routing, retries and HTTP metrics need a declared protocol. The plan leaves them as they are.`,
        resource: { kind: 'Service', name, namespace },
        hint: `Choose each port's protocol under "Port protocols" in the onboarding dialog (portProtocols in the API request), or name the port http-*/grpc-*/tcp-*: ${open
          .map(p => `${p.port} → ${suggestion(p.port)}`)
          .join('; ')}.`,
        blocking: false,
      });
    }
    if (answered.length === 0) continue;
    objects.push(
      planned(
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name, namespace },
          spec: {
            ports: answered.map(({ port, protocol }) => ({
              port: port.port,
              protocol: port.protocol ?? 'TCP',
              appProtocol: protocol,
            })),
          },
        },
        'patch',
        'strategic',
      ),
    );
  }
  return { objects, findings };
}

function suggestion(port: number): string {
  const known = NON_HTTP_PORT_HINTS[port];
  return known ? `tcp (${known})` : 'http if it serves HTTP/1.1, else tcp';
}
