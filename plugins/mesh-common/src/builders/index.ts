export { isManagedByMeshPortal } from './objects';
export * from './planCanary';
export * from './planExpose';
export * from './planMtls';
export * from './planOnboard';
export * from './toYaml';
export * from './meshPlan';
export * from './propagation';
export * from './planAccess';
