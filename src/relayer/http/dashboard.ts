/**
 * Serves the dashboard (a Vite build of dashboard/) at /dashboard/. The built assets are static
 * files; the page talks to /core/v1 on the same origin through the SDK.
 *
 * The directory is `options.dir`, else the DASHBOARD_DIR environment variable, else dashboard/dist
 * of the repository. When it has no index.html (not built), /dashboard/ answers 503 with a JSON
 * error saying how to build it. The routes are hidden from the OpenAPI document.
 */
import fs from "fs";
import path from "path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { sendError } from "./errors";

export const DASHBOARD_PREFIX = "/dashboard";

/** dashboard/dist of the repository (this file is src/relayer/http/dashboard.ts). */
export const DEFAULT_DASHBOARD_DIR = path.resolve(__dirname, "..", "..", "..", "dashboard", "dist");

export interface DashboardOptions {
  /** The built dashboard (default: DASHBOARD_DIR, else dashboard/dist). */
  dir?: string;
}

/** The directory the dashboard is served from, for these options and environment. */
export function dashboardDir(options: DashboardOptions = {}, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = (env.DASHBOARD_DIR ?? "").trim();
  return path.resolve(options.dir ?? (fromEnv === "" ? DEFAULT_DASHBOARD_DIR : fromEnv));
}

/**
 * The page's Content-Security-Policy: its own scripts and the relayer's API, plus Stripe.js and its
 * frames for card payments (billing provider "stripe"). No framing by other sites.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self' https://js.stripe.com",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https://*.stripe.com",
  "connect-src 'self' https://api.stripe.com",
  "frame-src https://js.stripe.com https://hooks.stripe.com",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** Registers GET /dashboard/* (static files, or the 503 "not built" answer). */
export async function registerDashboard(app: FastifyInstance, options: DashboardOptions = {}): Promise<void> {
  const dir = dashboardDir(options);
  const built = fs.existsSync(path.join(dir, "index.html"));
  await app.register(async (scope) => {
    scope.addHook("onSend", async (_request, reply, payload) => {
      reply.header("content-security-policy", DASHBOARD_CSP);
      reply.header("x-content-type-options", "nosniff");
      reply.header("x-frame-options", "DENY");
      reply.header("referrer-policy", "no-referrer");
      return payload;
    });
    if (!built) {
      const notBuilt = {
        schema: { hide: true },
        handler: async (request: FastifyRequest, reply: FastifyReply) =>
          sendError(reply, request, {
            status: 503,
            code: "DashboardNotBuilt",
            message: `the dashboard is not built (no index.html in ${dir}): run \`npm run build:dashboard\` and restart the relayer`,
            retryAfterSeconds: 30,
          }),
      };
      scope.get(DASHBOARD_PREFIX, notBuilt);
      scope.get(`${DASHBOARD_PREFIX}/*`, notBuilt);
      return;
    }
    await scope.register(fastifyStatic, {
      root: dir,
      prefix: DASHBOARD_PREFIX,
      redirect: true, // GET /dashboard -> 301 /dashboard/
      index: ["index.html"],
      decorateReply: false,
      schemaHide: true,
      wildcard: true,
      dotfiles: "ignore",
      // Vite names assets by content hash: cache them for good; always revalidate the page itself.
      setHeaders: (reply, filePath) => {
        const immutable = filePath.includes(`${path.sep}assets${path.sep}`);
        reply.header("cache-control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
      },
    });
  });
}
