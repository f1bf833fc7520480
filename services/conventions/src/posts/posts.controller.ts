import { Controller, Get, Injectable, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, type Principal } from '@cnfs/auth';
import { POST_STATUSES } from '@cnfs/conventions-domain';
import { notFound, Page, PageQueryDto, pageWindow } from '@cnfs/service-kit';
import { IsIn, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { PostRow } from '../persistence/entities';
import { assertCanSee, assertUuid, scopeOf } from '../shared/scope';
import { Transactions } from '../shared/transactions';
import { PostView, postView } from '../shared/views';

export class PostQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() conventionId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 100) structureId?: string;
  @ApiPropertyOptional({ enum: POST_STATUSES }) @IsOptional() @IsIn(POST_STATUSES) status?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(/^(\d{2}|2A|2B|97\d|98\d)$/) departmentCode?: string;
}

@Injectable()
export class PostsService {
  constructor(private readonly tx: Transactions) {}

  async list(principal: Principal, query: PostQueryDto): Promise<Page<PostView>> {
    const { limit, offset, page, pageSize } = pageWindow(query);
    const qb = this.tx.dataSource.manager.getRepository(PostRow).createQueryBuilder('p');
    const scope = scopeOf(principal);
    if (scope && 'structureId' in scope) qb.andWhere('p.structure_id = :own', { own: scope.structureId });
    if (scope && 'departments' in scope) qb.andWhere('p.department_code = ANY(:departments)', { departments: [...scope.departments] });
    if (query.conventionId) qb.andWhere('p.convention_id = :conventionId', { conventionId: query.conventionId });
    if (query.structureId) qb.andWhere('p.structure_id = :structureId', { structureId: query.structureId });
    if (query.status) qb.andWhere('p.status = :status', { status: query.status });
    if (query.departmentCode) qb.andWhere('p.department_code = :departmentCode', { departmentCode: query.departmentCode });
    const [rows, total] = await qb.orderBy('p.seq', 'ASC').take(limit).skip(offset).getManyAndCount();
    const holders = await this.holders(rows.map((r) => r.id));
    return { items: rows.map((r) => postView(r, holders.get(r.id) ?? null)), page, pageSize, total };
  }

  async get(principal: Principal, id: string): Promise<PostView> {
    assertUuid(id, 'post');
    const row = await this.tx.dataSource.manager.getRepository(PostRow).findOne({ where: { id } });
    if (!row) throw notFound('post');
    assertCanSee(principal, row, 'post');
    return postView(row, (await this.holders([id])).get(id) ?? null);
  }

  private async holders(postIds: string[]): Promise<Map<string, string>> {
    if (postIds.length === 0) return new Map();
    const rows: { post_id: string; id: string }[] = await this.tx.dataSource.query(
      `SELECT post_id, id FROM contracts WHERE post_id = ANY($1::uuid[]) AND status = 'ACTIF'`,
      [postIds],
    );
    return new Map(rows.map((r) => [r.post_id, r.id]));
  }
}

@ApiTags('posts')
@ApiBearerAuth()
@Controller('posts')
export class PostsController {
  constructor(private readonly posts: PostsService) {}

  @Get()
  @Roles('anct', 'prefecture', 'structure', 'bdt')
  list(@CurrentPrincipal() principal: Principal, @Query() query: PostQueryDto) {
    return this.posts.list(principal, query);
  }

  @Get(':id')
  @Roles('anct', 'prefecture', 'structure', 'bdt')
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.posts.get(principal, id);
  }
}
