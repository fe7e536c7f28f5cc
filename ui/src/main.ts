import './styles.css';

import { tauriBackend } from './api';
import { createApp } from './app';

const root = document.getElementById('app');
if (root === null) throw new Error('index.html has no #app element');
createApp(root, tauriBackend);
