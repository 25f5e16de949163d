/**
 * People and units of an incoming item by name, never by id: the office directory (GET /api/users, GET /api/units),
 * else "unknown person/unit" — an id is never what a panel shows.
 */
import { useMemo } from 'react';
import type { IncomingView } from '../../incoming-types';
import { useInT } from '../../incoming-strings';
import { useAllUnits, useAllUsers } from '../../names';
import { useUser } from '../../session';

export function useIncomingNames(item: IncomingView | null) {
  const { it } = useInT();
  const me = useUser();
  const users = useAllUsers().data;
  const units = useAllUnits().data;
  return useMemo(() => {
    const userMap = new Map((users ?? []).map((u) => [u.id, u]));
    const unitMap = new Map((units ?? []).map((u) => [u.id, u]));
    const person = (id: string | null | undefined): string => {
      if (!id) return it('common.someone');
      if (id === me.id) return me.displayName;
      return userMap.get(id)?.displayName ?? it('common.someone');
    };
    const unit = (id: string | null | undefined): string => {
      if (!id) return it('common.unknownUnit');
      return unitMap.get(id)?.name ?? it('common.unknownUnit');
    };
    /** A reminder's target may be a person or a department. */
    const target = (id: string) => (userMap.has(id) || id === me.id ? person(id) : unit(id));
    const unitId = item?.unitId;
    /** The departments (科室) of the receiving unit. */
    const departments = (units ?? []).filter((u) => u.kind === 'section' && u.parentId === unitId);
    const deptIds = new Set(departments.map((d) => d.id));
    /** People of the receiving unit and its departments. */
    const people = (users ?? []).filter((u) => u.unitId && (u.unitId === unitId || deptIds.has(u.unitId)));
    return { person, unit, target, departments, people, ready: !!users && !!units };
  }, [users, units, item, it, me]);
}

export type IncomingNames = ReturnType<typeof useIncomingNames>;
