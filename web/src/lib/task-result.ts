import type { DuplicateGroup, FindDuplicatesResult, TaskResult } from './graphql/types.js';
import { translate, type Locale } from './i18n.js';
import type { Fact } from './worker-facts.js';

// The figures of a task job's typed result, in reading order; format.ts formats them.

/** Duplicate groups the detail lists before "N more groups not shown". */
export const GROUPS_SHOWN = 10;

export function taskResultFacts(result: TaskResult, locale: Locale): Fact[] {
  switch (result.__typename) {
    case 'LibraryScanResult': {
      const facts: Fact[] = [
        { label: 'result.folder', kind: 'text', value: result.folder ?? translate(locale, 'result.wholeLibrary') },
        { label: 'result.files', kind: 'count', value: result.files },
        { label: 'result.audioFiles', kind: 'count', value: result.audioFiles },
        { label: 'result.totalSize', kind: 'bytes', value: result.totalBytes },
      ];
      if (result.missingTags === null || result.unreadableFiles === null) {
        facts.push({ label: 'task.option.readTags', kind: 'flag', value: false });
      } else {
        facts.push({ label: 'result.missingTags', kind: 'count', value: result.missingTags });
        facts.push({ label: 'result.unreadableFiles', kind: 'count', value: result.unreadableFiles });
      }
      return facts;
    }
    case 'FindDuplicatesResult':
      return [
        { label: 'result.compared', kind: 'text', value: translate(locale, result.byContent ? 'result.compared.content' : 'result.compared.tags') },
        { label: 'result.tracksScanned', kind: 'count', value: result.tracksScanned },
        { label: 'result.unreadableTags', kind: 'count', value: result.unreadable },
        { label: 'result.duplicateGroups', kind: 'count', value: result.duplicateGroups },
        { label: 'result.duplicateFiles', kind: 'count', value: result.duplicateFiles },
      ];
  }
}

/** The groups listed, and how many of the result's groups are not. */
export function shownGroups(result: FindDuplicatesResult): { groups: DuplicateGroup[]; more: number } {
  const groups = result.groups.slice(0, GROUPS_SHOWN);
  return { groups, more: Math.max(0, result.duplicateGroups - groups.length) };
}
