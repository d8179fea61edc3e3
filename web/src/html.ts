/** JSX-like templates without a compiler step: htm tagged templates bound to Preact's `h`. */
export { html } from 'htm/preact';
