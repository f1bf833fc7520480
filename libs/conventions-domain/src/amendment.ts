import { CalendarDate, isAfter } from './calendar';
import { isValidatedConvention } from './convention';
import { conflict, FieldViolation, invalid } from './errors';
import { conventionedPosts, PostCounts } from './post';
import { Phase } from './structure';

export const AMENDMENT_TYPES = ['AJOUT', 'RETRAIT'] as const;
export type AmendmentType = (typeof AMENDMENT_TYPES)[number];

export const AMENDMENT_STATUSES = ['EN_COURS', 'VALIDEE', 'REFUSEE'] as const;
export type AmendmentStatus = (typeof AMENDMENT_STATUSES)[number];

export type AmendmentAction = 'VALIDATE' | 'REFUSE';

export function amendmentTransition(status: AmendmentStatus, action: AmendmentAction): AmendmentStatus {
  if (status !== 'EN_COURS') {
    throw conflict('AMENDMENT_ALREADY_DECIDED', `the amendment is already ${status}`);
  }
  return action === 'VALIDATE' ? 'VALIDEE' : 'REFUSEE';
}

export interface AmendmentRequest {
  type: AmendmentType;
  posts: number;
  /** RETRAIT: the vacant posts to return (optional; any vacant posts otherwise). */
  postIds?: readonly string[] | null;
}

/** The state an amendment is checked against, when requested and again when validated. */
export interface AmendmentContext {
  convention: { status: string; phase: Phase; endDate: CalendarDate };
  posts: PostCounts;
  /** The structure's coselec quota for the convention's phase. */
  quota: number;
  today: CalendarDate;
  /** RETRAIT with named posts: the status of each named post of this convention (missing: not one of its posts). */
  namedPosts?: ReadonlyMap<string, string>;
}

/** Shape of the request itself (a 400 when broken). */
export function amendmentRequestViolations(request: AmendmentRequest): FieldViolation[] {
  const violations: FieldViolation[] = [];
  if (!Number.isInteger(request.posts) || request.posts < 1) {
    violations.push({ field: 'posts', code: 'POSTS_NOT_POSITIVE', message: 'an amendment adds or returns at least one post' });
  }
  if (request.postIds && request.postIds.length > 0) {
    if (request.type !== 'RETRAIT') {
      violations.push({ field: 'postIds', code: 'POST_IDS_ONLY_FOR_RETRAIT', message: 'posts are named only to return them (RETRAIT)' });
    } else if (new Set(request.postIds).size !== request.postIds.length) {
      violations.push({ field: 'postIds', code: 'POST_IDS_DUPLICATED', message: 'a post is named twice' });
    } else if (request.postIds.length !== request.posts) {
      violations.push({ field: 'postIds', code: 'POST_IDS_COUNT_MISMATCH', message: `${request.postIds.length} posts named for ${request.posts} to return` });
    }
  }
  return violations;
}

/**
 * The rules of an amendment against the convention's state (409 when refused): the convention is validated;
 * an AJOUT of phase 1 never takes the conventioned posts beyond the coselec quota and happens before the convention
 * ends; a RETRAIT only returns vacant posts (an occupied post is never returned).
 * The "at most one pending per structure" rule is checked by the caller (it needs the other amendments).
 */
export function assertAmendmentAllowed(request: AmendmentRequest, context: AmendmentContext): void {
  const violations = amendmentRequestViolations(request);
  if (violations.length > 0) throw invalid(violations);
  const { convention, posts } = context;
  if (!isValidatedConvention(convention.status)) {
    throw conflict('CONVENTION_NOT_VALIDATED', `only a validated convention can be amended (this one is ${convention.status})`);
  }
  if (request.type === 'AJOUT') {
    if (isAfter(context.today, convention.endDate)) {
      throw conflict('CONVENTION_ENDED', `the convention ended on ${convention.endDate}: no post can be added`);
    }
    const after = conventionedPosts(posts) + request.posts;
    if (convention.phase === 1 && after > context.quota) {
      throw conflict(
        'COSELEC_QUOTA_EXCEEDED',
        `adding ${request.posts} posts would make ${after} conventioned posts, beyond the phase-1 coselec quota of ${context.quota}`,
      );
    }
    return;
  }
  if (request.postIds && request.postIds.length > 0) {
    for (const postId of request.postIds) {
      const status = context.namedPosts?.get(postId);
      if (status === undefined) throw conflict('POST_NOT_IN_CONVENTION', `post ${postId} is not a post of this convention`);
      if (status !== 'VACANT') throw conflict('POST_NOT_VACANT', `post ${postId} is ${status}: only a vacant post can be returned`);
    }
    return;
  }
  if (request.posts > posts.vacant) {
    throw conflict(
      'NOT_ENOUGH_VACANT_POSTS',
      `${request.posts} posts to return but only ${posts.vacant} are vacant: an occupied post cannot be returned`,
    );
  }
}

/** The single pending amendment per structure. */
export function assertNoPendingAmendment(pending: { id: string } | null | undefined): void {
  if (pending) {
    throw conflict('AMENDMENT_ALREADY_PENDING', `amendment ${pending.id} of this structure is still pending: one at a time`);
  }
}
