/** A sink's failure, with a message that is safe to log (the port logs it as one `type: log` line). */
export class SinkError extends Error {
  override readonly name = 'SinkError';
}
