/**
 * A BagIt bag (RFC 8493) serialised as a zip, written in one pass in bounded memory: payload files go under
 * `data/` as they come, each hashed (SHA-512 and SHA-256) on the way through; the tag files follow: `bagit.txt`
 * (written first), `bag-info.txt` (with Payload-Oxum and Bag-Size known by then), `manifest-sha512.txt` (RFC 8493
 * §2.4: tools should prefer SHA-512 when creating bags) beside `manifest-sha256.txt` (for older readers), and
 * `tagmanifest-sha512.txt` / `tagmanifest-sha256.txt` (over bagit.txt, bag-info.txt and both manifests). The zip holds the bag in a top-level
 * directory named after the bag, as the BagIt serialisation section recommends.
 */
import { createHash } from 'node:crypto';
import type { EntrySource } from './zip.js';
import { ZipWriter } from './zip.js';

const BAGIT_TXT = 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n';

/** Characters a manifest path must percent-encode (RFC 8493 §2.1.3). */
export function encodeManifestPath(p: string): string {
  return p.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function humanSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** bag-info.txt: `Label: value` lines; long values are not folded (allowed by RFC 8493). */
export function bagInfoText(fields: [string, string][]): string {
  return fields.map(([k, v]) => `${k}: ${v.replace(/[\r\n]+/g, ' ')}`).join('\n') + '\n';
}

export interface BagInfo {
  sourceOrganization: string;
  externalIdentifier: string;
  externalDescription?: string;
  baggingDate?: string;
  extra?: [string, string][];
}

export class BagWriter {
  private readonly zip: ZipWriter;
  private readonly manifest: string[] = [];
  private readonly manifest512: string[] = [];
  private octets = 0;
  private streams = 0;

  /** `root` is the bag's directory name inside the zip. */
  constructor(
    readonly path: string,
    readonly root: string,
    zip?: ZipWriter,
  ) {
    this.zip = zip ?? new ZipWriter(path);
  }

  async start(): Promise<void> {
    await this.tag('bagit.txt', BAGIT_TXT);
  }

  /**
   * Continues a finished bag (the zip at `from`, which is consumed) with more payload: bagit.txt and the payload
   * files stay in the zip as they are, byte for byte, not read or compressed again; its tag files are cut off and
   * written anew by `finish`, the manifests carrying the payload's lines as they were (the checksums computed as it
   * was written) followed by those of the files added next.
   */
  static async resume(path: string, from: string, root: string): Promise<BagWriter> {
    const inRoot = (n: string) => `${root}/${n}`;
    const { zip, kept, read } = await ZipWriter.resume(path, from, {
      keep: (name) => name === inRoot('bagit.txt') || name.startsWith(inRoot('data/')),
      read: [inRoot('bagit.txt'), inRoot('manifest-sha256.txt'), inRoot('manifest-sha512.txt')],
    });
    const bag = new BagWriter(path, root, zip);
    try {
      const bagit = read.get(inRoot('bagit.txt'))!;
      if (kept[0]?.name !== inRoot('bagit.txt')) throw new Error(`${from}: bagit.txt is not the bag's first entry`);
      bag.tagHashes.push(['bagit.txt', createHash('sha256').update(bagit).digest('hex'), createHash('sha512').update(bagit).digest('hex')]);
      const payload = kept.slice(1);
      const lines = (name: string, hex: number) => {
        const out = read.get(inRoot(name))!.toString('utf8').split('\n').filter(Boolean);
        // the manifest lists exactly the kept payload, in the order it was written
        const ok =
          out.length === payload.length &&
          out.every(
            (l, i) =>
              new RegExp(`^[0-9a-f]{${hex}}  `).test(l) && l.slice(hex + 2) === encodeManifestPath(payload[i].name.slice(root.length + 1)),
          );
        if (!ok) throw new Error(`${from}: ${name} does not list the bag's payload`);
        return out;
      };
      bag.manifest.push(...lines('manifest-sha256.txt', 64));
      bag.manifest512.push(...lines('manifest-sha512.txt', 128));
      for (const p of payload) bag.octets += p.size;
      bag.streams = payload.length;
      return bag;
    } catch (e) {
      await bag.abort();
      throw e;
    }
  }

  private readonly tagHashes: [string, string, string][] = [];

  private async tag(name: string, text: string): Promise<void> {
    const r = await this.zip.add(`${this.root}/${name}`, text);
    this.tagHashes.push([name, r.sha256, r.sha512]);
  }

  /** Adds a payload file at `data/<path>`. DOCX and other zips are stored, not recompressed. */
  async addPayload(
    path: string,
    source: EntrySource,
    opts: { compress?: boolean } = {},
  ): Promise<{ size: number; sha256: string; sha512: string }> {
    const rel = `data/${path}`;
    const compress = opts.compress ?? !/\.(docx|zip|pdf|png|jpe?g)$/i.test(path);
    const r = await this.zip.add(`${this.root}/${rel}`, source, { compress });
    this.manifest.push(`${r.sha256}  ${encodeManifestPath(rel)}`);
    this.manifest512.push(`${r.sha512}  ${encodeManifestPath(rel)}`);
    this.octets += r.size;
    this.streams += 1;
    return r;
  }

  get payloadOxum(): string {
    return `${this.octets}.${this.streams}`;
  }

  /** Writes bag-info.txt and the two manifests, then closes the zip (renamed into place). */
  async finish(info: BagInfo): Promise<{ path: string; size: number; payloadOxum: string }> {
    const fields: [string, string][] = [
      ['Source-Organization', info.sourceOrganization],
      ['Bagging-Date', info.baggingDate ?? new Date().toISOString().slice(0, 10)],
      ['Payload-Oxum', this.payloadOxum],
      ['Bag-Size', humanSize(this.octets)],
      ['External-Identifier', info.externalIdentifier],
      ...(info.externalDescription ? [['External-Description', info.externalDescription] as [string, string]] : []),
      ...(info.extra ?? []),
    ];
    await this.tag('bag-info.txt', bagInfoText(fields));
    await this.tag('manifest-sha512.txt', this.manifest512.join('\n') + '\n');
    await this.tag('manifest-sha256.txt', this.manifest.join('\n') + '\n');
    await this.zip.add(`${this.root}/tagmanifest-sha512.txt`, this.tagHashes.map(([name, , h]) => `${h}  ${name}`).join('\n') + '\n');
    await this.zip.add(`${this.root}/tagmanifest-sha256.txt`, this.tagHashes.map(([name, h]) => `${h}  ${name}`).join('\n') + '\n');
    const done = await this.zip.finish();
    return { ...done, payloadOxum: this.payloadOxum };
  }

  abort(): Promise<void> {
    return this.zip.abort();
  }

  abandon(): void {
    this.zip.abandon();
  }
}

export const sha256Hex = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
