/**
 * "Next document": once the user has finished their task on a document (signed it, reviewed it…), the next one
 * waiting for them, preferring the same kind of task, opens straight from here — several documents signed one after
 * another without going back to the list.
 */
import { nextTask } from '../inbox';
import { useIbT } from '../inbox-strings';
import { useTasks } from '../queries';
import { Link } from '../router';
import type { TaskKind } from '../types';

export function NextTask({ currentId, preferred }: { currentId: string; preferred: TaskKind | null }) {
  const { ib } = useIbT();
  const tasks = useTasks();
  if (!tasks.data) return null;
  const next = nextTask(tasks.data.items, currentId, preferred);
  return (
    <nav className="next-task" aria-label={ib('next.title')} data-testid="next-task">
      {next ? (
        <Link href={`/documents/${next.id}`} className="btn btn-primary">
          {ib('next.open', { title: next.title })} →
        </Link>
      ) : (
        <span>{ib('next.none')}</span>
      )}
      <Link href="/">{ib('next.back')}</Link>
    </nav>
  );
}
