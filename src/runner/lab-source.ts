import type { ScenarioRun } from '../evidence/model.ts';
import { type Lab, startLab } from '../lab/index.ts';
import { labOptionsFor } from './plan.ts';
import type { EvidenceSource, ScenarioSource } from './source.ts';

/**
 * The lab as the runner's evidence source: a fresh in-process lab per scenario, with the egress
 * proxy, the task's dialect, played hosts and TLS from `labOptionsFor`.
 */
export const labSource: EvidenceSource = {
  async start({ scenario, task, clientId, interval, ca, onExchange }) {
    const lab = await startLab({
      ...labOptionsFor(scenario, clientId, interval, { task, ca }),
      ...(onExchange && { onExchange }),
    });
    return fromLab(lab);
  },
};

/** A running lab seen through the `ScenarioSource` seam. */
export function fromLab(lab: Lab): ScenarioSource {
  return {
    issuer: lab.issuer,
    resource: lab.resource,
    clientId: lab.clientId,
    proxy: lab.proxy,
    interval: lab.settings.interval,
    tokenTtl: lab.settings.tokenTtl,
    now: () => lab.trace.now(),
    events: () => lab.trace.events,
    canaries: () => lab.canaries(),
    mark: (label, data) => lab.mark(label, data),
    describe: () => describeLab(lab),
    close: () => lab.close(),
  };
}

function describeLab(lab: Lab): ScenarioRun['lab'] {
  const { settings } = lab;
  return {
    issuer: lab.issuer,
    clientId: lab.clientId,
    interval: settings.interval,
    expiresIn: settings.expiresIn,
    tokenTtl: settings.tokenTtl,
    slowDownPolls: [...settings.slowDownPolls],
    faultPolls: Object.fromEntries(settings.faultPolls),
    ...(settings.afterApprovalFaults.size > 0 && {
      afterApprovalFaults: [...settings.afterApprovalFaults],
    }),
    autoDecision: settings.autoDecision,
    issueRefreshTokens: settings.issueRefreshTokens,
    allowRefresh: settings.allowRefresh,
    ...(settings.dialect !== 'generic' && { dialect: settings.dialect }),
    ...(settings.hosts.length > 0 && { hosts: settings.hosts }),
    ...(settings.tls && { tls: true }),
  };
}
