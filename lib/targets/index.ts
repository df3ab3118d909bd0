export { NodeResolver, type NodeDimension } from './node-resolver';
export { targetsForAlarm, type TargetPlan, type AlarmTargetInput } from './alarm-targets';
export { targetsForSchedule, type ScheduleTargetSpec } from './schedule-targets';
export { preflight, checkInstance, type Preflight } from './preflight';
