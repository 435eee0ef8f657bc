/**
 * The well-known places where device-flow secrets end up on a developer's machine: shell
 * histories (bash, zsh with or without its extended `: time:duration;command` format, fish),
 * log and crash-dump folders, and the log folders of CLIs that sign in with the device flow.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface Place {
  path: string;
  label: string;
}

export interface PlaceStatus extends Place {
  status: 'scanned' | 'absent';
}

export function hostPlaces(
  env: NodeJS.ProcessEnv = process.env,
  home: string = env.HOME ?? homedir(),
  platform: NodeJS.Platform = process.platform,
): Place[] {
  const xdgData = env.XDG_DATA_HOME || join(home, '.local', 'share');
  const xdgState = env.XDG_STATE_HOME || join(home, '.local', 'state');
  const xdgConfig = env.XDG_CONFIG_HOME || join(home, '.config');
  const places: Place[] = [
    { path: join(home, '.bash_history'), label: 'bash history' },
    { path: join(home, '.zsh_history'), label: 'zsh history' },
    { path: join(home, '.zhistory'), label: 'zsh history (alternative name)' },
    { path: join(xdgData, 'fish', 'fish_history'), label: 'fish history' },
    { path: join(home, '.python_history'), label: 'python history' },
    { path: join(home, '.node_repl_history'), label: 'node REPL history' },
    { path: join(home, '.npm', '_logs'), label: 'npm logs' },
    { path: join(home, '.azure', 'logs'), label: 'Azure CLI logs' },
    { path: join(home, '.azure', 'commands'), label: 'Azure CLI command logs' },
    { path: join(xdgConfig, 'gcloud', 'logs'), label: 'gcloud logs' },
    { path: join(home, '.aws', 'cli', 'cache'), label: 'AWS CLI cache' },
    { path: join(xdgState, 'gh'), label: 'GitHub CLI state' },
    { path: join(home, '.claude', 'logs'), label: 'Claude Code logs' },
    { path: join(xdgState), label: 'XDG state folder (application logs)' },
  ];
  if (env.HISTFILE) places.unshift({ path: env.HISTFILE, label: 'shell history ($HISTFILE)' });
  if (platform === 'darwin') {
    places.push(
      { path: join(home, 'Library', 'Logs'), label: 'macOS user logs' },
      { path: join(home, 'Library', 'Logs', 'DiagnosticReports'), label: 'macOS crash reports' },
    );
  } else if (platform === 'win32') {
    const local = env.LOCALAPPDATA || join(home, 'AppData', 'Local');
    places.push(
      { path: join(local, 'CrashDumps'), label: 'Windows crash dumps' },
      {
        path: join(
          env.APPDATA || join(home, 'AppData', 'Roaming'),
          'Microsoft',
          'Windows',
          'PowerShell',
          'PSReadLine',
        ),
        label: 'PowerShell history',
      },
    );
  } else {
    places.push(
      { path: '/var/crash', label: 'crash dumps (apport)' },
      { path: '/var/lib/systemd/coredump', label: 'core dumps (systemd)' },
    );
  }
  // A folder inside another one listed is scanned once (the walker dedupes), but listed twice.
  return places;
}
