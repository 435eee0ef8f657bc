import { PRESETS, REGISTERED_BY_THE_PROGRAM } from '../policy/presets.ts';

/** `check --list-presets`: each preset, what it runs, what it plays, what it asks for. */
export function listPresets(): string {
  const lines: string[] = [];
  for (const preset of Object.values(PRESETS)) {
    const run = preset.run.map((arg) => (arg === '{program}' ? preset.program : arg));
    lines.push(
      `${preset.name}  ${preset.description}`,
      `    runs:      ${run.map((arg) => (/\s/.test(arg) ? JSON.stringify(arg) : arg)).join(' ')}`,
      `    dialect:   ${preset.dialect}${preset.hosts.length ? `; plays ${preset.hosts.join(', ')} through the egress proxy` : `; the lab's own issuer${preset.tls ? ' over TLS' : ''}`}`,
      `    client_id: ${preset.clientId === REGISTERED_BY_THE_PROGRAM ? 'registered by the program at sign-in (SSO OIDC RegisterClient)' : preset.clientId}`,
      `    asks for:  ${preset.requestedScopes.join(' ')} (allow them with --allow-scope)`,
      `    see:       ${preset.source}`,
      '',
    );
  }
  return `${lines.join('\n')}`;
}
