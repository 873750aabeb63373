export * from './effectiveMtls';
export * from './namespaceInjection';
export * from './podMeshStatus';
export * from './serviceStatus';
export * from './trafficSplits';
export * from './peerAuthenticationPrecedence';
export * from './versionSubsets';
export * from './ingressGateway';
