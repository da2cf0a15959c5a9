import { Button, Group, Stack, Text } from '@mantine/core';

/**
 * A yes/no question asked in place (role alertdialog), so nothing destructive is one stray click:
 * stopping a job, removing a schedule, removing a replication slot.
 */
export function InlineConfirm(p: { label: string; message: string; confirmLabel: string; keepLabel: string; onConfirm(): void; onKeep(): void; mt?: string }) {
  return (
    <Stack gap="xs" mt={p.mt} role="alertdialog" aria-label={p.label}>
      <Text size="sm">{p.message}</Text>
      <Group gap="xs">
        <Button size="xs" color="red" onClick={p.onConfirm}>
          {p.confirmLabel}
        </Button>
        <Button size="xs" variant="default" onClick={p.onKeep}>
          {p.keepLabel}
        </Button>
      </Group>
    </Stack>
  );
}
