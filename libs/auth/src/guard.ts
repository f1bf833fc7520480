import 'reflect-metadata';
import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  Logger,
  Optional,
  SetMetadata,
  UnauthorizedException,
  createParamDecorator,
} from '@nestjs/common';
import { isRole, type Principal, type Role } from './principal';
import { InvalidTokenError, resolveJwtSecret, verifyToken } from './token';

export const IS_PUBLIC_KEY = 'cnfs:auth:public';
export const ROLES_KEY = 'cnfs:auth:roles';
/** Injection token for {@link AuthOptions}; optional — without it the guard reads `JWT_SECRET`. */
export const AUTH_OPTIONS = 'CNFS_AUTH_OPTIONS';

export interface AuthOptions {
  /** HS256 secret; defaults to `JWT_SECRET`, else DEV_JWT_SECRET with a warning (never in production). */
  secret?: string;
  /** Clock (tests); defaults to the system time. */
  now?: () => Date;
}

/** A request once the guard has authenticated it. */
export interface AuthenticatedRequest {
  principal?: Principal;
  headers: Record<string, string | string[] | undefined>;
}

/** Route or controller open without a token (health, metrics, OpenAPI document). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);

/** Only these roles may call the route (a handler's list overrides its controller's). */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => {
  for (const role of roles) if (!isRole(role)) throw new Error(`@Roles(): unknown role ${JSON.stringify(role)}`);
  if (roles.length === 0) throw new Error('@Roles() needs at least one role');
  return SetMetadata(ROLES_KEY, Object.freeze([...roles]));
};

/** The principal the guard attached to the request; throws a 401 when there is none. */
export function principalFromContext(context: ExecutionContext): Principal {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new UnauthorizedException('This route requires an authenticated principal');
  return principal;
}

/** Parameter decorator: `handler(@CurrentPrincipal() principal: Principal)`. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext) => principalFromContext(context));

function metadata<T>(key: string, context: ExecutionContext): T | undefined {
  const onHandler = Reflect.getMetadata(key, context.getHandler()) as T | undefined;
  return onHandler !== undefined ? onHandler : (Reflect.getMetadata(key, context.getClass()) as T | undefined);
}

const BEARER = /^Bearer[ ]+([A-Za-z0-9\-_.~+/]+=*)[ ]*$/i;

function bearerToken(request: AuthenticatedRequest): string {
  const header = request.headers?.authorization;
  if (header === undefined || header === '') {
    throw new UnauthorizedException('Missing Authorization header: send "Authorization: Bearer <token>"');
  }
  const match = typeof header === 'string' ? BEARER.exec(header) : null;
  if (!match) throw new UnauthorizedException('Malformed Authorization header: expected "Bearer <token>"');
  return match[1];
}

/**
 * Authenticates every HTTP route unless it is {@link Public}: verifies the bearer token, attaches
 * the {@link Principal} to `request.principal`, then enforces {@link Roles}. 401 for a missing or
 * invalid token, 403 for a role the route does not allow. Territorial scope (which département,
 * structure or lot) is checked by the handlers with the scope helpers.
 *
 * Global use: `app.useGlobalGuards(new AuthGuard({ secret }))`, or provide it as `APP_GUARD`
 * (optionally with an `AUTH_OPTIONS` provider). Non-HTTP contexts are left alone.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger(AuthGuard.name);
  private readonly secret: string;
  private readonly now: () => Date;

  constructor(@Optional() @Inject(AUTH_OPTIONS) options?: AuthOptions) {
    this.secret = options?.secret ?? resolveJwtSecret(process.env, (message) => this.logger.warn(message));
    this.now = options?.now ?? (() => new Date());
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    if (metadata<boolean>(IS_PUBLIC_KEY, context) === true) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerToken(request);
    let principal: Principal;
    try {
      principal = await verifyToken(token, this.secret, { now: this.now() });
    } catch (error) {
      if (error instanceof InvalidTokenError) throw new UnauthorizedException(`Invalid bearer token: ${error.message}`);
      throw error;
    }
    request.principal = principal;

    const roles = metadata<readonly Role[]>(ROLES_KEY, context);
    if (roles && !roles.includes(principal.role)) {
      throw new ForbiddenException(`Role "${principal.role}" may not call this route; allowed: ${roles.join(', ')}`);
    }
    return true;
  }
}
