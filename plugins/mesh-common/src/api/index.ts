export * from './access';
export * from './actions';
export * from './findings';
export * from './plan';
export * from './routes';
export * from './status';
export * from './codes';
export * from './health';
