import type { Client } from 'pg';
import { quoteIdent } from '../common/sql';

/**
 * Small building blocks of the synthetic-data generator: a seeded PRNG (so the same seed gives
 * the same people, notes and events), word lists, and a batched multi-row INSERT.
 */

/** mulberry32: tiny, fast, good enough for test data (not for anything secret). */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** Picks by weight: [[value, weight], ...]. */
  weighted<T>(items: ReadonlyArray<readonly [T, number]>): T {
    const total = items.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [v, w] of items) if ((r -= w) < 0) return v;
    return items[items.length - 1]![0];
  }
  /** A version-4-shaped UUID from the stream (deterministic, unlike crypto.randomUUID). */
  uuid(): string {
    const b = Array.from({ length: 16 }, () => this.int(0, 255));
    b[6] = (b[6]! & 0x0f) | 0x40;
    b[8] = (b[8]! & 0x3f) | 0x80;
    const h = b.map((x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
}

export const FIRST_NAMES = [
  'Amélie', 'Jean-François', 'Chloé', 'Noé', 'Zoé', 'Élodie', 'François', 'Hélène', 'Léa', 'Gaëlle', 'Maëlle', 'Stéphane', 'Renée', 'Benoît', 'Cécile',
  'Olivia', 'Liam', 'Emma', 'Noah', 'Ava', 'Lucas', 'Mia', 'Ethan', 'Sophia', 'Aiden', 'Priya', 'Mohammed', 'Fatima', 'Wei', 'Mei', 'Oluwaseun', 'Aisha',
  'Santiago', 'María José', 'Kwame', 'Siobhán', "D'Arcy", 'Tatiana', 'Nguyễn', 'Inès', 'Joëlle', 'Raphaël', 'Anaïs', 'Thérèse', 'Dylan', 'Kateri', 'Aputi',
];
export const LAST_NAMES = [
  'Tremblay', 'Gagnon', 'Roy', 'Côté', 'Bouchard', 'Gauthier', 'Morin', 'Lavoie', 'Fortin', 'Gagné', 'Ouellet', 'Pelletier', 'Bélanger', 'Lévesque', 'Bergeron',
  'Smith', 'Brown', 'Wilson', 'MacDonald', 'Taylor', 'Campbell', "O'Brien", 'Anderson', 'Singh', 'Patel', 'Nguyen', 'Chen', 'Li', 'Khan', 'Ahmed', 'Okafor',
  'García', 'Rodríguez', 'Da Silva', 'Kowalski', 'Müller', 'St-Pierre', 'Lefèbvre', 'Dubé', 'Thériault', 'Desjardins', 'Leclerc', 'Johnson', 'Whitehorse',
];
export const NOTE_OPENINGS = [
  'Met with participant at the drop-in centre.', 'Phone check-in.', 'Rencontre au bureau.', 'Home visit with outreach worker.', 'Participant came in without an appointment.',
  'Suivi téléphonique avec la participante.', 'Virtual session by video.', 'Accompanied participant to appointment.',
];
export const NOTE_BODIES = [
  'Discussed housing search and reviewed two listings.', 'Reviewed budget; rent is due on the first and participant is short $120.',
  'Participant reports sleeping better since the change in medication.', 'Worked on the résumé and practised interview questions.',
  'A discuté de ses objectifs scolaires et de la garde des enfants.', 'Referred to the food bank and the legal clinic.',
  'Completed intake forms; consent explained and signed.', 'Participant feels more confident taking the bus alone.',
  'Conflict with landlord about repairs; provided tenant-rights information.', 'Set a goal to attend two groups this month.',
  'Elle se sent mieux entourée depuis qu’elle participe au groupe du mardi.', 'Missed last appointment; rescheduled for next week.',
];
export const NOTE_CLOSINGS = ['Follow up next week.', 'Prochain rendez-vous dans deux semaines.', 'No follow-up needed.', 'Will call on Friday.', 'Plan reviewed together.'];
export const GOALS = [
  ['Find stable housing', 'Trouver un logement stable'], ['Get a part-time job', 'Obtenir un emploi à temps partiel'], ['Finish high-school credits', 'Terminer les crédits du secondaire'],
  ['Reduce emergency-room visits', 'Réduire les visites à l’urgence'], ['Build a support network', 'Bâtir un réseau de soutien'], ['Open a bank account', 'Ouvrir un compte bancaire'],
  ['Attend counselling regularly', 'Aller régulièrement en counselling'], ['Get a health card', 'Obtenir une carte santé'],
] as const;
export const CLIENT_WORDS = ['I want my own place.', 'Je veux retourner aux études.', 'I just want to feel okay again.', 'Getting my kids back.', 'To have a job I like.', 'Être plus autonome.'];
export const STREETS = ['rue Saint-Denis', 'Bank Street', 'boulevard René-Lévesque', 'Yonge Street', 'rue Sainte-Catherine', 'Main Street'];

/** A Fernet token's ASCII text as bytea, the way KoNote stores it; '' (not NULL) for empty. */
export type Encrypt = (plaintext: string) => Buffer;

/**
 * Buffers rows (objects keyed by column name; the first row fixes the column list) for one table
 * and writes them as multi-row INSERTs with bound parameters, under PostgreSQL's 65,535-parameter
 * limit. Memory is bounded by one batch.
 */
export class BulkInserter {
  private rows: unknown[][] = [];
  private columns: string[] | null = null;
  private perBatch = 1;
  inserted = 0;

  constructor(
    private readonly client: Client,
    private readonly table: string,
    private readonly maxRows = 1000,
  ) {}

  async add(record: Record<string, unknown>): Promise<void> {
    if (!this.columns) {
      this.columns = Object.keys(record);
      this.perBatch = Math.max(1, Math.min(this.maxRows, Math.floor(60_000 / this.columns.length)));
    }
    const cols = this.columns;
    if (Object.keys(record).length !== cols.length) throw new Error(`${this.table}: row has different columns from the first row`);
    this.rows.push(
      cols.map((c) => {
        const v = record[c];
        if (v === undefined) throw new Error(`${this.table}: missing value for ${c}`);
        return v;
      }),
    );
    if (this.rows.length >= this.perBatch) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.rows.length === 0 || !this.columns) return;
    const rows = this.rows;
    this.rows = [];
    const n = this.columns.length;
    const params: unknown[] = [];
    const tuples = rows.map((r, i) => {
      params.push(...r);
      return `(${r.map((_, j) => `$${i * n + j + 1}`).join(', ')})`;
    });
    await this.client.query(`INSERT INTO ${quoteIdent(this.table)} (${this.columns.map(quoteIdent).join(', ')}) VALUES ${tuples.join(', ')}`, params);
    this.inserted += rows.length;
  }
}

/** Moves each identity sequence past the ids we assigned explicitly, so KoNote's own inserts work. */
export async function syncIdentity(client: Client, tables: readonly string[]): Promise<void> {
  for (const t of tables) {
    await client.query(`SELECT setval(pg_get_serial_sequence($1, 'id'), GREATEST((SELECT max(id) FROM ${quoteIdent(t)}), 1), (SELECT max(id) IS NOT NULL FROM ${quoteIdent(t)}))`, [t]);
  }
}
