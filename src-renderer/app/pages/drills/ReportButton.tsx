import { Button } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppErrorData } from '../../../../src-main/contract/errors';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { call } from '../../api';

/** Saves the drill's evidence page (HTML or PDF, no personal information) through the browser's download. */
export function ReportButton({ id, size = 'sm' }: { id: string; size?: 'xs' | 'sm' }) {
  const { t } = useTranslation();
  const [error, setError] = useState<AppErrorData | null>(null);
  const [busy, setBusy] = useState(false);
  const download = (href: string, name: string) => {
    const a = document.createElement('a');
    a.href = href;
    a.download = name;
    a.rel = 'noopener';
    document.body.appendChild(a);
    a.click();
    a.remove();
  };
  const save = async () => {
    setError(null);
    const res = await call('drills.report', { id });
    if (!res.ok) return setError(res.error);
    download(`data:text/html;charset=utf-8,${encodeURIComponent(res.value.html)}`, `${id}.html`);
  };
  const savePdf = async () => {
    setError(null);
    setBusy(true);
    const res = await call('drills.reportPdf', { id });
    setBusy(false);
    if (!res.ok) return setError(res.error);
    download(`data:application/pdf;base64,${res.value.pdfBase64}`, `${id}.pdf`);
  };
  return (
    <>
      <Button size={size} variant="default" onClick={() => void save()}>
        {t('drills.report')}
      </Button>
      <Button size={size} variant="default" disabled={busy} onClick={() => void savePdf()}>
        {t('drills.reportPdf')}
      </Button>
      {error && <ErrorAlert error={error} />}
    </>
  );
}
