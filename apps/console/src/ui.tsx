import type { ComponentChildren, TargetedSubmitEvent } from 'preact';

/** A form's submit handler (Enter in any field submits) that stays on the page. */
export const onSubmit = (action: () => void) => (e: TargetedSubmitEvent<HTMLFormElement>) => {
  e.preventDefault();
  action();
};

export interface FieldProps {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  placeholder?: string;
  type?: 'text' | 'password' | 'number' | 'url';
  autoComplete?: string;
  required?: boolean;
}

/** A labelled text input. */
export function Field({ id, label, value, onInput, placeholder, type = 'text', autoComplete = 'off', required }: FieldProps) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        // Preact types each input type apart; all of these take the same attributes here.
        type={type as 'text'}
        value={value}
        placeholder={placeholder}
        autoComplete={autoComplete}
        spellcheck={false}
        required={required}
        onInput={(e) => onInput(e.currentTarget.value)}
      />
    </div>
  );
}

/** A labelled checkbox. */
export function Check({ id, label, checked, onChange }: { id: string; label: string; checked: boolean; onChange: (checked: boolean) => void }) {
  return (
    <div class="check">
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.currentTarget.checked)} />
      <label for={id}>{label}</label>
    </div>
  );
}

/** An error, announced at once (role="alert"); empty renders nothing. */
export function Alert({ children, onDismiss }: { children: ComponentChildren; onDismiss?: () => void }) {
  if (!children) return null;
  return (
    <div role="alert" class="error">
      <span>{children}</span>
      {onDismiss && (
        <button type="button" class="small" onClick={onDismiss}>
          Dismiss
        </button>
      )}
    </div>
  );
}

/** A key → value list. */
export function KeyValues({ entries, label, empty }: { entries: [string, ComponentChildren][]; label?: string; empty?: string }) {
  if (entries.length === 0) return empty ? <p class="muted">{empty}</p> : null;
  return (
    <dl class="kv" aria-label={label}>
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
