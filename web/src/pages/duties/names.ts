/** How the duty and accountability pages name statuses, evidence kinds and who acted, in both languages. */
import { formatTime } from '../../format.js';
import { t } from '../../i18n.js';
import type { ReceptionMode } from './api.js';

export const DUTY_STATUS_NAMES: Record<'open' | 'met' | 'late' | 'missed', [string, string]> = {
  open: ['履行期内', 'open'],
  met: ['已履行', 'met'],
  late: ['逾期补正', 'late'],
  missed: ['未履行', 'missed'],
};
export const dutyStatusName = (s: keyof typeof DUTY_STATUS_NAMES) => t(...DUTY_STATUS_NAMES[s]);

/** The evidence kinds of the packs' duties (rules/pack.ts), as the office calls them. */
export const EVIDENCE_KINDS: Record<string, [string, string]> = {
  meeting: ['会议（纪要）', 'meeting (minutes)'],
  report: ['报告', 'report'],
  inspection: ['督查报告', 'inspection report'],
  letter: ['批阅来信、签署责任书', 'annotated letter or signed letter'],
  research: ['基层调研（天数）', 'grassroots research (days)'],
  notice: ['通报', 'notice'],
  reception: ['领导接访日', "leaders' reception day"],
};
/** A reception's form (Beijing 2017 art. 12; 2022 art. 18): at the post, by appointment, going down. */
export const RECEPTION_MODE_NAMES: Record<ReceptionMode, [string, string]> = {
  at_post: ['接访', 'at the reception post'],
  appointment: ['约访', 'by appointment'],
  going_down: ['下访', 'going down to the grassroots'],
};
export const receptionModeName = (mode: ReceptionMode) => t(...RECEPTION_MODE_NAMES[mode]);
export const evidenceKindName = (kind: string | null) => (kind && EVIDENCE_KINDS[kind] ? t(...EVIDENCE_KINDS[kind]) : (kind ?? '—'));

const PERIOD_NAMES: Record<string, [string, string]> = { quarter: ['每季度', 'quarterly'], 'half-year': ['每半年', 'half-yearly'], year: ['每年', 'yearly'], 'as-needed': ['根据需要', 'as needed'] };
export const periodKindName = (kind: string) => (PERIOD_NAMES[kind] ? t(...PERIOD_NAMES[kind]) : kind);

/** Who acted, as people read it: the recorded name and user name (the record keeps role, scope and id too). */
export function actorName(actor: string | null): string {
  if (!actor) return '—';
  const m = /^(.*?) \(([^;]*);/.exec(actor);
  return m ? `${m[1]} (${m[2]})` : actor;
}

/** A stored instant in China time, labelled; as stored when it does not parse. */
export const whenText = (at: string | null): string => (!at ? '—' : Number.isNaN(new Date(at).getTime()) ? at : formatTime(at));
