import { FONT_NAMES, type FaceRole } from '#gongwen/page-layout';
import { fontconfigResolver, warmFaces } from './fonts.js';

describe('warmFaces (the server cuts the OFD faces once listening)', () => {
  it('cuts each installed face once, per file and index, and nothing on a second call', async () => {
    const faces = new Set(
      (Object.keys(FONT_NAMES) as FaceRole[]).flatMap((role) => {
        const f = fontconfigResolver(role);
        return f ? [`${f.path}#${f.index}`] : [];
      }),
    );
    // the shipped font set (README, fonts) installs the CJK faces: four of them at least
    expect(faces.size).toBeGreaterThanOrEqual(4);
    expect(await warmFaces()).toBe(faces.size);
    expect(await warmFaces()).toBe(0);
  }, 120_000);

  it('stops at an aborted signal', async () => {
    const stop = new AbortController();
    stop.abort();
    expect(await warmFaces({ signal: stop.signal, resolve: () => ({ path: '/nonexistent.ttf', index: 0 }) })).toBe(0);
  });
});
