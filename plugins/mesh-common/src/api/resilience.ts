import { z } from 'zod';
import { durationMs } from '../kube/durations';
import { dns1123Label, dns1123Subdomain } from './nameSchemas';

/**
 * `retries` of an http route (Istio `HTTPRetry`, the fields the portal edits).
 *
 * @public
 */
export interface HttpRetrySettings {
  /** Retries after the first try; 0 turns Istio's default retries off. */
  attempts: number;
  perTryTimeout?: string;
  /** Comma-separated Envoy retry conditions or HTTP status codes. */
  retryOn?: string;
}

/**
 * `trafficPolicy.outlierDetection` of a DestinationRule.
 *
 * @public
 */
export interface OutlierDetectionSettings {
  consecutive5xxErrors?: number;
  consecutiveGatewayErrors?: number;
  interval?: string;
  baseEjectionTime?: string;
  maxEjectionPercent?: number;
  minHealthPercent?: number;
}

/**
 * `trafficPolicy.connectionPool` of a DestinationRule.
 *
 * @public
 */
export interface ConnectionPoolSettings {
  tcp?: { maxConnections?: number; connectTimeout?: string };
  http?: {
    http1MaxPendingRequests?: number;
    http2MaxRequests?: number;
    maxRequestsPerConnection?: number;
    maxRetries?: number;
  };
}

/**
 * Set timeouts and retries on the service's default route, and outlier detection and
 * connection-pool limits on its DestinationRule. `null` removes a setting, an absent field
 * keeps it.
 *
 * @public
 */
export interface ResilienceActionRequest {
  action: 'resilience';
  service?: string;
  /**
   * The VirtualService whose split route to change; required when several VirtualServices
   * route the Service (as for the canary).
   */
  virtualService?: string;
  timeout?: string | null;
  retries?: HttpRetrySettings | null;
  outlierDetection?: OutlierDetectionSettings | null;
  connectionPool?: ConnectionPoolSettings | null;
  cluster?: string;
}

/**
 * Retry conditions Istio accepts in `retryOn` besides HTTP status codes (istio/istio
 * pkg/config/validation/agent/validation.go, `supportedRetryOnPolicies`).
 *
 * @public
 */
export const RETRY_ON_POLICIES = [
  '5xx',
  'gateway-error',
  'reset',
  'reset-before-request',
  'connect-failure',
  'retriable-4xx',
  'refused-stream',
  'retriable-status-codes',
  'retriable-headers',
  'envoy-ratelimited',
  'http3-post-connect-failure',
  'cancelled',
  'deadline-exceeded',
  'internal',
  'resource-exhausted',
  'unavailable',
] as const;

const duration = z
  .string()
  .refine(
    value => durationMs(value) !== undefined,
    'must be a duration of at least 1ms in whole milliseconds, like 250ms, 2s, 1.5s or 5m',
  );
const count = (min: number, max = 2 ** 31 - 1) =>
  z.number().int('must be an integer').min(min).max(max);
const percent = count(0, 100);

const retryOn = z
  .string()
  .max(512)
  .superRefine((value, ctx) => {
    for (const policy of value.split(',')) {
      const status = /^\d{3}$/.test(policy) ? Number(policy) : NaN;
      const isStatus = status >= 100 && status <= 599;
      if (
        !isStatus &&
        !(RETRY_ON_POLICIES as readonly string[]).includes(policy)
      ) {
        ctx.addIssue({
          code: 'custom',
          message: `"${policy}" is not a retry condition Istio accepts (${RETRY_ON_POLICIES.join(
            ', ',
          )}, or an HTTP status code)`,
        });
      }
    }
  });

/** @public */
export const resilienceActionRequestSchema = z
  .strictObject({
    action: z.literal('resilience'),
    service: dns1123Label.optional(),
    virtualService: dns1123Subdomain.optional(),
    timeout: duration.nullable().optional(),
    retries: z
      .strictObject({
        // Istio takes any non-negative int32; more than 10 retries only multiplies load.
        attempts: count(0, 10),
        perTryTimeout: duration.optional(),
        retryOn: retryOn.optional(),
      })
      .superRefine((value, ctx) => {
        // Istio: "http retry policy configured when attempts are set to 0 (disabled)"
        // (pkg/config/validation/agent/validation.go, validateHTTPRetry).
        if (
          value.attempts === 0 &&
          (value.perTryTimeout !== undefined || value.retryOn !== undefined)
        ) {
          ctx.addIssue({
            code: 'custom',
            path: ['attempts'],
            message:
              'is 0 (retries off): perTryTimeout and retryOn must be left out',
          });
        }
      })
      .nullable()
      .optional(),
    outlierDetection: z
      .strictObject({
        consecutive5xxErrors: count(0).optional(),
        consecutiveGatewayErrors: count(0).optional(),
        interval: duration.optional(),
        baseEjectionTime: duration.optional(),
        maxEjectionPercent: percent.optional(),
        minHealthPercent: percent.optional(),
      })
      .nullable()
      .optional(),
    connectionPool: z
      .strictObject({
        tcp: z
          .strictObject({
            maxConnections: count(1).optional(),
            connectTimeout: duration.optional(),
          })
          .optional(),
        http: z
          .strictObject({
            http1MaxPendingRequests: count(1).optional(),
            http2MaxRequests: count(1).optional(),
            maxRequestsPerConnection: count(0).optional(),
            maxRetries: count(0).optional(),
          })
          .optional(),
      })
      .nullable()
      .optional(),
    cluster: z.string().min(1).max(253).optional(),
  })
  .superRefine((value, ctx) => {
    const settings = [
      'timeout',
      'retries',
      'outlierDetection',
      'connectionPool',
    ] as const;
    if (settings.every(key => value[key] === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['timeout'],
        message:
          'give at least one of timeout, retries, outlierDetection, connectionPool (null removes one)',
      });
    }
  });
