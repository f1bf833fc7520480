import { conflict } from './errors';

export const POST_STATUSES = ['VACANT', 'OCCUPE', 'RENDU'] as const;
export type PostStatus = (typeof POST_STATUSES)[number];

/**
 * A conventioned post: created VACANT, OCCUPE while a contract holds it, VACANT again when that contract ends,
 * RENDU (returned to the State, terminal) by a RETRAIT amendment — only when vacant.
 */
const ALLOWED: Readonly<Record<PostStatus, readonly PostStatus[]>> = {
  VACANT: ['OCCUPE', 'RENDU'],
  OCCUPE: ['VACANT'],
  RENDU: [],
};

export function canMovePost(from: PostStatus, to: PostStatus): boolean {
  return ALLOWED[from].includes(to);
}

export function assertPostMove(postId: string, from: PostStatus, to: PostStatus): void {
  if (!canMovePost(from, to)) {
    throw conflict('POST_TRANSITION_REFUSED', `post ${postId} cannot go from ${from} to ${to}`);
  }
}

/** Counts of a convention's posts by status; the conventioned posts are those not returned. */
export interface PostCounts {
  vacant: number;
  occupied: number;
  returned: number;
}

export function conventionedPosts(counts: PostCounts): number {
  return counts.vacant + counts.occupied;
}
