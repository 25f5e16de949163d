/**
 * The webhooks bench's receiver, in a process of its own (scripts/bench/webhooks.ts forks it), so that its CPU is
 * accounted apart from the API's: answers every POST with 204 and counts the requests and the distinct
 * webhook-ids. Over IPC it tells its port once listening, and its counts when asked (`count`).
 *
 * It stands in for a subscriber's system, which in production runs on another machine; here it shares the
 * bench's two cores with the API and PostgreSQL, so what it spends is taken from what is measured. It therefore
 * answers from the socket itself, with the least HTTP/1.1 a webhook sender needs (requests with a Content-Length
 * body, pipelined or not, answered in order on a kept-alive connection): node:http's parser, request and response
 * objects cost about 12.5 µs of CPU per pipelined request alone, this about 4 µs (within the bench, 26 µs and
 * 13 µs). Anything else (a chunked body, a request that is not a POST, a malformed head) is answered 400 and closes
 * the connection, and is counted apart (`bad`, never reset): the bench fails on it, as on a delivery missing.
 * `--http` (argv) uses node:http instead, to compare.
 * The tests' receivers (test/webhooks/receiver.ts) verify every delivery with the standardwebhooks package.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

let requests = 0;
let bad = 0;
const ids = new Set<string>();

const NO_CONTENT = Buffer.from('HTTP/1.1 204 No Content\r\n\r\n', 'latin1');
const BAD_REQUEST = Buffer.from('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', 'latin1');
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
/** A request head larger than this is refused (a webhook's head is a few hundred bytes). */
const MAX_HEAD = 16 * 1024;

/**
 * The value of header `name` (lower case, with its colon) in a head read as latin1, as sent: '' when absent, null
 * when sent twice.
 */
function header(lowerHead: string, head: string, name: string): string | null {
  const at = lowerHead.indexOf(`\r\n${name}`);
  if (at < 0) return '';
  if (lowerHead.includes(`\r\n${name}`, at + 2)) return null;
  const end = head.indexOf('\r\n', at + 2);
  return head.slice(at + 2 + name.length, end < 0 ? head.length : end).trim();
}

function serve(socket: Socket): void {
  let buf: Buffer = Buffer.alloc(0);
  /** Body bytes of the current request still to skip. */
  let skip = 0;
  socket.setNoDelay(true);
  socket.on('error', () => undefined);
  const onData = (chunk: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    let answers = 0;
    let pos = 0;
    for (;;) {
      if (skip) {
        const n = Math.min(skip, buf.length - pos);
        skip -= n;
        pos += n;
        if (skip) break;
        // a request read whole: answered in order with the others of this chunk
        requests++;
        answers++;
      }
      const end = buf.indexOf(HEAD_END, pos);
      if (end < 0) {
        if (buf.length - pos > MAX_HEAD) return refuse(socket, onData, answers);
        break;
      }
      const head = buf.toString('latin1', pos, end);
      const lower = head.toLowerCase();
      const line = lower.slice(0, lower.indexOf('\r\n') >>> 0);
      const length = header(lower, head, 'content-length:');
      const id = header(lower, head, 'webhook-id:');
      if (
        !/^post \S+ http\/1\.1$/.test(line) ||
        header(lower, head, 'transfer-encoding:') !== '' ||
        !length ||
        !/^\d{1,9}$/.test(length) ||
        !id
      )
        return refuse(socket, onData, answers);
      ids.add(id);
      pos = end + HEAD_END.length;
      skip = Number(length);
    }
    buf = pos >= buf.length ? Buffer.alloc(0) : buf.subarray(pos);
    if (answers === 1) socket.write(NO_CONTENT);
    else if (answers > 1) socket.write(Buffer.concat(Array<Buffer>(answers).fill(NO_CONTENT)));
  };
  socket.on('data', onData);
}

/** Answers the requests read whole so far, then 400, closes the connection and reads nothing more from it. */
function refuse(socket: Socket, onData: (chunk: Buffer) => void, answers: number): void {
  bad++;
  socket.off('data', onData);
  socket.end(Buffer.concat([...Array<Buffer>(answers).fill(NO_CONTENT), BAD_REQUEST]));
  socket.resume();
}

const server = process.argv.includes('--http')
  ? createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => {
        requests++;
        ids.add(String(req.headers['webhook-id']));
        res.writeHead(204).end();
      });
    })
  : createServer(serve);
if ('keepAliveTimeout' in server) server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
process.on('message', (m) => {
  if (m === 'count') process.send!({ requests, unique: ids.size, bad });
  if (m === 'reset') {
    // (the refusals stay counted: the bench fails on any, before or after a reset)
    requests = 0;
    ids.clear();
    process.send!({ requests, unique: 0, bad });
  }
});
process.on('disconnect', () => process.exit(0));
