import { Alert, Button, Group, List, Paper, PasswordInput, Progress, Radio, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppErrorData } from '../../../src-main/contract/errors';
import type { EscrowCopyResult } from '../../../src-main/contract/keys-rotation';
import { call } from '../../app/api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { MIN_PASSPHRASE, passphraseStrength } from './passphrase';
import { PathInput } from '../../components/PathInput';

type Kind = 'file' | 'sheet' | 'split';
const STRENGTH_COLOR = { tooShort: 'red', weak: 'orange', fair: 'yellow', strong: 'green' } as const;
const STRENGTH_METER = { tooShort: 10, weak: 35, fair: 65, strong: 100 } as const;

/**
 * Escrow copies (the runbook's password manager, sealed envelope and trusted co-workers): an age
 * file under a passphrase, a printable key sheet, or k-of-n shares. Only paths and fingerprints
 * come back; passphrase fields are cleared as soon as they are sent.
 */
export function EscrowPanel({ profile, onDone }: { profile: string; onDone(): void }) {
  const { t } = useTranslation();
  const [kind, setKind] = useState<Kind>('file');
  const [path, setPath] = useState('');
  const [pass, setPass] = useState('');
  const [pass2, setPass2] = useState('');
  const [holders, setHolders] = useState('');
  const [threshold, setThreshold] = useState('2');
  const [textDir, setTextDir] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppErrorData | null>(null);
  const [result, setResult] = useState<EscrowCopyResult | null>(null);

  const holderList = holders.split(/[\n,]/).map((h) => h.trim()).filter(Boolean);
  const strength = passphraseStrength(pass);

  const validate = (): Record<string, string> => {
    const p: Record<string, string> = {};
    if (!path.trim()) p.path = t('keyEscrow.pathRequired');
    if (kind === 'file') {
      if (pass.length < MIN_PASSPHRASE) p.pass = t('keyEscrow.passTooShort', { min: MIN_PASSPHRASE });
      else if (pass !== pass2) p.pass2 = t('keyEscrow.passMismatch');
    }
    if (kind === 'split') {
      const k = Number(threshold);
      if (holderList.length < 2) p.holders = t('keyEscrow.holdersNeeded');
      else if (new Set(holderList).size !== holderList.length) p.holders = t('keyEscrow.holdersDistinct');
      if (!Number.isInteger(k) || k < 2 || k > Math.max(2, holderList.length)) p.threshold = t('keyEscrow.thresholdRange', { max: Math.max(2, holderList.length) });
    }
    return p;
  };

  const submit = async () => {
    const p = validate();
    setProblems(p);
    if (Object.keys(p).length) return;
    setBusy(true);
    setError(null);
    setResult(null);
    let res;
    if (kind === 'file') {
      const passphrase = pass;
      setPass('');
      setPass2('');
      res = await call('keys.escrow.file', { profile, path: path.trim(), passphrase });
    } else if (kind === 'sheet') {
      res = await call('keys.escrow.sheet', { profile, path: path.trim() });
    } else {
      res = await call('keys.escrow.split', { profile, path: path.trim(), threshold: Number(threshold), holders: holderList, textDir: textDir.trim() || null });
    }
    setBusy(false);
    if (res.ok) {
      setResult(res.value);
      onDone();
    } else setError(res.error);
  };

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="escrow-title">
      <Title order={2} size="h4" id="escrow-title" mb="xs">
        {t('keyEscrow.title')}
      </Title>
      <Text size="sm" mb="sm">{t('keyEscrow.intro')}</Text>
      <Radio.Group label={t('keyEscrow.kind')} value={kind} onChange={(v) => { setKind(v as Kind); setProblems({}); setResult(null); }} mb="md">
        <Stack gap={6} mt={6}>
          <Radio value="file" label={t('keyEscrow.fileOption')} />
          <Radio value="sheet" label={t('keyEscrow.sheetOption')} />
          <Radio value="split" label={t('keyEscrow.splitOption')} />
        </Stack>
      </Radio.Group>
      <form noValidate onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <Stack gap="sm">
          <PathInput
            kind="save"
            extensions={kind === 'file' ? ['age'] : ['pdf']}
            label={t(kind === 'file' ? 'keyEscrow.filePath' : 'keyEscrow.pdfPath')}
            description={t(kind === 'file' ? 'keyEscrow.filePathHelp' : 'keyEscrow.pdfPathHelp')}
            value={path}
            error={problems.path}
            autoComplete="off"
            onChange={setPath}
          />
          {kind === 'file' && (
            <>
              <PasswordInput label={t('keyEscrow.passphrase')} description={t('keyEscrow.passphraseHelp', { min: MIN_PASSPHRASE })} autoComplete="new-password" value={pass} error={problems.pass} onChange={(e) => setPass(e.currentTarget.value)} />
              {/* The meter is decoration; the words carry the meaning (and keep full text contrast). */}
              <Progress value={STRENGTH_METER[strength]} color={STRENGTH_COLOR[strength]} size="sm" aria-hidden="true" />
              <Text size="sm" data-testid="passphrase-strength" aria-live="polite">
                {t(`keyEscrow.strength.${strength}`)}
              </Text>
              <PasswordInput label={t('keyEscrow.passphraseAgain')} autoComplete="new-password" value={pass2} error={problems.pass2} onChange={(e) => setPass2(e.currentTarget.value)} />
            </>
          )}
          {kind === 'split' && (
            <>
              <TextInput label={t('keyEscrow.holders')} description={t('keyEscrow.holdersHelp')} value={holders} error={problems.holders} onChange={(e) => setHolders(e.currentTarget.value)} />
              <TextInput label={t('keyEscrow.threshold')} description={t('keyEscrow.thresholdHelp', { n: holderList.length || 'n' })} inputMode="numeric" value={threshold} error={problems.threshold} onChange={(e) => setThreshold(e.currentTarget.value)} />
              <PathInput kind="folder" label={t('keyEscrow.textDir')} description={t('keyEscrow.textDirHelp')} value={textDir} onChange={setTextDir} />
            </>
          )}
          <Group>
            <Button type="submit" loading={busy}>
              {t(`keyEscrow.make.${kind}`)}
            </Button>
          </Group>
        </Stack>
      </form>
      {error && <ErrorAlert error={error} />}
      {result && (
        <Alert color="green" variant="light" role="status" title={t('keyEscrow.done', { fingerprint: result.listFingerprint })} mt="md">
          <List size="sm">
            {result.files.map((f) => (
              <List.Item key={f}>
                <code>{f}</code>
              </List.Item>
            ))}
          </List>
          {result.holders.length > 0 && <Text size="sm" mt="xs">{t('keyEscrow.doneHolders', { holders: result.holders.join(', ') })}</Text>}
          <Text size="sm" mt="xs">{t(`keyEscrow.after.${result.kind}`)}</Text>
        </Alert>
      )}
    </Paper>
  );
}
