import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { CLASSIFICATION_LEVELS, DOCUMENT_KINDS, sortZh } from '#gongwen/document';
import { ROLES } from '#gongwen/workflows/outgoing/types';
import { ApiZodQuery, ApiZodResponse, named } from '../common/openapi.js';
import { ZodPipe } from '../common/zod.js';

const UNIT_KINDS = ['issuer', 'section', 'reader_unit', 'leadership'] as const;
const DirectoryQuery = z.strictObject({ role: z.enum(ROLES).optional() });
const UnitsQuery = z.strictObject({ kind: z.enum(UNIT_KINDS).optional() });

/** A person as others pick them (drafters, discussants, signers, readers): no clearance, scope or account data. */
export const DirectoryUser = named(
  'DirectoryUser',
  z.object({
    id: z.uuid(),
    username: z.string(),
    displayName: z.string(),
    unitId: z.uuid().nullable(),
    unitName: z.string().nullable(),
    roles: z.array(z.enum(ROLES)),
  }),
);
export const DirectoryUserList = named('DirectoryUserList', z.object({ items: z.array(DirectoryUser) }));

/** A signer of an issuing body, with what their authority covers (to pick one who may sign the document). */
export const UnitSigner = named(
  'UnitSigner',
  z.object({
    id: z.uuid(),
    username: z.string(),
    displayName: z.string(),
    kinds: z.array(z.enum(DOCUMENT_KINDS)).describe('Document kinds they may sign; empty: every kind'),
    maxClassification: z.enum(CLASSIFICATION_LEVELS).describe('The highest classification they may sign'),
  }),
);
export const DirectoryUnit = named(
  'DirectoryUnit',
  z.object({
    id: z.uuid(),
    name: z.string(),
    code: z.string().nullable().describe('Issuing bodies: the code in document numbers (e.g. 区委办)'),
    kind: z.enum(UNIT_KINDS),
    parentId: z.uuid().nullable(),
    signers: z.array(UnitSigner).describe('Issuing bodies: the active signers whose authority covers it'),
  }),
);
export const DirectoryUnitList = named('DirectoryUnitList', z.object({ items: z.array(DirectoryUnit) }));

/**
 * The office's reference data for anyone who works on documents (no admin rights needed): who is who, for
 * picking drafters, discussants and readers, and the issuing bodies with their signers. No clearances,
 * passwords or account state.
 */
@ApiTags('directory')
@Controller('api')
export class DirectoryController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Get('users')
  @ApiOperation({
    operationId: 'listDirectory',
    summary: 'Active users with their unit and roles (optionally one role), for picking people',
  })
  @ApiZodQuery(DirectoryQuery)
  @ApiZodResponse(200, DirectoryUserList)
  async list(@Query(new ZodPipe(DirectoryQuery)) q: z.infer<typeof DirectoryQuery>) {
    const rows: {
      id: string;
      username: string;
      display_name: string;
      unit_id: string | null;
      unit_name: string | null;
      roles: (typeof ROLES)[number][];
    }[] = await this.db.query(
      `SELECT u.id, u.username, u.display_name, u.unit_id, un.name AS unit_name, u.roles FROM users u LEFT JOIN units un ON un.id = u.unit_id
        WHERE u.active AND ($1::text IS NULL OR $1 = ANY(u.roles))`,
      [q.role ?? null],
    );
    // by unit, then by name, in pinyin order (as a printed directory)
    return {
      items: sortZh(
        rows,
        (r) => r.unit_name,
        (r) => r.display_name,
        (r) => r.username,
      ).map((r) => ({
        id: r.id,
        username: r.username,
        displayName: r.display_name,
        unitId: r.unit_id,
        unitName: r.unit_name,
        roles: r.roles,
      })),
    };
  }

  @Get('units')
  @ApiOperation({
    operationId: 'listUnits',
    summary: 'Units (optionally one kind): issuing bodies with their code and signers, sections, receiving units',
  })
  @ApiZodQuery(UnitsQuery)
  @ApiZodResponse(200, DirectoryUnitList)
  async units(@Query(new ZodPipe(UnitsQuery)) q: z.infer<typeof UnitsQuery>) {
    const units: { id: string; name: string; code: string | null; kind: (typeof UNIT_KINDS)[number]; parent_id: string | null }[] =
      await this.db.query(`SELECT id, name, code, kind, parent_id FROM units WHERE $1::text IS NULL OR kind = $1`, [q.kind ?? null]);
    const signers: {
      id: string;
      username: string;
      display_name: string;
      authority: { issuerUnitIds?: string[]; kinds?: string[]; maxClassification?: string };
    }[] = await this.db.query(
      `SELECT id, username, display_name, authority FROM users WHERE active AND 'signer' = ANY(roles) AND authority IS NOT NULL`,
    );
    const signersOf = (unitId: string) =>
      sortZh(
        signers.filter((s) => s.authority.issuerUnitIds?.includes(unitId)),
        (s) => s.display_name,
        (s) => s.username,
      ).map((s) => ({
        id: s.id,
        username: s.username,
        displayName: s.display_name,
        kinds: s.authority.kinds ?? [],
        maxClassification: s.authority.maxClassification ?? 'none',
      }));
    return {
      items: sortZh(
        units,
        (u) => u.kind,
        (u) => u.name,
      ).map((u) => ({
        id: u.id,
        name: u.name,
        code: u.code,
        kind: u.kind,
        parentId: u.parent_id,
        signers: u.kind === 'issuer' ? signersOf(u.id) : [],
      })),
    };
  }
}
