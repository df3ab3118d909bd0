/** `deploy` / `undeploy`: the deploy file, the desired state, the plan, applying it, and the FunctionGraph client. CLI only. */
export * from './deploy-file';
export * from './desired';
export * from './errors';
export * from './fg-client';
export * from './fg-rules';
export * from './package';
export * from './plan';
export * from './apply';
export * from './load';
