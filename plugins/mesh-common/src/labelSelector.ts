import { isLabelKey, isLabelValue } from './kube/names';

/**
 * One requirement of a label selector.
 *
 * @public
 */
export type LabelSelectorRequirement =
  | { key: string; operator: 'Equals' | 'NotEquals'; value: string }
  | { key: string; operator: 'In' | 'NotIn'; values: string[] }
  | { key: string; operator: 'Exists' | 'DoesNotExist' };

/**
 * A parsed label selector: all requirements must hold (logical AND).
 *
 * @public
 */
export interface LabelSelector {
  requirements: LabelSelectorRequirement[];
}

/**
 * Thrown by {@link parseLabelSelector} on a selector Kubernetes would reject.
 *
 * @public
 */
export class LabelSelectorSyntaxError extends Error {
  readonly selector: string;

  constructor(selector: string, reason: string) {
    super(`invalid label selector "${selector}": ${reason}`);
    this.name = 'LabelSelectorSyntaxError';
    this.selector = selector;
  }
}

/**
 * Parses a Kubernetes label selector string, equality-based (`a=b`, `a==b`, `a!=b`) and
 * set-based (`a in (x,y)`, `a notin (x)`, `a`, `!a`), requirements separated by commas.
 * An empty string selects everything.
 *
 * @public
 */
export function parseLabelSelector(selector: string): LabelSelector {
  const requirements: LabelSelectorRequirement[] = [];
  for (const part of splitTopLevel(selector)) {
    requirements.push(parseRequirement(part, selector));
  }
  return { requirements };
}

/**
 * True when `labels` satisfy every requirement of `selector`.
 *
 * @public
 */
export function matchesSelector(
  labels: Record<string, string> | undefined,
  selector: LabelSelector,
): boolean {
  const actual = labels ?? {};
  return selector.requirements.every(requirement => {
    const has = Object.prototype.hasOwnProperty.call(actual, requirement.key);
    const value = actual[requirement.key];
    switch (requirement.operator) {
      case 'Equals':
        return has && value === requirement.value;
      case 'NotEquals':
        return !has || value !== requirement.value;
      case 'In':
        return has && requirement.values.includes(value);
      case 'NotIn':
        return !has || !requirement.values.includes(value);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      default:
        return false;
    }
  });
}

/**
 * True when every `key: value` of a map selector (Service `spec.selector`, DR subset
 * `labels`) is among `labels`. An empty map matches everything.
 *
 * @public
 */
export function matchesLabels(
  labels: Record<string, string> | undefined,
  wanted: Record<string, string> | undefined,
): boolean {
  // A loop without allocations: statuses call this for every pod of a workload.
  if (!wanted) return true;
  const actual = labels ?? {};
  for (const key in wanted) {
    if (Object.hasOwn(wanted, key) && actual[key] !== wanted[key]) return false;
  }
  return true;
}

/**
 * Renders a parsed selector back to its canonical string (for the Kubernetes API).
 *
 * @public
 */
export function formatLabelSelector(selector: LabelSelector): string {
  return selector.requirements
    .map(requirement => {
      switch (requirement.operator) {
        case 'Equals':
          return `${requirement.key}=${requirement.value}`;
        case 'NotEquals':
          return `${requirement.key}!=${requirement.value}`;
        case 'In':
          return `${requirement.key} in (${requirement.values.join(',')})`;
        case 'NotIn':
          return `${requirement.key} notin (${requirement.values.join(',')})`;
        case 'Exists':
          return requirement.key;
        case 'DoesNotExist':
          return `!${requirement.key}`;
        default:
          return '';
      }
    })
    .join(',');
}

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of selector) {
    if (char === '(') {
      depth++;
      if (depth > 1) {
        throw new LabelSelectorSyntaxError(selector, 'nested parentheses');
      }
    } else if (char === ')') {
      depth--;
      if (depth < 0) {
        throw new LabelSelectorSyntaxError(selector, 'unbalanced ")"');
      }
    }
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  if (depth !== 0) {
    throw new LabelSelectorSyntaxError(selector, 'unclosed "("');
  }
  parts.push(current);
  const trimmed = parts.map(part => part.trim());
  if (trimmed.length === 1 && trimmed[0] === '') {
    return [];
  }
  if (trimmed.some(part => part === '')) {
    throw new LabelSelectorSyntaxError(selector, 'empty requirement');
  }
  return trimmed;
}

const SET_REQUIREMENT = /^(\S+)\s+(in|notin)\s*\((.*)\)$/;
const EQUALITY_REQUIREMENT = /^([^=!\s]+)\s*(==|!=|=)\s*(\S*)$/;

function parseRequirement(
  part: string,
  selector: string,
): LabelSelectorRequirement {
  const set = SET_REQUIREMENT.exec(part);
  if (set) {
    const [, key, op, list] = set;
    const values = list.split(',').map(value => value.trim());
    if (values.length === 1 && values[0] === '') {
      throw new LabelSelectorSyntaxError(
        selector,
        `"${key} ${op}" needs at least one value`,
      );
    }
    checkKey(key, selector);
    values.forEach(value => checkValue(value, selector));
    return { key, operator: op === 'in' ? 'In' : 'NotIn', values };
  }
  const equality = EQUALITY_REQUIREMENT.exec(part);
  if (equality) {
    const [, key, op, value] = equality;
    checkKey(key, selector);
    checkValue(value, selector);
    return { key, operator: op === '!=' ? 'NotEquals' : 'Equals', value };
  }
  if (part.startsWith('!')) {
    const key = part.slice(1).trim();
    checkKey(key, selector);
    return { key, operator: 'DoesNotExist' };
  }
  checkKey(part, selector);
  return { key: part, operator: 'Exists' };
}

function checkKey(key: string, selector: string): void {
  if (!isLabelKey(key)) {
    throw new LabelSelectorSyntaxError(
      selector,
      `"${key}" is not a valid label key`,
    );
  }
}

function checkValue(value: string, selector: string): void {
  if (!isLabelValue(value)) {
    throw new LabelSelectorSyntaxError(
      selector,
      `"${value}" is not a valid label value`,
    );
  }
}
