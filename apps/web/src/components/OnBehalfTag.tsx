import { useDelT } from '../delegation-strings';
import { useUserDirectory } from '../names';

/** 代 李四: an inbox task the user holds as a principal's deputy (委托), named, never by id. */
export function OnBehalfTag({ principalId }: { principalId: string }) {
  const { dt } = useDelT();
  const name = useUserDirectory().get(principalId)?.displayName;
  if (!name) return null;
  return (
    <span className="badge" data-testid="on-behalf-tag">
      {dt('inbox.for', { principal: name })}
    </span>
  );
}
