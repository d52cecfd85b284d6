/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The relayer (default: the page's origin, which serves the dashboard). */
  readonly VITE_RELAYER_URL?: string;
}
