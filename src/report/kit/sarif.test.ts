import { describe, expect, it } from 'vitest';
import { fileArtifact, fileUri, pascalCase, repositoryUri, SRCROOT, sarifRule } from './sarif.ts';

describe('SARIF kit', () => {
  it('names rules in PascalCase', () => {
    expect(pascalCase('poll-after-terminal')).toBe('PollAfterTerminal');
    expect(pascalCase('jwt')).toBe('Jwt');
  });

  it('takes a rule level and security-severity from its severity', () => {
    const rule = sarifRule({
      id: 'x-y',
      description: 'd',
      severity: 'critical',
      tags: ['security'],
    });
    expect(rule).toEqual({
      id: 'x-y',
      name: 'XY',
      shortDescription: { text: 'd' },
      defaultConfiguration: { level: 'error' },
      properties: { tags: ['security'], 'security-severity': '9.5' },
    });
    expect(sarifRule({ id: 'i', description: 'd', tags: [] }).defaultConfiguration.level).toBe(
      'warning',
    );
  });

  it('names files against %SRCROOT% inside the repository, by file URI outside it', () => {
    expect(fileArtifact('/repo/a b/c#.txt', '/repo')).toEqual({
      uri: 'a%20b/c%23.txt',
      uriBaseId: SRCROOT,
    });
    expect(fileArtifact('/elsewhere/c.txt', '/repo')).toEqual({ uri: 'file:///elsewhere/c.txt' });
    expect(repositoryUri('/repo', '/repo')).toBeUndefined();
    expect(repositoryUri('/repository/x', '/repo')).toBeUndefined();
    expect(fileUri('/repo', { folder: true })).toBe('file:///repo/');
  });
});
