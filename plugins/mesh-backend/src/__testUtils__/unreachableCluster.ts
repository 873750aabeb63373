/** Config with one cluster where nothing listens: the status must report its failure per cluster. */
export const unreachableClusterConfig = {
  kubernetes: {
    clusterLocatorMethods: [
      {
        type: 'config',
        clusters: [
          { name: 'gone', url: 'https://127.0.0.1:1', authProvider: 'serviceAccount', serviceAccountToken: 't', skipTLSVerify: true },
        ],
      },
    ],
  },
  mesh: { requestTimeoutMs: 3000 },
};
