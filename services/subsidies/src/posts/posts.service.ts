import { Injectable } from '@nestjs/common';
import { EventContext } from '@cnfs/contracts';
import { addDays, CalendarDate, maxDate } from '@cnfs/subsidies-domain';
import { EntityManager } from 'typeorm';
import { SubsidiesCore } from '../core/core';
import { TrancheEffects } from '../tranches/tranche-effects';

export interface PostRow {
  post_id: string;
  convention_id: string | null;
  structure_id: string;
  department_code: string;
  occupied: boolean;
  occupied_since: CalendarDate | null;
  vacant_since: CalendarDate | null;
  returned_on: CalendarDate | null;
}

/**
 * The occupancy of posts, read from the conventions service's events (contracts signed, ruptured,
 * ended, renewed; post status changes) into this service's own tables. A post is occupied while
 * one of its contracts is open; the events may arrive in any order across topics, so each only
 * records a fact (a contract's start or end) and the post's state is recomputed from all of them.
 * The effects on tranches: first occupation anchors the schedule, a departure suspends, a new
 * conseiller resumes, a returned post cancels.
 */
@Injectable()
export class PostsService {
  private readonly tranches: TrancheEffects;

  constructor(private readonly core: SubsidiesCore) {
    this.tranches = new TrancheEffects(core);
  }

  async ensure(manager: EntityManager, post: { postId: string; conventionId: string | null; structureId: string; departmentCode: string }): Promise<void> {
    await manager.query(
      `INSERT INTO posts (post_id, convention_id, structure_id, department_code) VALUES ($1, $2, $3, $4)
       ON CONFLICT (post_id) DO UPDATE SET convention_id = COALESCE(posts.convention_id, EXCLUDED.convention_id)`,
      [post.postId, post.conventionId, post.structureId, post.departmentCode],
    );
  }

  async lock(manager: EntityManager, postId: string): Promise<PostRow | undefined> {
    const [row] = await manager.query(`SELECT * FROM posts WHERE post_id = $1 FOR UPDATE`, [postId]);
    return row;
  }

  async contractStarted(manager: EntityManager, c: { contractId: string; postId: string; startedOn: CalendarDate; renewsContractId: string | null }, context: EventContext): Promise<void> {
    await manager.query(
      `INSERT INTO post_contracts (contract_id, post_id, started_on) VALUES ($1, $2, $3)
       ON CONFLICT (contract_id) DO UPDATE SET started_on = COALESCE(post_contracts.started_on, EXCLUDED.started_on), post_id = EXCLUDED.post_id, updated_at = now()`,
      [c.contractId, c.postId, c.startedOn],
    );
    const touched = [c.postId];
    if (c.renewsContractId) {
      // The renewed contract closes the day before: no gap on its post (or its post empties if the conseiller moved).
      const [previous] = await manager.query(
        `INSERT INTO post_contracts (contract_id, post_id, ended_on, ended_by) VALUES ($1, $2, $3, 'RENEWAL')
         ON CONFLICT (contract_id) DO UPDATE SET ended_on = COALESCE(post_contracts.ended_on, EXCLUDED.ended_on),
           ended_by = COALESCE(post_contracts.ended_by, EXCLUDED.ended_by), updated_at = now()
         RETURNING post_id`,
        [c.renewsContractId, c.postId, addDays(c.startedOn, -1)],
      );
      if (previous && previous.post_id !== c.postId) touched.push(previous.post_id);
    }
    for (const postId of touched.sort()) await this.reevaluate(manager, postId, context);
  }

  async contractEnded(manager: EntityManager, c: { contractId: string; postId: string; endedOn: CalendarDate; how: 'RUPTURE' | 'END' | 'VACATED' }, context: EventContext): Promise<void> {
    await manager.query(
      `INSERT INTO post_contracts (contract_id, post_id, ended_on, ended_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (contract_id) DO UPDATE SET ended_on = COALESCE(post_contracts.ended_on, EXCLUDED.ended_on),
         ended_by = COALESCE(post_contracts.ended_by, EXCLUDED.ended_by), updated_at = now()`,
      [c.contractId, c.postId, c.endedOn, c.how],
    );
    await this.reevaluate(manager, c.postId, context);
  }

  /** A returned post (amendment RETRAIT, status RENDU): its unordered tranches are cancelled for good. */
  async returned(manager: EntityManager, postId: string, on: CalendarDate, context: EventContext): Promise<void> {
    await manager.query(`UPDATE posts SET returned_on = COALESCE(returned_on, $2), occupied = false, updated_at = now() WHERE post_id = $1`, [postId, on]);
    await this.tranches.cancelUnordered(manager, { postId }, 'POST_RETURNED', context);
  }

  /** Recomputes a post's occupancy from its contracts and applies the change to its tranches. */
  async reevaluate(manager: EntityManager, postId: string, context: EventContext): Promise<void> {
    const post = await this.lock(manager, postId);
    if (!post) return;
    const contracts: { started_on: string | null; ended_on: string | null }[] = await manager.query(
      `SELECT started_on, ended_on FROM post_contracts WHERE post_id = $1`,
      [postId],
    );
    const open = contracts.filter((c) => c.started_on !== null && c.ended_on === null);
    const occupied = post.returned_on === null && open.length > 0;
    const occupiedSince = occupied ? open.map((c) => c.started_on!).sort()[0] : null;
    const ended = contracts.filter((c) => c.ended_on !== null).map((c) => c.ended_on!).sort();
    const vacantSince = !occupied && ended.length > 0 ? ended[ended.length - 1] : null;
    if (occupied === post.occupied && occupiedSince === post.occupied_since && vacantSince === post.vacant_since) return;
    await manager.query(`UPDATE posts SET occupied = $2, occupied_since = $3, vacant_since = $4, updated_at = now() WHERE post_id = $1`, [
      postId, occupied, occupiedSince, vacantSince,
    ]);
    if (post.returned_on !== null) return;
    if (occupied && !post.occupied) {
      await this.anchorCommitments(manager, postId, occupiedSince!, context);
      await this.tranches.resumePost(manager, postId, context);
    } else if (!occupied && post.occupied) {
      await this.tranches.suspendPost(manager, postId);
    }
  }

  /** First occupation within a commitment's period anchors its schedule. */
  async anchorCommitments(manager: EntityManager, postId: string, occupiedSince: CalendarDate, context: EventContext): Promise<void> {
    const commitments: { id: string; start_on: string }[] = await manager.query(
      `SELECT id, start_on FROM commitments WHERE post_id = $1 AND anchor_on IS NULL ORDER BY id`,
      [postId],
    );
    for (const c of commitments) {
      await manager.query(`UPDATE commitments SET anchor_on = $2 WHERE id = $1`, [c.id, maxDate(occupiedSince, c.start_on)]);
      await this.tranches.refreshCommitment(manager, c.id, context);
    }
  }
}
