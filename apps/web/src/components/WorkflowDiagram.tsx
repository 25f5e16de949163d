/**
 * The workflow as a diagram, drawn from the machine's own description: `virtual:outgoing-workflow` is
 * describeMachine() evaluated at build time (see vite.config.ts), so states and transitions are never drawn by hand.
 *
 * Layout: the states in document order down one column; a transition to the next state is a straight arrow;
 * other forward moves (skips) and backward moves (returns) are routed in lanes on the left; a final state that
 * many states can jump to (撤回 / withdrawn) sits on the right with a dashed line from each of them.
 */
import outgoing from 'virtual:outgoing-workflow';
import { useMemo } from 'react';
import { useI18n } from '../i18n';

/** What the diagram is drawn from: describeMachine() of a workflow (outgoing at build time, others from the API). */
export interface Machine {
  states: { name: string; order: number; type?: string; description: string }[];
  transitions: { from: string; to: string; event: string; changesState: boolean; description?: string }[];
}

const NODE_W = 132;
const NODE_H = 30;
const GAP = 14;
const LANE = 11;
const EXIT_W = 92;

interface Edge {
  from: string;
  to: string;
  events: string[];
}

interface Geometry {
  main: string[];
  exits: string[];
  forward: Edge[];
  arcs: (Edge & { lane: number; back: boolean })[];
  exitEdges: Edge[];
  lanes: number;
}

/** Derived once from the description: which states go in the column, which edges go where. */
function geometry(machine: Machine): Geometry {
  const byOrder = [...machine.states].sort((a, b) => a.order - b.order);
  const incoming = new Map<string, Set<string>>();
  const edges = new Map<string, Edge>();
  for (const tr of machine.transitions) {
    if (!tr.changesState) continue;
    const key = `${tr.from}>${tr.to}`;
    const e = edges.get(key) ?? { from: tr.from, to: tr.to, events: [] };
    if (!e.events.includes(tr.event)) e.events.push(tr.event);
    edges.set(key, e);
    if (!incoming.has(tr.to)) incoming.set(tr.to, new Set());
    incoming.get(tr.to)!.add(tr.from);
  }
  // a final state reached from three or more states is an exit, drawn beside the column
  const exits: string[] = byOrder.filter((s) => s.type === 'final' && (incoming.get(s.name)?.size ?? 0) >= 3).map((s) => s.name);
  const main: string[] = byOrder.map((s): string => s.name).filter((n) => !exits.includes(n));
  const idx = (n: string) => main.indexOf(n);
  const forward: Edge[] = [];
  const others: Edge[] = [];
  const exitEdges: Edge[] = [];
  for (const e of edges.values()) {
    if (exits.includes(e.to)) exitEdges.push(e);
    else if (idx(e.to) === idx(e.from) + 1) forward.push(e);
    else others.push(e);
  }
  // lanes: shorter spans nearer the column; overlapping spans on different lanes
  others.sort((a, b) => Math.abs(idx(a.to) - idx(a.from)) - Math.abs(idx(b.to) - idx(b.from)));
  const laneSpans: [number, number][][] = [];
  const arcs = others.map((e) => {
    const lo = Math.min(idx(e.from), idx(e.to));
    const hi = Math.max(idx(e.from), idx(e.to));
    let lane = 0;
    while ((laneSpans[lane] ?? []).some(([a, b]) => !(hi <= a || lo >= b))) lane++;
    (laneSpans[lane] ??= []).push([lo, hi]);
    return { ...e, lane, back: idx(e.to) < idx(e.from) };
  });
  return { main, exits, forward, arcs, exitEdges, lanes: laneSpans.length };
}

const GEO = geometry(outgoing);

/**
 * The outgoing workflow by default; another workflow passes its description and its labels for states and events
 * (whose names may mean something else in the outgoing one).
 */
export function WorkflowDiagram({
  state,
  visited,
  machine = outgoing,
  labels,
}: {
  state: string;
  visited: Set<string>;
  machine?: Machine;
  labels?: { state: (s: string) => string; event: (e: string) => string };
}) {
  const { t, tx: txOutgoing } = useI18n();
  const tx = (key: string, fallback: string) =>
    labels && key.startsWith('state.')
      ? labels.state(fallback)
      : labels && key.startsWith('event.')
        ? labels.event(fallback)
        : txOutgoing(key, fallback);
  const label = (s: string) => tx(`state.${s}`, s);
  const geo = useMemo(() => (machine === outgoing ? GEO : geometry(machine)), [machine]);
  const { main, exits, forward, arcs, exitEdges, lanes } = geo;
  const left = 8 + lanes * LANE + 6;
  const exitX = left + NODE_W + 48;
  const width = exitX + EXIT_W + 4;
  const y = (i: number) => 6 + i * (NODE_H + GAP);
  const height = y(main.length) - GAP + 8;
  const pos = new Map(main.map((s, i) => [s, y(i)]));
  const exitY = new Map(
    exits.map((s) => {
      const ys = exitEdges.filter((e) => e.to === s).map((e) => pos.get(e.from) ?? 0);
      return [s, ys.length ? (Math.min(...ys) + Math.max(...ys)) / 2 : 0];
    }),
  );
  const eventNames = (e: Edge) => e.events.map((ev) => tx(`event.${ev}`, ev)).join(' / ');
  const description = new Map<string, string>(machine.states.map((s) => [s.name, s.description]));

  const node = (s: string, x: number, yy: number, w: number) => {
    const current = s === state;
    const cls = current ? 'wf-node wf-current' : visited.has(s) ? 'wf-node wf-visited' : 'wf-node';
    return (
      <g key={s} className={cls} data-state={s} aria-current={current ? 'step' : undefined}>
        <title>{`${label(s)}: ${description.get(s) ?? ''}`}</title>
        <rect x={x} y={yy} width={w} height={NODE_H} rx={6} />
        <text x={x + w / 2} y={yy + NODE_H / 2} dominantBaseline="central" textAnchor="middle">
          {current ? `● ${label(s)}` : label(s)}
        </text>
      </g>
    );
  };

  return (
    <section className="panel" aria-labelledby="wf-h">
      <h2 id="wf-h">{t('workflow.title')}</h2>
      <p className="muted" data-testid="workflow-current">
        {t('workflow.current', { state: label(state) })}
      </p>
      <svg
        className="wf"
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        style={{ maxWidth: `${width * 1.25}px` }}
        role="img"
        aria-label={t('workflow.summary', { n: machine.states.length, state: label(state) })}
      >
        <defs>
          <marker id="wf-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L8,4 L0,8 z" className="wf-arrowhead" />
          </marker>
          <marker id="wf-arrow-back" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L8,4 L0,8 z" className="wf-arrowhead-back" />
          </marker>
        </defs>
        {forward.map((e) => {
          const y1 = (pos.get(e.from) ?? 0) + NODE_H;
          const y2 = pos.get(e.to) ?? 0;
          return (
            <path key={`${e.from}>${e.to}`} className="wf-edge" d={`M${left + NODE_W / 2},${y1} V${y2 - 1}`} markerEnd="url(#wf-arrow)">
              <title>{eventNames(e)}</title>
            </path>
          );
        })}
        {arcs.map((e) => {
          const x = left - 6 - e.lane * LANE - LANE / 2;
          const y1 = (pos.get(e.from) ?? 0) + NODE_H / 2 + (e.back ? -5 : 5);
          const y2 = (pos.get(e.to) ?? 0) + NODE_H / 2 + (e.back ? 5 : -5);
          return (
            <path
              key={`${e.from}>${e.to}`}
              className={e.back ? 'wf-edge wf-back' : 'wf-edge wf-skip'}
              d={`M${left},${y1} H${x} V${y2} H${left - 1}`}
              markerEnd={e.back ? 'url(#wf-arrow-back)' : 'url(#wf-arrow)'}
            >
              <title>{`${label(e.from)} → ${label(e.to)}: ${eventNames(e)}`}</title>
            </path>
          );
        })}
        {exitEdges.map((e) => {
          const y1 = (pos.get(e.from) ?? 0) + NODE_H / 2;
          const y2 = (exitY.get(e.to) ?? 0) + NODE_H / 2;
          const bus = exitX - 20;
          return (
            <path key={`${e.from}>${e.to}`} className="wf-edge wf-exit" d={`M${left + NODE_W},${y1} H${bus} V${y2} H${exitX - 1}`}>
              <title>{`${label(e.from)} → ${label(e.to)}: ${eventNames(e)}`}</title>
            </path>
          );
        })}
        {main.map((s, i) => node(s, left, y(i), NODE_W))}
        {exits.map((s) => node(s, exitX, exitY.get(s) ?? 0, EXIT_W))}
      </svg>
      <p className="wf-legend muted">
        <span className="wf-key wf-key-forward" aria-hidden="true" /> {t('workflow.legendForward')}
        <span className="wf-key wf-key-back" aria-hidden="true" /> {t('workflow.legendBack')}
        <span className="wf-key wf-key-exit" aria-hidden="true" /> {t('workflow.legendExit')}
        <span className="wf-key wf-key-visited" aria-hidden="true" /> {t('workflow.visited')}
      </p>
      <details className="wf-table">
        <summary>{t('workflow.transitions')}</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('workflow.colFrom')}</th>
              <th scope="col">{t('workflow.colEvent')}</th>
              <th scope="col">{t('workflow.colTo')}</th>
            </tr>
          </thead>
          <tbody>
            {machine.transitions
              .filter((tr) => tr.changesState)
              .map((tr, i) => (
                <tr key={i} title={tr.description}>
                  <td>{label(tr.from)}</td>
                  <td>{tx(`event.${tr.event}`, tr.event)}</td>
                  <td>{label(tr.to)}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}
