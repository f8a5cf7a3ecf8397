import { DateTime } from 'luxon';

/** "Mon 08:00 Europe/Berlin (07:00 UTC)": a moment as a person in that zone reads it, with UTC beside it. */
export function formatInZone(at: Date, zone: string): string {
  const local = DateTime.fromJSDate(at, { zone });
  const utc = DateTime.fromJSDate(at, { zone: 'utc' });
  const sameDay = local.toISODate() === utc.toISODate();
  const utcText = sameDay ? utc.toFormat('HH:mm') : utc.toFormat('ccc HH:mm');
  if (zone === 'UTC' || zone === 'utc') return `${utc.toFormat('ccc yyyy-MM-dd HH:mm')} UTC`;
  return `${local.toFormat('ccc yyyy-MM-dd HH:mm')} ${zone} (${utcText} UTC)`;
}
