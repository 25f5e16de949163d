/**
 * A user's event stream (GET /api/notifications/stream) read with fetch, as an API client would: every server-sent
 * event in arrival order (`event:` defaults to `message`, `data:` parsed as JSON), and a wait for the first `task`
 * event that matches. The reader stops when the function pushed on `closers` runs (the test file's afterAll).
 */
export interface StreamEvent {
  type: string;
  data: any;
}

export interface EventStream {
  res: Response;
  events: StreamEvent[];
  /** The data of the `task` events so far. */
  tasks(): any[];
  /** The data of the first `task` event that `pred` accepts, within `ms`; otherwise an error naming what came. */
  until(pred: (data: any) => boolean, ms: number): Promise<any>;
}

export async function openEventStream(baseUrl: string, token: string, closers: (() => Promise<unknown>)[]): Promise<EventStream> {
  const ctl = new AbortController();
  const res = await fetch(`${baseUrl}/api/notifications/stream`, { headers: { authorization: `Bearer ${token}` }, signal: ctl.signal });
  const events: StreamEvent[] = [];
  if (res.body) {
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buf += decoder.decode(value, { stream: true });
          for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const type = /^event: ?(.*)$/m.exec(block)?.[1] ?? 'message';
            const data = /^data: ?(.*)$/m.exec(block)?.[1];
            events.push({ type, data: data ? JSON.parse(data) : null });
          }
        }
      } catch {
        /* aborted */
      }
    })();
  }
  closers.push(async () => ctl.abort());
  const tasks = () => events.filter((e) => e.type === 'task' && e.data).map((e) => e.data);
  return {
    res,
    events,
    tasks,
    async until(pred, ms) {
      for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
        const hit = tasks().find(pred);
        if (hit) return hit;
      }
      throw new Error(`no matching task event within ${ms} ms; got ${JSON.stringify(events)}`);
    },
  };
}
