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
      };
    };
    /** Timeout of one Kubernetes API call in milliseconds. Default 10000. */
    requestTimeoutMs?: number;
  };
}
