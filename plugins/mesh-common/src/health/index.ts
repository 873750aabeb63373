export * from './canaryAdvice';
export * from './prometheusResult';
export * from './promql';
export * from './thresholds';
export * from './canaryRun';
