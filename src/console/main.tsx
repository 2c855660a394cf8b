/**
 * The shellstep console's entrance: a one-page app on hash routes (state machines, executions, stacks, documents,
 * instances), mounted into #app.
 */
import { render } from 'preact';
import { App } from './views/app.js';
import './styles.css';

render(<App />, document.getElementById('app')!);
