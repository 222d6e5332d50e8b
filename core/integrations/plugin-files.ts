// Reading one plugin folder: its manifest, the files it names, and its settings schema, each
// checked, every problem reported against the file and field it is about.
import { access, readFile } from 'node:fs/promises'
import { join, relative, resolve, isAbsolute } from 'node:path'
import Handlebars from 'handlebars'
import type { SettingsSchema } from './settings-validation.ts'
import { anyHostProblems, manifestProblems, oauth2SettingsProblems, type PluginManifest, type Problem } from './manifest.ts'
import { headerAuthProblems } from './http/header-auth.ts'
import { settingsSchemaProblems } from './settings-schema.ts'

/** A problem located in a file (shown relative to the working directory when inside it). */
export interface FileProblem extends Problem { file: string }

export interface PluginFolder {
  id: string
  /** Absolute path of the folder. */
  dir: string
  manifest: PluginManifest
  settingsSchema: SettingsSchema | null
  cardTemplate: string | null
  /** The page capability's template (rendered with the core's view helpers). */
  pageTemplate: string | null
  iconSvg: string | null
}

/** A path for messages: relative to the working directory when inside it, else absolute. */
export function displayPath (path: string): string {
  const rel = relative(process.cwd(), path)
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path
}

async function exists (path: string): Promise<boolean> {
  return await access(path).then(() => true, () => false)
}

async function readJson (file: string, problems: FileProblem[]): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'))
  } catch (err) {
    problems.push({ file: displayPath(file), field: '/', message: `cannot be read as JSON: ${(err as Error).message}` })
    return undefined
  }
}

type PrecompileOptions = Parameters<typeof Handlebars.precompile>[1]

const NAMED_FILES = ['entry', 'settings', 'card', 'page', 'icon'] as const

/** Reads and checks one plugin folder; returns the plugin, or null with `problems` filled in. */
export async function readPluginFolder (dir: string, problems: FileProblem[]): Promise<PluginFolder | null> {
  const manifestFile = join(dir, 'manifest.json')
  const before = problems.length
  const where = (file: string) => (p: Problem): FileProblem => ({ file: displayPath(file), ...p })
  const manifest = await readJson(manifestFile, problems) as PluginManifest | undefined
  if (manifest === undefined) return null
  problems.push(...manifestProblems(manifest).map(where(manifestFile)))
  if (problems.length > before) return null

  for (const field of NAMED_FILES) {
    const named = manifest[field]
    if (named !== undefined && !await exists(resolve(dir, named))) {
      problems.push({ file: displayPath(manifestFile), field: `/${field}`, message: `names ${named}, which does not exist` })
    }
  }
  if (problems.length > before) return null

  let settingsSchema: SettingsSchema | null = null
  if (manifest.settings !== undefined) {
    const file = resolve(dir, manifest.settings)
    const schema = await readJson(file, problems)
    if (schema !== undefined) {
      problems.push(...settingsSchemaProblems(schema, manifest).map(where(file)))
      problems.push(...oauth2SettingsProblems(manifest, schema as SettingsSchema).map(where(manifestFile)))
      problems.push(...headerAuthProblems(manifest, schema as SettingsSchema).map(where(manifestFile)))
      problems.push(...anyHostProblems(manifest, schema as SettingsSchema).map(where(manifestFile)))
    }
    settingsSchema = schema as SettingsSchema
  } else {
    if ((manifest.allowedHosts ?? []).some(host => host.startsWith('{{'))) {
      problems.push({ file: displayPath(manifestFile), field: '/allowedHosts', message: 'uses a {{setting}} template but the plugin has no settings' })
    }
    problems.push(...oauth2SettingsProblems(manifest, null).map(where(manifestFile)))
    problems.push(...headerAuthProblems(manifest, null).map(where(manifestFile)))
    problems.push(...anyHostProblems(manifest, null).map(where(manifestFile)))
  }

  const cardTemplate = await readTemplate(dir, manifest.card, problems, { knownHelpersOnly: true })
  const pageTemplate = await readTemplate(dir, manifest.page, problems, {})

  let iconSvg: string | null = null
  if (manifest.icon !== undefined) {
    const file = resolve(dir, manifest.icon)
    iconSvg = await readFile(file, 'utf8')
    if (!/<svg[\s>]/.test(iconSvg)) problems.push({ file: displayPath(file), field: '/', message: 'is not an SVG image' })
  }

  if (problems.length > before) return null
  return { id: manifest.id, dir, manifest, settingsSchema, cardTemplate, pageTemplate, iconSvg }
}

/** A template the manifest names, checked to compile; null when it names none. */
async function readTemplate (dir: string, named: string | undefined, problems: FileProblem[], options: PrecompileOptions): Promise<string | null> {
  if (named === undefined) return null
  const file = resolve(dir, named)
  const template = await readFile(file, 'utf8')
  try {
    Handlebars.precompile(template, options)
  } catch (err) {
    problems.push({ file: displayPath(file), field: '/', message: `is not a valid handlebars template: ${(err as Error).message}` })
  }
  return template
}
