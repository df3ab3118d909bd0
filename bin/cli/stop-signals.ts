/**
 * Ctrl-C and SIGTERM as promises, for commands that run until stopped (serve).
 *
 * Listen BEFORE starting anything: until a process has a listener, SIGINT keeps its default
 * action and kills it on the spot — no cleanup, exit "by signal". Whoever reads a readiness line
 * (a user, a test, a supervisor) may send the signal the moment it appears, and a Ctrl-C during
 * startup must still stop what has started.
 */
export type StopSignal = 'SIGINT' | 'SIGTERM';

export interface StopSignals {
  /** The first SIGINT or SIGTERM. */
  readonly first: Promise<StopSignal>;
  /** The next one after it: the user insists on leaving now. */
  readonly again: Promise<StopSignal>;
  /** Stops listening (the default actions apply again). */
  close(): void;
}

const SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM'];

export function listenForStopSignals(proc: Pick<NodeJS.Process, 'on' | 'off'> = process): StopSignals {
  let resolveFirst!: (signal: StopSignal) => void;
  let resolveAgain!: (signal: StopSignal) => void;
  const first = new Promise<StopSignal>((resolve) => (resolveFirst = resolve));
  const again = new Promise<StopSignal>((resolve) => (resolveAgain = resolve));
  let received = 0;
  const listeners = SIGNALS.map((signal) => {
    const listener = () => (received++ === 0 ? resolveFirst : resolveAgain)(signal);
    proc.on(signal, listener);
    return { signal, listener };
  });
  return {
    first,
    again,
    close: () => listeners.forEach(({ signal, listener }) => proc.off(signal, listener)),
  };
}
