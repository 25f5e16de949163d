import type { DataSource } from 'typeorm';
import type { ArchiveGateway } from '../archive/gateway.js';
import type { AuthService } from '../auth/auth.service.js';
import type { TransitionEngine } from '../engine/transition-engine.js';

/** What the documents feature's use cases work with. */
export interface DocumentsDeps {
  db: DataSource;
  engine: TransitionEngine;
  auth: AuthService;
  archive: ArchiveGateway;
}
