/**
 * Finalizing the isolated-vm handles a thread dropped, before the thread ends
 * (docs/lit-action-runtime.md, "A worker's last garbage collection").
 *
 * Every isolated-vm object a thread holds (an ivm.Isolate, Context, Reference, Callback,
 * ExternalCopy, Script) is a JavaScript wrapper whose native part is freed by a V8 weak callback
 * when the wrapper is collected. That callback asks isolated-vm for the thread's environment, and
 * aborts the whole process when there is none (`IsolateEnvironment::GetCurrent(): Assertion
 * 'environment != nullptr' failed`). When a worker thread ends, isolated-vm's environment-cleanup
 * hook removes that environment first; if V8 still has incremental marking under way then, node
 * finishes it while tearing the thread's heap down (IsolateData's destructor detaching the
 * C++ heap), and the wrappers that were garbage by then get their weak callbacks: the process
 * aborts. A long-lived sandbox worker has incremental marking under way much of the time.
 *
 * A full garbage collection while the thread still runs ends any marking under way and runs those
 * callbacks while isolated-vm's environment exists. V8's `queryObjects` does one (it collects all
 * available garbage before it counts) without `--expose-gc`, whose process-wide flag would also
 * give every new isolate, the actions' included, a global `gc`.
 *
 * Imports nothing outside this folder (a sandbox worker loads it; see worker-source.ts).
 */
import * as v8 from "v8";

/** A class no object is ever made of: queryObjects counts none, so only its collection costs. */
class NoInstances {}

/**
 * Collects all garbage of this thread's heap now, finishing any incremental marking under way, so
 * that every isolated-vm handle the thread no longer references is finalized while isolated-vm's
 * environment for the thread still exists. Call it last before a worker thread ends, after every
 * isolated-vm object has been disposed or released and every reference to one dropped. Returns
 * whether it collected (false on a Node without v8.queryObjects, before 20.13).
 */
export function finalizeDroppedHandles(): boolean {
  // queryObjects came with Node 20.13 (the package allows any Node 20): without it, no collection
  // here, and the thread ends as it did before (the abort stays possible there, as rare as it was).
  if (typeof (v8 as { queryObjects?: unknown }).queryObjects !== "function") return false;
  // Node calls queryObjects experimental and says so on stderr once per thread: a line per closed
  // worker in an operator's log, about an internal use. That one warning is dropped; any other passes.
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (String(warning).includes("queryObjects")) return;
    (emitWarning as (w: string | Error, ...r: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    v8.queryObjects(NoInstances, { format: "count" });
  } finally {
    process.emitWarning = emitWarning;
  }
  return true;
}
