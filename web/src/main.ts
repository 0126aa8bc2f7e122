import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { orchestrator } from './lib/state/orchestrator.svelte.js';
import { services } from './lib/state/services.svelte.js';
import { workers } from './lib/state/workers.svelte.js';

// Live data is app-wide (the sidebar indicator needs it on every page), so it starts here,
// once, rather than in whichever page happens to be open.
workers.follow();
services.follow();
orchestrator.follow();

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from index.html');

export default mount(App, { target });
