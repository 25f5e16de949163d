import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { AuthorityScope, Role } from '#gongwen/authority';
import type { ClassificationLevel } from '#gongwen/document/model';

@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  /** Stored lower-case; unique. */
  @Column({ type: 'text', unique: true }) username!: string;
  @Column({ type: 'text', name: 'display_name' }) displayName!: string;
  @Column({ type: 'text', name: 'password_hash' }) passwordHash!: string;
  @Column({ type: 'uuid', name: 'unit_id', nullable: true }) unitId!: string | null;
  @Column({ type: 'text', array: true, default: () => "'{}'" }) roles!: Role[];
  /** Highest classification this user may see (涉密等级). */
  @Column({ type: 'text', default: 'none' }) clearance!: ClassificationLevel;
  /** Signer's authority scope (签发权限); null for non-signers. */
  @Column({ type: 'jsonb', nullable: true }) authority!: AuthorityScope | null;
  @Column({ type: 'boolean', default: true }) active!: boolean;
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' }) updatedAt!: Date;
}
