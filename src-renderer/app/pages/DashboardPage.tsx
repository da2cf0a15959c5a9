import { Anchor, Badge, Button, Group, Loader, NativeSelect, Paper, Stack, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { HealthTile } from '../../../src-main/contract/channels';
import type { AppErrorData } from '../../../src-main/contract/errors';
import type { ProfileTest } from '../../../src-main/contract/profiles';
import { ConnectionResult } from '../../components/ConnectionResult';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { useActiveProfile, useAppState } from '../../state/app';
import { call } from '../api';
import type { NavRoute } from '../routes';

const STATUS_COLOR: Record<HealthTile['status'], string> = { ok: 'green', warn: 'yellow', fail: 'red', unknown: 'gray' };

/** Where each tile's next step is done: a tile that is not OK links straight to it. */
const NEXT_STEP: Record<HealthTile['id'], NavRoute> = {
  lastBackup: 'backups',
  lastDrill: 'drills',
  keyAge: 'keys',
  escrow: 'keys',
  auditLockdown: 'drills',
  suspicious: 'audit',
  recoveredCopies: 'pitr',
};

function Tile({ tile }: { tile: HealthTile }) {
  const { t } = useTranslation();
  return (
    <Paper withBorder p="md" component="li" className="tile" data-testid={`tile-${tile.id}`}>
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <Title order={3} size="h5">
          {t(`dashboard.tile.${tile.id}`)}
        </Title>
        <Badge color={STATUS_COLOR[tile.status]} variant="light">
          {t(`dashboard.status.${tile.status}`)}
        </Badge>
      </Group>
      {/* The core words nothing itself: it sends a key and values, so this reads in the user's language. */}
      <Text mt="xs">{t(tile.messageKey, { ...tile.values, defaultValue: t('health.unknownMessage') })}</Text>
      {tile.status !== 'ok' && tile.messageKey !== 'health.noProfile' && (
        <Anchor href={`#/${NEXT_STEP[tile.id]}`} size="sm" mt="xs" display="inline-block">
          {t(`dashboard.next.${tile.id}`)}
        </Anchor>
      )}
    </Paper>
  );
}

export function DashboardPage() {
  const { t } = useTranslation();
  const profiles = useAppState((s) => s.profiles);
  const loaded = useAppState((s) => s.loaded);
  const profile = useActiveProfile();
  const [tiles, setTiles] = useState<HealthTile[] | null>(null);
  const [error, setError] = useState<AppErrorData | null>(null);
  const [test, setTest] = useState<ProfileTest | null>(null);
  const [testing, setTesting] = useState(false);

  const load = useCallback(async () => {
    const res = await call('dashboard.health', { profile });
    if (res.ok) {
      setTiles(res.value);
      setError(null);
    } else setError(res.error);
  }, [profile]);

  useEffect(() => {
    if (!loaded) return;
    setTest(null);
    void load();
  }, [load, loaded]);

  const chooseProfile = async (name: string) => {
    const res = await call('settings.update', { activeProfile: name });
    if (res.ok) useAppState.getState().setSettings(res.value);
    else setError(res.error);
  };

  const runTest = async () => {
    if (!profile) return;
    setTesting(true);
    const res = await call('profiles.test', { profile });
    setTesting(false);
    if (res.ok) setTest(res.value);
    else setError(res.error);
  };

  return (
    <Stack gap="md">
      <PageTitle>{t('dashboard.title')}</PageTitle>
      <Paper withBorder p="md">
        {profiles.length === 0 ? (
          <Stack gap="sm" align="flex-start">
            <Text>{t('dashboard.noProfiles')}</Text>
            <Button component="a" href="#/add-profile">
              {t('dashboard.addProfile')}
            </Button>
          </Stack>
        ) : (
          <Group align="flex-end">
            <NativeSelect
              label={t('dashboard.profile')}
              data={profiles.map((p) => p.name)}
              value={profile ?? ''}
              onChange={(e) => void chooseProfile(e.currentTarget.value)}
            />
            <Button onClick={() => void runTest()} loading={testing}>
              {t('dashboard.testConnection')}
            </Button>
            <Button variant="default" component="a" href="#/add-profile">
              {t('dashboard.addProfile')}
            </Button>
          </Group>
        )}
        {test && (
          <Stack mt="md">
            <ConnectionResult result={test} />
          </Stack>
        )}
      </Paper>
      {error && <ErrorAlert error={error} />}
      <Title order={2} size="h4">
        {t('dashboard.healthTitle')}
      </Title>
      {!tiles && !error && <Loader size="sm" aria-label={t('app.loading')} />}
      {tiles && (
        <ul className="tiles">
          {tiles.map((tile) => (
            <Tile key={tile.id} tile={tile} />
          ))}
        </ul>
      )}
    </Stack>
  );
}
