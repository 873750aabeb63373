export * from './declaredCallers';
export * from './denials';
export * from './exposure';
export * from './identity';
export * from './policies';
