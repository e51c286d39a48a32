// The "New export" form: generated from the report types' parameter schemas; POSTs the export and
// shows the API's validation messages next to the fields they are about.
import type { ReportResource, ReportType } from './types';
import { ApiError, type Api } from './api';
import { announce, byId, h, replaceChildren } from './dom';
import { setUpOptionFields } from './export-options';
import { collectParameters, fieldsFromSchema, type FieldSpec } from './form-fields';
import { fieldMessages } from './problems';

export interface ExportFormOptions {
  api: Api;
  types: readonly ReportType[];
  /** A report was created (202). */
  onCreated(report: ReportResource): void;
  /** The same export is already running (409): the report to show instead. */
  onDuplicate(reportId: string): void;
  /** Aborted when the user signs out: the form's listeners go with it. */
  signal: AbortSignal;
}

/** Where a field's message goes: the control it is about and the element showing it. */
interface ErrorSlot {
  control: HTMLElement;
  message: HTMLElement;
  /** The control's own description ids (hint), kept when the message comes and goes. */
  describedBy: string[];
}

function newKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join(
    '',
  );
}

function controlFor(spec: FieldSpec, id: string): HTMLInputElement | HTMLSelectElement {
  const common = { id, name: spec.name, 'aria-required': spec.required ? 'true' : null };
  switch (spec.kind) {
    case 'select':
      return h(
        'select',
        common,
        !spec.required && h('option', { value: '' }, 'Any'),
        ...(spec.options ?? []).map((option) =>
          h('option', { value: option, selected: option === spec.initial }, option),
        ),
      );
    case 'checkbox':
      return h('input', { ...common, type: 'checkbox', checked: spec.initial === 'true' });
    case 'date':
      // Text, not type=date: a date input shows the browser's locale (mm/dd/yyyy) where the API and
      // the hints speak YYYY-MM-DD.
      return h('input', {
        ...common,
        type: 'text',
        inputmode: 'numeric',
        autocomplete: 'off',
        placeholder: 'YYYY-MM-DD',
        pattern: '\\d{4}-\\d{2}-\\d{2}',
        maxlength: 10,
        value: spec.initial,
      });
    case 'integer':
    case 'number':
      return h('input', {
        ...common,
        type: 'number',
        inputmode: spec.kind === 'integer' ? 'numeric' : 'decimal',
        step: spec.kind === 'integer' ? 1 : 'any',
        min: spec.min,
        max: spec.max,
        value: spec.initial,
      });
    case 'text':
      return h('input', {
        ...common,
        type: 'text',
        autocomplete: 'off',
        minlength: spec.minLength,
        maxlength: spec.maxLength,
        value: spec.initial,
      });
  }
}

export function setUpExportForm(options: ExportFormOptions): void {
  const form = byId<HTMLFormElement>('export-form');
  const typeSelect = byId<HTMLSelectElement>('report-type');
  const typeHint = byId('report-type-hint');
  const fieldsBox = byId('parameter-fields');
  const formatSelect = byId<HTMLSelectElement>('format');
  const formError = byId('form-error');
  const submit = byId<HTMLButtonElement>('start-export');
  const slots = new Map<string, ErrorSlot>();
  /** Values typed so far, by parameter name, kept when the report type changes. */
  const remembered = new Map<string, string>();
  let specs: FieldSpec[] = [];
  let busy = false;
  /** The Idempotency-Key of a request that got no answer, reused when the same body is sent again. */
  let pending: { key: string; body: string } | undefined;

  slots.set('format', { control: formatSelect, message: byId('format-error'), describedBy: [] });
  const optionFields = setUpOptionFields();
  for (const [key, slot] of optionFields.slots) slots.set(key, slot);
  replaceChildren(typeSelect, ...options.types.map((type) => h('option', { value: type.name }, type.title)));

  const currentType = (): ReportType | undefined =>
    options.types.find((type) => type.name === typeSelect.value);

  const readValues = (): Record<string, string> => {
    const values: Record<string, string> = {};
    for (const spec of specs) {
      const control = slots.get(`parameters.${spec.name}`)?.control;
      if (control instanceof HTMLInputElement && control.type === 'checkbox')
        values[spec.name] = String(control.checked);
      else if (control instanceof HTMLInputElement || control instanceof HTMLSelectElement)
        values[spec.name] = control.value;
    }
    return values;
  };

  function renderType(): void {
    for (const [name, value] of Object.entries(readValues())) remembered.set(name, value);
    const type = currentType();
    for (const key of [...slots.keys()]) if (key.startsWith('parameters.')) slots.delete(key);
    specs = type ? fieldsFromSchema(type.parameters) : [];
    typeHint.textContent = type?.description ?? '';
    replaceChildren(
      fieldsBox,
      ...specs.map((spec) => {
        const id = `param-${spec.name}`;
        const initial = remembered.get(spec.name);
        const control = controlFor(initial === undefined ? spec : { ...spec, initial }, id);
        const hint = spec.description ? h('p', { class: 'hint', id: `${id}-hint` }, spec.description) : null;
        const message = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
        if (hint) control.setAttribute('aria-describedby', hint.id);
        slots.set(`parameters.${spec.name}`, { control, message, describedBy: hint ? [hint.id] : [] });
        const label = h(
          'label',
          { for: id },
          spec.label,
          !spec.required && spec.kind !== 'checkbox' && h('span', { class: 'optional' }, ' (optional)'),
        );
        return spec.kind === 'checkbox'
          ? h('div', { class: 'field checkbox' }, control, label, hint, message)
          : // The hint below the control: controls side by side line up whatever their hints' lengths.
            h('div', { class: 'field' }, label, control, hint, message);
      }),
    );
    replaceChildren(
      formatSelect,
      ...(type?.formats ?? []).map((f) => h('option', { value: f }, f.toUpperCase())),
    );
    optionFields.render(type, formatSelect.value);
    clearErrors();
  }

  function clearErrors(): void {
    for (const slot of slots.values()) {
      slot.message.hidden = true;
      slot.message.textContent = '';
      slot.control.removeAttribute('aria-invalid');
      if (slot.describedBy.length) slot.control.setAttribute('aria-describedby', slot.describedBy.join(' '));
      else slot.control.removeAttribute('aria-describedby');
    }
    formError.hidden = true;
    formError.textContent = '';
  }

  /** Shows messages by field key; returns how many fields got one (the first of them gets focus). */
  function showErrors(fields: Record<string, string[]>, general: string[]): number {
    let first: HTMLElement | undefined;
    let count = 0;
    for (const [key, slot] of slots) {
      const messages = fields[key];
      if (!messages?.length) continue;
      slot.message.textContent = messages.join(' ');
      slot.message.hidden = false;
      slot.control.setAttribute('aria-invalid', 'true');
      slot.control.setAttribute('aria-describedby', [...slot.describedBy, slot.message.id].join(' '));
      first ??= slot.control;
      count++;
    }
    if (general.length) {
      formError.textContent = general.join(' ');
      formError.hidden = false;
    }
    first?.focus();
    return count;
  }

  async function send(): Promise<void> {
    clearErrors();
    const type = currentType();
    if (!type) return;
    const { parameters, errors } = collectParameters(specs, readValues());
    if (Object.keys(errors).length > 0) {
      const count = showErrors(errors, []);
      announce(
        `The export was not started: ${count === 1 ? '1 field needs' : `${count} fields need`} attention.`,
      );
      return;
    }
    const body = { format: formatSelect.value, ...optionFields.read(type, formatSelect.value), parameters };
    const bodyText = JSON.stringify({ type: type.name, ...body });
    const key = pending?.body === bodyText ? pending.key : newKey();
    pending = { key, body: bodyText };
    try {
      const response = await options.api.post<ReportResource>(
        `/api/reports/${encodeURIComponent(type.name)}`,
        body,
        { 'Idempotency-Key': key },
      );
      pending = undefined;
      options.onCreated(response.body);
      announce(`Export started: ${type.title}.`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status !== 0) pending = undefined;
      if (error.status === 401) return; // the page signs out and says why
      if (error.status === 409 && typeof error.problem.existingReportId === 'string') {
        options.onDuplicate(error.problem.existingReportId);
        showErrors({}, ['The same export is already running; it is highlighted in the list below.']);
        return;
      }
      const keys = [...slots.keys()];
      const { fields, general } = fieldMessages(error.problem, keys);
      const count = showErrors(fields, general);
      announce(
        count > 0
          ? `The export was not started: ${count === 1 ? '1 field needs' : `${count} fields need`} attention.`
          : `The export was not started. ${general.join(' ')}`,
      );
    }
  }

  const { signal } = options;
  typeSelect.addEventListener('change', renderType, { signal });
  formatSelect.addEventListener('change', () => optionFields.render(currentType(), formatSelect.value), {
    signal,
  });
  form.addEventListener(
    'submit',
    (event) => {
      event.preventDefault();
      if (busy) return;
      busy = true;
      form.setAttribute('aria-busy', 'true');
      submit.setAttribute('aria-disabled', 'true');
      send()
        .catch((error: unknown) => showErrors({}, [error instanceof Error ? error.message : String(error)]))
        .finally(() => {
          busy = false;
          form.removeAttribute('aria-busy');
          submit.removeAttribute('aria-disabled');
        });
    },
    { signal },
  );
  renderType();
}
