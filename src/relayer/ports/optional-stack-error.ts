/**
 * An Error whose stack trace is captured only when asked for. A refusal the relayer answers as a
 * 4xx (a ServiceError of a refusal kind, a contract's RevertError) is normal traffic: nothing reads
 * its stack (only 5xx answers are logged with their error), and capturing one cost ~10 us per
 * refused request (docs/relayer-latency.md, "Read path CPU").
 */
export class OptionalStackError extends Error {
  /**
   * @param message the error's message
   * @param captureStack false: built with no stack frames (`stack` is the header line alone);
   *   `Error.stackTraceLimit` is restored afterwards, also when building the error throws
   */
  constructor(message: string, captureStack: boolean) {
    const limit = Error.stackTraceLimit;
    if (!captureStack) Error.stackTraceLimit = 0;
    try {
      super(message);
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
}
