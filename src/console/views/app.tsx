/** The shell: header with navigation and the live indicator, and the page the hash names. */
import { useEffect, useState } from 'preact/hooks';
import { onLiveStatus } from '../api/live.js';
import { href } from './common.js';
import { ExecutionPage } from './execution.js';
import { DocumentPage, DocumentsPage, InstancesPage, StackPage, StacksPage } from './resources.js';
import { StateMachinePage, StateMachinesPage } from './state-machines.js';

type Route = { page: 'state-machines' | 'stacks' | 'documents' | 'instances'; id?: string } | { page: 'execution'; id: string };

export function parseRoute(hash: string): Route {
  const [section = '', ...rest] = hash.replace(/^#\/?/, '').split('/');
  let id: string | undefined;
  try {
    id = rest.length === 0 ? undefined : decodeURIComponent(rest.join('/'));
  } catch {
    id = undefined;
  }
  if (section === 'executions' && id !== undefined) return { page: 'execution', id };
  if (section === 'stacks' || section === 'documents' || section === 'instances') return id === undefined ? { page: section } : { page: section, id };
  return id === undefined ? { page: 'state-machines' } : { page: 'state-machines', id };
}

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const update = () => setHash(location.hash);
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return hash;
}

function LiveIndicator() {
  const [connected, setConnected] = useState(false);
  useEffect(() => onLiveStatus(setConnected), []);
  return (
    <span class={`live ${connected ? 'on' : 'off'}`} role="status" aria-live="polite">
      {connected ? '● live' : '○ not live'}
    </span>
  );
}

const NAV: readonly [Route['page'], string, string][] = [
  ['state-machines', 'State machines', href.stateMachines()],
  ['stacks', 'Stacks', href.stacks()],
  ['documents', 'Documents', href.documents()],
  ['instances', 'Instances', href.instances()],
];

export function App() {
  const route = parseRoute(useHash());
  const current = route.page === 'execution' ? 'state-machines' : route.page;
  useEffect(() => {
    // Moving between pages puts the keyboard focus at the top of the new page.
    document.getElementById('main')?.focus({ preventScroll: false });
  }, [route.page, route.id]);
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">shellstep console</span>
        <nav aria-label="Main">
          <ul>
            {NAV.map(([page, label, link]) => (
              <li key={page}>
                <a href={link} aria-current={current === page ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <LiveIndicator />
      </header>
      <main id="main" tabIndex={-1}>
        {route.page === 'execution' && <ExecutionPage arn={route.id} key={route.id} />}
        {route.page === 'state-machines' && (route.id === undefined ? <StateMachinesPage /> : <StateMachinePage arn={route.id} key={route.id} />)}
        {route.page === 'stacks' && (route.id === undefined ? <StacksPage /> : <StackPage name={route.id} key={route.id} />)}
        {route.page === 'documents' && (route.id === undefined ? <DocumentsPage /> : <DocumentPage name={route.id} key={route.id} />)}
        {route.page === 'instances' && <InstancesPage />}
      </main>
    </>
  );
}
