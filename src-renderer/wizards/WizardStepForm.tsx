import { Checkbox, NativeSelect, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { FieldErrors, FieldSpec, StepSpec } from './types';
import { PathInput } from '../components/PathInput';

interface Props<F> {
  step: StepSpec<F>;
  form: F;
  errors: FieldErrors<F>;
  onChange(name: keyof F & string, value: string | boolean): void;
}

/** Renders one wizard step from its descriptor; errors appear inline under their field. */
export function WizardStepForm<F>({ step, form, errors, onChange }: Props<F>) {
  const { t } = useTranslation();
  const values = form as Record<string, unknown>;
  return (
    <Stack gap="sm">
      {step.fields
        .filter((f) => !f.visible || f.visible(form))
        .map((field: FieldSpec<F>) => {
          const id = `${step.id}-${field.name}`;
          const common = {
            id,
            label: t(field.label),
            description: field.help ? t(field.help) : undefined,
            error: errors[field.name] ? t(errors[field.name] as string) : undefined,
          };
          const value = values[field.name];
          switch (field.kind) {
            case 'checkbox':
              return (
                <Checkbox key={id} id={id} label={common.label} checked={Boolean(value)} onChange={(e) => onChange(field.name, e.currentTarget.checked)} />
              );
            case 'select':
              return (
                <NativeSelect key={id} {...common} data={(field.options ?? []).map((o) => ({ value: o, label: field.optionLabels ? t(`${field.optionLabels}.${o}`) : o }))} value={String(value ?? '')} onChange={(e) => onChange(field.name, e.currentTarget.value)} />
              );
            case 'folder':
              return <PathInput key={id} {...common} kind="folder" autoComplete="off" value={String(value ?? '')} onChange={(v) => onChange(field.name, v)} />;
            case 'password':
              return (
                <PasswordInput key={id} {...common} autoComplete={field.autoComplete ?? 'new-password'} value={String(value ?? '')} onChange={(e) => onChange(field.name, e.currentTarget.value)} />
              );
            default:
              return (
                <TextInput
                  key={id}
                  {...common}
                  inputMode={field.kind === 'number' ? 'numeric' : undefined}
                  autoComplete={field.autoComplete ?? 'off'}
                  spellCheck={false}
                  value={String(value ?? '')}
                  onChange={(e) => onChange(field.name, e.currentTarget.value)}
                />
              );
          }
        })}
    </Stack>
  );
}
