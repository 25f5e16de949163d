/**
 * The webhooks bench's receiver, in a process of its own (scripts/bench/webhooks.ts forks it), so that its CPU is
 * accounted apart from the API's: answers every POST with 204 and counts the requests and the distinct
 * webhook-ids. Over IPC it tells its port once listening, and its counts when asked (`count`).
 *
 * It stands in for a subscriber's system, which in production runs on another machine; here it shares the
 * bench's two cores with the API and PostgreSQL, so what it spends is taken from what is measured. It therefore
 * answers from the socket itself, with the least HTTP/1.1 a webhook sender needs (requests with a Content-Length
 * body, pipelined or not, answered in order on a kept-alive connection): node:http's parser, request and response
 * objects cost about 26 µs of CPU per request, this about a third of that. Anything else (a chunked body, a
 * request that is not a POST, a malformed head) is answered 400 and closes the connection, and is counted apart
 * (`bad`): the bench fails on it, as on a delivery missing. `--http` (argv) uses node:http instead, to compare.
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

/** The value of header `name` (lower case, with its colon) in a head read as latin1, lower-cased: '' when absent. */
function header(lowerHead: string, head: string, name: string): string {
  const at = lowerHead.indexOf(`\r\n${name}`);
  if (at < 0) return '';
  const end = head.indexOf('\r\n', at + 2);
  return head.slice(at + 2 + name.length, end < 0 ? head.length : end).trim();
}

function serve(socket: Socket): void {
  let buf: Buffer = Buffer.alloc(0);
  /** Body bytes of the current request still to skip. */
  let skip = 0;
  socket.setNoDelay(true);
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => {
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
        if (buf.length - pos > MAX_HEAD) return refuse(socket, answers);
        break;
      }
      const head = buf.toString('latin1', pos, end);
      const lower = head.toLowerCase();
      const length = Number(header(lower, head, 'content-length:'));
      if (!lower.startsWith('post ') || !lower.includes(' http/1.1') || header(lower, head, 'transfer-encoding:') || !(length > 0)) {
        return refuse(socket, answers);
      }
      ids.add(header(lower, head, 'webhook-id:'));
      pos = end + HEAD_END.length;
      skip = length;
    }
    buf = pos >= buf.length ? Buffer.alloc(0) : buf.subarray(pos);
    if (answers === 1) socket.write(NO_CONTENT);
    else if (answers > 1) socket.write(Buffer.concat(Array<Buffer>(answers).fill(NO_CONTENT)));
  });
}

/** Answers the requests read whole so far, then 400, and closes the connection. */
function refuse(socket: Socket, answers: number): void {
  bad++;
  socket.end(Buffer.concat([...Array<Buffer>(answers).fill(NO_CONTENT), BAD_REQUEST]));
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
    requests = 0;
    bad = 0;
    ids.clear();
    process.send!({ requests, unique: 0, bad });
  }
});
process.on('disconnect', () => process.exit(0));
