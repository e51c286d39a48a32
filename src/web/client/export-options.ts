// The export options of the "New export" form: compression (for the formats the type can gzip), the
// columns (all checked by default; the request names them only when some are left out) and a time zone.

import type { ReportType } from './types';
import { byId, h, replaceChildren } from './dom';
import { optionValues, type OptionValues } from './option-values';

/** The option controls in the page, and the element each field's error message goes to. */
export interface OptionFields {
  /** By request field: the control a problem is shown on and its message element. */
  slots: [string, { control: HTMLElement; message: HTMLElement; describedBy: string[] }][];
  /** Lays the fields out for a type and format (call on either's change). */
  render(type: ReportType | undefined, format: string): void;
  read(type: ReportType, format: string): OptionValues;
}

export function setUpOptionFields(): OptionFields {
  const compression = byId<HTMLSelectElement>('compression');
  const compressionField = byId('compression-field');
  const columns = byId<HTMLFieldSetElement>('columns-field');
  const choices = byId('column-choices');
  const timeZone = byId<HTMLInputElement>('time-zone');
  const zones = byId('time-zones');
  // The browser's zone names, offered as suggestions; any IANA name may be typed.
  if (typeof Intl.supportedValuesOf === 'function') {
    replaceChildren(zones, ...Intl.supportedValuesOf('timeZone').map((zone) => h('option', { value: zone })));
  }
  let shownType: string | undefined;
  return {
    slots: [
      [
        'compression',
        { control: compression, message: byId('compression-error'), describedBy: ['compression-hint'] },
      ],
      ['columns', { control: columns, message: byId('columns-error'), describedBy: ['columns-hint'] }],
      ['timeZone', { control: timeZone, message: byId('time-zone-error'), describedBy: ['time-zone-hint'] }],
    ],
    render(type, format) {
      compressionField.hidden = !type?.compressions.gzip.includes(format);
      if (type?.name === shownType) return;
      shownType = type?.name;
      replaceChildren(
        choices,
        ...(type?.columns ?? []).map((column) => {
          const id = `column-${column.key}`;
          return h(
            'div',
            { class: 'field checkbox' },
            h('input', { type: 'checkbox', id, name: 'columns', value: column.key, checked: true }),
            h('label', { for: id }, column.header),
          );
        }),
      );
    },
    read(type, format) {
      const checked = [...choices.querySelectorAll<HTMLInputElement>('input[type=checkbox]')]
        .filter((box) => box.checked)
        .map((box) => box.value);
      return optionValues(type, format, {
        compression: compressionField.hidden ? '' : compression.value,
        checked,
        timeZone: timeZone.value,
      });
    },
  };
}
