import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import { INestApplication } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsString, Length, Min, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import request from 'supertest';
import { Roles, signToken } from '@cnfs/auth';
import { testBrokers, testDatabaseUrl, uniqueName } from '@cnfs/testing';
import { DataSource } from 'typeorm';
import { createServiceApp, DATA_SOURCE, Idempotent, loadServiceConfig, PlatformModule, ServiceConfig } from './index';

class ContactDto {
  @ApiProperty() @IsString() @Length(2, 50) name: string;
}
class SampleDto {
  @ApiProperty() @IsInt() @Min(1) posts: number;
  @ApiProperty() @ValidateNested() @Type(() => ContactDto) contact: ContactDto;
}

let created = 0;

@Controller('samples')
class SampleController {
  @Post()
  @Roles('anct')
  create(@Body() body: SampleDto) {
    return { received: body.posts };
  }
  @Post('idempotent')
  @Roles('anct')
  @Idempotent()
  createOnce(@Body() body: SampleDto) {
    created += 1;
    return { serial: created, posts: body.posts };
  }
  @Get('boom')
  @Roles('anct')
  boom(): never {
    throw new Error('internal detail that must not leak');
  }
}

describe('service kit on the real stack', () => {
  let app: INestApplication;
  let config: ServiceConfig;
  let anct: string;
  let prefecture: string;

  beforeAll(async () => {
    config = loadServiceConfig('kit-test', { port: 0, schema: uniqueName('kit').replace(/-/g, '_') }, {
      DATABASE_URL: testDatabaseUrl(),
      KAFKA_BROKERS: testBrokers().join(','),
      JWT_SECRET: 'a-test-secret-that-is-long-enough-for-hs256',
    });
    @Module({ imports: [PlatformModule.forService({ config })], controllers: [SampleController] })
    class SampleModule {}
    app = await createServiceApp(SampleModule, config);
    await app.init();
    anct = await signToken({ subject: 'agent', role: 'anct' }, config.jwtSecret, '5m');
    prefecture = await signToken({ subject: 'pref-59', role: 'prefecture', departments: ['59'] }, config.jwtSecret, '5m');
  });

  afterAll(async () => {
    await app?.close();
  });

  it('reports database and Kafka up on /health', async () => {
    const response = await request(app.getHttpServer()).get('/health').expect(200);
    expect(response.body.checks.database.status).toBe('up');
    expect(response.body.checks.kafka.status).toBe('up');
    expect(response.body.outboxPending).toBe(0);
  });

  it('migrated its own schema with migrations, outbox and inbox included', async () => {
    const dataSource = app.get<DataSource>(DATA_SOURCE);
    const tables = await dataSource.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`, [config.schema]);
    expect(tables.map((t: { table_name: string }) => t.table_name)).toEqual(['idempotency_keys', 'inbox', 'migrations', 'outbox']);
  });

  it('answers 400 problem+json naming each invalid field, nested ones included', async () => {
    const response = await request(app.getHttpServer())
      .post('/api/v1/samples')
      .set('Authorization', `Bearer ${anct}`)
      .send({ posts: 0, contact: { name: 'x' }, unexpected: true })
      .expect(400);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    const fields = response.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['posts', 'contact.name', 'unexpected']));
    expect(response.body.status).toBe(400);
  });

  it('answers 400, not 500, to a malformed JSON body', async () => {
    const response = await request(app.getHttpServer())
      .post('/api/v1/samples')
      .set('Authorization', `Bearer ${anct}`)
      .set('Content-Type', 'application/json')
      .send('{"posts": ')
      .expect(400);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(response.body.errors).toEqual([{ field: '(body)', message: expect.stringMatching(/JSON/) }]);
  });

  it('answers 401 without a token and 403 with the wrong role', async () => {
    await request(app.getHttpServer()).post('/api/v1/samples').send({}).expect(401);
    const forbidden = await request(app.getHttpServer()).post('/api/v1/samples').set('Authorization', `Bearer ${prefecture}`).send({}).expect(403);
    expect(forbidden.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('hides internals of unexpected errors behind a 500 problem', async () => {
    const response = await request(app.getHttpServer()).get('/api/v1/samples/boom').set('Authorization', `Bearer ${anct}`).expect(500);
    expect(JSON.stringify(response.body)).not.toContain('internal detail');
  });

  it('serves its OpenAPI document and Prometheus metrics', async () => {
    const openapi = await request(app.getHttpServer()).get('/api/v1/docs/kit-test/openapi.json').expect(200);
    expect(Object.keys(openapi.body.paths)).toContain('/api/v1/samples');
    const metrics = await request(app.getHttpServer()).get('/metrics').expect(200);
    expect(metrics.text).toContain('http_request_duration_seconds');
  });

  it('replays the first answer for the same Idempotency-Key and body, 422 for another body', async () => {
    const post = (body: object, key: string) =>
      request(app.getHttpServer()).post('/api/v1/samples/idempotent').set('Authorization', `Bearer ${anct}`).set('Idempotency-Key', key).send(body);
    const first = await post({ posts: 2, contact: { name: 'Awa' } }, 'key-00000001').expect(201);
    const replay = await post({ contact: { name: 'Awa' }, posts: 2 }, 'key-00000001').expect(201);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const other = await post({ posts: 3, contact: { name: 'Awa' } }, 'key-00000001').expect(422);
    expect(other.body.errors[0].field).toBe('Idempotency-Key');
    const fresh = await post({ posts: 2, contact: { name: 'Awa' } }, 'key-00000002').expect(201);
    expect(fresh.body.serial).toBe(first.body.serial + 1);
    // A failed request frees its key: the corrected retry runs.
    await post({ posts: 0, contact: { name: 'Awa' } }, 'key-00000003').expect(400);
    await post({ posts: 1, contact: { name: 'Awa' } }, 'key-00000003').expect(201);
  });

  it('refuses to move a system clock, and lets only anct read it', async () => {
    const read = await request(app.getHttpServer()).get('/clock').set('Authorization', `Bearer ${anct}`).expect(200);
    expect(read.body.manual).toBe(false);
    await request(app.getHttpServer()).put('/clock').set('Authorization', `Bearer ${anct}`).send({ now: '2030-01-01T00:00:00Z' }).expect(409);
    await request(app.getHttpServer()).get('/clock').set('Authorization', `Bearer ${prefecture}`).expect(403);
  });

  it('echoes or creates a correlation id', async () => {
    const response = await request(app.getHttpServer()).get('/health').set('x-correlation-id', 'corr-42');
    expect(response.headers['x-correlation-id']).toBe('corr-42');
  });
});
