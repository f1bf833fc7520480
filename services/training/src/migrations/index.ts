import { TrainingSchema1764100000000 } from './1764100000000-training-schema';
import { TrainingReferenceCnfs20211764100000001 } from './1764100000001-training-reference-cnfs-2021';

/** In order; the platform's own (outbox, inbox, idempotency keys) run before them. */
export const TRAINING_MIGRATIONS: Function[] = [TrainingSchema1764100000000, TrainingReferenceCnfs20211764100000001];
