export { AUDIT_FIELDS, Auditor, stdoutSink, type AuditSink, type AuditorOptions, type DecisionDraft } from './auditor';
export { redact } from './redact';
