/**
 * 我的待办 and 收文: the inbox lists outgoing tasks; for a user who works with incoming documents it adds a line with
 * how many incoming items await them (my task on them, among the first page of my unit's items) and a link to the
 * incoming queues, so that nothing waits unseen in 收文办理.
 */
import { useIncomingQueue } from '../../incoming-queries';
import { useInT } from '../../incoming-strings';
import { worksWithIncoming } from '../../pages/incoming/IncomingQueuePage';
import { Link } from '../../router';
import { useUser } from '../../session';

function Count() {
  const { it } = useInT();
  const list = useIncomingQueue('all');
  const first = list.data?.pages[0];
  if (!first) return null;
  const mine = first.items.filter((i) => i.myTask).length;
  return (
    <p className="panel small" data-testid="incoming-inbox-link">
      <Link href="/incoming">
        {it('inbox.incoming', { n: first.nextCursor && mine === first.items.length ? `${mine}+` : String(mine) })}
      </Link>
    </p>
  );
}

export function IncomingInboxLink() {
  const user = useUser();
  return worksWithIncoming(user.roles) ? <Count /> : null;
}
