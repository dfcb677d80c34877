/**
 * renderer/session/session-runner.ts end to end, in plain Node: the runner gets its session the way the page does —
 * `transfer:session` parameters through `client.onSession`, and a window message carrying the port — in either
 * order, and runs the real handshake, STREAM and state machine over that port. Behind the port stands what main
 * does (main/desktop/renderer-sessions.ts): a PortTransport piped to the network path, here a linked in-memory
 * transport whose far end is an in-process startSender / startReceiver. The fake `client` signs with the renderer
 * device's identity (as main would), serves `disk:*` from memory files, and answers offers accept or decline.
 */

import { describe, expect, it } from 'vitest';
import { equalBytes } from '../../src/bytes';
import { fingerprintOf } from '../../src/identity/fingerprint';
import { identityFromSeed, type IdentitySigner } from '../../src/identity/identity';
import { SESSION_PORT_MESSAGE } from '../../src/ipc/api';
import type { OfferDecision, TransferReport, TransferSessionInfo } from '../../src/ipc/contract';
import { decodeManifest, encodeManifest } from '../../src/manifest/codec';
import { systemClock } from '../../src/ports/clock';
import type { FileSource } from '../../src/ports/files';
import type { LocalTransportBinding } from '../../src/ports/transport';
import { FakeClock } from '../../src/testing/fake-clock';
import { corruptFrame } from '../../src/testing/faults';
import { memorySource, MemorySink, type MemoryFile } from '../../src/testing/memory-files';
import { linkedTransports, type MemoryTransport, type Tamper } from '../../src/testing/memory-transport';
import { SeededRandom } from '../../src/testing/seeded-random';
import { startReceiver, startSender, type RunningSession } from '../../src/transfer/session';
import { createPortTransport, pipeTransports, type PortEndpoint } from '../../src/transport/port-transport';
import type { FileEntry, RendererApi } from '../../renderer/api-types';
import { domPortEndpoint } from '../../renderer/session/dom-port';
import { ipcSigner } from '../../renderer/session/session-options';
import { startSessionRunner, PAIR_TIMEOUT_MS, type SessionPortEvent, type SessionMessageTarget } from '../../renderer/session/session-runner';
import { expectCode } from '../helpers/expect-code';
import { pattern } from '../helpers/pattern';
import { nodePortPair, type ObservedEndpoint } from '../helpers/node-port';

const sessionId = new Uint8Array(16).fill(0x5a);
const psk = new Uint8Array(32).fill(0x42);
const ORIGIN = 'app://sealdrop';


const FILES: MemoryFile[] = [
  { path: 'a.txt', data: new TextEncoder().encode('first, and small\n') },
  { path: 'big.bin', data: pattern(3 * 64 * 1024 + 17, 7) },
  { path: 'notes/empty.txt', data: new Uint8Array(0) },
];
const DIRECTORIES = ['empty-folder'];

/** The renderer's device (its key stays in "main": the fake client) and the far peer. */
let identities: Promise<{ renderer: IdentitySigner; far: IdentitySigner }> | null = null;
function parties() {
  identities ??= (async () => ({
    renderer: await identityFromSeed(new Uint8Array(32).fill(2)),
    far: await identityFromSeed(new Uint8Array(32).fill(1)),
  }))();
  return identities;
}

let nextId = 0;
const transferIdOf = () => (++nextId).toString(16).padStart(32, '0');

const settle = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 3000 && !condition(); i++) await settle(2);
  expect(condition()).toBe(true);
}

// ------------------------------------------------------------------------------------------------ the fake page

/** What main does for the renderer, in memory: sign, serve disk:* from memory files, answer offers. */
function fakeMain(signer: IdentitySigner) {
  const reports: TransferReport[] = [];
  const manifests = new Map<string, readonly FileEntry[]>();
  const signed: string[] = [];
  const sources = new Map<string, FileSource>();
  const sinks = new Map<string, MemorySink>();
  const accepted = new Set<string>();
  const handlers = new Set<(info: TransferSessionInfo) => void>();
  const state = {
    answer: 'accept' as OfferDecision,
    /** Report types whose `transfer:report` call rejects. */
    failing: new Set<TransferReport['type']>(),
    diskCalls: 0,
    /** While set, main's answer to an offer waits for it (the user has not answered yet). */
    hold: null as Promise<void> | null,
  };
  const sink = (transferId: string) => {
    state.diskCalls++;
    const found = sinks.get(transferId);
    if (!found || !accepted.has(transferId)) return Promise.reject(Object.assign(new Error('not accepted'), { code: 'BAD_INPUT' }));
    return Promise.resolve(found);
  };
  const client: RendererApi['client'] = {
    onSession: (handler) => {
      handlers.add(handler);
      return () => void handlers.delete(handler);
    },
    sign: (request) => {
      signed.push(request.context);
      return signer.signHash(request.context, request.hash);
    },
    report: (report) => {
      reports.push(report);
      if (state.failing.has(report.type)) return Promise.reject(Object.assign(new Error('refused'), { code: 'BAD_INPUT' }));
      if (report.type !== 'offer') return Promise.resolve({ decision: null });
      // Main decodes the offer again and opens the sink from its own copy.
      const manifest = decodeManifest(report.manifest);
      return (state.hold ?? Promise.resolve()).then(async () => {
        if (state.answer === 'decline') return { decision: 'decline' as const };
        const memory = sinks.get(report.transferId) ?? new MemorySink();
        sinks.set(report.transferId, memory);
        accepted.add(report.transferId);
        await memory.open(manifest);
        return { decision: 'accept' as const };
      });
    },
    manifest: (transferId, entries) => void manifests.set(transferId, entries),
    disk: {
      read: ({ transferId, index, offset, length }) => {
        state.diskCalls++;
        const source = sources.get(transferId);
        return source ? source.read(index, offset, length) : Promise.reject(new Error('no source'));
      },
      progress: ({ transferId, index }) => sink(transferId).then((s) => s.progress(index)),
      writeChunk: ({ transferId, index, chunkIndex, plaintext, progress }) =>
        sink(transferId).then((s) => s.writeChunk(index, chunkIndex, plaintext, progress)),
      createDirectory: ({ transferId, index }) => sink(transferId).then((s) => s.createDirectory(index)),
      commit: ({ transferId, index }) => sink(transferId).then((s) => s.commit(index)),
      discard: ({ transferId, index }) => sink(transferId).then((s) => s.discard(index)),
    },
  };
  const finished = (transferId: string) =>
    reports.find((r): r is Extract<TransferReport, { type: 'finished' }> => r.type === 'finished' && r.transferId === transferId);
  return {
    client,
    reports,
    manifests,
    signed,
    sources,
    sinks,
    state,
    handlers,
    /** main's `transfer:session` event. */
    emit: (info: TransferSessionInfo) => handlers.forEach((handler) => handler(info)),
    finished,
    async outcome(transferId: string) {
      await until(() => finished(transferId) !== undefined);
      return finished(transferId)!;
    },
    reportsOf: (transferId: string) => reports.filter((r) => r.transferId === transferId).map((r) => r.type),
  };
}

/** A stand-in for the window: listeners for 'message', and posting as the preload would. */
function fakeWindow() {
  const listeners = new Set<(event: SessionPortEvent) => void>();
  const messages: SessionMessageTarget & { post(event: Partial<SessionPortEvent>): void; readonly listening: number } = {
    addEventListener: (_type, listener) => void listeners.add(listener),
    removeEventListener: (_type, listener) => void listeners.delete(listener),
    post(event) {
      const full: SessionPortEvent = { data: null, ports: [], source: messages, origin: ORIGIN, ...event };
      for (const listener of [...listeners]) listener(full);
    },
    get listening() {
      return listeners.size;
    },
  };
  return messages;
}

/** The page: a fake window, fake main, the runner; ports are tokens standing for nodePortPair endpoints. */
async function page(options: { clock?: FakeClock; realPorts?: boolean } = {}) {
  const { renderer } = await parties();
  const main = fakeMain(renderer);
  const messages = fakeWindow();
  const endpoints = new Map<MessagePort, ObservedEndpoint>();
  const stop = startSessionRunner({
    client: main.client,
    messages,
    isOwnMessage: (event) => event.source === messages && event.origin === ORIGIN,
    ...(options.realPorts ? {} : { endpointOf: (port: MessagePort) => endpoints.get(port)! }),
    clock: options.clock ?? systemClock,
    random: new SeededRandom('renderer'),
  });
  /** A new channel: the token the page receives, and main's end of it. */
  const channel = () => {
    const [rendererEnd, mainEnd] = nodePortPair();
    const token = { name: 'port' } as unknown as MessagePort;
    endpoints.set(token, rendererEnd);
    return { token, rendererEnd, mainEnd };
  };
  /** The preload's window message for `transferId`. */
  const postPort = (transferId: string, token: MessagePort) =>
    messages.post({ data: { type: SESSION_PORT_MESSAGE, transferId }, ports: [token] });
  return { main, messages, stop, channel, postPort, renderer };
}

/** Main's half of a session: the network path piped to a PortTransport on main's end of the channel. */
function mainPipe(network: MemoryTransport, mainEnd: PortEndpoint) {
  const port = createPortTransport(mainEnd, { path: network.path, binding: network.binding, maxFrameBytes: network.maxFrameBytes });
  return pipeTransports(network, port);
}

/** DTLS certificate fingerprints of the path: this device's end (main's) and the far peer's. */
const OUR_FP = new Uint8Array(32).fill(0xa1);
const FAR_FP = new Uint8Array(32).fill(0xb2);
const DTLS_MAIN: LocalTransportBinding = { kind: 'dtls', local: OUR_FP, remote: FAR_FP };
const DTLS_FAR: LocalTransportBinding = { kind: 'dtls', local: FAR_FP, remote: OUR_FP };

function network(options: { tamper?: Tamper; dtls?: boolean } = {}): [MemoryTransport, MemoryTransport] {
  return linkedTransports({
    path: 'direct',
    ...(options.tamper ? { tamper: options.tamper } : {}),
    ...(options.dtls ? { bindingA: DTLS_MAIN, bindingB: DTLS_FAR } : {}),
  });
}

/** Parameters main sends for a session in which this device receives from the far peer's link. */
async function receiverInfo(transferId: string, net: MemoryTransport): Promise<TransferSessionInfo> {
  const { renderer, far } = await parties();
  return {
    transferId,
    identityKey: renderer.publicKey,
    role: 'receiver',
    handshakeRole: 'initiator',
    sessionId,
    psk,
    expect: { pinnedKey: null, linkFingerprint: await fingerprintOf(far.publicKey), linkIssued: false, pinnedKeys: [] },
    requireLevel3: true,
    name: 'Renderer device',
    binding: { kind: 'none' },
    maxFrameBytes: net.maxFrameBytes,
    path: 'direct',
    manifest: null,
    contactId: null,
  };
}

/** Parameters main sends for a session in which this device sends over its own link, on a DTLS-bound path. */
async function senderInfo(transferId: string, net: MemoryTransport, files = FILES): Promise<TransferSessionInfo> {
  const { renderer } = await parties();
  return {
    transferId,
    identityKey: renderer.publicKey,
    role: 'sender',
    handshakeRole: 'responder',
    sessionId,
    psk,
    expect: { pinnedKey: null, linkFingerprint: null, linkIssued: true, pinnedKeys: [] },
    requireLevel3: true,
    name: 'Renderer device',
    // The transcript's order, initiator (the far peer) first: what main derives from DTLS_MAIN for a responder.
    binding: { kind: 'dtls', initiatorFingerprint: FAR_FP, responderFingerprint: OUR_FP },
    maxFrameBytes: net.maxFrameBytes,
    path: 'direct',
    manifest: encodeManifest(memorySource(files, DIRECTORIES).manifest),
    contactId: null,
  };
}

async function farSender(end: MemoryTransport, files = FILES): Promise<RunningSession> {
  const { far } = await parties();
  const { manifest, source } = memorySource(files, DIRECTORIES);
  return startSender({
    transport: end,
    clock: systemClock,
    random: new SeededRandom('far sender'),
    signer: far,
    handshakeRole: 'responder',
    sessionId,
    psk,
    expect: { linkIssued: true },
    name: 'Far device',
    manifest,
    source,
  });
}

async function farReceiver(end: MemoryTransport) {
  const { far, renderer } = await parties();
  const sink = new MemorySink();
  const session = startReceiver({
    transport: end,
    clock: systemClock,
    random: new SeededRandom('far receiver'),
    signer: far,
    handshakeRole: 'initiator',
    sessionId,
    psk,
    expect: { linkFingerprint: await fingerprintOf(renderer.publicKey) },
    decide: () => Promise.resolve(true),
    openSink: ({ manifest }) => sink.open(manifest),
  });
  return { session, sink };
}

function expectSameFiles(sink: MemorySink, files: readonly MemoryFile[] = FILES) {
  expect([...sink.committed.keys()].sort()).toEqual(files.map((f) => f.path).sort());
  for (const file of files) expect(equalBytes(sink.committed.get(file.path)!, file.data), file.path).toBe(true);
  expect([...sink.directories]).toEqual(DIRECTORIES);
}

// ------------------------------------------------------------------------------------------------ cases

describe('session runner: the renderer receives', () => {
  for (const order of ['port before parameters', 'parameters before port'] as const) {
    it(`accepts: identical files, reports connected (Level 3) → offer → finished ok (${order})`, async () => {
      const { main, channel, postPort, stop } = await page();
      const { far } = await parties();
      const id = transferIdOf();
      const [net, farEnd] = network();
      const { token, mainEnd } = channel();
      const piped = mainPipe(net, mainEnd);
      const sent = farSender(farEnd);
      const info = await receiverInfo(id, net);
      if (order === 'port before parameters') {
        postPort(id, token);
        await settle();
        main.emit(info);
      } else {
        main.emit(info);
        await settle();
        postPort(id, token);
      }

      expect(await main.outcome(id)).toEqual({ transferId: id, type: 'finished', ok: true, code: null });
      expect((await (await sent).outcome).ok).toBe(true);
      expectSameFiles(main.sinks.get(id)!);
      expect(main.reportsOf(id)).toEqual(['connected', 'offer', 'finished']);
      const connected = main.reports.find((r) => r.type === 'connected');
      expect(connected).toMatchObject({ level: 3, verifiedBy: 'link-fingerprint', peerName: 'Far device' });
      expect(equalBytes((connected as { peerKey: Uint8Array }).peerKey, far.publicKey)).toBe(true);
      // The tracker got the full list of files with sizes, before main was asked.
      expect(main.manifests.get(id)).toEqual(
        FILES.map((f) => ({ path: f.path, size: f.data.length })).sort((a, b) => (a.path < b.path ? -1 : 1)),
      );
      expect(main.signed).toEqual(['handshake initiator']);
      expect((await piped).code).toBe('TRANSPORT_CLOSED');
      stop();
    });
  }

  it('declines: finished with DECLINED, nothing written, the far sender hears DECLINED', async () => {
    const { main, channel, postPort, stop } = await page();
    main.state.answer = 'decline';
    const id = transferIdOf();
    const [net, farEnd] = network();
    const { token, mainEnd } = channel();
    void mainPipe(net, mainEnd);
    const sent = farSender(farEnd);
    main.emit(await receiverInfo(id, net));
    postPort(id, token);

    expect(await main.outcome(id)).toEqual({ transferId: id, type: 'finished', ok: false, code: 'DECLINED' });
    expect((await (await sent).outcome).code).toBe('DECLINED');
    expect(main.reportsOf(id)).toEqual(['connected', 'offer', 'finished']);
    expect(main.state.diskCalls).toBe(0);
    expect(main.sinks.has(id)).toBe(false);
    stop();
  });

  it('a tampered DATA frame ends the session with CHUNK_AUTH_FAILED; the file is not committed', async () => {
    const { main, channel, postPort, stop } = await page();
    const id = transferIdOf();
    // linkedTransports: a is main's network end, b the far sender's, so the sender's frames travel b-to-a.
    const [net, farEnd] = network({ tamper: corruptFrame({ direction: 'b-to-a', type: 'DATA', nth: 1 }) });
    const { token, mainEnd } = channel();
    void mainPipe(net, mainEnd);
    void farSender(farEnd);
    postPort(id, token);
    main.emit(await receiverInfo(id, net));

    expect(await main.outcome(id)).toEqual({ transferId: id, type: 'finished', ok: false, code: 'CHUNK_AUTH_FAILED' });
    expect(main.sinks.get(id)!.committed.has('big.bin')).toBe(false);
    stop();
  });

  it('a report main refuses is logged, not fatal: the transfer still completes', async () => {
    const { main, channel, postPort, stop } = await page();
    main.state.failing.add('connected');
    const id = transferIdOf();
    const [net, farEnd] = network();
    const { token, mainEnd } = channel();
    void mainPipe(net, mainEnd);
    void farSender(farEnd);
    main.emit(await receiverInfo(id, net));
    postPort(id, token);

    expect(await main.outcome(id)).toMatchObject({ ok: true, code: null });
    expectSameFiles(main.sinks.get(id)!);
    stop();
  });
});

describe('session runner: the renderer sends', () => {
  it('the far receiver gets identical files (DTLS binding mapped to the transport as main sees it)', async () => {
    const { main, channel, postPort, stop } = await page();
    const id = transferIdOf();
    const [net, farEnd] = network({ dtls: true });
    const { token, mainEnd } = channel();
    void mainPipe(net, mainEnd);
    main.sources.set(id, memorySource(FILES, DIRECTORIES).source);
    const { session, sink } = await farReceiver(farEnd);
    postPort(id, token);
    main.emit(await senderInfo(id, net));

    expect(await main.outcome(id)).toEqual({ transferId: id, type: 'finished', ok: true, code: null });
    expect((await session.outcome).ok).toBe(true);
    expectSameFiles(sink);
    expect(main.reportsOf(id)).toEqual(['connected', 'finished']);
    expect(main.reports[0]).toMatchObject({ type: 'connected', level: 3, verifiedBy: 'link-secret' });
    expect(main.signed).toEqual(['handshake responder']);
    stop();
  });

  it('several sessions run at once: one sending, one receiving', async () => {
    const { main, channel, postPort, stop } = await page();
    const sendId = transferIdOf();
    const receiveId = transferIdOf();
    const [sendNet, sendFar] = network({ dtls: true });
    const [receiveNet, receiveFar] = network();
    const sendChannel = channel();
    const receiveChannel = channel();
    void mainPipe(sendNet, sendChannel.mainEnd);
    void mainPipe(receiveNet, receiveChannel.mainEnd);
    main.sources.set(sendId, memorySource(FILES, DIRECTORIES).source);
    const far = await farReceiver(sendFar);
    void farSender(receiveFar);
    main.emit(await senderInfo(sendId, sendNet));
    main.emit(await receiverInfo(receiveId, receiveNet));
    postPort(receiveId, receiveChannel.token);
    postPort(sendId, sendChannel.token);

    expect(await main.outcome(sendId)).toMatchObject({ ok: true });
    expect(await main.outcome(receiveId)).toMatchObject({ ok: true });
    expectSameFiles(far.sink);
    expectSameFiles(main.sinks.get(receiveId)!);
    stop();
  });
});

describe('session runner: real MessagePorts', () => {
  it('runs a session over a MessageChannel through its default adapter (domPortEndpoint)', async () => {
    const { main, postPort, stop } = await page({ realPorts: true });
    const id = transferIdOf();
    const [net, farEnd] = network();
    const { port1, port2 } = new MessageChannel();
    void mainPipe(net, domPortEndpoint(port2));
    void farSender(farEnd);
    main.emit(await receiverInfo(id, net));
    postPort(id, port1);

    expect(await main.outcome(id)).toEqual({ transferId: id, type: 'finished', ok: true, code: null });
    expectSameFiles(main.sinks.get(id)!);
    stop();
  });
});

describe('session runner: pairing and refusals', () => {
  it("a signer asked for a context other than the two handshake ones refuses (BAD_INPUT) without asking main", async () => {
    const { renderer } = await parties();
    const main = fakeMain(renderer);
    const signer = ipcSigner(main.client.sign, renderer.publicKey, transferIdOf());
    await expectCode(signer.signHash('key rotation', new Uint8Array(32)), 'BAD_INPUT');
    await expectCode(signer.signHash('relay registration', new Uint8Array(32)), 'BAD_INPUT');
    await expectCode(signer.signHash('path advertisement', new Uint8Array(32)), 'BAD_INPUT');
    expect(main.signed).toEqual([]);
    expect((await signer.signHash('handshake responder', new Uint8Array(32))).length).toBe(64);
    expect(main.signed).toEqual(['handshake responder']);
  });

  it('ignores window messages that are not our own, or not session ports', async () => {
    const { main, messages, channel, stop } = await page();
    const id = transferIdOf();
    const [net] = network();
    const foreign = channel();
    messages.post({ data: { type: SESSION_PORT_MESSAGE, transferId: id }, ports: [foreign.token], source: {} });
    messages.post({ data: { type: SESSION_PORT_MESSAGE, transferId: id }, ports: [foreign.token], origin: 'https://evil.example' });
    messages.post({ data: { type: 'something else', transferId: id }, ports: [foreign.token] });
    main.emit(await receiverInfo(id, net));
    await settle(20);
    // The parameters wait for a port; none of those was taken.
    expect(foreign.rendererEnd.received).toEqual([]);
    expect(main.reportsOf(id)).toEqual([]);
    stop();
    // Stopping drops the waiting parameters silently (main's own grace timer handles the session).
    expect(messages.listening).toBe(0);
    expect(main.handlers.size).toBe(0);
  });

  it('refuses a second port for a transfer that is running, and closes it', async () => {
    const { main, channel, postPort, stop } = await page();
    main.state.answer = 'decline';
    const id = transferIdOf();
    const [net, farEnd] = network();
    const first = channel();
    void mainPipe(net, first.mainEnd);
    void farSender(farEnd);
    main.emit(await receiverInfo(id, net));
    postPort(id, first.token);
    await settle();
    const second = channel();
    postPort(id, second.token);
    expect(second.rendererEnd.closed).toBe(true);
    expect(await main.outcome(id)).toMatchObject({ ok: false, code: 'DECLINED' });
    stop();
  });

  it('drops a half that is never matched after 60 s: a port is closed; parameters are reported finished (TIMEOUT)', async () => {
    const clock = new FakeClock();
    const { main, channel, postPort, stop } = await page({ clock });
    const lonelyPort = transferIdOf();
    const lonelyInfo = transferIdOf();
    const [net] = network();
    const { token, rendererEnd } = channel();
    postPort(lonelyPort, token);
    main.emit(await receiverInfo(lonelyInfo, net));
    clock.advance(PAIR_TIMEOUT_MS - 1);
    expect(rendererEnd.closed).toBe(false);
    clock.advance(1);
    expect(rendererEnd.closed).toBe(true);
    expect(await main.outcome(lonelyInfo)).toEqual({ transferId: lonelyInfo, type: 'finished', ok: false, code: 'TIMEOUT' });
    expect(main.reportsOf(lonelyPort)).toEqual([]);
    stop();
  });

  it('a sending session without a manifest never starts: BAD_INPUT on the port and in the report', async () => {
    const { main, channel, postPort, stop } = await page();
    const id = transferIdOf();
    const [net] = network();
    const { token, mainEnd } = channel();
    const piped = mainPipe(net, mainEnd);
    main.emit({ ...(await senderInfo(id, net)), manifest: null });
    postPort(id, token);
    expect(await main.outcome(id)).toEqual({ transferId: id, type: 'finished', ok: false, code: 'BAD_INPUT' });
    expect((await piped).code).toBe('BAD_INPUT');
    stop();
  });

  it('stop() cancels running sessions (finished CANCELLED still reaches main) and stops listening', async () => {
    const { main, messages, channel, postPort, stop } = await page();
    // Main holds its answer, as it does while the user looks at the offer card.
    let release!: () => void;
    main.state.hold = new Promise<void>((resolve) => (release = resolve));
    const id = transferIdOf();
    const [net, farEnd] = network();
    const { token, mainEnd } = channel();
    void mainPipe(net, mainEnd);
    const sent = farSender(farEnd);
    main.emit(await receiverInfo(id, net));
    postPort(id, token);
    await until(() => main.reportsOf(id).includes('offer'));
    stop();
    expect(messages.listening).toBe(0);
    expect(main.handlers.size).toBe(0);
    expect(await main.outcome(id)).toEqual({ transferId: id, type: 'finished', ok: false, code: 'CANCELLED' });
    expect((await (await sent).outcome).ok).toBe(false);
    release();
  });
});
