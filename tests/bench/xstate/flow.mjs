// flow.mjs - the marriage-registration flow as an XState 5 machine: the
// baseline that tests/bench_engine.c is compared with. One state node per
// spec state (blocks are nested compound states that end in a final state),
// branches as eventless transitions, informs as entry actions. Each incoming
// message is one TEXT event { text, now }; what it means follows the C
// engine's precedence (docs/spec-format.md): an option's number, id or
// title, then a yes/no word, then a command word, then the typed answer,
// which is validated and normalised as lib/validate.c does. Replies (texts
// with options, in the citizen's language) are rendered by actions into an
// outbox the caller drains after each event; the snapshot holds only the
// language, the answers, a retry count and the submitted applications.
//
// Not ported, because the benchmark scripts never use them: "back",
// correcting an answer from the summary, idle/expiry handling, and
// starting the other two services from the menu. Their command words are
// still recognised, so every answer pays for the same lookups.
import { createHash } from 'node:crypto';
import { assign, setup } from 'xstate';
import { fold, fmtDate, hasDevanagari, parseIso, validate, yesNo, boundDay } from './text.mjs';

const HMA_RELIGIONS = ['hindu', 'sikh', 'jain', 'buddhist'];
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function createFlow(S) {
  const M = S.messages;
  /** Replies of the current event, drained by the caller. */
  const out = [];
  const say = (state, text, extra) => out.push({ state, text, ...extra });
  const today = (ev) => Math.floor((ev.now + S.utcOffset) / 86400);

  // ---- Reading a message (once per event; guards and actions share it) --
  let memoEvent = null;
  let memoName = null;
  let memo = null;

  const numberOf = (f, count) => {
    if (f.length === 0 || f.length > 3 || !/^[0-9]+$/.test(f)) return 0;
    const v = +f;
    return v >= 1 && v <= count ? v : 0;
  };
  const yesNoReply = (f) => {
    const k = numberOf(f, 2);
    if (k) return k === 1 ? 1 : 0;
    const yn = yesNo(f);
    if (yn >= 0 || f === '') return yn;
    return S.folded.yes.includes(f) ? 1 : S.folded.no.includes(f) ? 0 : -1;
  };
  // Plain answers first cross the command check only when their first
  // character could start a command word (digits cannot), as in C.
  const mayBeCommand = (text) => {
    const c = text.trimStart()[0];
    return c === undefined || c.charCodeAt(0) >= 0x80 || S.commandFirst.has(c.toLowerCase());
  };

  function read(ev, name, context) {
    const q = S.states[name];
    const yesno = q.type === 'ask' && q.input.type === 'yesno';
    const f = q.type !== 'ask' || yesno || mayBeCommand(ev.text) ? fold(ev.text) : null;
    if (q.type === 'choice' && f) {
      const k = numberOf(f, q.options.length);
      if (k) return { kind: 'answer', value: q.options[k - 1].id };
      for (let i = 0; i < q.options.length; i++)
        if (q.options[i].id === f || q.folded[i].includes(f))
          return { kind: 'answer', value: q.options[i].id };
    } else if (q.type === 'summary' && f) {
      if (numberOf(f, 1) === 1 || f === 'confirm' || yesNo(f) === 1 || S.folded.confirm.includes(f))
        return { kind: 'confirm' };
    } else if (yesno) {
      const yn = yesNoReply(f);
      if (yn >= 0) return { kind: 'answer', value: yn === 1 };
    }
    const cmd = f ? S.commands.get(f) : undefined;
    if (cmd) return { kind: 'cmd', cmd };
    if (q.type !== 'ask') return { kind: 'reject', why: 'choice' };
    const r = validate(q.input, ev.text, today(ev), ageRef(q, context, ev));
    return r.reject ? { kind: 'reject', why: r.reject } : { kind: 'answer', value: r.value };
  }
  function interpret(ev, name, context) {
    if (memoEvent !== ev || memoName !== name) {
      memo = read(ev, name, context);
      memoEvent = ev;
      memoName = name;
    }
    return memo;
  }
  const ageRef = (q, context, ev) => {
    const on = q.input.age_on && context.answers[q.input.age_on];
    return on ? parseIso(on) : today(ev);
  };

  // Outside a service: a service by number or title, a command, keywords.
  function readIdle(ev, context) {
    const f = fold(ev.text);
    let lang = context.lang;
    if (!lang) {
      const hindi = hasDevanagari(ev.text) ||
        f.split(/[^a-z0-9\u0080-\uffff]+/).some((w) => S.hindiWords.has(w));
      lang = hindi ? 'hi' : 'en';
    }
    let svc = numberOf(f, S.serviceMatch.length) - 1;
    if (svc < 0 && f) svc = S.serviceMatch.findIndex((s) => s.id === f || s.titles.includes(f));
    if (svc < 0) {
      const cmd = f ? S.commands.get(f) : undefined;
      if (cmd) return { lang: cmd === 'lang_hi' ? 'hi' : cmd === 'lang_en' ? 'en' : lang, cmd };
      svc = keywordService(f);
    }
    if (svc < 0) return { lang, kind: 'unknown' };
    return { lang, kind: S.serviceMatch[svc].id === S.svc.id ? 'start' : 'unknown' };
  }
  const isSep = (c) => c < 0x80 && !((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39));
  function keywordService(f) {
    let best = 0;
    let who = -1;
    let tie = false;
    S.serviceMatch.forEach((s, i) => {
      let score = 0;
      for (const kw of s.keywords) {
        for (let at = f.indexOf(kw); at >= 0; at = f.indexOf(kw, at + 1)) {
          if ((at === 0 || isSep(f.charCodeAt(at - 1))) &&
              (at + kw.length === f.length || isSep(f.charCodeAt(at + kw.length)))) {
            score += [...kw].length;
            break;
          }
        }
      }
      if (score > best) [best, who, tie] = [score, i, false];
      else if (score === best && score > 0) tie = true;
    });
    return tie ? -1 : who;
  }
  let idleEvent = null;
  let idleMemo = null;
  const interpretIdle = (ev, context) => {
    if (idleEvent !== ev) [idleEvent, idleMemo] = [ev, readIdle(ev, context)];
    return idleMemo;
  };

  // ---- Rendering --------------------------------------------------------
  const display = (q, v, l) => {
    if (q.options) return q.options.find((o) => o.id === v).title[l];
    switch (q.input.type) {
      case 'date': return fmtDate(parseIso(v));
      case 'yesno': return (v ? M.yes : M.no)[l];
      case 'aadhaar': return 'XXXX XXXX ' + v.slice(-4);
      default: return v;
    }
  };
  function renderQuestion(name, context) {
    const q = S.states[name];
    const l = context.lang;
    if (q.type === 'summary') {
      let t = M.summary_header[l];
      const options = [{ id: 'confirm', title: M.summary_confirm[l] }];
      for (const v of S.vars) {
        if (!(v.var in context.answers)) continue;
        t += '\n' + v.label[l] + ': ' + display(v, context.answers[v.var], l);
        options.push({ id: 'edit_' + v.var, title: v.label[l] });
      }
      if (q.prompt[l]) t += '\n\n' + q.prompt[l];
      say(name, t + '\n' + M.summary_edit[l], { options });
    } else if (q.type === 'choice') {
      say(name, q.prompt[l], { options: q.replyOptions[l] });
    } else if (q.input.type === 'yesno') {
      say(name, q.prompt[l], { options: S.yesnoOptions[l] });
    } else {
      say(name, q.prompt[l]);
    }
  }
  const renderMenu = (l) => say(null, M.menu[l], { options: S.menu[l] });
  function renderReject(name, why, context, ev) {
    const q = S.states[name];
    const input = q.input || {};
    const t = today(ev);
    const kv = { min: '', max: '', min_age: '', max_age: '', age_on: '' };
    if (input.type === 'date') {
      if (input.min !== undefined) kv.min = fmtDate(boundDay(input.min, t));
      if (input.max !== undefined) kv.max = fmtDate(boundDay(input.max, t));
    } else {
      kv.min = String(input.min || 0);
      kv.max = String(input.max || 0);
    }
    if (input.min_age !== undefined) kv.min_age = String(input.min_age);
    if (input.max_age !== undefined) kv.max_age = String(input.max_age);
    if (q.input) kv.age_on = fmtDate(ageRef(q, context, ev));
    say(name, S.fill(S.errors[why][context.lang], kv));
  }
  const HINT = { name: 'name_chars', date: 'date_format', aadhaar: 'aadhaar_format',
    mobile: 'mobile', pin: 'pin_not_delhi', yesno: 'yesno', text: 'too_long' };
  function renderHelp(name, context, ev) {
    const q = S.states[name];
    const l = context.lang;
    if (q.help && q.help[l]) say(name, q.help[l]);
    else if (q.type === 'choice') renderReject(name, 'choice', context, ev);
    else if (q.type === 'ask') renderReject(name, HINT[q.input.type], context, ev);
    else say(name, M.help_general[l]);
  }
  function renderStatus(name, context) {
    const l = context.lang;
    if (!context.apps.length) return say(name, M.status_none[l]);
    let t = M.status_header[l];
    for (const a of [...context.apps].reverse())
      t += '\n' + S.fill(M.status_line[l], { reference: a.ref, service: S.svc.title[l], date: fmtDate(parseIso(a.day)) });
    say(name, t);
  }
  function reference(context, ev) {
    const d = createHash('sha256')
      .update(JSON.stringify([S.svc.id, '', ev.now, context.answers]))
      .digest();
    let bits = d[0] * 2 ** 32 + d.readUInt32BE(1);
    let ref = '';
    for (let i = 0; i < 8; i++, bits = Math.floor(bits / 32)) ref = CROCKFORD[bits % 32] + ref;
    const year = new Date((today(ev)) * 86400000).getUTCFullYear();
    return `${S.svc.reference_prefix}-${year}-${ref}`;
  }

  // ---- The machine ------------------------------------------------------
  const is = (kind, extra) => ({ type: 'is', params: { kind, ...extra } });
  const commandTransitions = (name) => [
    { guard: is('cmd', { name, cmds: ['menu', 'cancel'], answered: true }), target: '#confirm_cancel' },
    { guard: is('cmd', { name, cmds: ['menu'] }), target: '#idle',
      actions: ['leave', { type: 'sayMsg', params: { msg: 'welcome' } }, 'menu'] },
    { guard: is('cmd', { name, cmds: ['cancel'] }), target: '#idle',
      actions: [{ type: 'sayMsg', params: { msg: 'cancelled' } }, 'leave', 'menu'] },
    { guard: is('cmd', { name, cmds: ['lang_hi', 'lang_en'] }),
      actions: ['switchLang', { type: 'sayMsg', params: { msg: 'lang_switched', name } }, { type: 'ask', params: { name } }] },
    { guard: is('cmd', { name, cmds: ['help'] }), actions: [{ type: 'help', params: { name } }, { type: 'ask', params: { name } }] },
    { guard: is('cmd', { name, cmds: ['status'] }), actions: [{ type: 'status', params: { name } }, { type: 'ask', params: { name } }] },
    { guard: is('cmd', { name, cmds: ['human'] }), actions: [{ type: 'sayMsg', params: { msg: 'human', name } }, { type: 'ask', params: { name } }] },
    { guard: is('cmd', { name }), // back: not ported (see the top of this file)
      actions: [{ type: 'sayMsg', params: { msg: 'not_understood', name } }, { type: 'ask', params: { name } }] },
  ];
  // A question: its routes after a valid answer, then commands, then a refusal.
  const question = (name, routes) => ({
    entry: { type: 'ask', params: { name } },
    on: {
      TEXT: [
        ...(typeof routes === 'string' ? [{ target: routes }] : routes).map((r) => ({
          guard: is('answer', { name, when: r.when }),
          target: r.target,
          actions: { type: 'save', params: { name } },
        })),
        ...commandTransitions(name),
        { actions: { type: 'refuse', params: { name } } },
      ],
    },
  });
  const inform = (name, target) => ({ entry: { type: 'say', params: { name } }, always: target });
  const when = (f) => ({ type: 'when', params: { f } });
  // A block (identity, contact, address, witness) used as `name`: its
  // questions in a compound state, done when the last one is answered.
  const block = (name, blockStates, next) => {
    const states = { done: { type: 'final' } };
    blockStates.forEach((bs, i) => {
      states[bs] = question(`${name}/${bs}`, blockStates[i + 1] || 'done');
    });
    return { initial: blockStates[0], states, onDone: next };
  };
  const identity = ['name', 'father_name'];
  const contact = ['aadhaar', 'mobile'];
  const address = ['house', 'locality', 'district', 'pin'];
  const witness = ['name', 'mobile'];
  const daysAgo = (a, v, t) => t - parseIso(v);

  const machine = setup({
    guards: {
      is: ({ context, event }, p) => {
        const r = interpret(event, p.name, context);
        if (r.kind !== p.kind) return false;
        if (p.cmds && !p.cmds.includes(r.cmd)) return false;
        if (p.answered && !Object.keys(context.answers).length) return false;
        return !p.when || p.when(context.answers, r.value, today(event));
      },
      idle: ({ context, event }, p) => {
        const r = interpretIdle(event, context);
        return p.cmds ? p.cmds.includes(r.cmd) : r.kind === p.kind;
      },
      when: ({ context }, p) => p.f(context.answers),
    },
    actions: {
      ask: ({ context }, p) => renderQuestion(p.name, context),
      say: ({ context }, p) => say(p.name, S.states[p.name].prompt[context.lang]),
      sayMsg: ({ context }, p) => say(p.name || null, M[p.msg][context.lang]),
      menu: ({ context }) => renderMenu(context.lang),
      intro: ({ context }) => say(null, S.intro[context.lang]),
      help: ({ context, event }, p) => renderHelp(p.name, context, event),
      status: ({ context }, p) => renderStatus(p.name, context),
      save: assign(({ context, event }, p) => ({
        answers: { ...context.answers, [S.states[p.name].var]: interpret(event, p.name, context).value },
        retries: 0,
      })),
      refuse: assign(({ context, event }, p) => {
        renderReject(p.name, interpret(event, p.name, context).why, context, event);
        let retries = context.retries + 1;
        if (retries >= S.maxRetries) {
          retries = 0;
          say(p.name, M.retry_limit[context.lang]);
          renderHelp(p.name, context, event);
        }
        renderQuestion(p.name, context);
        return { retries };
      }),
      switchLang: assign(({ context, event }) => ({
        lang: S.commands.get(fold(event.text)) === 'lang_hi' ? 'hi' : 'en',
      })),
      idleLang: assign(({ context, event }) => ({ lang: interpretIdle(event, context).lang })),
      leave: assign({ answers: {}, retries: 0 }),
      record: assign(({ context, event }) => ({
        apps: [...context.apps, { ref: reference(context, event), day: new Date(today(event) * 86400000).toISOString().slice(0, 10) }],
      })),
      submitted: ({ context }) => {
        const ref = context.apps[context.apps.length - 1].ref;
        const text = S.fill(S.states.submit.prompt[context.lang], { reference: ref });
        say('submit', text, { application: { id: ref, service: S.svc.id, answers: context.answers } });
      },
    },
  }).createMachine({
    id: 'samvad',
    context: { lang: null, answers: {}, retries: 0, apps: [] },
    initial: 'idle',
    states: {
      idle: {
        id: 'idle',
        on: {
          TEXT: [
            { guard: { type: 'idle', params: { kind: 'start' } }, target: 'marriage', actions: ['idleLang', 'intro'] },
            { guard: { type: 'idle', params: { cmds: ['lang_hi', 'lang_en'] } },
              actions: ['idleLang', { type: 'sayMsg', params: { msg: 'lang_switched' } }, 'menu'] },
            { guard: { type: 'idle', params: { cmds: ['help'] } }, actions: ['idleLang', { type: 'sayMsg', params: { msg: 'help_general' } }] },
            { guard: { type: 'idle', params: { cmds: ['status'] } }, actions: ['idleLang', { type: 'status', params: { name: 'idle' } }] },
            { guard: { type: 'idle', params: { cmds: ['human'] } }, actions: ['idleLang', { type: 'sayMsg', params: { msg: 'human' } }] },
            { guard: { type: 'idle', params: { cmds: ['back'] } }, actions: ['idleLang', { type: 'sayMsg', params: { msg: 'back_nothing' } }, 'menu'] },
            { guard: { type: 'idle', params: { cmds: ['menu', 'cancel'] } }, actions: ['idleLang', { type: 'sayMsg', params: { msg: 'welcome' } }, 'menu'] },
            { actions: ['idleLang', { type: 'sayMsg', params: { msg: 'not_understood' } }, 'menu'] },
          ],
        },
      },
      confirm_cancel: {
        id: 'confirm_cancel',
        entry: ({ context }) => say(null, M.cancel_confirm[context.lang], { options: S.yesnoOptions[context.lang] }),
        on: {
          TEXT: [
            { guard: ({ event }) => yesNoReply(fold(event.text)) === 1, target: 'idle',
              actions: [{ type: 'sayMsg', params: { msg: 'cancelled' } }, 'leave', 'menu'] },
            { guard: ({ event }) => yesNoReply(fold(event.text)) === 0, target: 'marriage.hist',
              actions: { type: 'sayMsg', params: { msg: 'cancel_kept' } } },
            { actions: ({ context }) => {
              say(null, S.errors.yesno[context.lang]);
              say(null, M.cancel_confirm[context.lang], { options: S.yesnoOptions[context.lang] });
            } },
          ],
        },
      },
      marriage: {
        id: 'marriage',
        initial: 'choose_act',
        states: {
          hist: { type: 'history', history: 'deep' },
          choose_act: question('choose_act', [
            { when: (a, v) => v === 'sma', target: 'choose_sma_type' },
            { target: 'ask_marriage_date' }]),
          choose_sma_type: question('choose_sma_type', [
            { when: (a, v) => v === 'notice', target: 'ask_residence' },
            { target: 'ask_marriage_date' }]),
          ask_residence: question('ask_residence', [
            { when: (a, v) => v === false, target: 'inform_residence_needed' },
            { target: 'ask_intended_date' }]),
          inform_residence_needed: inform('inform_residence_needed', 'end_not_eligible'),
          ask_intended_date: question('ask_intended_date', 'ask_groom_religion'),
          ask_marriage_date: question('ask_marriage_date', [
            { when: (a, v, t) => daysAgo(a, v, t) > 60, target: 'inform_late_fee' },
            { target: 'ask_marriage_place' }]),
          inform_late_fee: inform('inform_late_fee', 'ask_marriage_place'),
          ask_marriage_place: question('ask_marriage_place', 'ask_groom_religion'),
          ask_groom_religion: question('ask_groom_religion', [
            { when: (a, v) => a.act === 'hma' && !HMA_RELIGIONS.includes(v), target: 'inform_hma_religion' },
            { target: 'groom_identity' }]),
          groom_identity: block('groom_identity', identity, 'route_groom_dob'),
          route_groom_dob: {
            always: [{ guard: when((a) => a.sma_type === 'notice'), target: 'ask_groom_dob_notice' },
              { target: 'ask_groom_dob' }],
          },
          ask_groom_dob: question('ask_groom_dob', 'choose_groom_marital'),
          ask_groom_dob_notice: question('ask_groom_dob_notice', 'choose_groom_marital'),
          choose_groom_marital: question('choose_groom_marital', [
            { when: (a, v) => v === 'divorced', target: 'inform_groom_divorced' },
            { when: (a, v) => v === 'widowed', target: 'inform_groom_widowed' },
            { target: 'groom_contact' }]),
          inform_groom_divorced: inform('inform_groom_divorced', 'groom_contact'),
          inform_groom_widowed: inform('inform_groom_widowed', 'groom_contact'),
          groom_contact: block('groom_contact', contact, 'groom_address'),
          groom_address: block('groom_address', address, 'ask_bride_religion'),
          ask_bride_religion: question('ask_bride_religion', [
            { when: (a, v) => a.act === 'hma' && !HMA_RELIGIONS.includes(v), target: 'inform_hma_religion' },
            { target: 'bride_identity' }]),
          inform_hma_religion: inform('inform_hma_religion', 'end_not_eligible'),
          bride_identity: block('bride_identity', identity, 'route_bride_dob'),
          route_bride_dob: {
            always: [{ guard: when((a) => a.sma_type === 'notice'), target: 'ask_bride_dob_notice' },
              { target: 'ask_bride_dob' }],
          },
          ask_bride_dob: question('ask_bride_dob', 'choose_bride_marital'),
          ask_bride_dob_notice: question('ask_bride_dob_notice', 'choose_bride_marital'),
          choose_bride_marital: question('choose_bride_marital', [
            { when: (a, v) => v === 'divorced', target: 'inform_bride_divorced' },
            { when: (a, v) => v === 'widowed', target: 'inform_bride_widowed' },
            { target: 'bride_contact' }]),
          inform_bride_divorced: inform('inform_bride_divorced', 'bride_contact'),
          inform_bride_widowed: inform('inform_bride_widowed', 'bride_contact'),
          bride_contact: block('bride_contact', contact, 'bride_address'),
          bride_address: block('bride_address', address, 'inform_witnesses'),
          inform_witnesses: inform('inform_witnesses', 'witness1'),
          witness1: block('witness1', witness, 'witness2'),
          witness2: block('witness2', witness, 'route_witness3'),
          route_witness3: {
            always: [{ guard: when((a) => a.act === 'sma'), target: 'witness3' }, { target: 'summary' }],
          },
          witness3: block('witness3', witness, 'summary'),
          summary: {
            entry: { type: 'ask', params: { name: 'summary' } },
            on: {
              TEXT: [
                { guard: is('confirm', { name: 'summary' }), target: 'submit' },
                ...commandTransitions('summary'),
                { actions: { type: 'refuse', params: { name: 'summary' } } },
              ],
            },
          },
          submit: {
            entry: ['record', 'submitted'],
            always: [{ guard: when((a) => a.sma_type === 'notice'), target: 'end_notice' },
              { target: 'end_registered' }],
          },
          end_registered: { entry: { type: 'say', params: { name: 'end_registered' } }, always: { target: '#idle', actions: 'leave' } },
          end_notice: { entry: { type: 'say', params: { name: 'end_notice' } }, always: { target: '#idle', actions: 'leave' } },
          end_not_eligible: { entry: { type: 'say', params: { name: 'end_not_eligible' } }, always: { target: '#idle', actions: 'leave' } },
        },
      },
    },
  });
  return { machine, out };
}
