/**
 * Write tracing at the HTTP edge (core/write-trace.ts): with a sink given, every request gets a
 * WriteTrace at arrival (onRequest) that endpoint() hands down with its writes, and the sink gets
 * it once the response is sent (onResponse; the time since the last mark is the "answer" stage).
 * Without a sink nothing is installed.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { WriteTrace } from "../../core/write-trace";

/** Receives each traced request's stages once its response is sent. */
export type WriteTraceSink = (trace: WriteTrace, request: { method: string; url: string; statusCode: number }) => void;

const traces = new WeakMap<FastifyRequest, WriteTrace>();

/** The request's trace (tracing on), else undefined. */
export function traceOf(request: FastifyRequest): WriteTrace | undefined {
  return traces.get(request);
}

export function installWriteTracing(app: FastifyInstance, sink: WriteTraceSink): void {
  app.addHook("onRequest", async (request) => {
    traces.set(request, new WriteTrace());
  });
  app.addHook("onResponse", async (request, reply) => {
    const trace = traces.get(request);
    if (!trace) return;
    trace.mark("answer");
    sink(trace, { method: request.method, url: request.url, statusCode: reply.statusCode });
  });
}
