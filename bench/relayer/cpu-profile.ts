/**
 * BENCH_CPU_PROF of the relayer write benchmark (bench/relayer.ts): a V8 CPU profile of this
 * process (the relayer; its HTTP clients are in the client process) during a measured relayer run.
 */
import fs from "node:fs";
import path from "node:path";
import { SETTINGS } from "./settings";

/**
 * Starts a V8 CPU profile of this process, sampling every `intervalUs` microseconds; the returned
 * function stops it and gives the profile (the .cpuprofile JSON).
 */
export async function profileThisProcess(intervalUs: number): Promise<() => Promise<unknown>> {
  const inspector = await import("node:inspector");
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: intervalUs });
  await post("Profiler.start");
  return async () => {
    const { profile } = (await post("Profiler.stop")) as { profile: unknown };
    session.disconnect();
    return profile;
  };
}

/**
 * With BENCH_CPU_PROF=<dir>: a V8 CPU profile of this process (the relayer) during a measured
 * relayer run, written as <dir>/<name>.cpuprofile (open in Chrome DevTools).
 */
export async function startProfile(): Promise<((name: string) => Promise<string>) | null> {
  if (!SETTINGS.cpuProfDir) return null;
  const stop = await profileThisProcess(200);
  return async (name) => {
    const profile = await stop();
    fs.mkdirSync(SETTINGS.cpuProfDir, { recursive: true });
    const file = path.join(SETTINGS.cpuProfDir, `${name}.cpuprofile`);
    fs.writeFileSync(file, JSON.stringify(profile));
    return file;
  };
}
