import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** session = login (bearer + cookie); personal = a user's API token for scripts. */
export type AuthTokenKind = 'session' | 'personal';
/** What a personal token may do. Sessions are always `full`. */
export type TokenScope = 'read' | 'draft' | 'full';

@Entity({ name: 'auth_tokens' })
export class AuthTokenEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid', name: 'user_id' }) userId!: string;
  @Column({ type: 'text' }) kind!: AuthTokenKind;
  @Column({ type: 'text', nullable: true }) name!: string | null;
  @Column({ type: 'text', default: 'full' }) scope!: TokenScope;
  /** SHA-256 (hex) of the secret; the secret itself is never stored. */
  @Column({ type: 'text', name: 'token_hash', unique: true }) tokenHash!: string;
  /** First characters of the token, to let a user recognise it in a list. */
  @Column({ type: 'text' }) prefix!: string;
  @Column({ type: 'timestamptz', name: 'expires_at' }) expiresAt!: Date;
  @Column({ type: 'timestamptz', name: 'revoked_at', nullable: true }) revokedAt!: Date | null;
  @Column({ type: 'timestamptz', name: 'last_used_at', nullable: true }) lastUsedAt!: Date | null;
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' }) createdAt!: Date;
}
