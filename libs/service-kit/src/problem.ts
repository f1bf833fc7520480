import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, LoggerService } from '@nestjs/common';
import type { Request, Response } from 'express';

/** One field-level reason: `field` is a dotted path in the request body or query. */
export interface FieldError {
  field: string;
  message: string;
}

/** RFC 9457 problem details, the body of every error answer. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict',
  413: 'Payload Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Content', 500: 'Internal Server Error',
  502: 'Bad Gateway', 503: 'Service Unavailable',
};

/** Throw this from controllers and application services for any expected refusal. */
export class ProblemException extends HttpException {
  constructor(status: number, detail: string, extra: { errors?: FieldError[]; type?: string; [key: string]: unknown } = {}) {
    const { type, ...rest } = extra;
    const body: ProblemDetails = {
      type: type ?? `https://cnfs.anct.gouv.fr/problems/${status}`,
      title: TITLES[status] ?? 'Error',
      status,
      detail,
      ...rest,
    };
    super(body, status);
  }
}

export const badRequest = (detail: string, errors: FieldError[]) => new ProblemException(400, detail, { errors });
export const notFound = (what: string) => new ProblemException(404, `${what} not found`);
export const conflict = (detail: string, extra: Record<string, unknown> = {}) => new ProblemException(409, detail, extra);
export const unprocessable = (detail: string, extra: { errors?: FieldError[]; [key: string]: unknown } = {}) =>
  new ProblemException(422, detail, extra);

/**
 * Every exception becomes application/problem+json. Unknown errors are 500s with no internals
 * leaked (logged with the correlation id); malformed JSON bodies are 400s, never 500s.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly logger: LoggerService) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const response = context.getResponse<Response>();
    const request = context.getRequest<Request>();
    const problem = this.toProblem(exception);
    problem.instance = request.originalUrl;
    if (problem.status >= 500) {
      this.logger.error({
        message: 'unhandled error',
        path: request.originalUrl,
        correlationId: request.headers['x-correlation-id'],
        error: exception instanceof Error ? exception.stack : String(exception),
      });
    }
    if (response.headersSent) return;
    response.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }

  private toProblem(exception: unknown): ProblemDetails {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      if (typeof body === 'object' && body !== null && 'type' in body && 'title' in body) return { ...(body as ProblemDetails) };
      const raw = typeof body === 'string' ? body : ((body as { message?: unknown }).message ?? exception.message);
      const detail = Array.isArray(raw) ? raw.join('; ') : String(raw);
      const problem: ProblemDetails = { type: `https://cnfs.anct.gouv.fr/problems/${status}`, title: TITLES[status] ?? 'Error', status, detail };
      // Nest turns body-parser's SyntaxError (malformed JSON) into a bare BadRequestException.
      if (status === 400) problem.errors = [{ field: '(body)', message: detail }];
      return problem;
    }
    // body-parser errors (malformed JSON, body too large) carry a status of their own.
    const status = (exception as { status?: number; statusCode?: number })?.status ?? (exception as { statusCode?: number })?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const detail = (exception as { type?: string }).type === 'entity.parse.failed' ? 'the request body is not valid JSON' : String((exception as Error).message);
      return { type: `https://cnfs.anct.gouv.fr/problems/${status}`, title: TITLES[status] ?? 'Error', status, detail, errors: [{ field: '(body)', message: detail }] };
    }
    return { type: 'https://cnfs.anct.gouv.fr/problems/500', title: TITLES[500], status: HttpStatus.INTERNAL_SERVER_ERROR, detail: 'an unexpected error occurred' };
  }
}
