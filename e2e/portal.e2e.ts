import { test, expect, Page } from '@playwright/test';

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `e2e/artifacts/screenshots/${name}.png`, fullPage: true });

test('guest signs in, finds backend in the catalog and opens its Mesh tab', async ({
  page,
}) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();

  await expect(page.getByRole('link', { name: 'backend', exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: 'frontend', exact: true })).toBeVisible();
  await shot(page, '01-catalog');

  await page.getByRole('link', { name: 'backend', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'backend' }).first()).toBeVisible();
  await shot(page, '02-backend-overview');

  // Entity page tabs are links; the sidebar has a "Mesh" link too (the overview).
  await page.locator('a[href$="/catalog/default/component/backend/mesh"]').first().click();
  await expect(page).toHaveURL(/\/catalog\/default\/component\/backend\/mesh/);
  await shot(page, '03-backend-mesh-tab');
});
