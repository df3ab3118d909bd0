/** The audit records the runner's functions printed, kept for GET /audit (bounded: a long session must not grow forever). */
export class AuditTrail {
  private readonly records: unknown[] = [];

  constructor(private readonly limit = 10_000) {}

  add(record: unknown): void {
    this.records.push(record);
    if (this.records.length > this.limit) this.records.splice(0, this.records.length - this.limit);
  }

  all(): readonly unknown[] {
    return this.records;
  }
}
