/**
 * Rooms: pairs of connections keyed by the 16-byte room id from a transfer link.
 *
 * A room exists while it has a member: the first JOIN creates it, the last leave deletes it, and a member that
 * left (a crashed receiver, a dropped network) can be replaced by a new connection joining the same id — that is
 * how a transfer resumes. At most two members; the relay cannot tell which one is "right", and does not need to:
 * the end-to-end handshake decides who talks to whom.
 *
 * Per client address, the registry also counts the distinct rooms that address has members in, so one address
 * cannot create rooms without bound (4003 TOO_MANY).
 */

import { toHex } from '../src/bytes';

export const ROOM_CAPACITY = 2;

export interface Room<M> {
  /** Full hex id: a map key only, never logged. */
  readonly key: string;
  /** First 4 hex characters of the id: safe to log. */
  readonly tag: string;
  readonly members: M[];
}

export type JoinResult<M> =
  | { readonly ok: true; readonly room: Room<M>; readonly other: M | null }
  | { readonly ok: false; readonly reason: 'full' | 'too-many' };

export class RoomRegistry<M> {
  private readonly rooms = new Map<string, Room<M>>();
  /** address → room key → number of that address's members in the room. */
  private readonly byAddress = new Map<string, Map<string, number>>();

  constructor(private readonly maxRoomsPerAddress: number) {}

  get size(): number {
    return this.rooms.size;
  }

  /** Add `member` to the room `roomId`, creating it if needed. Fails without side effects when full or over quota. */
  join(roomId: Uint8Array, member: M, address: string): JoinResult<M> {
    const key = toHex(roomId);
    const existing = this.rooms.get(key);
    if (existing && existing.members.length >= ROOM_CAPACITY) return { ok: false, reason: 'full' };
    const counts = this.byAddress.get(address) ?? new Map<string, number>();
    if (!counts.has(key) && counts.size >= this.maxRoomsPerAddress) return { ok: false, reason: 'too-many' };

    const room = existing ?? { key, tag: key.slice(0, 4), members: [] };
    const other = room.members[0] ?? null;
    room.members.push(member);
    this.rooms.set(key, room);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    this.byAddress.set(address, counts);
    return { ok: true, room, other };
  }

  /** Remove `member` from `room`; returns the member still in it, if any. Deletes the room when it empties. */
  leave(room: Room<M>, member: M, address: string): M | null {
    const index = room.members.indexOf(member);
    if (index < 0) return null;
    room.members.splice(index, 1);
    if (room.members.length === 0) this.rooms.delete(room.key);

    const counts = this.byAddress.get(address);
    const count = counts?.get(room.key) ?? 0;
    if (counts && count <= 1) {
      counts.delete(room.key);
      if (counts.size === 0) this.byAddress.delete(address);
    } else if (counts) {
      counts.set(room.key, count - 1);
    }
    return room.members[0] ?? null;
  }

  /** The other member of `room`, seen from `member`. */
  otherMember(room: Room<M>, member: M): M | null {
    return room.members.find((m) => m !== member) ?? null;
  }
}
