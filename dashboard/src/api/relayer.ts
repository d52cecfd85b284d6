/** Where the relayer is: the dashboard is served by it, so by default the page's own origin. */
export const RELAYER_URL: string = (import.meta.env.VITE_RELAYER_URL ?? window.location.origin).replace(/\/+$/, "");
