import { Alert, Button, Checkbox, Group, Paper, PasswordInput, Radio, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppErrorData } from '../../../src-main/contract/errors';
import type { RecoverResult, RecoverSource } from '../../../src-main/contract/keys-rotation';
import { call } from '../../app/api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PathInput } from '../../components/PathInput';

type Kind = RecoverSource['kind'];

/**
 * Recovery from an escrow copy, checked by fingerprint and by decrypting real rows. "Test only"
 * is the periodic envelope check: the copy is opened and checked, the keychain is not touched,
 * and the custody record notes when the copy was last tested. Secret fields are cleared on send.
 */
export function RecoverPanel({ profile, onDone }: { profile: string; onDone(): void }) {
  const { t } = useTranslation();
  const [kind, setKind] = useState<Kind>('file');
  const [path, setPath] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [keyList, setKeyList] = useState('');
  const [shares, setShares] = useState('');
  const [testOnly, setTestOnly] = useState(true);
  const [checkDatabase, setCheckDatabase] = useState(true);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppErrorData | null>(null);
  const [result, setResult] = useState<RecoverResult | null>(null);

  const source = (): RecoverSource | null => {
    if (kind === 'file') return path.trim() && passphrase ? { kind, path: path.trim(), passphrase } : null;
    if (kind === 'sheet') return keyList.trim() ? { kind, keyList: keyList.trim() } : null;
    const lines = shares.split('\n').map((l) => l.trim()).filter(Boolean);
    return lines.length ? { kind, shares: lines } : null;
  };

  const submit = async () => {
    const s = source();
    if (!s) {
      setProblem(t(`keyRecover.missing.${kind}`));
      return;
    }
    setProblem(null);
    setBusy(true);
    setError(null);
    setResult(null);
    // Whatever the outcome, the secret never stays in a field.
    setPassphrase('');
    setKeyList('');
    setShares('');
    const res = await call('keys.recover', { profile, source: s, checkDatabase, testOnly });
    setBusy(false);
    if (res.ok) {
      setResult(res.value);
      onDone();
    } else setError(res.error);
  };

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="recover-title">
      <Title order={2} size="h4" id="recover-title" mb="xs">
        {t('keyRecover.title')}
      </Title>
      <Text size="sm" mb="sm">{t('keyRecover.intro')}</Text>
      <Radio.Group label={t('keyRecover.from')} value={kind} onChange={(v) => { setKind(v as Kind); setProblem(null); }} mb="md">
        <Stack gap={6} mt={6}>
          <Radio value="file" label={t('keyRecover.fileOption')} />
          <Radio value="sheet" label={t('keyRecover.sheetOption')} />
          <Radio value="shares" label={t('keyRecover.sharesOption')} />
        </Stack>
      </Radio.Group>
      <form noValidate onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <Stack gap="sm">
          {kind === 'file' && (
            <>
              <PathInput kind="open" extensions={['age']} label={t('keyRecover.filePath')} value={path} autoComplete="off" onChange={setPath} />
              <PasswordInput label={t('keyRecover.passphrase')} autoComplete="off" value={passphrase} onChange={(e) => setPassphrase(e.currentTarget.value)} />
            </>
          )}
          {kind === 'sheet' && (
            <TextInput type="password" label={t('keyRecover.sheetKey')} description={t('keyRecover.sheetKeyHelp')} autoComplete="off" spellCheck={false} value={keyList} onChange={(e) => setKeyList(e.currentTarget.value)} />
          )}
          {kind === 'shares' && (
            <Textarea label={t('keyRecover.shares')} description={t('keyRecover.sharesHelp')} autosize={false} rows={4} spellCheck={false} autoComplete="off" value={shares} onChange={(e) => setShares(e.currentTarget.value)} />
          )}
          <Checkbox label={t('keyRecover.testOnly')} description={t('keyRecover.testOnlyHelp')} checked={testOnly} onChange={(e) => setTestOnly(e.currentTarget.checked)} />
          <Checkbox label={t('keyRecover.checkDatabase')} checked={checkDatabase} onChange={(e) => setCheckDatabase(e.currentTarget.checked)} />
          {problem && <Text size="sm" c="red" role="alert">{problem}</Text>}
          <Group>
            <Button type="submit" loading={busy}>
              {testOnly ? t('keyRecover.test') : t('keyRecover.recover')}
            </Button>
          </Group>
        </Stack>
      </form>
      {error && <ErrorAlert error={error} />}
      {result && (
        <Alert color="green" variant="light" role="status" mt="md" title={result.imported ? t('keyRecover.recovered', { fingerprint: result.listFingerprint }) : t('keyRecover.tested', { fingerprint: result.listFingerprint })}>
          <Text size="sm">{result.matchedCustody ? t('keyRecover.matched') : t('keyRecover.noCustody')}</Text>
          {result.databaseCheck && <Text size="sm">{t('keyRecover.dbCheck', { decrypted: result.databaseCheck.decrypted, checked: result.databaseCheck.checked })}</Text>}
          <Text size="sm">{t('keyRecover.markedTested', { count: result.copiesMarkedTested })}</Text>
        </Alert>
      )}
    </Paper>
  );
}
