/** Placeholder while the page is written (issue 15); replaced before this lands. */
import { html } from '../html.js';

export default function Page() {
  return html`<div class="page" id="accountability-page"></div>`;
}
