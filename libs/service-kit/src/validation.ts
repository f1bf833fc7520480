import { ValidationError, ValidationPipe } from '@nestjs/common';
import { badRequest, FieldError } from './problem';

/** Flattens class-validator's tree into `a.b[0].c: reason` field errors. */
export function fieldErrorsOf(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? (/^\d+$/.test(error.property) ? `${parent}[${error.property}]` : `${parent}.${error.property}`) : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...fieldErrorsOf(error.children ?? [], field)];
  });
}

/** Whitelisting, typed transformation and problem+json 400s naming every field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validateCustomDecorators: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => badRequest('the request is invalid', fieldErrorsOf(errors)),
  });
}
