/**
 * DEVELOPMENT ONLY: installs the fake bridge as `window.sealdrop`, then starts the real renderer entry. Loaded by
 * dev/index.html, which is not a build input.
 */

import { API_GLOBAL } from '../../src/ipc/api';
import { createFakeBridge } from './fake-bridge';

Reflect.set(window, API_GLOBAL, createFakeBridge(new URLSearchParams(location.search)));
await import('../main');
