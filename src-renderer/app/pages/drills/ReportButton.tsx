import { Button } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppErrorData } from '../../../../src-main/contract/errors';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { call } from '../../api';

/** Saves the drill's evidence page (HTML, no personal information) through the browser's download. */
export function ReportButton({ id, size = 'sm' }: { id: string; size?: 'xs' | 'sm' }) {
  const { t } = useTranslation();
  const [error, setError] = useState<AppErrorData | null>(null);
  const save = async () => {
    setError(null);
    const res = await call('drills.report', { id });
    if (!res.ok) return setError(res.error);
    const a = document.createElement('a');
    a.href = `data:text/html;charset=utf-8,${encodeURIComponent(res.value.html)}`;
    a.download = `${id}.html`;
    a.rel = 'noopener';
    document.body.appendChild(a);
    a.click();
    a.remove();
  };
  return (
    <>
      <Button size={size} variant="default" onClick={() => void save()}>
        {t('drills.report')}
      </Button>
      {error && <ErrorAlert error={error} />}
    </>
  );
}
