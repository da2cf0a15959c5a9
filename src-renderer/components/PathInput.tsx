import { Button, TextInput, type TextInputProps } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppErrorData } from '../../src-main/contract/errors';
import { call } from '../app/api';
import { useAppState } from '../state/app';

/**
 * A file or folder path: typed, or chosen with the system's own dialog ("Browse…", desktop app
 * only — the web preview has no dialogs, so there it is a plain text field). The value is a path
 * either way, checked by the core when used.
 */
export function PathInput({ kind, extensions, value, onChange, dialogTitle, error, ...rest }: Omit<TextInputProps, 'onChange' | 'value' | 'error'> & {
  kind: 'folder' | 'open' | 'save';
  extensions?: string[];
  value: string;
  onChange(value: string): void;
  /** The dialog's title (default: the field's label). */
  dialogTitle?: string;
  error?: React.ReactNode;
}) {
  const { t } = useTranslation();
  const native = useAppState((s) => s.nativeDialogs);
  const [pickError, setPickError] = useState<AppErrorData | null>(null);
  const label = typeof rest.label === 'string' ? rest.label : undefined;
  const browse = async () => {
    const res = await call('app.pickPath', { kind, title: dialogTitle ?? label ?? t('pathInput.choose'), defaultPath: value.trim() || undefined, extensions });
    if (!res.ok) return setPickError(res.error);
    setPickError(null);
    if (res.value.path) onChange(res.value.path);
  };
  return (
    <TextInput
      {...rest}
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      error={error ?? pickError?.message}
      spellCheck={false}
      rightSectionWidth={native ? 96 : undefined}
      rightSection={
        native ? (
          <Button size="compact-sm" variant="light" onClick={() => void browse()} aria-label={label ? t('pathInput.browseFor', { label }) : t('pathInput.browse')}>
            {t('pathInput.browse')}
          </Button>
        ) : undefined
      }
    />
  );
}
