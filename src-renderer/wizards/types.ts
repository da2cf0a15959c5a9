/**
 * Wizards are described as data (Beekeeper Studio style): an ordered list of steps, each a list of
 * fields with a label key, an input kind and a validator. WizardStepForm renders any step.
 */
export type FieldKind = 'text' | 'folder' | 'password' | 'number' | 'select' | 'checkbox';

export interface FieldSpec<F> {
  name: keyof F & string;
  /** i18n key of the label. */
  label: string;
  help?: string;
  kind: FieldKind;
  options?: readonly string[];
  /** i18n prefix for option labels (`${optionLabels}.${option}`); without it options show as-is. */
  optionLabels?: string;
  autoComplete?: string;
  /** Returns an i18n key describing the problem, or null when the value is fine. */
  validate?: (form: F) => string | null;
  /** Hidden fields are neither shown nor validated. */
  visible?: (form: F) => boolean;
}

export interface StepSpec<F> {
  id: string;
  /** i18n key of the step title. */
  title: string;
  fields: FieldSpec<F>[];
}

export type FieldErrors<F> = Partial<Record<keyof F & string, string>>;

export function validateStep<F>(step: StepSpec<F>, form: F): FieldErrors<F> {
  const errors: FieldErrors<F> = {};
  for (const field of step.fields) {
    if (field.visible && !field.visible(form)) continue;
    const problem = field.validate?.(form) ?? null;
    if (problem) errors[field.name] = problem;
  }
  return errors;
}
