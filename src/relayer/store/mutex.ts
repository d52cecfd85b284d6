/** The FIFO async mutex of src/core (kept here so store code imports it beside the rest). */
export { Mutex } from "../../core/mutex";
