/** Tagged templates for Preact (htm): JSX-like markup with no compile step beyond esbuild bundling. */
export { html } from "htm/preact";
