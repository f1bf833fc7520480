import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor, SetMetadata, UseInterceptors, applyDecorators } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { createHash } from 'node:crypto';
import { Observable, from, lastValueFrom } from 'rxjs';
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import type { AuthenticatedRequest } from '@cnfs/auth';
import { ProblemException } from './problem';
import { DATA_SOURCE } from './tokens';

export const IDEMPOTENCY_HEADER = 'idempotency-key';

export class IdempotencyKeys1764000000001 implements MigrationInterface {
  name = 'IdempotencyKeys1764000000001';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE idempotency_keys (
        caller text NOT NULL,
        key text NOT NULL,
        request_hash text NOT NULL,
        status int,
        response jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        PRIMARY KEY (caller, key)
      )`);
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE idempotency_keys`);
  }
}

/**
 * `Idempotency-Key` support for routes that create records or move money: the same key and
 * body replay the first answer; the same key with another body is a 422; a key whose first
 * request is still running is a 409. Keys are scoped to the caller (token subject), so one
 * user can't replay another's answer. A request that fails frees its key for a retry.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request & AuthenticatedRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    const key = request.headers[IDEMPOTENCY_HEADER];
    if (key === undefined) return next.handle();
    return from(this.handle(String(key), request, response, next));
  }

  private async handle(key: string, request: Request & AuthenticatedRequest, response: Response, next: CallHandler): Promise<unknown> {
    if (key.length < 8 || key.length > 200) {
      throw new ProblemException(400, 'Idempotency-Key must be 8 to 200 characters', {
        errors: [{ field: 'Idempotency-Key', message: 'must be 8 to 200 characters' }],
      });
    }
    const caller = request.principal ? `${request.principal.role}:${request.principal.subject}` : 'anonymous';
    const requestHash = createHash('sha256')
      .update(`${request.method} ${request.originalUrl}\n${canonicalJson(request.body ?? null)}`)
      .digest('hex');
    const claimed: unknown[] = await this.dataSource.query(
      `INSERT INTO idempotency_keys (caller, key, request_hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING key`,
      [caller, key, requestHash],
    );
    if (claimed.length === 0) {
      const [previous] = await this.dataSource.query(
        `SELECT request_hash, status, response FROM idempotency_keys WHERE caller = $1 AND key = $2`,
        [caller, key],
      );
      if (previous.request_hash !== requestHash) {
        throw new ProblemException(422, 'this Idempotency-Key was already used with another request', {
          errors: [{ field: 'Idempotency-Key', message: 'already used with a different body or route' }],
        });
      }
      if (previous.status === null) throw new ProblemException(409, 'a request with this Idempotency-Key is still being processed');
      response.status(previous.status);
      response.setHeader('idempotent-replayed', 'true');
      return previous.response;
    }
    try {
      const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
      await this.dataSource.query(
        `UPDATE idempotency_keys SET status = $3, response = $4::jsonb, completed_at = now() WHERE caller = $1 AND key = $2`,
        [caller, key, response.statusCode, JSON.stringify(body ?? null)],
      );
      return body;
    } catch (error) {
      await this.dataSource.query(`DELETE FROM idempotency_keys WHERE caller = $1 AND key = $2`, [caller, key]);
      throw error;
    }
  }
}

/** Marks a route as accepting `Idempotency-Key`. */
export const Idempotent = () =>
  applyDecorators(
    SetMetadata('cnfs:idempotent', true),
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({ name: 'Idempotency-Key', required: false, description: 'replays the first answer for the same key and body' }),
  );

/** JSON with sorted keys, so the same body in another key order hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
