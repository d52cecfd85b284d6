/**
 * Stops the relayer when the process that started it is gone. The bin (bin/accountconfig-relayer.js)
 * starts the relayer in a child Node with an IPC channel; the operating system closes that channel
 * when the bin exits for any reason, SIGKILL included (systemd's KillMode=process, a container
 * runtime, `kill -9`), and the child sees `disconnect`. Without this the child would live on as an
 * orphan, holding its port and sending from the payers' nonces beside the relayer that replaces it
 * (docs/operator.md "Stopping the relayer").
 *
 * Costs nothing while running: no polling, one event listener. A relayer started without an IPC
 * channel (`npm run relayer`, a process manager running main.ts itself) is not affected.
 */

/**
 * Calls `stop` once when the parent closes the IPC channel (at once when it is already closed);
 * false when the process has no IPC channel.
 */
export function stopWhenParentGone(stop: () => void, proc: NodeJS.Process = process): boolean {
  if (typeof proc.send !== "function") return false;
  if (proc.connected) proc.once("disconnect", stop);
  else queueMicrotask(stop);
  return true;
}
