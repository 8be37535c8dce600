// @ts-check
/**
 * Forms generated from the API's own schemas: the OpenAPI document (/v1/openapi.json) is built
 * from the zod schemas that validate requests, so a field here is a field there. Problem details
 * from the API are shown beside the fields they name and listed above the buttons.
 */
import { useRef, useState } from 'preact/hooks';
import { html, label, english, zh } from './lib.js';

/**
 * A schema with its `$ref`s, `allOf` and nullable `anyOf` resolved.
 * @param {any} schema @param {any} root the component schema (for `#/$defs/...`) @param {any} doc the whole document
 * @returns {{ schema: any, nullable: boolean }}
 */
export function resolve(schema, root, doc) {
  let s = schema ?? {};
  let nullable = false;
  for (let i = 0; i < 10; i++) {
    if (s.$ref) {
      const ref = String(s.$ref);
      const base = ref.startsWith('#/components/') ? doc : root;
      s =
        ref
          .slice(2)
          .split('/')
          .reduce((/** @type {any} */ node, /** @type {string} */ key) => node?.[key], base) ?? {};
      continue;
    }
    const branches = s.anyOf ?? s.oneOf;
    if (Array.isArray(branches)) {
      const rest = branches.filter((b) => b.type !== 'null');
      if (rest.length < branches.length) nullable = true;
      s = { ...rest[0], description: s.description ?? rest[0]?.description };
      continue;
    }
    if (Array.isArray(s.allOf)) {
      s = s.allOf.reduce(
        (/** @type {any} */ acc, /** @type {any} */ part) => ({ ...acc, ...resolve(part, root, doc).schema }),
        {},
      );
      continue;
    }
    if (Array.isArray(s.type)) {
      if (s.type.includes('null')) nullable = true;
      s = { ...s, type: s.type.find((/** @type {string} */ t) => t !== 'null') };
      continue;
    }
    break;
  }
  return { schema: s, nullable };
}

/**
 * @param {any} value @param {string[]} path @param {unknown} next
 * @returns {any}
 */
function setAt(value, path, next) {
  if (path.length === 0) return next;
  const [head, ...rest] = path;
  const key = /** @type {string} */ (head);
  const container = Array.isArray(value) ? [...value] : { ...(value ?? {}) };
  const child = setAt(/** @type {any} */ (container)[key], rest, next);
  if (child === undefined && !Array.isArray(container)) delete (/** @type {any} */ (container)[key]);
  else /** @type {any} */ (container)[key] = child;
  return container;
}

/**
 * Drops empty optional objects so `{agent: {}}` is not sent as an agent without a name.
 * @param {any} v
 * @returns {any}
 */
export function prune(v, top = true) {
  if (Array.isArray(v)) return v.map((x) => prune(x, false));
  if (v && typeof v === 'object') {
    /** @type {Record<string, any>} */
    const out = Object.fromEntries(
      Object.entries(v)
        .map(([k, x]) => [k, prune(x, false)])
        .filter(([, x]) => x !== undefined),
    );
    return Object.keys(out).length === 0 && !top ? undefined : out;
  }
  return v;
}

/**
 * @typedef {{ path: string, message: string, code?: string }} FieldError
 * @typedef {{
 *   doc: any, root: any, errors: FieldError[], formId: string,
 *   overrides: Record<string, (p: { value: any, onChange: (v: any) => void, errors: FieldError[], top: any }) => any>,
 *   hidden: Set<string>, hints: Record<string, (value: any) => any>, top: any,
 *   set: (path: string[], value: any) => void,
 * }} Ctx
 */

/** @param {{ errors: FieldError[], id: string }} p */
function FieldErrors({ errors, id }) {
  if (!errors.length) return null;
  return html`<ul class="field-errors" id=${id}>
    ${errors.map((e) => html`<li class="error">${e.message}${e.code ? html` <code>${e.code}</code>` : ''}</li>`)}
  </ul>`;
}

/**
 * @typedef {{ ctx: Ctx, schema: any, path: string[], value: any, onChange: (v: any) => void, required: boolean,
 *   name: string }} FieldProps
 * @typedef {FieldProps & { s: any, nullable: boolean, id: string, errId: string, own: FieldError[], hint: any,
 *   text: string }} Resolved a field with its schema resolved and its ids, errors and hint
 */

/**
 * One field of a schema, recursively: a group for an object, a list for an array, else one control.
 * @param {FieldProps} p
 */
function Field(p) {
  const { ctx, schema, path, value, onChange, name } = p;
  const key = path.join('.');
  if (ctx.hidden.has(key)) return null;
  const override = ctx.overrides[key];
  if (override)
    return override({ value, onChange, errors: ctx.errors.filter((e) => e.path.startsWith(key)), top: ctx.top });
  const { schema: s, nullable } = resolve(schema, ctx.root, ctx.doc);
  if (s.const !== undefined) return null;
  const id = `${ctx.formId}-${key || 'body'}`.replace(/[^A-Za-z0-9_-]/g, '-');
  /** @type {Resolved} */
  const f = {
    ...p,
    s,
    nullable,
    id,
    errId: `${id}-errors`,
    own: ctx.errors.filter((e) => e.path === key),
    hint: ctx.hints[key]?.(ctx.top),
    text: label(name),
  };
  if (s.type === 'object' || s.properties) return objectField(f);
  if (s.type === 'array') return arrayField(f);
  return scalarField(f);
}

/** @param {Resolved} f */
function objectField({ ctx, s, path, value, required, own, errId, text, hint }) {
  const req = new Set(s.required ?? []);
  const body = Object.entries(s.properties ?? {}).map(
    ([prop, sub]) =>
      html`<${Field}
        key=${prop}
        ctx=${ctx}
        schema=${sub}
        path=${[...path, prop]}
        value=${value?.[prop]}
        required=${req.has(prop)}
        name=${prop}
        onChange=${(/** @type {any} */ v) => ctx.set([...path, prop], v)}
      />`,
  );
  if (path.length === 0) return html`${body}<${FieldErrors} errors=${own} id=${errId} />`;
  return html`<fieldset class="group" aria-invalid=${own.length ? 'true' : undefined}>
    <legend>${text}${required ? '' : html` <span class="optional">（选填 optional）</span>`}</legend>
    ${body}
    <${FieldErrors} errors=${own} id=${errId} />
    ${hint}
  </fieldset>`;
}

/** @param {Resolved} f */
function arrayField({ ctx, s, path, value, onChange, name, own, errId, text, hint }) {
  const items = Array.isArray(value) ? value : [];
  return html`<fieldset class="group array">
    <legend>${text}</legend>
    ${items.map(
      (item, i) =>
        html`<div class="array-item" key=${i}>
          <${Field}
            ctx=${ctx}
            schema=${s.items}
            path=${[...path, String(i)]}
            value=${item}
            required=${true}
            name=${`${name}`}
            onChange=${(/** @type {any} */ v) => ctx.set([...path, String(i)], v)}
          />
          <button type="button" class="secondary" onClick=${() => onChange(items.filter((_, j) => j !== i))}>
            删除第 ${i + 1} 项 Remove ${english(name).toLowerCase()} ${i + 1}
          </button>
        </div>`,
    )}
    <button type="button" class="secondary" onClick=${() => onChange([...items, emptyOf(s.items, ctx)])}>
      添加${zh(name) ?? ''} Add ${english(name).toLowerCase()}
    </button>
    <${FieldErrors} errors=${own} id=${errId} />
    ${hint}
  </fieldset>`;
}

/** A select, a checkbox, a text area or an input, by the schema's type. @param {Resolved} f */
function scalarField(f) {
  const { s, required, nullable, own, errId, id, text, hint } = f;
  const optional = !required || nullable;
  return html`<div class=${`field${own.length ? ' invalid' : ''}`}>
    <label for=${id}>${text}${optional ? html` <span class="optional">（选填 optional）</span>` : ''}</label>
    ${control(f, optional)} ${s.description ? html`<small>${s.description}</small>` : ''}
    <${FieldErrors} errors=${own} id=${errId} />
    ${hint}
  </div>`;
}

/** @param {Resolved} f @param {boolean} optional */
function control({ s, value, onChange, required, nullable, own, errId, id }, optional) {
  // What every control says of itself: its id, its errors, its value.
  const common = {
    id,
    'aria-describedby': own.length ? errId : undefined,
    'aria-invalid': own.length ? 'true' : undefined,
    value: value ?? '',
  };
  if (Array.isArray(s.enum))
    return html`<select
      ...${common}
      onChange=${(/** @type {any} */ e) => onChange(e.currentTarget.value === '' ? (nullable ? null : undefined) : e.currentTarget.value)}
    >
      ${optional || value === undefined ? html`<option value="">— 请选择 choose —</option>` : ''}
      ${s.enum.map((/** @type {string} */ o) => html`<option value=${o}>${label(String(o))}</option>`)}
    </select>`;
  if (s.type === 'boolean')
    return html`<input
      type="checkbox"
      id=${id}
      aria-describedby=${common['aria-describedby']}
      checked=${value ?? s.default ?? false}
      onChange=${(/** @type {any} */ e) => onChange(e.currentTarget.checked)}
    />`;
  const numeric = s.type === 'number' || s.type === 'integer';
  const onInput = (/** @type {any} */ e) => {
    const raw = e.currentTarget.value;
    if (raw === '') return onChange(nullable ? null : required ? '' : undefined);
    onChange(numeric ? Number(raw) : raw);
  };
  if (!numeric && (s.maxLength ?? 0) > 200) return html`<textarea ...${common} onInput=${onInput}></textarea>`;
  const type = numeric ? 'number' : s.format === 'date' ? 'date' : s.format === 'email' ? 'email' : 'text';
  return html`<input ...${common} type=${type} onInput=${onInput} />`;
}

/** A starting value for a new array item. @param {any} schema @param {Ctx} ctx */
function emptyOf(schema, ctx) {
  const { schema: s } = resolve(schema, ctx.root, ctx.doc);
  if (s.type === 'object' || s.properties) return {};
  return s.type === 'number' || s.type === 'integer' ? undefined : '';
}

/**
 * A form for one component schema of the OpenAPI document (`Action_<kind>_<action>`,
 * `Start_<kind>`). `submit` answers with the API's answer; its problem details land beside the fields.
 * @param {{
 *   doc: any, component: string, initial?: any, submitLabel: string, formId: string,
 *   submit: (value: any) => Promise<{ ok: boolean, body: any }>, errorPrefix?: string,
 *   overrides?: Ctx['overrides'], hidden?: string[], hints?: Ctx['hints'], onValue?: (v: any) => void,
 * }} p
 */
export function SchemaForm(p) {
  const root = p.doc?.components?.schemas?.[p.component];
  const [value, setValue] = useState(p.initial ?? {});
  const [problem, setProblem] = useState(/** @type {any} */ (null));
  const [busy, setBusy] = useState(false);
  // Changes apply to the latest value, so an upload that finishes late does not undo typing.
  const latest = useRef(value);
  if (!root) return html`<p class="error">表单不可用 No form for ${p.component}</p>`;
  const prefix = p.errorPrefix ?? '';
  const errors = (problem?.errors ?? []).map((/** @type {FieldError} */ e) => ({
    ...e,
    path: prefix && e.path.startsWith(prefix) ? e.path.slice(prefix.length) : e.path,
  }));
  /** @type {Ctx} */
  const ctx = {
    doc: p.doc,
    root,
    errors,
    formId: p.formId,
    overrides: p.overrides ?? {},
    hidden: new Set(p.hidden ?? []),
    hints: p.hints ?? {},
    top: value,
    set: (path, v) => change(setAt(latest.current, path, v)),
  };
  const change = (/** @type {any} */ v) => {
    latest.current = v;
    setValue(v);
    p.onValue?.(v);
  };
  const onSubmit = async (/** @type {Event} */ e) => {
    e.preventDefault();
    setBusy(true);
    const answer = await p.submit(prune(value) ?? {});
    setBusy(false);
    setProblem(answer.ok ? null : (answer.body ?? { title: 'Error' }));
  };
  return html`<form class="schema-form" onSubmit=${onSubmit} aria-label=${p.submitLabel} novalidate>
    <${Field} ctx=${ctx} schema=${root} path=${[]} value=${value} onChange=${change} required=${true} name="" />
    ${
      problem &&
      html`<div class="problem" role="alert">
        <strong>${problem.title ?? '错误 Error'}</strong>
        ${problem.status ? html`<span>(${problem.status})</span>` : ''}
        <p>${problem.detail}</p>
        ${
          errors.length > 0 &&
          html`<ul>
            ${errors.map((/** @type {FieldError} */ e) => html`<li><code>${e.path}</code>: ${e.message}</li>`)}
          </ul>`
        }
      </div>`
    }
    <button type="submit" disabled=${busy}>${p.submitLabel}</button>
  </form>`;
}
