// One log line per request instead of Fastify's two ("incoming request" + "request completed"):
// each line costs a JSON serialisation and a write, and on small requests the pair cost more
// than routing.
// Successful health probes are not logged: every CLI call makes one.
import { ROUTES } from '@mirage-ts/protocol';
import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';

const HEALTH_PATH = ROUTES.health.path;

export class AccessLogController extends LogController {
  override incomingRequest(): void {
    // the completed line carries the method and URL
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (!error && reply.statusCode === 200 && request.url === HEALTH_PATH) return;
    const line = { method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100 };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request');
  }
}
