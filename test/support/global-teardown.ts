export default async function globalTeardown(): Promise<void> {
  const cleanup = (globalThis as Record<string, unknown>).__gongwenTestCleanup as (() => Promise<void>) | undefined;
  if (cleanup && !process.env.GONGWEN_TEST_KEEP_DB) await cleanup();
}
