import { useEffect, useState } from 'react';
import type { AppErrorData } from '../../../../src-main/contract/errors';
import type { ParsedTarget } from '../../../../src-main/contract/pitr';
import { call } from '../../api';

/**
 * A typed moment read back by the core (pitr.parseTarget), debounced: the core, not the renderer,
 * decides the zone so ambiguous or abbreviated zones are refused the same way as in the CLI.
 */
export function useParsedTarget(input: string): { target: ParsedTarget | null; parseError: AppErrorData | null } {
  const [target, setTarget] = useState<ParsedTarget | null>(null);
  const [parseError, setParseError] = useState<AppErrorData | null>(null);
  useEffect(() => {
    if (!input.trim()) {
      setTarget(null);
      setParseError(null);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      void call('pitr.parseTarget', { input, zone: null }).then((res) => {
        if (!live) return;
        setTarget(res.ok ? res.value : null);
        setParseError(res.ok ? null : res.error);
      });
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [input]);
  return { target, parseError };
}
