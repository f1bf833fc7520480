import { Controller, ExecutionContext, ForbiddenException, Get, HttpException, UnauthorizedException } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import {
  AuthGuard,
  type AuthenticatedRequest,
  CurrentPrincipal,
  type Principal,
  Public,
  Roles,
  signToken,
  principalFromContext,
} from './index';

const SECRET = 'guard-test-secret-that-is-long-enough-0123456789';
const NOW = new Date('2023-03-01T09:00:00Z');

@Controller('tranches')
@Roles('anct', 'prefecture')
class TranchesController {
  @Get()
  list() {}

  @Get('pay')
  @Roles('prefecture')
  pay() {}

  @Get('health')
  @Public()
  health() {}

  @Get('me')
  me(@CurrentPrincipal() _principal: Principal) {}
}

@Controller('open')
@Public()
class OpenController {
  @Get()
  index() {}
}

@Controller('any')
class AnyRoleController {
  @Get()
  index() {}
}

function contextFor(controller: new () => object, method: string, request: AuthenticatedRequest, type = 'http'): ExecutionContext {
  return {
    getType: () => type,
    getClass: () => controller,
    getHandler: () => (controller.prototype as Record<string, unknown>)[method],
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => ({}), getNext: () => undefined }),
  } as unknown as ExecutionContext;
}

const request = (authorization?: string | string[]): AuthenticatedRequest => ({ headers: authorization === undefined ? {} : { authorization } });
const bearer = async (principal: Principal, ttl: string | number = '1h') => `Bearer ${await signToken(principal, SECRET, ttl, { now: NOW })}`;

async function rejection(promise: Promise<unknown>): Promise<HttpException> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpException);
  return error as HttpException;
}

describe('AuthGuard', () => {
  const guard = new AuthGuard({ secret: SECRET, now: () => NOW });
  const prefecture: Principal = { subject: 'pref-59', role: 'prefecture', departments: ['59'] };

  it('lets public routes and controllers through without a token', async () => {
    await expect(guard.canActivate(contextFor(TranchesController, 'health', request()))).resolves.toBe(true);
    await expect(guard.canActivate(contextFor(OpenController, 'index', request()))).resolves.toBe(true);
  });

  it('authenticates a valid token and attaches the principal', async () => {
    const req = request(await bearer(prefecture));
    await expect(guard.canActivate(contextFor(TranchesController, 'pay', req))).resolves.toBe(true);
    expect(req.principal).toEqual(prefecture);
    expect(principalFromContext(contextFor(TranchesController, 'pay', req))).toEqual(prefecture);
  });

  it('accepts any authenticated role where no @Roles applies', async () => {
    const req = request(await bearer({ subject: 's', role: 'structure', structureId: 'S1' }));
    await expect(guard.canActivate(contextFor(AnyRoleController, 'index', req))).resolves.toBe(true);
  });

  it('answers 401 for a missing, malformed, expired or forged token', async () => {
    const missing = await rejection(guard.canActivate(contextFor(AnyRoleController, 'index', request())));
    expect(missing).toBeInstanceOf(UnauthorizedException);
    expect(missing.message).toMatch(/Missing Authorization header/);

    for (const header of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b', 'token-without-scheme', ['Bearer a', 'Bearer b']]) {
      const error = await rejection(guard.canActivate(contextFor(AnyRoleController, 'index', request(header))));
      expect(error.getStatus()).toBe(401);
      expect(error.message).toMatch(/Malformed Authorization header/);
    }

    const later = new AuthGuard({ secret: SECRET, now: () => new Date(NOW.getTime() + 2 * 3600_000) });
    const expiredError = await rejection(later.canActivate(contextFor(AnyRoleController, 'index', request(await bearer(prefecture)))));
    expect(expiredError.getStatus()).toBe(401);
    expect(expiredError.message).toBe('Invalid bearer token: Token has expired');

    const forged = `Bearer ${await signToken(prefecture, 'some-other-secret-that-is-long-enough-42424242', '1h', { now: NOW })}`;
    const forgedError = await rejection(guard.canActivate(contextFor(AnyRoleController, 'index', request(forged))));
    expect(forgedError.getStatus()).toBe(401);
    expect(forgedError.message).toMatch(/signature is invalid/);
  });

  it('answers 403 for a role the route does not allow, the handler overriding the controller', async () => {
    const anct = await bearer({ subject: 'a', role: 'anct' });
    await expect(guard.canActivate(contextFor(TranchesController, 'list', request(anct)))).resolves.toBe(true);
    const onPay = await rejection(guard.canActivate(contextFor(TranchesController, 'pay', request(anct))));
    expect(onPay).toBeInstanceOf(ForbiddenException);
    expect(onPay.message).toBe('Role "anct" may not call this route; allowed: prefecture');

    const bdt = await bearer({ subject: 'b', role: 'bdt' });
    const onList = await rejection(guard.canActivate(contextFor(TranchesController, 'list', request(bdt))));
    expect(onList.getStatus()).toBe(403);
    expect(onList.message).toMatch(/allowed: anct, prefecture/);
  });

  it('leaves non-HTTP contexts alone', async () => {
    await expect(guard.canActivate(contextFor(AnyRoleController, 'index', request(), 'rpc'))).resolves.toBe(true);
  });

  it('reads JWT_SECRET, else falls back to the development secret', () => {
    const saved = { ...process.env };
    try {
      delete process.env.JWT_SECRET;
      delete process.env.NODE_ENV;
      expect(() => new AuthGuard()).not.toThrow();
      process.env.NODE_ENV = 'production';
      expect(() => new AuthGuard()).toThrow(/JWT_SECRET is not set/);
      process.env.JWT_SECRET = SECRET;
      expect(() => new AuthGuard()).not.toThrow();
    } finally {
      process.env = saved;
    }
  });
});

describe('decorators', () => {
  it('@CurrentPrincipal() returns the principal and refuses a request without one', () => {
    const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, TranchesController, 'me') as Record<string, { factory: (data: unknown, ctx: ExecutionContext) => unknown }>;
    const { factory } = Object.values(args)[0];
    const principal: Principal = { subject: 'a', role: 'anct' };
    expect(factory(undefined, contextFor(TranchesController, 'me', { headers: {}, principal }))).toBe(principal);
    expect(() => factory(undefined, contextFor(TranchesController, 'me', request()))).toThrow(UnauthorizedException);
  });

  it('@Roles() refuses unknown or no roles', () => {
    expect(() => Roles('admin' as never)).toThrow(/unknown role "admin"/);
    expect(() => Roles()).toThrow(/at least one role/);
  });
});
