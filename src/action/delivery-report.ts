import { summary, warning } from '@actions/core';
import { parseDuration } from '../core/duration.js';
import { buildDeliveryReport } from '../report/delivery-read.js';
import { deliveryMarkdown } from '../report/delivery-markdown.js';
import { describeError } from './describe-error.js';
import type { Handler } from './finish.js';
import { makeStore, readAppRepository, scheduleWants, trustedConfigOf } from './setup.js';

/**
 * `schedule` with the `delivery-report` input (a window such as 90d): after the handler, the
 * delivery report in Markdown (mermaid charts) goes into the job summary. Cosmetic: trouble is a
 * warning, and the run ends as the handler said.
 */
export function withDeliveryReport(handler: Handler): Handler {
  return async (ctx, inputs, clients, clock, given) => {
    const window = inputs['delivery-report'].trim();
    if (window === '') return handler(ctx, inputs, clients, clock, given);
    // One read of this repository serves the handler and the report (the config once per run).
    const read = given ?? (await readAppRepository(clients(), ctx.repository, scheduleWants(inputs.config)));
    const end = await handler(ctx, inputs, clients, clock, read);
    const sinceMs = parseDuration(window);
    if (sinceMs === undefined || sinceMs <= 0) {
      warning(
        `rollgate: input delivery-report is "${window}"; expected a window such as 90d or 12w, or empty for none`,
      );
      return end;
    }
    try {
      const { config } = trustedConfigOf(read, ctx.repository, inputs.config, ctx.env);
      const report = await buildDeliveryReport(makeStore(config, ctx, clients()), { now: clock(), sinceMs });
      await summary.addRaw(deliveryMarkdown(report), true).write();
    } catch (err) {
      warning(`rollgate: the delivery report was not written (${describeError(err)}); the run carries on`);
    }
    return end;
  };
}
