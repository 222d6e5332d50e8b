import type { Knex } from 'knex'

// Serial numbers are one device per workspace whatever their case or Unicode form: `c02xyz` and
// `C02XYZ` are the same Mac. Serials are stored trimmed and in NFC (as the register now writes
// them) and the unique index compares lower(serial).
//
// A database may already hold serials that differ only in case (or form). Nothing is deleted or
// merged, which only the admin can judge: in each group the oldest row keeps the serial and the
// others become "<serial> (duplicate 2)", "(duplicate 3)"… (or "(duplicate <id>)" if that too is
// taken), so the index can be built. Each renamed row gets an audit entry on its page naming the
// row that kept the serial and what to do; the upgrade prints them too. Rows only normalised are
// audited as well. No webhook event is sent: receivers hear of the serial when the admin fixes it.
export async function up (knex: Knex): Promise<void> {
  const { rows } = await knex.raw<{ rows: Array<{ slug: string, asset_tag: string, old: string, new: string, kept: string }> }>(`
    WITH normalised AS (
      SELECT id, workspace_id, serial, asset_tag, name, created_at,
        normalize(regexp_replace(serial, '^\\s+|\\s+$', '', 'g'), NFC) AS norm
      FROM hardware
    ), ranked AS (
      SELECT n.*,
        row_number() OVER same_device AS rank,
        first_value(asset_tag) OVER same_device AS kept
      FROM normalised n
      WHERE norm <> ''
      WINDOW same_device AS (PARTITION BY workspace_id, lower(norm) ORDER BY created_at, id)
    ), changed AS (
      SELECT r.*, CASE
        WHEN r.rank = 1 THEN r.norm
        WHEN NOT EXISTS (SELECT 1 FROM normalised x WHERE x.workspace_id = r.workspace_id AND lower(x.norm) = lower(r.norm || ' (duplicate ' || r.rank || ')'))
          THEN r.norm || ' (duplicate ' || r.rank || ')'
        ELSE r.norm || ' (duplicate ' || r.id || ')'
      END AS new_serial
      FROM ranked r
      WHERE rank > 1 OR norm <> serial
    ), updated AS (
      UPDATE hardware h SET serial = c.new_serial, version = h.version + 1, updated_at = now()
      FROM changed c WHERE h.id = c.id
    ), audited AS (
      INSERT INTO audit_log (workspace_id, actor_type, actor_label, action, target_type, target_id, target_label, changes, details)
      SELECT workspace_id, 'system', 'Stocktake upgrade', 'hardware.updated', 'hardware', id::text, asset_tag || ' ' || name,
        jsonb_build_object('serial', jsonb_build_object('old', serial, 'new', new_serial)),
        jsonb_build_object('reason', CASE WHEN rank = 1
          THEN 'serial numbers are now stored without surrounding spaces and in one Unicode form (NFC)'
          ELSE 'serial numbers are now unique ignoring case, and ' || kept || ' has the same one: correct the serial of one of them, or retire the duplicate' END)
      FROM changed
    )
    SELECT w.slug, c.asset_tag, c.serial AS old, c.new_serial AS new, c.kept
    FROM changed c JOIN workspaces w ON w.id = c.workspace_id
    WHERE c.rank > 1
    ORDER BY w.slug, c.asset_tag`)
  await knex.raw(`
    DROP INDEX hardware_workspace_serial_key;
    CREATE UNIQUE INDEX hardware_workspace_serial_key ON hardware (workspace_id, lower(serial));
  `)
  if (rows.length > 0) {
    console.warn(`Serial numbers are now unique ignoring case. ${rows.length} hardware record${rows.length === 1 ? ' had the serial' : 's had serials'} of an older one and ${rows.length === 1 ? 'was' : 'were'} renamed; correct them or retire the duplicates (each one's audit trail says so):`)
    for (const r of rows) console.warn(`  ${r.slug}: ${r.asset_tag} "${r.old}" -> "${r.new}" (same serial as ${r.kept})`)
  }
}

export async function down (knex: Knex): Promise<void> {
  await knex.raw(`
    DROP INDEX hardware_workspace_serial_key;
    CREATE UNIQUE INDEX hardware_workspace_serial_key ON hardware (workspace_id, serial);
  `)
}
