// @ts-check
/** A table with its caption and column headers, the rows given as children. */
import { html } from '../lib.js';

/**
 * @param {{ className: string, caption: any, columns: any[], children?: any }} p
 */
export function Table({ className, caption, columns, children }) {
  return html`<table class=${className}>
    <caption>
      ${caption}
    </caption>
    <thead>
      <tr>
        ${columns.map((c) => html`<th scope="col">${c}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${children}
    </tbody>
  </table>`;
}

/** A column header that only a screen reader reads (a column of buttons or links). @param {string} text */
export function hiddenHeader(text) {
  return html`<span class="visually-hidden">${text}</span>`;
}
