/**
 * The webhooks bench's receiver, in a process of its own (scripts/bench/webhooks.ts forks it), so that its CPU is
 * accounted apart from the API's: answers every POST with 204 and counts the requests and the distinct
 * webhook-ids. Over IPC it tells its port once listening, and its counts when asked (`count`).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

let requests = 0;
const ids = new Set<string>();
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    requests++;
    ids.add(String(req.headers['webhook-id']));
    res.writeHead(204).end();
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
process.on('message', (m) => {
  if (m === 'count') process.send!({ requests, unique: ids.size });
  if (m === 'reset') {
    requests = 0;
    ids.clear();
    process.send!({ requests, unique: 0 });
  }
});
process.on('disconnect', () => process.exit(0));
