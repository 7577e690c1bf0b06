// spec.mjs - the bilingual texts of the XState baseline, read once at
// startup from fsm-specs/ (catalogue.json, the three services' titles and
// keywords for the menu, marriage-registration.json with its blocks): the
// same texts the C engine renders. Block states are expanded as the C
// loader does ("groom_identity/name", variable "groom_name", "{label}"
// filled in), and texts that never change are built here, as the C loader
// builds them once (the service introduction, option lists).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fold } from './text.mjs';

const LANGS = ['hi', 'en'];
const readJson = (...p) => JSON.parse(readFileSync(join(...p), 'utf8'));
const fill = (tpl, vars) => tpl.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? vars[k] : m));
const mapLangs = (t, f) => Object.fromEntries(LANGS.map((l) => [l, f(t ? t[l] : undefined, l)]));

export function loadSpecs(dir) {
  const cat = readJson(dir, 'catalogue.json');
  const services = cat.menu.map((id) => readJson(dir, `${id}.json`));
  const svc = services.find((s) => s.id === 'marriage-registration');
  const blocks = {};
  for (const b of ['address', 'contact', 'identity', 'witness'])
    blocks[b] = readJson(dir, 'blocks', `${b}.json`);

  // Command words, folded, first kind wins (the catalogue's order).
  const commands = new Map();
  const commandFirst = new Set();
  for (const [cmd, words] of Object.entries(cat.commands))
    for (const w of words) {
      const f = fold(w);
      if (!commands.has(f)) commands.set(f, cmd);
      commandFirst.add(f[0]);
    }

  // Questions and texts by state name, blocks expanded.
  const states = {};
  const vars = []; // variables in the order the flow asks them
  const add = (name, st, extra) => {
    const q = { name, ...st, ...extra };
    if (q.options) {
      q.folded = q.options.map((o) => LANGS.map((l) => fold(o.title[l])));
      q.replyOptions = mapLangs(null, (_, l) => q.options.map((o) => ({ id: o.id, title: o.title[l] })));
    }
    if (q.save) {
      q.var = q.var || q.save;
      vars.push(q);
    }
    states[name] = q;
  };
  for (const [name, st] of Object.entries(svc.states)) {
    if (st.type !== 'use') {
      add(name, st, {});
      continue;
    }
    const b = blocks[st.block];
    for (const [bs, bst] of Object.entries(b.states)) {
      const sub = (t) => t && mapLangs(t, (s, l) => fill(s, { label: st.label[l] }));
      add(`${name}/${bs}`, bst, {
        var: `${st.as}_${bst.save}`,
        label: sub(bst.label), prompt: sub(bst.prompt), help: sub(bst.help),
      });
    }
  }
  for (const q of vars) q.labelFolded = LANGS.map((l) => fold(q.label[l]));

  const m = cat.messages;
  const intro = mapLangs(null, (_, l) => {
    const kv = { service: svc.title[l], summary: svc.summary[l], department: svc.department[l],
      fee: svc.fee.text[l], days: String(svc.time_limit_days) };
    let t = fill(m.service_intro[l], kv);
    if (!m.service_intro[l].includes('{summary}')) t += '\n' + svc.summary[l];
    if (svc.documents.length) {
      t += '\n\n' + fill(m.documents[l], kv);
      for (const d of svc.documents) t += '\n• ' + d[l];
    }
    return t + '\n\n' + fill(m.fee[l], kv) + '\n' + fill(m.time_limit[l], kv);
  });

  return {
    svc, states, vars, commands, commandFirst, messages: m, errors: cat.errors, intro,
    maxRetries: cat.defaults.max_retries,
    utcOffset: cat.defaults.utc_offset_minutes * 60,
    hindiWords: new Set(cat.hindi_words.map(fold)),
    menu: mapLangs(null, (_, l) => services.map((s) => ({ id: s.id, title: s.title[l] }))),
    serviceMatch: services.map((s) => ({
      id: s.id, titles: LANGS.map((l) => fold(s.title[l])), keywords: s.keywords.map(fold),
    })),
    yesnoOptions: mapLangs(null, (_, l) => [{ id: 'yes', title: m.yes[l] }, { id: 'no', title: m.no[l] }]),
    folded: {
      yes: LANGS.map((l) => fold(m.yes[l])), no: LANGS.map((l) => fold(m.no[l])),
      confirm: LANGS.map((l) => fold(m.summary_confirm[l])),
    },
    fill,
  };
}
