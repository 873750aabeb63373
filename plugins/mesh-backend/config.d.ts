export interface Config {
  /**
   * The mesh plugins. Clusters are read from `kubernetes.clusterLocatorMethods` (entries of
   * `type: config`, `authProvider: serviceAccount`), the same list the Kubernetes plugin uses.
   */
  mesh?: {
    /**
     * Field manager recorded for everything the portal applies (server-side apply).
     * Default `mesh-portal`.
     */
    fieldManager?: string;
    /**
     * Milliseconds to wait between applying a DestinationRule and a VirtualService of one plan
     * (either order), so the first reaches the sidecars before the second (Istio's
     * make-before-break for subsets). Default 3000; 0 turns the wait off.
     */
    propagationDelayMs?: number;
    /**
     * Entity refs of groups whose members may apply and force on every entity
     * (read by the portal's permission policy).
     */
    adminGroups?: string[];
    /**
     * Field managers that are NOT treated as owners who re-assert their state: conflicts with
     * them are resolved by taking the field over after our merge has kept their content.
     * Default: managers that only ever used Update operations (kubectl edit/patch/client-side
     * apply). Managers that use server-side apply (GitOps controllers) always give a 409.
     */
    takeOverFromUpdateManagers?: boolean;
    /** Per-cluster settings, by the cluster's name in `kubernetes.clusterLocatorMethods`. */
    clusters?: {
      [clusterName: string]: {
        /**
         * Kiali base URL, including its web root (e.g. `https://kiali.example.com/kiali`).
         * Deep links open `<kialiUrl>/console/...`.
         */
        kialiUrl?: string;
        /**
         * Pod labels of the ingress gateway a Gateway created by "expose" selects, e.g.
         * `{ istio: ingress }` (Istio's Helm gateway chart installed as `istio-ingress`).
         * Without it the selector is taken from the gateway pods found in the cluster (label
         * `istio: ingressgateway`, `istio: ingress` or `istio.io/gateway-name`, with a router
         * proxy); when none or several are found the plan asks for this setting.
         */
        ingressGatewaySelector?: { [label: string]: string };
        /**
         * Namespace whose ingress gateway is preferred when several run. Default `istio-system`.
         */
        ingressGatewayNamespace?: string;
        /**
         * Prometheus base URL of this cluster (e.g. `http://prometheus.istio-system:9090`),
         * read for canary health. Without it the Traffic split card says "Prometheus not
         * configured" for this cluster.
         */
        prometheusUrl?: string;
        /**
         * Header that carries {@link prometheusAuthorization}. Default `Authorization`.
         */
        prometheusAuthHeader?: string;
        /**
         * Value of the auth header sent to Prometheus, e.g. `Bearer <token>` or
         * `Basic <base64>`. No header when absent.
         * @visibility secret
         */
        prometheusAuthorization?: string;
        /**
         * Query templates for this cluster: `istio` (Istio standard metrics, as Flagger) or
         * `envoy` (Envoy cluster stats, for meshes without `istio_requests_total`, such as
         * the local mesh). Default `mesh.canaryHealth.queryPreset`.
         */
        prometheusQueryPreset?: 'istio' | 'envoy';
      };
    };
    /** Canary health: per-version metrics from Prometheus beside the traffic split. */
    canaryHealth?: {
      /** PromQL range the rates and quantiles are taken over. Default `1m`. */
      window?: string;
      /**
       * Minimum success rate (percent of non-5xx responses) of a healthy canary. Default 99.
       * Per entity: annotation `mesh-portal.io/canary-min-success-rate`.
       */
      minSuccessRate?: number;
      /**
       * Maximum p99 latency (ms) of a healthy canary. Default 500.
       * Per entity: annotation `mesh-portal.io/canary-max-p99-ms`.
       */
      maxP99Ms?: number;
      /** Fewer requests in the window than this is "not enough traffic". Default 50. */
      minRequests?: number;
      /** Canary weights the advice steps through; 100 is promotion. Default [10, 25, 50, 100]. */
      stepWeights?: number[];
      /**
       * Timeout of one Prometheus query in milliseconds; past it health is "unavailable".
       * Default 3000.
       */
      timeoutMs?: number;
      /** Query templates of clusters that name no preset. Default `istio`. */
      queryPreset?: 'istio' | 'envoy';
      /**
       * Own query templates, replacing the preset's one by one. PromQL answering one
       * instant vector keyed by `destination_version`; placeholders `{{namespace}}`,
       * `{{service}}`, `{{host}}`, `{{hostRegex}}`, `{{window}}` and (latency) `{{quantile}}`.
       */
      queries?: {
        /** Requests per second per version. */
        requestRate?: string;
        /** Percentage of non-5xx responses per version. */
        successRate?: string;
        /** Latency quantile in milliseconds per version. */
        latency?: string;
      };
    };
    /**
     * Guided canary runs: the portal steps a canary's weight up while it stays healthy and
     * rolls back to stable when it fails (needs `prometheusUrl` on the cluster). Thresholds
     * are those of `canaryHealth`. A scheduler task with global scope checks the running runs,
     * so with several replicas on one PostgreSQL only one of them steps at a time.
     */
    canaryRuns?: {
      /** Seconds between two checks of every running run. Default 15. */
      tickSeconds?: number;
      /**
       * Health checks in a row without an answer (Prometheus down or slow, the split gone)
       * after which a run rolls back to stable. Default 5.
       */
      maxUnavailableChecks?: number;
    };
    /**
     * Access policies (`<service>-allow-declared-callers`): the denials the Access card shows,
     * read from each cluster's `prometheusUrl` (with its auth and `canaryHealth.timeoutMs`).
     */
    accessPolicy?: {
      /** PromQL range the denials are counted over. Default `1h`. */
      denialsWindow?: string;
      /**
       * Own query templates, replacing the defaults one by one. PromQL answering one instant
       * vector keyed by `pod`; placeholders `{{namespace}}`, `{{pods}}` (the Service's pods
       * as an anchored regex alternation) and `{{window}}`. The defaults read Envoy's RBAC
       * counters as Istio's bootstrap tags them (`authz_dry_run_action`,
       * `authz_dry_run_result`, `authz_enforce_result`) on targets labelled `namespace` and
       * `pod`.
       */
      queries?: {
        /** Requests the dry-run (shadow) ALLOW rules would have denied, per pod. */
        wouldBeDenied?: string;
        /** Requests the RBAC filters denied, per pod. */
        denied?: string;
      };
    };
    /**
     * Status from memory: per cluster, informers (list + watch over all namespaces) of the
     * kinds the status reads, started on the first status read, so a status costs no apiserver
     * round trip and a change shows within a watch event. Until a kind has synced, and while
     * its watch fails, the status reads the apiserver. Plans and applies always read live.
     */
    statusCache?: {
      /** Default true; false reads every status from the apiserver. */
      enabled?: boolean;
      /**
       * Seconds between fresh lists of each watched kind although its watch looks healthy (a
       * watch on a silently dropped connection sees nothing). Default 600.
       */
      resyncSeconds?: number;
    };
    /**
     * Timeout in milliseconds of one Kubernetes API call, and of reading one cluster for a
     * status as a whole (a cluster past it is an error row; the others answer). Default 10000.
     */
    requestTimeoutMs?: number;
  };
}
