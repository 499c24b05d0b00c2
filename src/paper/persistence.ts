/**
 * The paper broker's book on disk: orders (with their history and trades), positions, last prices, the id sequences
 * and the accepted access token (of every account: the primary's at the top level, the others' under `accounts`), so a restarted broker answers GET /orders, /trades and /portfolio/positions as
 * before and reconciliation never "corrects" the OMS book to a flat account that only a restart produced.
 *
 * One JSON file, written whole: serialised, written to a temp file beside it, fsynced, renamed over the old one (a
 * crash leaves the old file or the new one, never half of one). Writes are debounced: the first change schedules a
 * write `debounceMs` later and every change until then rides along, so a burst of orders costs one write.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { InstrumentRegistry, PaperInstrument } from './instruments';
import { restoreSequences, sequences, type KiteTrade, type OrderRecord, type OrderState } from './order-book';
import type { PositionAcc } from './portfolio';
import type { SavedPrice } from './price-path';
import type { PaperState } from './state';

export const PAPER_STATE_VERSION = 1;

/** Where a paper broker keeps its book under a data folder (the OMS's DATA_DIR or the standalone broker's). */
export const paperStateFile = (dataDir: string): string => path.join(path.resolve(dataDir), 'paper', 'state.json');

type SavedOrderState = Omit<OrderState, 'instrument'> & { instrumentKey: string };
interface SavedOrder { state: SavedOrderState; history: Record<string, unknown>[]; trades: KiteTrade[]; requests: OrderRecord['requests'] }
type SavedPosition = Omit<PositionAcc, 'instrument'> & { instrumentKey: string };

/** The book of one additional account (the primary's is the snapshot's top level, as before several accounts). */
export interface SavedAccount {
  apiKey: string;
  accessToken: string;
  orders: SavedOrder[];
  positions: SavedPosition[];
}

/**
 * What the file holds; instruments (and their prices, one market) are saved once each and referred to by
 * `EXCHANGE:TRADINGSYMBOL`. `accounts` is absent in files written for one account, which load as they did.
 */
export interface PaperSnapshot {
  version: typeof PAPER_STATE_VERSION;
  savedAt: string;
  accessToken: string;
  sequences: { order: number; trade: number; exchange: number };
  instruments: PaperInstrument[];
  orders: SavedOrder[];
  positions: SavedPosition[];
  prices: (SavedPrice & { instrumentKey: string })[];
  accounts?: SavedAccount[];
}

const keyOf = (i: Pick<PaperInstrument, 'exchange' | 'tradingsymbol'>): string => `${i.exchange}:${i.tradingsymbol}`;

// The shape is checked, not every field: the file is the broker's own, written by snapshotOf below.
const ordersSchema = z.array(z.object({ state: z.object({ orderId: z.string(), instrumentKey: z.string() }).passthrough(), history: z.array(z.record(z.string(), z.unknown())), trades: z.array(z.object({ trade_id: z.string() }).passthrough()), requests: z.object({ place: z.number(), modify: z.number(), cancel: z.number() }) }));
const positionsSchema = z.array(z.object({ instrumentKey: z.string(), product: z.string() }).passthrough());
const snapshotSchema = z.object({
  version: z.literal(PAPER_STATE_VERSION),
  savedAt: z.string(),
  accessToken: z.string().min(1),
  sequences: z.object({ order: z.number().int(), trade: z.number().int(), exchange: z.number().int() }),
  instruments: z.array(z.object({ exchange: z.string(), tradingsymbol: z.string(), instrument_token: z.number() }).passthrough()),
  orders: ordersSchema,
  positions: positionsSchema,
  prices: z.array(z.object({ instrumentKey: z.string(), pricePaise: z.number() }).passthrough()),
  accounts: z.array(z.object({ apiKey: z.string().min(1), accessToken: z.string().min(1), orders: ordersSchema, positions: positionsSchema })).optional(),
});

function bookOf(state: PaperState, ref: (i: PaperInstrument) => string): Pick<SavedAccount, 'orders' | 'positions'> {
  const orders = state.book.all().map(({ state: { instrument, ...rest }, history, trades, requests }) => ({
    state: { ...rest, instrumentKey: ref(instrument) }, history, trades, requests,
  }));
  const positions = state.portfolio.list().map(({ instrument, ...rest }) => ({ ...rest, instrumentKey: ref(instrument) }));
  return { orders, positions };
}

/** The book as plain JSON: the primary account's at the top level, `others` (sharing its market) under `accounts`. */
export function snapshotOf(state: PaperState, now: Date, others: readonly PaperState[] = []): PaperSnapshot {
  const instruments = new Map<string, PaperInstrument>();
  const ref = (i: PaperInstrument): string => {
    instruments.set(keyOf(i), i);
    return keyOf(i);
  };
  const { orders, positions } = bookOf(state, ref);
  const accounts = others.map((o) => ({ apiKey: o.settings.apiKey, accessToken: o.settings.accessToken, ...bookOf(o, ref) }));
  const prices = [...instruments.values()].map((i) => ({ ...state.prices.saved(i), instrumentKey: keyOf(i) }));
  return {
    version: PAPER_STATE_VERSION, savedAt: now.toISOString(), accessToken: state.settings.accessToken, sequences: sequences(),
    instruments: [...instruments.values()], orders, positions, prices, ...(accounts.length > 0 ? { accounts } : {}),
  };
}

function restoreBook(state: PaperState, saved: Omit<SavedAccount, 'apiKey'>, resolve: (key: string) => PaperInstrument): void {
  state.book.clear();
  state.portfolio.clear();
  for (const o of saved.orders) {
    const { instrumentKey, ...rest } = o.state;
    state.book.add({ state: { ...rest, instrument: resolve(instrumentKey) }, history: o.history, trades: o.trades, requests: o.requests });
  }
  for (const { instrumentKey, ...rest } of saved.positions) state.portfolio.restore({ ...rest, instrument: resolve(instrumentKey) });
  state.settings.accessToken = saved.accessToken;
}

/**
 * Puts a saved book back into fresh states: the primary's, and each of `others` found by api_key in `accounts` (an
 * account not in the file starts empty; a saved one no longer configured is left out, and returned). Instruments
 * resolve to today's universe by exchange and symbol (the matching engine compares them by identity); one no longer
 * listed (expired since) keeps its saved description.
 */
export function restoreInto(state: PaperState, snapshot: PaperSnapshot, others: readonly PaperState[] = []): string[] {
  const saved = new Map(snapshot.instruments.map((i) => [keyOf(i), i]));
  const resolve = (key: string): PaperInstrument => {
    const known = resolveKnown(state.registry, key) ?? saved.get(key);
    if (!known) throw new Error(`paper state: instrument ${key} is referred to but not saved`);
    return known;
  };
  for (const p of snapshot.prices) state.prices.restore(resolve(p.instrumentKey), p);
  restoreBook(state, snapshot, resolve);
  const savedAccounts = new Map((snapshot.accounts ?? []).map((a) => [a.apiKey, a]));
  for (const other of others) {
    const book = savedAccounts.get(other.settings.apiKey);
    savedAccounts.delete(other.settings.apiKey);
    if (book) restoreBook(other, book, resolve);
  }
  restoreSequences(snapshot.sequences);
  return [...savedAccounts.keys()];
}

function resolveKnown(registry: InstrumentRegistry, key: string): PaperInstrument | undefined {
  const sep = key.indexOf(':');
  return registry.find(key.slice(0, sep), key.slice(sep + 1));
}

/** Reads the file; null when there is none yet. A file that is not a paper book stops start-up naming it. */
export function readSnapshot(file: string): PaperSnapshot | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`paper broker state ${file} is not valid JSON (${(err as Error).message}); move it aside to start with an empty book`);
  }
  const parsed = snapshotSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`paper broker state ${file} is not a paper book of version ${PAPER_STATE_VERSION}: ${issue?.path.join('.')}: ${issue?.message}; move it aside to start with an empty book`);
  }
  return json as PaperSnapshot;
}

/** Whole-file write: temp file, fsync, rename. */
async function writeAtomically(file: string, text: string): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const handle = await fs.promises.open(tmp, 'w');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.promises.rename(tmp, file);
}

/** Debounced saves of one broker's book to one file. */
export class PaperStateFile {
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;
  /** Completed writes (for tests and logs). */
  writes = 0;

  constructor(
    readonly file: string,
    private readonly snapshot: () => PaperSnapshot,
    private readonly debounceMs: number,
    private readonly log: (msg: string) => void,
  ) {}

  /** Something changed: save within debounceMs (changes until then share the write). */
  changed(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.debounceMs);
    this.timer.unref();
  }

  /** Writes the current book now (after any write in flight); resolves once it is on disk. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.writing = this.writing.then(async () => {
      try {
        await writeAtomically(this.file, JSON.stringify(this.snapshot()));
        this.writes += 1;
      } catch (err) {
        // The next change tries again; until then the file holds the last book that was written.
        this.log(`could not save the paper book to ${this.file}: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
    return this.writing;
  }

  /** The last write, then no more. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }
}
