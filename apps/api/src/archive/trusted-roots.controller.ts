import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser, Roles } from '../auth/decorators.js';
import { ApiProblems, ApiZodBody, ApiZodResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/zod.js';
import { AddTrustedRootBody, TrustedRoot, TrustedRootsResponse } from './trusted-roots.schemas.js';
import { TrustedRootsService } from './trusted-roots.service.js';

/** Other deployments' seal roots trusted for the seal check of received packages (no seal is imported). */
@ApiTags('archive')
@Roles('archivist', 'admin')
@Controller('api/archive/trusted-seal-roots')
export class TrustedRootsController {
  constructor(private readonly roots: TrustedRootsService) {}

  @Get()
  @ApiOperation({ operationId: 'listTrustedSealRoots', summary: 'Seal roots of other deployments trusted for the seal check' })
  @ApiZodResponse(200, TrustedRootsResponse)
  @ApiProblems(403)
  list() {
    return this.roots.list();
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({
    operationId: 'addTrustedSealRoot',
    summary:
      'Trust another deployment’s seal root (a CA certificate, PEM) for the seal check, without importing any seal; recorded in the admin audit log',
  })
  @ApiZodBody(AddTrustedRootBody)
  @ApiZodResponse(201, TrustedRoot)
  @ApiProblems(400, 403, 409)
  add(@CurrentUser() user: AuthUser, @Body(new ZodPipe(AddTrustedRootBody)) body: z.infer<typeof AddTrustedRootBody>) {
    return this.roots.add(user, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ operationId: 'removeTrustedSealRoot', summary: 'Stop trusting a root; recorded in the admin audit log' })
  @ApiResponse({ status: 204, description: 'No longer trusted' })
  @ApiProblems(403, 404)
  async remove(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    await this.roots.remove(user, id);
  }
}
