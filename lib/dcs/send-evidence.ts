/**
 * Evidence of whether a request could have left the machine, observed on its
 * socket rather than read from an error message.
 *
 * Node writes nothing of an HTTP request before its socket is connected, and
 * for HTTPS nothing of it before the TLS handshake is complete (the cleartext
 * is held until then). So a request whose socket never emitted `connect`
 * (http) or `secureConnect` (https) provably never reached the server: refused,
 * unresolvable host, unreachable network, a handshake that failed, a timeout
 * while connecting. Once connected — or on a reused keep-alive socket — any
 * failure may come after the server read the request: outcome unknown.
 */
import type { Agent, ClientRequest } from 'node:http';
import type { Socket } from 'node:net';

export class SendEvidence {
  /** The request was handed to a watched agent: what follows was observed, not assumed. */
  observed = false;
  /** Its connection was established (or a pooled one reused): bytes may have left. */
  connected = false;

  /** True only on positive evidence that no byte of the request left the machine. */
  get provesNotSent(): boolean {
    return this.observed && !this.connected;
  }
}

/** What a transport rejects with: the HTTP client's error and what was seen of the attempt. */
export class TransportFailure {
  constructor(
    readonly cause: unknown,
    readonly evidence: SendEvidence,
  ) {}
}

/**
 * A view of `agent` that records, into `evidence`, what happens to the socket
 * of the request it is given. Pooling and everything else stay the agent's own
 * (the view delegates to it); one view per attempt.
 */
export function watchedAgent<A extends Agent>(agent: A, evidence: SendEvidence): A {
  // http.ClientRequest hands itself to `agent.addRequest` (public in Node, absent from its types).
  const addRequest = (agent as unknown as AgentInternals).addRequest;
  const view = Object.create(agent) as A & AgentInternals;
  view.addRequest = (request, options) => {
    evidence.observed = true;
    request.once('socket', (socket: Socket) => watchSocket(request, socket, evidence));
    addRequest.call(agent, request, options);
  };
  return view;
}

interface AgentInternals {
  addRequest(request: ClientRequest, options: unknown): void;
}

function watchSocket(request: ClientRequest, socket: Socket, evidence: SendEvidence): void {
  const connected = () => {
    evidence.connected = true;
  };
  // A reused socket is connected; a socket past its connecting phase cannot be proven unused.
  if (request.reusedSocket || !socket.connecting) return connected();
  socket.once(isTlsSocket(socket) ? 'secureConnect' : 'connect', connected);
}

/**
 * node:tls is required here, at a request's socket, not at the top: importing it would load TLS
 * into every cold start, also for events that never reach DCS (about 10 ms; docs/performance.md).
 * An https request has loaded it by then anyway.
 */
function isTlsSocket(socket: Socket): boolean {
  return socket instanceof (require('node:tls') as typeof import('node:tls')).TLSSocket;
}
