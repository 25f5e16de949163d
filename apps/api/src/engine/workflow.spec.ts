import { WorkflowRegistry, type WorkflowDefinition } from './workflow.js';

function registryWith(poolStates: (roles: readonly string[]) => readonly string[]) {
  const registry = new WorkflowRegistry();
  registry.register({ id: 'w', version: 1, poolStates } as unknown as WorkflowDefinition);
  return registry;
}

describe('WorkflowRegistry.poolKeys', () => {
  it("is computed once per set of roles, though every request brings its own copy of its user's roles", () => {
    let calls = 0;
    const registry = registryWith((roles) => {
      calls++;
      return roles.includes('clerk') ? ['circulation'] : [];
    });
    expect(registry.poolKeys(['clerk', 'reader'])).toEqual(['w:circulation']);
    expect(registry.poolKeys(['clerk', 'reader'])).toEqual(['w:circulation']);
    expect(calls).toBe(1);
    expect(registry.poolKeys(['reader'])).toEqual([]);
    expect(calls).toBe(2);
  });

  it('is computed afresh when another workflow is registered', () => {
    const registry = registryWith(() => ['a']);
    expect(registry.poolKeys(['clerk'])).toEqual(['w:a']);
    registry.register({ id: 'v', version: 1, poolStates: () => ['b'] } as unknown as WorkflowDefinition);
    expect(registry.poolKeys(['clerk'])).toEqual(['w:a', 'v:b']);
  });
});
