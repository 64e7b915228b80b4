// Reflect sandbox web chat: act as a persona, talk to the bot, tap its buttons.
// Plain JavaScript against the sandbox control API; polls for new messages every 700 ms.
"use strict";

const POLL_MS = 700;
const CHAT_LIST_EVERY = 4; // refresh the chat list on every fourth poll
const PAGE_SIZE = 300;
const TEXT_MAX_PX = 140; // the message box grows to this height, then scrolls
const DEMO_GROUPS_KEY = "sandbox.demoGroups";
const ACTION_WORDS = {
  typing: "typing…",
  record_voice: "recording a voice message…",
  upload_voice: "sending a voice message…",
  upload_document: "sending a file…",
  upload_photo: "sending a photo…",
};
const RICH_TAGS = {
  B: "strong", STRONG: "strong", I: "em", EM: "em", U: "u", INS: "u", S: "s", STRIKE: "s",
  DEL: "s", CODE: "code", PRE: "pre", BLOCKQUOTE: "blockquote", A: "a", "TG-SPOILER": "span",
  SPAN: "span",
};

const state = {
  bot: { first_name: "Reflect", username: "", commands: [] },
  people: [],
  me: null,
  chats: [],
  chatId: null,
  version: -1,
  messages: [],
  action: null,
  polls: 0,
  recorder: null,
  stickToEnd: true,
  players: new Map(), // voice players by message and file, kept across redraws so playback carries on
};

const $ = (id) => document.getElementById(id);

// ---- talking to the sandbox ------------------------------------------------------------

async function api(path, options = {}) {
  const response = await fetch(path, { cache: "no-store", ...options });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || `The sandbox answered ${response.status}`);
  return body;
}

function postJson(path, body) {
  return api(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

// ---- small helpers -----------------------------------------------------------------------

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

function colourFor(id) {
  return `hsl(${(Math.abs(id) * 47) % 360} 52% 46%)`;
}

function initials(name) {
  return (name || "?").split(/\s+/).map((part) => part[0]).join("").slice(0, 2).toUpperCase();
}

function avatar(id, name, isBot) {
  const node = el("div", isBot ? "avatar bot-avatar" : "avatar", initials(name));
  if (!isBot) node.style.background = colourFor(id);
  node.setAttribute("aria-hidden", "true");
  return node;
}

function clock(seconds) {
  return new Date(seconds * 1000).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
}

function fileSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function duration(seconds) {
  const whole = Math.max(0, Math.round(seconds || 0));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

function person(id) {
  return state.people.find((p) => p.id === id);
}

function currentChat() {
  return state.chats.find((chat) => chat.id === state.chatId);
}

function isGroup() {
  return state.chatId !== null && state.chatId < 0;
}

// ---- toasts and alerts -------------------------------------------------------------------

let toastTimer = null;

// The toast sits in the chat column under the header, taking its own space, so it never
// covers a message; showing or hiding it keeps the newest message in view.
function toast(message, isError = false) {
  const node = $("toast");
  node.textContent = message;
  node.classList.toggle("error", isError);
  node.hidden = false;
  keepAtEnd();
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { node.hidden = true; keepAtEnd(); }, isError ? 5000 : 2600);
}

function showAlert(message) {
  $("alert-text").textContent = message;
  $("alert").hidden = false;
  $("alert-ok").focus();
}

function failed(error) {
  toast(error.message || String(error), true);
}

// ---- people ------------------------------------------------------------------------------

function renderPeople() {
  const list = $("people");
  list.replaceChildren();
  for (const p of state.people) {
    const button = el("button", "person");
    button.type = "button";
    button.setAttribute("role", "radio");
    button.setAttribute("aria-checked", String(p.id === state.me));
    const words = el("span");
    words.append(el("div", "name", p.first_name), el("div", "role", p.role || "person"));
    button.append(avatar(p.id, p.first_name, false), words);
    button.addEventListener("click", () => choosePerson(p.id));
    list.append(button);
  }
  const me = person(state.me);
  $("me-badge").textContent = me ? `You: ${me.first_name}` : "";
}

function choosePerson(id) {
  state.me = id;
  localStorage.setItem("sandbox.me", String(id));
  renderPeople();
  chooseChat(id);
  loadChats().catch(failed);
}

// ---- chats -------------------------------------------------------------------------------

async function loadChats() {
  if (state.me === null) return;
  const body = await api(`/api/chats?user_id=${state.me}`);
  state.chats = body.chats;
  if (!currentChat()) state.chatId = state.me;
  renderChats();
  renderHeader();
}

function renderChats() {
  const list = $("chats");
  list.replaceChildren();
  for (const chat of state.chats) {
    const item = el("li");
    const button = el("button", "chat-item");
    button.type = "button";
    if (chat.id === state.chatId) button.setAttribute("aria-current", "true");
    const group = chat.id < 0;
    const words = el("span");
    words.append(
      el("div", "label", group ? chat.title : `${state.bot.first_name} (bot)`),
      el("div", "sub", group ? `Group · ${chat.member_ids.length} people and the bot` : "Private chat"),
    );
    button.append(group ? avatar(chat.id, chat.title, false) : avatar(0, state.bot.first_name, true), words);
    button.addEventListener("click", () => chooseChat(chat.id));
    item.append(button);
    list.append(item);
  }
}

function chooseChat(id) {
  state.chatId = id;
  state.version = -1;
  state.messages = [];
  for (const player of state.players.values()) player.querySelector("audio").pause();
  state.players.clear();
  localStorage.setItem("sandbox.chat", String(id));
  $("app").classList.remove("drawer-open");
  $("command-menu").hidden = true;
  renderChats();
  renderHeader();
  renderMessages(true);
  poll().catch(() => {});
}

function renderHeader() {
  const chat = currentChat();
  const group = isGroup();
  const title = group && chat ? chat.title : state.bot.first_name;
  $("chat-title").textContent = title;
  const headAvatar = group ? avatar(state.chatId, title, false) : avatar(0, title, true);
  headAvatar.id = "chat-avatar";
  $("chat-avatar").replaceWith(headAvatar);
  const status = $("chat-status");
  const action = state.action && ACTION_WORDS[state.action.action];
  status.classList.toggle("typing", Boolean(action));
  if (action) status.textContent = `${state.bot.first_name} is ${action}`;
  else if (group && chat && !chat.bot_present) status.textContent = "The bot has left this group";
  else if (group && chat) status.textContent = `${chat.member_ids.length + 1} members`;
  else status.textContent = state.bot.username ? `bot · @${state.bot.username}` : "bot";
}

async function createDemoGroup() {
  const leadsFirst = [...state.people].sort((a, b) => rank(a) - rank(b));
  const chatId = -(100000 + Math.floor(Math.random() * 899999));
  await postJson("/api/groups", {
    chat_id: chatId,
    title: "Demo peer group",
    member_ids: leadsFirst.map((p) => p.id),
  });
  rememberDemoGroup(chatId);
  await loadChats();
  chooseChat(chatId);
  toast("Demo group created, with everyone and the bot");
}

function demoGroups() {
  try {
    return JSON.parse(localStorage.getItem(DEMO_GROUPS_KEY) || "[]");
  } catch (error) {
    return [];
  }
}

function rememberDemoGroup(chatId) {
  localStorage.setItem(DEMO_GROUPS_KEY, JSON.stringify([...demoGroups(), chatId].slice(-20)));
}

// A group the page made is not linked to a peer group, so the bot stays quiet there; say why.
function linkHint() {
  const coordinator = state.people.find((p) => /coordinator/i.test(p.role || ""));
  const who = coordinator ? `As ${coordinator.first_name} (the coordinator)` : "As a coordinator";
  const note = el("div", "system-note");
  note.setAttribute("role", "note");
  note.textContent = "The bot ignores group chats until a lead or coordinator links them. "
    + `${who}, send /start and then /newgroup NAME in the bot's private chat to get a code, `
    + "then send /link CODE here.";
  return note;
}

function rank(p) {
  return /lead/i.test(p.role || "") ? 0 : 1;
}

// ---- messages ----------------------------------------------------------------------------

async function poll() {
  if (state.chatId === null) return;
  const chatId = state.chatId;
  const body = await api(`/api/chats/${chatId}/messages?limit=${PAGE_SIZE}`);
  if (chatId !== state.chatId) return;
  const actionChanged = JSON.stringify(body.action) !== JSON.stringify(state.action);
  state.action = body.action;
  if (actionChanged) renderHeader();
  if (body.version !== state.version) {
    state.version = body.version;
    state.messages = body.messages;
    renderMessages(false);
  }
}

function keepAtEnd() {
  const box = $("messages");
  if (state.stickToEnd) box.scrollTop = box.scrollHeight;
}

function jumpToEnd() {
  state.stickToEnd = true;
  keepAtEnd();
}

function renderMessages(jumpToEnd) {
  const box = $("messages");
  const nearEnd = box.scrollHeight - box.scrollTop - box.clientHeight < 120;
  box.replaceChildren();
  if (isGroup() && demoGroups().includes(state.chatId)) box.append(linkHint());
  if (state.messages.length === 0) {
    box.append(emptyNote());
  }
  for (const message of state.messages) box.append(messageRow(message));
  renderQuickReplies();
  state.stickToEnd = jumpToEnd || nearEnd;
  keepAtEnd();
}

function emptyNote() {
  const note = el("div", "empty");
  const intro = isGroup()
    ? "In groups the bot only sees commands and replies to its own messages, as on Telegram."
    : "Send /start to begin, or pick a command from the / menu.";
  note.append(el("p", null, "Nothing here yet."), el("p", null, intro));
  note.firstChild.style.fontWeight = "600";
  return note;
}

function messageRow(message) {
  const sender = message.from;
  const mine = sender.id === state.me;
  const row = el("div", `row ${sender.is_bot ? "bot" : mine ? "mine" : "other"}`);
  row.dataset.messageId = message.message_id;
  const stack = el("div", "stack");
  stack.append(bubble(message, mine));
  if (message.buttons && message.buttons.length) stack.append(inlineButtons(message));
  if (!mine) row.append(avatar(sender.id, sender.first_name, sender.is_bot));
  row.append(stack);
  return row;
}

function bubble(message, mine) {
  const node = el("div", "bubble");
  if (!mine && (isGroup() || !message.from.is_bot)) node.append(el("div", "sender", message.from.first_name));
  const quoted = message.reply_to_message_id && state.messages.find((m) => m.message_id === message.reply_to_message_id);
  if (quoted) node.append(el("div", "reply-quote", `${quoted.from.first_name}: ${quoted.text || quoted.caption || "media"}`));
  node.append(...attachments(message));
  const body = message.text !== undefined ? message.text : message.caption;
  const html = message.text !== undefined ? message.text_html : message.caption_html;
  if (body) {
    const text = el("div", "text");
    if (html) text.append(richText(html));
    else text.textContent = body;
    node.append(text);
  }
  const meta = el("div", "meta");
  if (message.edited) meta.append(el("span", null, "edited"));
  meta.append(el("span", null, clock(message.date)));
  node.append(meta);
  return node;
}

function richText(html) {
  const parsed = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  const fragment = document.createDocumentFragment();
  copySafely(parsed.body, fragment);
  return fragment;
}

function copySafely(from, to) {
  for (const node of from.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) {
      to.append(node.textContent);
      continue;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) continue;
    const tag = RICH_TAGS[node.tagName];
    if (!tag) {
      copySafely(node, to);
      continue;
    }
    const copy = document.createElement(tag);
    decorate(node, copy);
    copySafely(node, copy);
    to.append(copy);
  }
}

function decorate(source, copy) {
  if (source.tagName === "A") {
    const href = source.getAttribute("href") || "";
    if (/^https?:\/\//i.test(href)) {
      copy.href = href;
      copy.target = "_blank";
      copy.rel = "noopener noreferrer";
    }
  }
  const spoiler = source.tagName === "TG-SPOILER" || source.classList.contains("tg-spoiler");
  if (spoiler) {
    copy.className = "spoiler";
    copy.addEventListener("click", () => copy.classList.add("shown"));
  }
}

function attachments(message) {
  const parts = [];
  const audio = message.voice || message.audio || message.video_note;
  if (audio) parts.push(voicePlayer(message.message_id, audio));
  if (message.photo) {
    const link = el("a");
    link.href = message.photo.url;
    link.target = "_blank";
    const image = el("img", "photo");
    image.addEventListener("load", keepAtEnd);
    image.src = message.photo.url;
    image.alt = message.caption || "Photo from the bot";
    link.append(image);
    parts.push(link);
  }
  if (message.document) parts.push(fileCard(message.document));
  return parts;
}

// Telegram's own duration is shown at once: browsers may not read an OGG/Opus file's length
// before it plays (or at all), so the audio element's metadata is only a fallback.
function voicePlayer(messageId, audio) {
  const key = `${messageId} ${audio.url}`;
  const known = state.players.get(key);
  if (known) return known;
  const box = el("div", "attachment voice");
  const sound = el("audio");
  sound.preload = audio.duration ? "none" : "metadata";
  sound.src = audio.url;
  const button = el("button", "play-button");
  button.type = "button";
  const track = el("div", "voice-track");
  const fill = el("div", "voice-fill");
  track.append(fill);
  const time = el("span", "voice-time");
  let total = audio.duration || 0;
  const show = () => {
    const playing = !sound.paused && !sound.ended;
    const started = playing || (sound.currentTime > 0 && !sound.ended);
    const now = Math.min(Math.floor(sound.currentTime), total || Infinity);
    time.textContent = started ? `${duration(now)} / ${duration(total)}` : duration(total);
    fill.style.width = started && total ? `${Math.min(100, (sound.currentTime / total) * 100)}%` : "0";
    button.textContent = playing ? "❚❚" : "▶";
    button.setAttribute("aria-label", playing ? "Pause the voice note" : "Play the voice note");
  };
  sound.addEventListener("loadedmetadata", () => {
    if (!total && Number.isFinite(sound.duration)) total = sound.duration;
    show();
  });
  for (const event of ["play", "pause", "timeupdate", "ended"]) sound.addEventListener(event, show);
  sound.addEventListener("error", () => { button.disabled = true; });
  button.addEventListener("click", () => {
    if (sound.paused || sound.ended) sound.play().catch(failed);
    else sound.pause();
  });
  box.append(button, track, time, sound);
  show();
  state.players.set(key, box);
  return box;
}

function fileCard(document_) {
  const card = el("a", "file-card");
  card.href = document_.url;
  card.download = document_.file_name || "file";
  const words = el("span");
  words.append(
    el("div", "file-name", document_.file_name || "file"),
    el("div", "muted", `${fileSize(document_.file_size)} · download`),
  );
  card.append(el("span", "file-icon", "⬇"), words);
  return card;
}

function inlineButtons(message) {
  const box = el("div", "buttons");
  for (const row of message.buttons) {
    const line = el("div", "button-row");
    for (const button of row) line.append(inlineButton(message, button));
    box.append(line);
  }
  return box;
}

function inlineButton(message, button) {
  if (button.url) {
    const link = el("a", "inline-button", `${button.text} ↗`);
    link.href = button.url;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    return link;
  }
  const node = el("button", "inline-button", button.text);
  node.type = "button";
  node.addEventListener("click", () => tap(message, button, node).catch(failed));
  return node;
}

async function tap(message, button, node) {
  node.disabled = true;
  try {
    const sent = await postJson("/api/callback", {
      user_id: state.me,
      chat_id: state.chatId,
      message_id: message.message_id,
      data: button.callback_data,
    });
    poll().catch(() => {});
    const answer = await api(`/api/callbacks/${sent.callback_query_id}?wait=5`);
    if (answer.text && answer.show_alert) showAlert(answer.text);
    else if (answer.text) toast(answer.text);
  } finally {
    node.disabled = false;
  }
}

function renderQuickReplies() {
  const box = $("quick-replies");
  box.replaceChildren();
  const latest = [...state.messages].reverse().find((m) => m.from.is_bot && (m.keyboard || m.remove_keyboard));
  const rows = latest && latest.keyboard ? latest.keyboard : [];
  for (const label of rows.flat()) {
    const button = el("button", null, label);
    button.type = "button";
    button.addEventListener("click", () => sendText(label).catch(failed));
    box.append(button);
  }
  box.hidden = rows.length === 0;
}

// ---- composing ---------------------------------------------------------------------------

async function sendText(text) {
  const trimmed = text.trim();
  if (!trimmed || state.me === null) return;
  const me = person(state.me);
  jumpToEnd();
  await postJson("/api/messages", {
    user_id: state.me,
    chat_id: state.chatId,
    text: trimmed,
    first_name: me ? me.first_name : undefined,
  });
  await poll();
  jumpToEnd(); // sending shows your message, however far up you had scrolled
}

async function sendAudio(blob, filename) {
  const form = new FormData();
  form.append("user_id", String(state.me));
  form.append("chat_id", String(state.chatId));
  form.append("file", blob, filename);
  toast("Sending your voice note…");
  jumpToEnd();
  await api("/api/voice", { method: "POST", body: form });
  toast("Voice note sent");
  await poll();
  jumpToEnd();
}

function renderCommandMenu() {
  const menu = $("command-menu");
  menu.replaceChildren();
  const commands = state.bot.commands.length
    ? state.bot.commands
    : [{ command: "start", description: "Begin" }, { command: "help", description: "What I can do" }];
  for (const command of commands) {
    const item = el("li");
    const button = el("button");
    button.type = "button";
    button.append(el("span", "command", `/${command.command}`), el("span", "description", command.description));
    button.addEventListener("click", () => {
      menu.hidden = true;
      const suffix = isGroup() && state.bot.username ? `@${state.bot.username}` : "";
      sendText(`/${command.command}${suffix}`).catch(failed);
    });
    item.append(button);
    menu.append(item);
  }
}

async function toggleCommandMenu() {
  const menu = $("command-menu");
  if (menu.hidden) {
    state.bot = await api("/api/bot");
    renderCommandMenu();
  }
  menu.hidden = !menu.hidden;
}

async function toggleRecording() {
  const button = $("record");
  if (state.recorder) {
    state.recorder.stop();
    return;
  }
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  const type = MediaRecorder.isTypeSupported("audio/ogg;codecs=opus") ? "audio/ogg;codecs=opus" : "";
  const recorder = new MediaRecorder(stream, type ? { mimeType: type } : {});
  const chunks = [];
  recorder.addEventListener("dataavailable", (event) => chunks.push(event.data));
  recorder.addEventListener("stop", () => {
    stream.getTracks().forEach((track) => track.stop());
    state.recorder = null;
    button.classList.remove("recording");
    const blob = new Blob(chunks, { type: recorder.mimeType });
    const name = recorder.mimeType.includes("ogg") ? "voice.ogg" : "voice.webm";
    sendAudio(blob, name).catch(failed);
  });
  recorder.start();
  state.recorder = recorder;
  button.classList.add("recording");
  toast("Recording… tap the microphone again to send");
}

// Fits the box to its text (scrollHeight leaves out the border, so add it back); it only
// scrolls, and shows a scrollbar, once the text is taller than TEXT_MAX_PX.
function growTextarea() {
  const box = $("text");
  box.style.height = "auto";
  const wanted = box.scrollHeight + box.offsetHeight - box.clientHeight;
  box.style.height = `${Math.min(wanted, TEXT_MAX_PX)}px`;
  box.style.overflowY = wanted > TEXT_MAX_PX ? "auto" : "hidden";
}

// ---- the sandbox clock -------------------------------------------------------------------

const LONDON = "Europe/London";
const CLOCK_REFRESH_MS = 15000; // someone else (a script, a test) may move it too
const JUST_AFTER_MS = 5000; // land a little after the moment, so the bot's next tick sends it
const SCHEDULE_EXAMPLE = "/schedule Tue 15:30 Oakfield Primary";
const clockState = { offsetMs: 0, known: false };

function sandboxNow() {
  return new Date(Date.now() + clockState.offsetMs);
}

function showClock(iso) {
  clockState.offsetMs = Date.parse(iso) - Date.now();
  clockState.known = true;
  renderClock();
}

function renderClock() {
  if (!clockState.known) return;
  const now = sandboxNow();
  const date = now.toLocaleDateString("en-GB", { timeZone: LONDON, weekday: "short", day: "numeric", month: "short" });
  const time = now.toLocaleTimeString("en-GB", { timeZone: LONDON, hour: "2-digit", minute: "2-digit" });
  $("clock-date").textContent = date;
  $("clock-time").textContent = time;
  $("clock-now").dateTime = now.toISOString();
}

async function loadClock() {
  showClock((await api("/api/clock")).now);
}

function londonParts(instant) {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: LONDON, hourCycle: "h23", weekday: "short",
    year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric",
  }).formatToParts(instant);
  const get = (type) => parts.find((part) => part.type === type).value;
  return {
    weekday: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(get("weekday")),
    year: Number(get("year")), month: Number(get("month")), day: Number(get("day")),
    hour: Number(get("hour")), minute: Number(get("minute")), second: Number(get("second")),
  };
}

function londonWallToInstant(year, month, day, hour, minute) {
  // London is UTC or UTC+1: guess UTC, then correct by the offset London shows at that guess.
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  const seen = londonParts(new Date(guess));
  const shown = Date.UTC(seen.year, seen.month - 1, seen.day, seen.hour, seen.minute, seen.second);
  return new Date(guess - (shown - guess));
}

function nextFriday1600(after) {
  const now = londonParts(after);
  let ahead = (5 - now.weekday + 7) % 7;
  if (ahead === 0 && now.hour * 60 + now.minute >= 16 * 60) ahead = 7;
  const day = new Date(Date.UTC(now.year, now.month - 1, now.day + ahead));
  return londonWallToInstant(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), 16, 0);
}

async function moveClock(body) {
  const moved = await postJson("/api/clock", body);
  showClock(moved.now);
  return moved.now;
}

function shownTime(iso) {
  return new Date(iso).toLocaleString("en-GB", {
    timeZone: LONDON, weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
  });
}

async function jumpToNextSession() {
  const me = person(state.me);
  const name = me ? me.first_name : "This person";
  const next = await api(`/api/clock/next-prompt?user_id=${state.me}`);
  if (!next.at) {
    if (state.chatId !== state.me) chooseChat(state.me);
    if (!$("text").value.trim()) $("text").value = SCHEDULE_EXAMPLE;
    growTextarea();
    showAlert(`${name} has no sessions yet, so there's no check-in to jump to. `
      + `Add one with ${SCHEDULE_EXAMPLE} (it's ready in the message box), then try again.`);
    return;
  }
  if (state.chatId !== state.me) chooseChat(state.me);
  const now = await moveClock({ now: new Date(Date.parse(next.at) + JUST_AFTER_MS).toISOString() });
  toast(`Now ${shownTime(now)}: ${name}'s check-in is due`);
}

async function jumpToFriday() {
  await loadClock();
  const at = new Date(nextFriday1600(sandboxNow()).getTime() + JUST_AFTER_MS);
  const now = await moveClock({ now: at.toISOString() });
  toast(`Now ${shownTime(now)}: weekly digests go out`);
}

async function jumpOneDay() {
  const now = await moveClock({ advance_seconds: 86400 });
  toast(`A day later: ${shownTime(now)}`);
}

function wireClock() {
  const jumps = { "jump-session": jumpToNextSession, "jump-friday": jumpToFriday, "jump-day": jumpOneDay };
  for (const [id, jump] of Object.entries(jumps)) {
    const button = $(id);
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await jump();
      } catch (error) {
        failed(error);
      } finally {
        button.disabled = false;
      }
    });
  }
  setInterval(renderClock, 1000);
  setInterval(() => loadClock().catch(() => {}), CLOCK_REFRESH_MS);
}

// ---- wiring ------------------------------------------------------------------------------

function wireComposer() {
  const box = $("text");
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = box.value;
    box.value = "";
    growTextarea();
    sendText(text).catch((error) => { box.value = text; growTextarea(); failed(error); });
  });
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });
  box.addEventListener("input", growTextarea);
  window.addEventListener("resize", growTextarea);
  growTextarea();
  $("voice-file").addEventListener("change", (event) => {
    const file = event.target.files[0];
    event.target.value = "";
    if (file) sendAudio(file, file.name).catch(failed);
  });
  $("menu-button").addEventListener("click", () => toggleCommandMenu().catch(failed));
  if (navigator.mediaDevices && window.MediaRecorder) {
    $("record").hidden = false;
    $("record").addEventListener("click", () => toggleRecording().catch(failed));
  }
}

function wireChrome() {
  const box = $("messages");
  box.addEventListener("scroll", () => {
    state.stickToEnd = box.scrollHeight - box.scrollTop - box.clientHeight < 120;
  });
  $("new-group").addEventListener("click", () => createDemoGroup().catch(failed));
  $("open-sidebar").addEventListener("click", () => $("app").classList.add("drawer-open"));
  $("close-sidebar").addEventListener("click", () => $("app").classList.remove("drawer-open"));
  $("app").addEventListener("click", (event) => {
    const drawerOpen = $("app").classList.contains("drawer-open");
    const outside = !$("sidebar").contains(event.target) && !$("open-sidebar").contains(event.target);
    if (drawerOpen && outside) $("app").classList.remove("drawer-open");
  });
  $("alert-ok").addEventListener("click", () => { $("alert").hidden = true; });
  $("reset").addEventListener("click", async () => {
    if (!confirm("Clear every chat, file and update in the sandbox?")) return;
    await postJson("/api/reset", {}).catch(failed);
    localStorage.removeItem(DEMO_GROUPS_KEY);
    await loadChats().catch(failed);
    chooseChat(state.me);
  });
}

async function pollForever() {
  try {
    state.polls += 1;
    if (state.polls % CHAT_LIST_EVERY === 0) await loadChats();
    await poll();
  } catch (error) {
    if (state.polls % 10 === 0) toast("Can't reach the sandbox; retrying…", true);
  }
  setTimeout(pollForever, document.hidden ? POLL_MS * 3 : POLL_MS);
}

async function start() {
  wireComposer();
  wireChrome();
  wireClock();
  loadClock().catch(failed);
  const [bot, people] = await Promise.all([api("/api/bot"), api("/api/people")]);
  state.bot = bot;
  state.people = people.people;
  const link = new URLSearchParams(window.location.search);
  const savedMe = Number(link.get("as") || localStorage.getItem("sandbox.me"));
  state.me = person(savedMe) ? savedMe : (state.people[0] || { id: null }).id;
  const savedChat = Number(link.get("chat") || localStorage.getItem("sandbox.chat"));
  renderPeople();
  await loadChats();
  chooseChat(state.chats.some((chat) => chat.id === savedChat) ? savedChat : state.me);
  pollForever();
}

start().catch(failed);
