/**
 * One webhook request per Standard Webhooks v1: headers webhook-id (the same on every attempt), webhook-timestamp
 * (seconds) and webhook-signature (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body` under each active secret,
 * space-separated, so a receiver holding either secret verifies during a rotation). Sent only to addresses the
 * AddressGuard permits, connecting to the very addresses it checked; redirects are answers, never followed.
 * Requests go out on kept-alive connections (`Agents`): one request per event, but no TCP handshake per request;
 * a connection is only ever opened to an address the guard has just checked. A connection carries several
 * requests at once (HTTP/1.1 pipelining: the answers come in order), and the requests dispatched in one turn of
 * the event loop leave in one write per connection (see Agents). Each subscription has connections of its own (a
 * lane), so a receiver that hangs or fails holds back no other subscription's requests, even on the same host.
 */
import { createHmac, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import { isIP, type LookupFunction, type Socket } from 'node:net';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import type { AddressGuard } from './address-guard.js';

export const SECRET_PREFIX = 'whsec_';
/** How much of a response body the delivery log keeps. */
export const RESPONSE_BYTES = 1024;
/** Requests one kept-alive connection carries at once (HTTP/1.1 pipelining; see Agents). */
export const PIPELINING = 16;
/** A lane (a subscription's connections) unused this long is closed when the next new lane is made (see Agents). */
const LANE_IDLE_MS = 10 * 60_000;

/** A new signing secret: `whsec_` + base64 of 32 random bytes. */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/** The signing keys of the secrets seen, imported once each (a subscription signs many requests with the same secret). */
const keys = new Map<string, KeyObject>();
function signingKey(secret: string): KeyObject {
  let k = keys.get(secret);
  if (!k) {
    k = createSecretKey(Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64'));
    if (keys.size > 1000) keys.clear();
    keys.set(secret, k);
  }
  return k;
}

/** The webhook-signature header: one `v1,<base64>` per secret. */
export function signatureHeader(secrets: string[], id: string, timestamp: number, body: string): string {
  const signed = `${id}.${timestamp}.${body}`;
  let out = '';
  for (const s of secrets) out += `${out ? ' ' : ''}v1,${createHmac('sha256', signingKey(s)).update(signed).digest('base64')}`;
  return out;
}

export interface SendResult {
  /** The HTTP status, or null when there was no answer (refused address, network error, timeout). */
  status: number | null;
  body: string | null;
  error: string | null;
  /** Seconds the receiver asked to wait (Retry-After), when it did. */
  retryAfter: number | null;
  durationMs: number;
}

/** A request as the delivery log shows it. */
export interface LoggedRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * The request as the delivery log keeps it: without its signatures (secrets' derivatives; the id and body suffice).
 * Built only where a log entry is written (an attempt answered 2xx at once is logged from its id and body alone).
 */
export function loggedRequest(url: string, id: string, at: Date, body: string): LoggedRequest {
  return { url, headers: { ...baseHeaders(id, at), 'webhook-signature': '(signed)' }, body };
}

const USER_AGENT = 'gongwen-webhooks/1';

function baseHeaders(id: string, at: Date): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
  };
}

/**
 * The connections webhook requests go out on: an undici Agent (a pool of kept-alive connections per receiver,
 * `connections` at most each), its requests dispatched with a bare handler (no stream, no promise per request
 * beyond the send's own). Node's http.request took about 3× the CPU per request in an A/B on one process
 * (scripts/bench/webhook-send.ts: header objects, ClientRequest and IncomingMessage streams, the agent's
 * bookkeeping), most of the API's own work per event delivered.
 *
 * Where the AddressGuard checks: a connection to a name is opened through the guard's lookup, which resolves the
 * name and refuses it unless every address is permitted, and hands net.connect the very addresses it checked —
 * so each new connection is checked, and a kept-alive connection was checked when it was opened (the allow-list
 * does not change while the process runs). A connection to an IP literal needs no lookup (net.connect does none):
 * the send checks the literal itself, once per host (a Map), before dispatching.
 *
 * Pipelining: a connection carries up to `pipelining` requests at once, and the requests dispatched in one turn
 * of the event loop (the next events of the chains whose answers that turn read) leave in one write per
 * connection (corkWrites). The system call per request was the largest single cost of a delivered event:
 * scripts/bench/webhook-send.ts measures ≈ 40 µs of CPU per request pipelined against ≈ 75–110 µs one at a time.
 * A request is written once at most: when a connection closes with pipelined requests unanswered, undici would
 * write them again on a new connection — the receiver may have them already, so each fails instead (its
 * delivery's next attempt goes at its time, as after any network error), and that receiver gets one request at a
 * time per connection from then on (`serial`), as does one that answers `Connection: close`. Also the price of a
 * pipeline: a request that times out closes its connection, failing the requests behind it (retried likewise).
 *
 * Lanes: that price is paid within one subscription only. Each lane (a subscription: sendWebhook's `lane`) has a
 * dispatcher of its own, so two subscriptions to one host never share a connection: a hanging receiver path
 * fails only its own subscription's requests pipelined behind it (a subscription's deliveries wait on each other
 * anyway: its failing document holds back that document's later events). `serial` and the unanswered counts are
 * per lane and origin. A lane's dispatcher holds no connection once its connections have idled out (keepAliveTimeout);
 * lanes not used for LANE_IDLE_MS are closed (their connections are idle by then) and made again when needed.
 */
export class Agents {
  private readonly literals = new Map<string, string | null>();
  /** The open connections, and those corked until the end of this turn of the event loop (see corkWrites). */
  private readonly sockets = new Set<Socket>();
  private corked: Socket[] | null = null;
  /** Lane and origin pairs (`lane origin`) that get one request at a time per connection (they closed a connection with requests pipelined). */
  readonly serial = new Set<string>();
  /** Requests written and not yet answered, by lane and origin (Exchange: a reset connection's request is retried only alone). */
  readonly unanswered = new Map<string, number>();
  /** Each lane's dispatcher and when it was last used. */
  private readonly lanes = new Map<string, { dispatcher: Agent; used: number }>();
  private readonly options: Agent.Options;
  private lastSweep = Date.now();

  constructor(
    connections: number,
    readonly guard: AddressGuard,
    /** Requests a connection carries at once (1: one at a time). */
    readonly pipelining = PIPELINING,
  ) {
    const lookup: LookupFunction = (host, options, callback) => {
      guard.resolve(host).then(
        (r) => {
          if ('refused' in r) return callback(Object.assign(new Error(`refused: ${r.refused}`), { code: 'EREFUSED_ADDRESS' }), '', 0);
          if ((options as { all?: boolean }).all)
            (callback as (e: null, a: { address: string; family: number }[]) => void)(null, r.addresses);
          else callback(null, r.addresses[0].address, r.addresses[0].family);
        },
        (e: NodeJS.ErrnoException) => callback(e, '', 0),
      );
    };
    const connector = buildConnector({ lookup, timeout: 10_000 });
    this.options = {
      connections: Math.max(1, connections),
      pipelining: Math.max(1, pipelining),
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 60_000,
      // undici's own connector (the guard's lookup), the sockets kept for corkWrites
      connect: (options, callback) =>
        connector(options, (e, socket) => {
          if (socket) {
            const s = socket as Socket;
            this.sockets.add(s);
            s.once('close', () => this.sockets.delete(s));
          }
          (callback as (e: Error | null, s: unknown) => void)(e, socket);
        }),
    };
  }

  /** The dispatcher of lane `lane` (made when first used; see the class's comment). */
  dispatcher(lane: string): Agent {
    const now = Date.now();
    let l = this.lanes.get(lane);
    if (!l) {
      if (now - this.lastSweep > LANE_IDLE_MS) this.sweep(now);
      l = { dispatcher: new Agent(this.options), used: now };
      this.lanes.set(lane, l);
    } else l.used = now;
    return l.dispatcher;
  }

  /**
   * Closes the lanes unused for LANE_IDLE_MS (their kept-alive connections have closed long before), with their
   * unanswered counts (zero by then); `serial` keeps what it learnt of a receiver.
   */
  private sweep(now: number): void {
    this.lastSweep = now;
    const gone = new Set<string>();
    for (const [lane, l] of this.lanes)
      if (now - l.used > LANE_IDLE_MS) {
        this.lanes.delete(lane);
        gone.add(lane);
        void l.dispatcher.close().catch(() => undefined);
      }
    if (gone.size)
      for (const [key, n] of this.unanswered) if (n <= 0 && gone.has(key.slice(0, key.indexOf(' ')))) this.unanswered.delete(key);
  }

  /**
   * Holds the writes of every open connection until the end of this turn of the event loop (setImmediate), so
   * that the requests dispatched meanwhile leave in one write per connection instead of one each.
   */
  corkWrites(): void {
    if (this.corked || this.pipelining <= 1 || this.sockets.size === 0) return;
    const corked = [...this.sockets];
    this.corked = corked;
    for (const s of corked) s.cork();
    setImmediate(() => {
      this.corked = null;
      for (const s of corked) s.uncork();
    });
  }

  /** Why a host that is an IP literal may not be connected to (null: it may, or it is a name: its lookup decides). */
  literalRefusal(hostname: string): string | null {
    let r = this.literals.get(hostname);
    if (r === undefined) {
      const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
      r = isIP(bare) && !this.guard.permits(bare) ? `${bare} is a private, loopback or link-local address that is not allowed` : null;
      if (this.literals.size > 10_000) this.literals.clear();
      this.literals.set(hostname, r);
    }
    return r;
  }

  async destroy(): Promise<void> {
    const lanes = [...this.lanes.values()];
    this.lanes.clear();
    await Promise.all(lanes.map((l) => l.dispatcher.destroy()));
  }
}

/** The key of a lane's requests to an origin in Agents.serial and Agents.unanswered. */
export function laneKey(lane: string, origin: string): string {
  return `${lane} ${origin}`;
}

/** A receiver's URL split as the dispatcher takes it, kept per URL string (a subscription's URL is sent to again and again). */
const targets = new Map<string, { origin: string; path: string; hostname: string }>();
function target(url: string): { origin: string; path: string; hostname: string } {
  let t = targets.get(url);
  if (!t) {
    const u = new URL(url);
    t = { origin: u.origin, path: `${u.pathname}${u.search}`, hostname: u.hostname };
    if (targets.size > 10_000) targets.clear();
    targets.set(url, t);
  }
  return t;
}

/**
 * Sends one signed webhook request on `agents`' connections and answers its outcome (never rejects). The whole
 * exchange has `timeoutMs` (connect, request, answer), not only an idle socket; redirects are answers, never
 * followed; a kept-alive connection the receiver closed just as the request went out on it (no answer read, and
 * the connection had carried answers before) is tried once more on a new connection (what Node's documentation
 * advises for reused sockets).
 */
export function sendWebhook(
  agents: Agents,
  url: string,
  /** `lane`: whose connections carry it (the subscription's id; see Agents). */
  msg: { id: string; body: string; secrets: string[]; lane?: string },
  timeoutMs: number,
  now: Date = new Date(),
): Promise<SendResult> {
  const timestamp = Math.floor(now.getTime() / 1000);
  const t = target(url);
  const started = performance.now();
  const refused = agents.literalRefusal(t.hostname);
  if (refused)
    return Promise.resolve({ status: null, body: null, error: `refused: ${refused}`, retryAfter: null, durationMs: elapsed(started) });
  const headers = [
    'content-type',
    'application/json',
    'user-agent',
    USER_AGENT,
    'webhook-id',
    msg.id,
    'webhook-timestamp',
    String(timestamp),
    'webhook-signature',
    signatureHeader(msg.secrets, msg.id, timestamp, msg.body),
  ];
  agents.corkWrites();
  const lane = msg.lane ?? '';
  return new Promise<SendResult>((resolve) =>
    new Exchange(agents, agents.dispatcher(lane), laneKey(lane, t.origin), t, headers, msg.body, timeoutMs, started, resolve).start(),
  );
}

const elapsed = (started: number) => Math.round(performance.now() - started);

/** The timer of an exchange (a function of the module, not a closure per request). */
function timedOut(x: Exchange): void {
  x.timeout();
}

/**
 * One request on the dispatcher, with a bare handler (this object: one allocation per request, its methods on the
 * prototype): the status, the answer's first RESPONSE_BYTES, Retry-After; settled once, by the answer, an error
 * or the whole exchange's timeout. A kept-alive connection the receiver closed just as the request went out on
 * it (no answer read, the connection had carried answers before) gets the request once more, within the same
 * timeout.
 */
class Exchange {
  private abort: ((e: Error) => void) | null = null;
  private status: number | null = null;
  private retryAfter: string | undefined = undefined;
  private chunks: Buffer[] = [];
  private size = 0;
  private settled = false;
  private retried = false;
  /** This dispatch's request was written to a connection (undici calls onConnect as it writes it). */
  private written = false;
  /** Counted among its receiver's requests written and unanswered (Agents.unanswered), and none other was then. */
  private counted = false;
  private alone = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly deadline: number;

  constructor(
    private readonly agents: Agents,
    private readonly dispatcher: Dispatcher,
    /** The lane and origin (Agents.serial, Agents.unanswered). */
    private readonly key: string,
    private readonly t: { origin: string; path: string },
    private readonly headers: string[],
    private readonly body: string,
    private readonly timeoutMs: number,
    private readonly started: number,
    private readonly resolve: (r: SendResult) => void,
  ) {
    this.deadline = Date.now() + timeoutMs;
  }

  start(): void {
    this.timer = setTimeout(timedOut, this.timeoutMs, this);
    this.dispatch();
  }

  private dispatch(): void {
    this.written = false;
    const serial = this.agents.serial.has(this.key);
    this.dispatcher.dispatch(
      {
        origin: this.t.origin,
        path: this.t.path,
        method: 'POST',
        headers: this.headers,
        body: this.body,
        headersTimeout: 0,
        bodyTimeout: 0,
        // pipelined (undici pipelines a POST only when told it is idempotent and not blocking), except to a serial
        // receiver: there each request blocks the connection until its answer's headers
        idempotent: true,
        blocking: serial,
      },
      this as unknown as Dispatcher.DispatchHandler,
    );
  }

  private uncount(): void {
    if (!this.counted) return;
    this.counted = false;
    const u = this.agents.unanswered;
    u.set(this.key, (u.get(this.key) ?? 1) - 1);
  }

  private settle(status: number | null, body: string | null, error: string | null, retryAfter: number | null): void {
    if (this.settled) return;
    this.settled = true;
    this.uncount();
    if (this.timer) clearTimeout(this.timer);
    this.resolve({ status, body, error, retryAfter, durationMs: elapsed(this.started) });
  }

  timeout(): void {
    const e = new Error(`no answer in ${this.timeoutMs} ms`);
    this.settle(this.status, null, e.message, null);
    this.abort?.(e);
  }

  onConnect(a: (e?: Error) => void): void {
    if (this.settled) return a(new Error('timed out'));
    if (this.written) {
      // undici is about to write it a second time (its connection closed while a request ahead of it in the
      // pipeline was unanswered): the receiver may have it already, so this attempt ends here, failed
      this.agents.serial.add(this.key);
      const e = new Error('the connection closed before an answer');
      this.settle(null, null, e.message, null);
      return a(e);
    }
    this.written = true;
    const u = this.agents.unanswered;
    const n = u.get(this.key) ?? 0;
    this.alone = n === 0;
    this.counted = true;
    u.set(this.key, n + 1);
    this.abort = a;
  }

  onHeaders(statusCode: number, raw: Buffer[] | string[] | null): boolean {
    this.status = statusCode;
    if (raw)
      for (let k = 0; k < raw.length; k += 2) {
        const n = raw[k].length;
        if (n === 11 && raw[k].toString().toLowerCase() === 'retry-after') this.retryAfter = raw[k + 1].toString();
        // a receiver that closes its connections after an answer: one request at a time per connection from now on
        else if (n === 10 && raw[k].toString().toLowerCase() === 'connection' && /close/i.test(raw[k + 1].toString()))
          this.agents.serial.add(this.key);
      }
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.size < RESPONSE_BYTES) this.chunks.push(chunk);
    this.size += chunk.length;
    return true;
  }

  onComplete(): void {
    // undici writes the requests queued behind this one as soon as this returns (pipelining: synchronously, from
    // the connection's read); corked, they leave with the rest of this turn's in one write per connection
    this.agents.corkWrites();
    const c = this.chunks;
    this.settle(
      this.status,
      (c.length === 1 ? c[0] : Buffer.concat(c)).subarray(0, RESPONSE_BYTES).toString('utf8'),
      null,
      retryAfterSeconds(this.retryAfter, Date.now()),
    );
  }

  onError(e: Error & { code?: string; socket?: { bytesRead?: number } }): void {
    // (only when no other request to the receiver was unanswered from its writing until now — none was pipelined
    // behind or beside it: then it may have been read, the receiver closing a pipelined connection, and it is not
    // sent again)
    const alone = this.alone && (this.agents.unanswered.get(this.key) ?? 0) <= 1;
    const reusedReset = this.status === null && e.code === 'UND_ERR_SOCKET' && (e.socket?.bytesRead ?? 0) > 0 && alone;
    if (reusedReset && !this.retried && !this.settled && Date.now() < this.deadline) {
      this.uncount();
      // once more, on a new connection
      this.retried = true;
      this.abort = null;
      this.chunks = [];
      this.size = 0;
      this.retryAfter = undefined;
      this.dispatch();
      return;
    }
    this.settle(this.status, null, e.message, null);
  }
}

/** Retry-After as seconds (delta-seconds or an HTTP date), or null when absent or unreadable. */
export function retryAfterSeconds(value: string | string[] | undefined, nowMs: number): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return null;
  if (/^\d+$/.test(v.trim())) return Number(v.trim());
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, Math.round((at - nowMs) / 1000));
}
