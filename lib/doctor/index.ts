/** `doctor`: every dependency of a deployment checked for real, one line each (configuration, DCS, permissions, guard store, SMN). */
export * from './check';
export * from './config';
export { dcsChecks, namedInstances, precisionTargets } from './dcs-checks';
export { guardChecks } from './guard-checks';
export { runDoctor, anyFailed, type DoctorOptions } from './run';
