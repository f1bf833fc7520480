export { createGateway, shutdownGateway, aggregateHealth, sendProblem, CORRELATION_HEADER } from './gateway';
export type { GatewayOptions, GatewayLog, HealthReport, UpstreamHealth } from './gateway';
export { ROUTES, resolveUpstreams, matchRoute, parseTarget, upstreamEnvVar } from './routes';
export type { RouteDefinition, Upstream } from './routes';
