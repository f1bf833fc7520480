import { ValidateBy, ValidationOptions } from 'class-validator';
import {
  checkSiret,
  departmentProblem,
  grantedPostsProblem,
  isCalendarDate,
  isCoselecOpinion,
  isLegalStatus,
  isStructureType,
  multiLineTextProblem,
  singleLineTextProblem,
  typeLegalStatusMismatch,
} from '@cnfs/structures-domain';

/**
 * class-validator decorators that call the domain's rules, so a bad request is one 400 naming every
 * field at fault (the domain runs them again in the application service). Each stays silent when
 * the value has the wrong JSON type: @IsString/@IsInt report that once.
 */
function rule(name: string, problem: (value: unknown, object: Record<string, unknown>) => string | null, options?: ValidationOptions) {
  return ValidateBy(
    {
      name,
      validator: {
        validate: (value, args) => problem(value, (args?.object ?? {}) as Record<string, unknown>) === null,
        // The field is named by the problem's `field`; the message says what is wrong with it.
        defaultMessage: (args) => problem(args?.value, (args?.object ?? {}) as Record<string, unknown>) ?? 'is invalid',
      },
    },
    options,
  );
}

export const IsSiret = () =>
  rule('isSiret', (value) => {
    if (typeof value !== 'string') return null;
    const check = checkSiret(value);
    return check.valid ? null : check.reason;
  });

export const IsDepartmentCode = () => rule('isDepartmentCode', (value) => (typeof value === 'string' ? departmentProblem(value) : null));

/** On `type`: the type must agree with the body's `legalStatus` (checked when both are known values). */
export const AgreesWithLegalStatus = () =>
  rule('agreesWithLegalStatus', (value, object) =>
    isStructureType(value) && isLegalStatus(object.legalStatus) ? typeLegalStatusMismatch(value, object.legalStatus) : null,
  );

export const SingleLineText = () => rule('singleLineText', (value) => (typeof value === 'string' ? singleLineTextProblem(value) : null));

export const MultiLineText = () => rule('multiLineText', (value) => (typeof value === 'string' ? multiLineTextProblem(value) : null));

/** Not only blanks. */
export const NotBlank = () => rule('notBlank', (value) => (typeof value === 'string' && value.trim() === '' ? 'must not be blank' : null));

/** Trimmed length bounds, in UTF-16 code units like JavaScript, JSON and the event contracts. */
export const TrimmedLength = (min: number, max: number) =>
  rule('trimmedLength', (value) => {
    if (typeof value !== 'string') return null;
    const length = value.trim().length;
    return length < min || length > max ? `must be ${min} to ${max} characters once trimmed (got ${length})` : null;
  });

export const IsCalendarDate = () => rule('isCalendarDate', (value) => (isCalendarDate(value) ? null : 'must be a calendar date YYYY-MM-DD'));

/** On `grantedPosts`: a POSITIF decision grants 1..4000 posts, the others 0. */
export const PostsFollowOpinion = () =>
  rule('postsFollowOpinion', (value, object) =>
    typeof value === 'number' && Number.isInteger(value) && isCoselecOpinion(object.opinion) ? grantedPostsProblem(object.opinion, value) : null,
  );
