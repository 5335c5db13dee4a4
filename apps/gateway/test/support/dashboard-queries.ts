import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

/**
 * Every PromQL expression the Helm chart ships (Grafana dashboards and Prometheus alerts), ready
 * to be evaluated against a live Prometheus: Grafana's template variables are replaced by values
 * that select everything.
 */

const REPO_ROOT = resolve(__dirname, '../../../..');
export const CHART_FILES_DIR = join(REPO_ROOT, 'deploy/helm/llm-connector-hub/files');
const DASHBOARD_FILES = ['dashboards/llm-hub-overview.json', 'dashboards/llm-hub-providers.json'];
export const ALERTS_FILE = 'prometheus/alerts.yaml';

/** Values for a live test: short windows, and every label value for the dashboards' selectors. */
const TEMPLATE_VALUES: Readonly<Record<string, string>> = {
  __rate_interval: '1m',
  __interval: '15s',
  __interval_ms: '15000',
  __range: '5m',
  __range_s: '300',
  __range_ms: '300000',
  job: '.*',
  provider: '.*',
  model: '.*',
  deployment: '.*',
  hpa: '.*',
};

interface DashboardQuery {
  dashboard: string;
  panel: string;
  refId: string;
  expr: string;
}

interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  severity: string;
}

interface GrafanaTarget {
  expr?: string;
  refId?: string;
}

interface GrafanaPanel {
  id?: number;
  type?: string;
  title?: string;
  targets?: GrafanaTarget[];
  panels?: GrafanaPanel[];
}

interface GrafanaDashboard {
  uid?: string;
  title?: string;
  panels?: GrafanaPanel[];
}

/**
 * `$name`, `${name}`, `${name:format}` and `[[name]]`. Names that start with a digit (`$1` in a
 * label_replace replacement) are not variables: they are left alone. An unknown variable throws,
 * so a typo in a dashboard fails the test instead of sending a broken query.
 */
function substituteTemplateVariables(expr: string, values: Readonly<Record<string, string>> = TEMPLATE_VALUES): string {
  return expr.replace(
    /\$\{([A-Za-z_]\w*)(?::[^}]*)?\}|\[\[([A-Za-z_]\w*)(?::\w+)?\]\]|\$([A-Za-z_]\w*)/g,
    (match, braced: string | undefined, bracketed: string | undefined, bare: string | undefined) => {
      const name = (braced ?? bracketed ?? bare) as string;
      const value = values[name];
      if (value === undefined) throw new Error(`unknown template variable ${match} in: ${expr}`);
      return value;
    },
  );
}

/** Panels in file order, rows' nested panels (collapsed rows) included. */
function flattenPanels(panels: GrafanaPanel[] = []): GrafanaPanel[] {
  return panels.flatMap((panel) => [panel, ...flattenPanels(panel.panels)]);
}

function loadDashboard(file: string): GrafanaDashboard {
  return JSON.parse(readFileSync(join(CHART_FILES_DIR, file), 'utf8')) as GrafanaDashboard;
}

/** Every target of every panel of both dashboards, template variables substituted. */
export function dashboardQueries(): Array<{ dashboard: string; panel: string; refId: string; expr: string }> {
  const queries: DashboardQuery[] = [];
  for (const file of DASHBOARD_FILES) {
    const dashboard = loadDashboard(file);
    const name = dashboard.uid ?? file;
    for (const panel of flattenPanels(dashboard.panels)) {
      for (const target of panel.targets ?? []) {
        if (typeof target.expr !== 'string' || target.expr.trim() === '') continue;
        queries.push({
          dashboard: name,
          panel: panel.title ?? `panel ${panel.id ?? '?'}`,
          refId: target.refId ?? 'A',
          expr: substituteTemplateVariables(target.expr),
        });
      }
    }
  }
  return queries;
}

interface RuleFile {
  groups?: Array<{ name?: string; rules?: Array<{ alert?: string; expr?: string; for?: string; labels?: Record<string, string> }> }>;
}

/** Every alerting rule of the shipped rule file (expressions as written: they use no template variables). */
export function alertRules(): Array<{ alert: string; expr: string; for: string; severity: string }> {
  const file = parse(readFileSync(join(CHART_FILES_DIR, ALERTS_FILE), 'utf8')) as RuleFile;
  const rules: AlertRule[] = [];
  for (const group of file.groups ?? []) {
    for (const rule of group.rules ?? []) {
      if (rule.alert === undefined) continue;
      rules.push({
        alert: rule.alert,
        expr: String(rule.expr ?? '').trim(),
        for: rule.for ?? '0s',
        severity: rule.labels?.severity ?? '',
      });
    }
  }
  return rules;
}
