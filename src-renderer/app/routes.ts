import { useEffect, useState } from 'react';

/** Pages are addressed by the URL hash (#/keys), so navigation uses real links and survives reloads. */
export const NAV_ROUTES = ['dashboard', 'backups', 'drills', 'pitr', 'keys', 'audit', 'exports', 'security', 'settings', 'jobs'] as const;
export type NavRoute = (typeof NAV_ROUTES)[number];
export type Route = NavRoute | 'add-profile';

export function parseRoute(hash: string): Route {
  const name = hash.replace(/^#\/?/, '');
  if (name === 'add-profile') return name;
  return (NAV_ROUTES as readonly string[]).includes(name) ? (name as NavRoute) : 'dashboard';
}

export function useRoute(): Route {
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
