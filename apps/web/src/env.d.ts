/// <reference types="vite/client" />

/** describeMachine() of the outgoing workflow, evaluated at build time by the plugin in vite.config.ts. */
declare module 'virtual:outgoing-workflow' {
  const description: import('#gongwen/workflows/outgoing').MachineDescription;
  export default description;
}
