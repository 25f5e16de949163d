/**
 * Writes the API's OpenAPI document to libs/contract/openapi.json (`npm run contract`, which then generates
 * libs/contract/schema.d.ts from it with openapi-typescript). The document is the one the app serves at
 * /api/openapi.json: createApp() hands SwaggerModule a factory that builds it from the controllers' metadata (called
 * here at once, by the app on the first request for it), so the app is created here on a DataSource that never
 * connects (entity metadata only) and is never initialised or started.
 * test/tooling/contract.test.ts fails when the committed files differ from what the app serves.
 */
import 'reflect-metadata';
import { SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createApp } from '../../apps/api/src/bootstrap.js';
import { loadConfig } from '../../apps/api/src/config/config.js';
import { createDataSource } from '#gongwen/persistence';

/** The document createApp() hands to SwaggerModule.setup(), captured instead of served. */
export async function buildOpenApiDocument(): Promise<OpenAPIObject> {
  // nothing listens on port 1: any attempt to connect would fail loudly rather than reach a real database
  const dataSource = createDataSource('postgres://contract@127.0.0.1:1/contract');
  dataSource.setOptions({ manualInitialization: true } as never);
  await (dataSource as unknown as { buildMetadatas(): Promise<void> }).buildMetadatas();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: 'postgres://contract@127.0.0.1:1/contract',
    GONGWEN_MASTER_KEY: 'contract-generation-key-0123456789abcdef',
  });
  const setup = SwaggerModule.setup;
  let captured: OpenAPIObject | undefined;
  SwaggerModule.setup = ((_path: string, _app: unknown, document: OpenAPIObject | (() => OpenAPIObject)) => {
    captured = typeof document === 'function' ? document() : document;
  }) as typeof SwaggerModule.setup;
  try {
    const app = await createApp(config, dataSource, { logger: false });
    await app.getHttpAdapter().close?.();
  } finally {
    SwaggerModule.setup = setup;
  }
  if (!captured) throw new Error('createApp() did not build an OpenAPI document');
  return captured;
}

/** Stable JSON text of the document (as committed). */
export const documentText = (doc: OpenAPIObject) => `${JSON.stringify(doc, null, 2)}\n`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = resolve(process.argv[2] ?? 'libs/contract/openapi.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, documentText(await buildOpenApiDocument()));
  console.log(`contract: wrote ${out}`);
  process.exit(0);
}
