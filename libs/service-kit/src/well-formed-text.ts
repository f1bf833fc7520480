import { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { badRequest, FieldError } from './problem';

/** A UTF-16 surrogate without its pair: not text, and validators (e.g. e-mail) choke on it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function malformedFields(value: unknown, path: string, found: FieldError[]): void {
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) found.push({ field: path || '(body)', message: 'is not well-formed text (unpaired UTF-16 surrogate)' });
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => malformedFields(item, `${path}[${i}]`, found));
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (LONE_SURROGATE.test(key)) found.push({ field: path || '(body)', message: 'has a key that is not well-formed text' });
      malformedFields(item, path ? `${path}.${key}` : key, found);
    }
  }
}

/** Refuses (400, naming the field) request bodies and queries holding text that is not well-formed. */
export class WellFormedTextPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'body' && metadata.type !== 'query') return value;
    const found: FieldError[] = [];
    malformedFields(value, '', found);
    if (found.length) throw badRequest('the request holds text that is not well-formed', found);
    return value;
  }
}
