// Customers' pictures: the limits of a picked file, and the pictures of the All users table's
// avatars. The table asks for those of the rows it shows in one call per batch, and the answers
// are kept by profile id, so rows shown again are not asked for again. A picture's data URL is a
// few hundred kB, so only the most recently shown pictures are kept.

import type { PictureView } from './bindings/PictureView';
import type { ProfileId } from './bindings/ProfileId';

/** The largest file the core takes as a picture, in bytes (20 MB). */
export const MAX_PICTURE_BYTES = 20 * 1024 * 1024;

/** The formats the core reads, as the file dialog's filter. */
export const PICTURE_TYPES = 'image/png,image/jpeg,image/gif,image/webp,image/bmp';

/** The core's reason for refusing a file over the limit, so it reads the same whichever side
 * refuses it. */
export function oversizeReason(size: number): string {
  return `the file is ${size} bytes; a picture may be at most 20 MB`;
}

/** Pictures kept. */
export const PICTURE_CAPACITY = 200;
/** Ids remembered as having no picture. */
export const NO_PICTURE_CAPACITY = 20_000;

export type FetchPictures = (ids: ProfileId[]) => Promise<PictureView[]>;

export interface PictureCacheOptions {
  readonly capacity?: number;
  readonly noPictureCapacity?: number;
  /** Pictures (or the news that there are none) arrived. */
  readonly onLoad?: () => void;
  readonly onError?: (error: unknown) => void;
}

export class PictureCache {
  private readonly fetchPictures: FetchPictures;
  private readonly capacity: number;
  private readonly noPictureCapacity: number;
  private readonly onLoad: (() => void) | undefined;
  private readonly onError: ((error: unknown) => void) | undefined;

  /** Map and set order is recency order: the first entry is the least recently used. */
  private readonly pictures = new Map<ProfileId, PictureView>();
  private readonly none = new Set<ProfileId>();
  /** Ids being asked for, each with the number of its request; a later change wins over it. */
  private readonly asking = new Map<ProfileId, number>();
  /** Not asked again until clearFailures() or clear(), to avoid a retry storm. */
  private readonly failed = new Set<ProfileId>();
  private requests = 0;

  constructor(fetchPictures: FetchPictures, options: PictureCacheOptions = {}) {
    this.fetchPictures = fetchPictures;
    this.capacity = Math.max(1, options.capacity ?? PICTURE_CAPACITY);
    this.noPictureCapacity = Math.max(1, options.noPictureCapacity ?? NO_PICTURE_CAPACITY);
    this.onLoad = options.onLoad;
    this.onError = options.onError;
  }

  /** The customer's picture; `null` when they have none, `undefined` when that is not known. */
  get(id: ProfileId): PictureView | null | undefined {
    const picture = this.pictures.get(id);
    if (picture !== undefined) {
      this.pictures.delete(id);
      this.pictures.set(id, picture);
      return picture;
    }
    return this.none.has(id) ? null : undefined;
  }

  /** Whether the id should be asked for: not known, not being asked for, not failed. */
  needs(id: ProfileId): boolean {
    return !this.pictures.has(id) && !this.none.has(id) && !this.asking.has(id) && !this.failed.has(id);
  }

  /** Asks for the pictures of those ids that need it, in one call. */
  request(ids: Iterable<ProfileId>): void {
    const wanted = [...new Set(ids)].filter((id) => this.needs(id));
    if (wanted.length === 0) return;
    this.requests += 1;
    const request = this.requests;
    for (const id of wanted) this.asking.set(id, request);
    this.fetchPictures(wanted).then(
      (answer) => {
        const byId = new Map(answer.map((picture) => [picture.profileId, picture]));
        let changed = false;
        for (const id of wanted) {
          if (this.asking.get(id) !== request) continue;
          this.asking.delete(id);
          this.store(id, byId.get(id));
          changed = true;
        }
        if (changed) this.onLoad?.();
      },
      (error: unknown) => {
        let mine = false;
        for (const id of wanted) {
          if (this.asking.get(id) !== request) continue;
          this.asking.delete(id);
          this.failed.add(id);
          mine = true;
        }
        if (mine) this.onError?.(error);
      },
    );
  }

  /** The picture the customer has now (`undefined`: none), as the Details window just set or
   * removed it; an answer still on its way for the id is ignored. */
  set(id: ProfileId, picture: PictureView | undefined): void {
    this.asking.delete(id);
    this.failed.delete(id);
    this.store(id, picture);
  }

  /** Forgets every picture (pulled changes may have brought others); answers on their way are
   * ignored. */
  clear(): void {
    this.pictures.clear();
    this.none.clear();
    this.asking.clear();
    this.failed.clear();
  }

  /** Lets the ids whose request failed be asked for again. */
  clearFailures(): void {
    this.failed.clear();
  }

  private store(id: ProfileId, picture: PictureView | undefined): void {
    this.pictures.delete(id);
    this.none.delete(id);
    if (picture === undefined) {
      this.none.add(id);
      for (const oldest of this.none) {
        if (this.none.size <= this.noPictureCapacity) break;
        this.none.delete(oldest);
      }
    } else {
      this.pictures.set(id, picture);
      for (const oldest of this.pictures.keys()) {
        if (this.pictures.size <= this.capacity) break;
        this.pictures.delete(oldest);
      }
    }
  }
}
