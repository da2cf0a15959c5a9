import { render } from '@testing-library/react';
import { setApiForTests } from '../../src-renderer/app/api';
import { App } from '../../src-renderer/app/App';
import { createI18n } from '../../src-renderer/i18n';
import { useAppState } from '../../src-renderer/state/app';
import { useJobs } from '../../src-renderer/state/jobs';
import { createFakeApi } from './fake-api';

/** Renders the whole app on a hash route with a fake API and fresh stores. */
export function renderApp(route: string, fake: ReturnType<typeof createFakeApi>) {
  useAppState.setState({ settings: null, profiles: [], loaded: false, nativeDialogs: false });
  useJobs.setState({ jobs: {}, order: [], logs: {} });
  setApiForTests(fake.api);
  window.location.hash = route;
  return render(<App i18n={createI18n('en')} />);
}
