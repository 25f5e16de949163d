import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** issuer = 发文机关 (has a code such as 区委办); section = 科室; reader_unit = 受文单位; leadership = 领导 */
export type UnitKind = 'issuer' | 'section' | 'reader_unit' | 'leadership';

@Entity({ name: 'units' })
export class UnitEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'text' }) name!: string;
  /** Short code used in document numbers (e.g. 区委办); issuers only. */
  @Column({ type: 'text', nullable: true }) code!: string | null;
  @Column({ type: 'text' }) kind!: UnitKind;
  @Column({ type: 'uuid', name: 'parent_id', nullable: true }) parentId!: string | null;
  /** 全宗号 (fonds number) for issuers, used by the archive. */
  @Column({ type: 'text', name: 'fonds_code', nullable: true }) fondsCode!: string | null;
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' }) createdAt!: Date;
}
