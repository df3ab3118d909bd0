export { AUDIT_FIELDS, Auditor, type AuditorOptions, type DecisionDraft } from './auditor';
export { DecisionSinks, auditLineSink, type AuditEntry, type DecisionSink, type LaterSinks, type LineWriter, type SinkProblem } from './sinks';
export { redact } from './redact';
