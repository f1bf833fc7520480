import { Injectable } from '@nestjs/common';
import type { Principal } from '@cnfs/auth';
import { notFound, Page, pageWindow } from '@cnfs/service-kit';
import { SubsidiesCore } from '../core/core';
import { assertDepartmentFilter, assertSees, listConditions, whereClause } from '../core/principal';
import { trancheView, TrancheView } from './views';

export interface TrancheQuery {
  departmentCode?: string;
  status?: string;
  dueBefore?: string;
  structureId?: string;
  commitmentId?: string;
  postId?: string;
  page?: number;
  pageSize?: number;
}

@Injectable()
export class TranchesService {
  constructor(private readonly core: SubsidiesCore) {}

  async list(principal: Principal, query: TrancheQuery): Promise<Page<TrancheView>> {
    assertDepartmentFilter(principal, query.departmentCode);
    const params: unknown[] = [];
    const where = listConditions(principal, params, [
      ['department_code', query.departmentCode], ['structure_id', query.structureId], [(n) => `commitment_id = $${n}::uuid`, query.commitmentId],
      ['post_id', query.postId], [(n) => `due_on <= $${n}::date`, query.dueBefore], ['state', query.status],
    ]);
    const { limit, offset, page, pageSize } = pageWindow(query);
    const clause = whereClause(where);
    const [{ total }] = await this.core.dataSource.query(`SELECT count(*)::int AS total FROM tranche_states ${clause}`, params);
    const rows = await this.core.dataSource.query(
      `SELECT * FROM tranche_states ${clause} ORDER BY due_on NULLS LAST, department_code, id LIMIT ${limit} OFFSET ${offset}`,
      params,
    );
    return { items: rows.map(trancheView), page, pageSize, total };
  }

  async get(principal: Principal, id: string): Promise<TrancheView> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('tranche');
    const [row] = await this.core.dataSource.query(`SELECT * FROM tranche_states WHERE id = $1`, [id]);
    if (!row) throw notFound('tranche');
    assertSees(principal, row, 'tranche');
    return trancheView(row);
  }
}
