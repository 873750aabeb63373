import {
  LABEL_ISTIO_INJECTION,
  analyze,
  isLabelKey,
  isLabelValue,
  isMeshHostName,
  planCanary,
  planExpose,
  planMtls,
  subsetNameForVersion,
  type BuiltPlan,
  type Finding,
  type JsonObject,
  type KubeNamespace,
  type KubePod,
  type KubeService,
  type KubeWorkload,
} from '@mesh-portal/backstage-plugin-mesh-common';
import path from 'node:path';
import type { z as zv3 } from 'zod/v3';
import { MeshActionInputError } from './errors';

/**
 * RFC 1035 label: what Kubernetes requires of a Service name (a DNS-1123 label that starts
 * with a letter).
 */
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** `[registry/]repository[:tag][@digest]`, pragmatically: no spaces, no uppercase repo. */
const IMAGE_REFERENCE =
  /^[a-z0-9]+(?:[._\-/:][a-z0-9]+)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** The Gateway's selector when the template names none: istioctl's default ingress gateway. */
const DEFAULT_INGRESS_SELECTOR = 'istio=ingressgateway';

/** `key=value[,key=value]` as a Gateway `selector` (label keys and values as Kubernetes checks them). */
function parseSelector(text: string): Record<string, string> {
  return Object.fromEntries(
    text.split(',').map(pair => {
      const at = pair.indexOf('=');
      return [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
    }),
  );
}

/** Why a selector text is not `key=value[,key=value]` of valid labels, or `undefined`. */
function selectorProblem(text: string): string | undefined {
  const pairs = text.split(',');
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at < 0) return `"${pair.trim()}" is not key=value`;
    const key = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    if (!isLabelKey(key)) return `"${key}" is not a label key`;
    if (value === '' || !isLabelValue(value))
      return `"${value}" is not a label value (a gateway selector needs a non-empty one)`;
  }
  if (
    new Set(pairs.map(p => p.slice(0, p.indexOf('=')).trim())).size <
    pairs.length
  )
    return 'must not repeat a key';
  return undefined;
}

/**
 * Protocols a service may declare; each maps to the Service port's `appProtocol` and to the
 * Istio port-name prefix (`<protocol>-<port>`).
 *
 * @public
 */
export const MESH_PROTOCOLS = ['http', 'http2', 'grpc', 'tcp'] as const;

/**
 * Input schema of `mesh:manifests:generate`, written against the zod the scaffolder hands to
 * `createTemplateAction` (`zod/v3`), so the same definition is the published JSON schema and
 * the handler's runtime parser (the scaffolder only checks the JSON schema, which applies no
 * defaults and drops refinements).
 *
 * @public
 */
export function generateManifestsInputSchema(z: typeof zv3) {
  return z
    .object({
      name: z
        .string()
        .max(63, 'must be at most 63 characters')
        .regex(
          DNS1035_LABEL,
          'must be a DNS-1035 label (lower-case a-z, 0-9 and "-", starting with a letter, ending alphanumeric)',
        )
        .describe(
          'Service name: also the app label, the Deployment prefix (<name>-<version>) and the DestinationRule/VirtualService name',
        ),
      namespace: z
        .string()
        .max(63, 'must be at most 63 characters')
        .regex(
          DNS1123_LABEL,
          'must be a DNS-1123 label (lower-case a-z, 0-9 and "-", starting and ending alphanumeric)',
        )
        .describe('Kubernetes namespace; labelled istio-injection=enabled'),
      port: z
        .number()
        .int('must be an integer')
        .min(1, 'must be 1–65535')
        .max(65535, 'must be 1–65535')
        .describe('Container and Service port'),
      protocol: z
        .enum(MESH_PROTOCOLS)
        .describe(
          'Protocol of the port: names the Service port <protocol>-<port> and sets appProtocol',
        ),
      version: z
        .string()
        .max(63, 'must be at most 63 characters')
        .regex(
          DNS1123_LABEL,
          'must be a DNS-1123 label (it becomes the version label and the subset name)',
        )
        .default('v1')
        .describe(
          'Value of the version label; the DestinationRule subset of the same name',
        ),
      image: z
        .string()
        .max(512, 'must be at most 512 characters')
        .regex(
          IMAGE_REFERENCE,
          'must be an image reference like registry.example.com/team/app:1.0',
        )
        .describe('Container image'),
      replicas: z
        .number()
        .int('must be an integer')
        .min(
          1,
          'must be at least 1 (the v1 subset receives 100% of the traffic)',
        )
        .max(100, 'must be at most 100')
        .default(1)
        .describe('Replicas of the Deployment'),
      mtlsMode: z
        .enum(['PERMISSIVE', 'STRICT'])
        .default('PERMISSIVE')
        .describe(
          'Initial mTLS mode of the workload (PeerAuthentication selecting app=<name>)',
        ),
      expose: z
        .boolean()
        .default(false)
        .describe(
          'Expose through the ingress gateway (Gateway + VirtualService)',
        ),
      hosts: z
        .array(z.string())
        .default([])
        .describe(
          'Host names served by the ingress gateway; required when expose is true, only allowed then',
        ),
      ingressSelector: z
        .string()
        .max(1024, 'must be at most 1024 characters')
        .optional()
        .describe(
          `Labels of the ingress gateway pods the Gateway selects, as key=value[,key=value] (default ${DEFAULT_INGRESS_SELECTOR}: istioctl's default install; the Helm gateway chart labels its pods istio=ingress); used only with expose`,
        ),
      output: z
        .enum(['files', 'bundle'])
        .default('files')
        .describe(
          'files: one file per object; bundle: one multi-document file',
        ),
      targetPath: z
        .string()
        .default('k8s')
        .describe('Directory, relative to the workspace, to write into'),
    })
    .strict()
    .superRefine((value, ctx) => {
      const targetProblem = relativePathProblem(value.targetPath);
      if (targetProblem) {
        ctx.addIssue({
          code: 'custom',
          path: ['targetPath'],
          message: targetProblem,
        });
      }
      if (value.ingressSelector !== undefined) {
        const problem = selectorProblem(value.ingressSelector);
        if (problem) {
          ctx.addIssue({
            code: 'custom',
            path: ['ingressSelector'],
            message: problem,
          });
        }
      }
      if (!value.expose) {
        if (value.hosts.length > 0) {
          ctx.addIssue({
            code: 'custom',
            path: ['hosts'],
            message: 'only allowed when expose is true',
          });
        }
        return;
      }
      if (value.protocol === 'tcp') {
        ctx.addIssue({
          code: 'custom',
          path: ['expose'],
          message:
            'protocol tcp cannot be exposed: the ingress Gateway serves HTTP on port 80',
        });
      }
      if (value.hosts.length === 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['hosts'],
          message: 'at least one host is required when expose is true',
        });
      }
      value.hosts.forEach((host, index) => {
        if (!isMeshHostName(host)) {
          ctx.addIssue({
            code: 'custom',
            path: ['hosts', index],
            message: `"${host}" must be a host name, "*.domain" or "*"`,
          });
        }
      });
      if (new Set(value.hosts).size !== value.hosts.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['hosts'],
          message: 'must not repeat a host',
        });
      }
    });
}

/**
 * Parsed (defaults applied) input of `mesh:manifests:generate`.
 *
 * @public
 */
export type GenerateManifestsInput = zv3.output<
  ReturnType<typeof generateManifestsInputSchema>
>;

/**
 * Why a path is not a plain relative path inside the workspace, or `undefined` when it is.
 * `resolveSafeChildPath` re-checks at write time (it also resolves symlinks).
 */
function relativePathProblem(value: string): string | undefined {
  if (value.includes('\0')) return 'must not contain NUL characters';
  if (
    path.posix.isAbsolute(value) ||
    path.win32.isAbsolute(value) ||
    /^[a-zA-Z]:/.test(value)
  ) {
    return 'must be a relative path inside the workspace, not an absolute path';
  }
  if (value.split(/[\\/]/).includes('..')) {
    return 'must not contain ".." (it must stay inside the workspace)';
  }
  return undefined;
}

/**
 * The manifests of a meshed service, in apply order.
 *
 * @public
 */
export interface MeshedServiceManifests {
  objects: JsonObject[];
  /** Non-blocking findings of the builders and of the mesh-common analyzer. */
  findings: Finding[];
}

/**
 * Builds the manifests of a new meshed service: its namespace (sidecar injection on), a
 * workload PeerAuthentication, the Service and the `<name>-<version>` Deployment, the
 * DestinationRule/VirtualService pair carrying 100% to the version's subset, and with
 * `expose` a Gateway and the ingress VirtualService. Istio objects come from mesh-common's
 * builders, so a later canary edits exactly what the portal would have written.
 *
 * Throws {@link MeshActionInputError} when a builder or the mesh-common analyzer reports a
 * blocking/error finding.
 *
 * @public
 */
export function buildMeshedService(
  input: GenerateManifestsInput,
): MeshedServiceManifests {
  const { name, namespace, port, protocol, version, image, replicas } = input;
  const podLabels = { app: name, version };

  const namespaceObject: KubeNamespace & JsonObject = {
    apiVersion: 'v1',
    kind: 'Namespace',
    // Built here rather than through planOnboard: that plans a merge *patch* of an existing
    // namespace plus a PERMISSIVE namespace-wide policy, neither of which fits a new service.
    metadata: {
      name: namespace,
      labels: { [LABEL_ISTIO_INJECTION]: 'enabled' },
    },
  };

  const service: KubeService & JsonObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      // All versions: the DestinationRule subsets pick a version, the Service does not.
      selector: { app: name },
      ports: [
        {
          name: `${protocol}-${port}`,
          port,
          targetPort: port,
          protocol: 'TCP',
          appProtocol: protocol,
        },
      ],
    },
  };

  const deployment: KubeWorkload & JsonObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    // `<name>-<version>` so a canary `<name>-v2` Deployment can run next to it.
    // Separate copies: a shared object would be rendered as a YAML anchor and aliases.
    metadata: {
      name: `${name}-${version}`,
      namespace,
      labels: { ...podLabels },
    },
    spec: {
      replicas,
      selector: { matchLabels: { ...podLabels } },
      template: {
        metadata: { labels: { ...podLabels } },
        spec: {
          containers: [
            {
              name,
              image,
              ports: [{ containerPort: port, protocol: 'TCP' }],
            },
          ],
        },
      },
    },
  };

  // Workload scope, not the namespace's `default` policy: the namespace may be shared, and a
  // new service must not switch its neighbours to STRICT. A new service has no callers yet.
  const mtls = planMtls({
    mode: input.mtlsMode,
    scope: 'workload',
    namespace,
    workload: { name, labels: { app: name } },
    target: name,
    callers: [],
    destinationRules: [],
  });

  // planCanary with explicit weights (no preset) accepts a single version: it yields the
  // DestinationRule with the version's subset and the VirtualService whose `mesh-portal-split`
  // route carries 100% to it — the exact objects a later canary merges into.
  const subset = subsetNameForVersion(version);
  const routing = planCanary({
    service,
    workloads: [deployment],
    weights: { [subset]: 100 },
    port,
  });

  const plans: BuiltPlan[] = [mtls, routing];
  if (input.expose) {
    // No cluster to look at here: the template says which gateway pods to select, by
    // default istioctl's default ingress gateway (the Mesh tab's expose derives the selector
    // from the cluster instead).
    plans.push(
      planExpose({
        service,
        hosts: input.hosts,
        port,
        ingressSelector: parseSelector(
          input.ingressSelector ?? DEFAULT_INGRESS_SELECTOR,
        ),
      }),
    );
  }
  const blocking = plans.flatMap(p => p.findings).filter(f => f.blocking);
  if (blocking.length > 0) {
    throw new MeshActionInputError(
      `cannot generate manifests: ${blocking.map(f => f.message).join(' ')}`,
    );
  }

  const objects: JsonObject[] = [
    namespaceObject,
    ...mtls.objects.map(o => o.object),
    service,
    deployment,
    ...routing.objects.map(o => o.object),
    ...(input.expose ? plans[2].objects.map(o => o.object) : []),
  ];

  // The house analyzer over what we are about to write: an error here is a bug in the
  // builders or an input combination they do not handle, so nothing is written. It judges the
  // steady state, so it gets the pod the Deployment will run (without it every subset "selects
  // no pods", IST0173); that pod is created in an injected namespace, so the injector adds
  // the sidecar at creation and IST0103 ("no istio-proxy") does not apply to it.
  const futurePod: KubePod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${name}-${version}-pod`,
      namespace,
      labels: podLabels,
    },
    spec: deployment.spec?.template?.spec,
    status: { phase: 'Pending' },
  };
  const analyzerFindings = analyze({
    namespaces: [namespaceObject],
    services: [service],
    workloads: [deployment],
    pods: [futurePod],
    virtualServices: objects.filter(o => o.kind === 'VirtualService'),
    destinationRules: objects.filter(o => o.kind === 'DestinationRule'),
    gateways: objects.filter(o => o.kind === 'Gateway'),
    peerAuthentications: objects.filter(o => o.kind === 'PeerAuthentication'),
  }).filter(
    f =>
      !(f.code === 'IST0103' && f.resource?.name === futurePod.metadata?.name),
  );
  const errors = analyzerFindings.filter(
    f => f.severity === 'error' || f.blocking,
  );
  if (errors.length > 0) {
    throw new MeshActionInputError(
      `generated manifests fail the mesh analyzer: ${errors
        .map(f => `${f.code} ${f.message}`)
        .join(' ')}`,
    );
  }

  return {
    objects,
    findings: [...plans.flatMap(p => p.findings), ...analyzerFindings],
  };
}

/**
 * File name of one object in `files` output: an order prefix (so `kubectl apply -f <dir>`,
 * which goes in lexical order, creates the namespace first), the kind and the name.
 *
 * @public
 */
export function manifestFileName(object: JsonObject, index: number): string {
  const kind = String(object.kind ?? 'object').toLowerCase();
  const metadata = (object.metadata ?? {}) as { name?: string };
  return `${String(index).padStart(2, '0')}-${kind}-${
    metadata.name ?? 'unnamed'
  }.yaml`;
}
