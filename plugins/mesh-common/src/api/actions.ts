import { z } from 'zod';
import type { AccessActionMode } from './access';
import type { MeshPortProtocol } from './status';
import {
  ResilienceActionRequest,
  resilienceActionRequestSchema,
} from './resilience';
import { isDns1123Subdomain, isMeshHostName } from '../kube/names';
import { dns1123Label, dns1123Subdomain } from './nameSchemas';
import { WORKLOAD_KINDS } from '../kube/workloads';

/**
 * Canary presets: `90/10` and `50/50` split stable/canary, `promote` sends everything to the
 * canary, `rollback` everything to stable.
 *
 * @public
 */
export type CanaryPreset = '90/10' | '50/50' | 'promote' | 'rollback';

/**
 * Protocols a Service port can declare so Istio does not sniff it: the `appProtocol` values
 * Istio parses (istio/istio pkg/config/protocol/instance.go), UDP aside.
 *
 * @public
 */
export const DECLARED_PORT_PROTOCOLS = [
  'http',
  'http2',
  'https',
  'grpc',
  'grpc-web',
  'tcp',
  'tls',
  'mongo',
  'mysql',
  'redis',
] as const satisfies ReadonlyArray<MeshPortProtocol>;

/**
 * One of {@link DECLARED_PORT_PROTOCOLS}.
 *
 * @public
 */
export type DeclaredPortProtocol = (typeof DECLARED_PORT_PROTOCOLS)[number];

/**
 * The user's answer for one Service port whose protocol Istio cannot derive.
 *
 * @public
 */
export interface PortProtocolAnswer {
  service: string;
  port: number;
  protocol: DeclaredPortProtocol;
}

/**
 * Put the entity's workloads into the mesh.
 *
 * @public
 */
export interface OnboardActionRequest {
  action: 'onboard';
  /** `namespace` labels the namespace; `workload` labels pod templates only. */
  scope: 'namespace' | 'workload';
  /**
   * Workloads to onboard, by name or `Kind/name` (`StatefulSet/cache`: Deployment, StatefulSet,
   * DaemonSet); default: all of the entity's workloads. A bare name two kinds share is refused.
   */
  workloads?: string[];
  /** Istio revision to inject (`istio.io/rev`); default revision when absent. */
  revision?: string;
  mode?: 'sidecar' | 'ambient';
  /**
   * Restart existing workloads (rollout restart of Deployments, StatefulSets, DaemonSets) so
   * pods get a sidecar (default true; never for ambient).
   */
  restart?: boolean;
  /**
   * `appProtocol` to set on Service ports whose protocol Istio cannot derive; ports without an
   * answer are left to Istio's sniffing (and reported).
   */
  portProtocols?: PortProtocolAnswer[];
  cluster?: string;
}

/**
 * Change the traffic split of a service between its stable and canary versions.
 *
 * @public
 */
export interface CanaryActionRequest {
  action: 'canary';
  /** Service name; default: the entity's only service. */
  service?: string;
  /**
   * The VirtualService whose split to change (`TrafficSplit.virtualService` of the status);
   * required when several VirtualServices route the Service (e.g. a mesh one and an ingress
   * one: each steers only its own traffic).
   */
  virtualService?: string;
  /** Percentages per subset (version label value), integers summing to 100. */
  weights?: Record<string, number>;
  preset?: CanaryPreset;
  /** Stable subset; default: the subset now carrying most traffic, else the oldest version. */
  stable?: string;
  /** Canary subset; default: the other version. */
  canary?: string;
  cluster?: string;
}

/**
 * Set the PeerAuthentication mode of the namespace or of one workload.
 *
 * @public
 */
export interface MtlsActionRequest {
  action: 'mtls';
  mode: 'PERMISSIVE' | 'STRICT';
  scope: 'namespace' | 'workload';
  /** Required when `scope` is `workload`: a name, or `Kind/name` where kinds share names. */
  workload?: string;
  /** Go STRICT even though callers without a sidecar exist (needs `mesh.entity.force`). */
  force?: boolean;
  cluster?: string;
}

/**
 * Expose a service through the ingress gateway.
 *
 * @public
 */
export interface ExposeActionRequest {
  action: 'expose';
  service?: string;
  hosts: string[];
  /** Gateway name; default `<service>-gateway`. */
  gateway?: string;
  /** Service port to route to; required when the service has several ports. */
  port?: number;
  cluster?: string;
}

/**
 * Lock a Service down to its declared callers: an ALLOW AuthorizationPolicy
 * `<service>-allow-declared-callers` on the Service's workloads whose `source.principals` are
 * the identities of the entities that depend on it or consume its APIs (catalog relations).
 *
 * @public
 */
export interface AccessActionRequest {
  action: 'access';
  /** `dry-run` (annotation `istio.io/dry-run: "true"`), `enforce`, or `remove` (ours only). */
  mode: AccessActionMode;
  /** Service name; default: the entity's only service. */
  service?: string;
  cluster?: string;
}

/**
 * Body of `POST …/plans` and `POST …/apply`.
 *
 * @public
 */
export type MeshActionRequest =
  | OnboardActionRequest
  | CanaryActionRequest
  | MtlsActionRequest
  | ExposeActionRequest
  | ResilienceActionRequest
  | AccessActionRequest;

/**
 * The action names of {@link MeshActionRequest}.
 *
 * @public
 */
export type MeshActionName = MeshActionRequest['action'];

const clusterName = z.string().min(1).max(253).optional();
/** A workload by name, or `Kind/name` where names of several kinds collide. */
const workloadName = z.string().refine(value => {
  const slash = value.indexOf('/');
  if (slash < 0) return isDns1123Subdomain(value);
  return (
    (WORKLOAD_KINDS as readonly string[]).includes(value.slice(0, slash)) &&
    isDns1123Subdomain(value.slice(slash + 1))
  );
}, `must be a DNS-1123 subdomain (lower-case a-z, 0-9, "-", ".", at most 253 characters), optionally prefixed by ${WORKLOAD_KINDS.join(', ')} and "/"`);

/** @public */
export const onboardActionRequestSchema = z.strictObject({
  action: z.literal('onboard'),
  scope: z.enum(['namespace', 'workload']),
  workloads: z.array(workloadName).min(1).optional(),
  revision: dns1123Label.optional(),
  mode: z.enum(['sidecar', 'ambient']).optional(),
  restart: z.boolean().optional(),
  portProtocols: z
    .array(
      z.strictObject({
        service: dns1123Label,
        port: z.number().int().min(1).max(65535),
        protocol: z.enum(DECLARED_PORT_PROTOCOLS),
      }),
    )
    .optional(),
  cluster: clusterName,
});

/** @public */
export const canaryActionRequestSchema = z
  .strictObject({
    action: z.literal('canary'),
    service: dns1123Label.optional(),
    virtualService: dns1123Subdomain.optional(),
    weights: z
      .record(
        dns1123Label,
        z.number().int('must be an integer').min(0).max(100),
      )
      .optional(),
    preset: z.enum(['90/10', '50/50', 'promote', 'rollback']).optional(),
    stable: dns1123Label.optional(),
    canary: dns1123Label.optional(),
    cluster: clusterName,
  })
  .superRefine((value, ctx) => {
    if (value.weights === undefined && value.preset === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['weights'],
        message: 'either weights or preset is required',
      });
      return;
    }
    if (value.weights !== undefined && value.preset !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['preset'],
        message: 'give either weights or preset, not both',
      });
    }
    if (value.weights !== undefined) {
      const entries = Object.values(value.weights);
      if (entries.length === 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['weights'],
          message: 'must name at least one subset',
        });
        return;
      }
      const sum = entries.reduce((total, weight) => total + weight, 0);
      if (sum !== 100) {
        ctx.addIssue({
          code: 'custom',
          path: ['weights'],
          message: `must sum to 100 (got ${sum})`,
        });
      }
    }
    if (value.stable !== undefined && value.stable === value.canary) {
      ctx.addIssue({
        code: 'custom',
        path: ['canary'],
        message: 'must differ from stable',
      });
    }
  });

/** @public */
export const mtlsActionRequestSchema = z
  .strictObject({
    action: z.literal('mtls'),
    mode: z.enum(['PERMISSIVE', 'STRICT']),
    scope: z.enum(['namespace', 'workload']),
    workload: workloadName.optional(),
    force: z.boolean().optional(),
    cluster: clusterName,
  })
  .superRefine((value, ctx) => {
    if (value.scope === 'workload' && value.workload === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['workload'],
        message: 'is required when scope is workload',
      });
    }
    if (value.scope === 'namespace' && value.workload !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['workload'],
        message: 'only allowed when scope is workload',
      });
    }
  });

/** @public */
export const exposeActionRequestSchema = z.strictObject({
  action: z.literal('expose'),
  service: dns1123Label.optional(),
  hosts: z
    .array(
      z
        .string()
        .refine(isMeshHostName, 'must be a host name, "*.domain" or "*"'),
    )
    .min(1),
  gateway: dns1123Subdomain.optional(),
  port: z.number().int().min(1).max(65535).optional(),
  cluster: clusterName,
});

/** @public */
export const accessActionRequestSchema = z.strictObject({
  action: z.literal('access'),
  mode: z.enum(['dry-run', 'enforce', 'remove']),
  service: dns1123Label.optional(),
  cluster: clusterName,
});

/**
 * Zod schema of {@link MeshActionRequest}: strict (unknown fields rejected), names checked as
 * DNS-1123, canary weights integers 0–100 summing to 100.
 *
 * @public
 */
export const meshActionRequestSchema = z.discriminatedUnion('action', [
  onboardActionRequestSchema,
  canaryActionRequestSchema,
  mtlsActionRequestSchema,
  exposeActionRequestSchema,
  resilienceActionRequestSchema,
  accessActionRequestSchema,
]);

// Compile-time guard: what the schema accepts is a MeshActionRequest.
const schemaMatchesType = (
  parsed: z.output<typeof meshActionRequestSchema>,
): MeshActionRequest => parsed;
void schemaMatchesType;

/**
 * Turns a zod error into one `field.path: message` line per issue (unknown fields are named
 * one by one), for an `InputError` message.
 *
 * @public
 */
export function formatZodError(error: z.ZodError): string[] {
  return error.issues.flatMap(issue => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map(
        key => `${path ? `${path}.` : ''}${key}: unknown field`,
      );
    }
    return [path ? `${path}: ${issue.message}` : issue.message];
  });
}
