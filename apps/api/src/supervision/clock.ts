import { Injectable } from '@nestjs/common';

/**
 * The time supervision runs on: events are stamped with it, and deadlines, colour cards and the accountability
 * list are measured against it. Real time in production; tests pin it (set) or move it, so that deadlines pass
 * without waiting — every process keeps its own, as each has its own wall clock.
 */
@Injectable()
export class SupervisionClock {
  private fixed: Date | null = null;

  now(): Date {
    return this.fixed ? new Date(this.fixed) : new Date();
  }

  /** Pins the clock at `at` (null: real time again). */
  set(at: Date | string | null): void {
    this.fixed = at === null ? null : new Date(at);
  }
}
