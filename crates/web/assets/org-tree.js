// org-tree.js — the permission checkbox tree of 新增 / 修改授權經辦人 (issue 6, 圖3-15): ticking a
// group ticks every function in it, and a group is ticked exactly when all its functions are.
// Without JavaScript the form still works: a ticked group grants its whole group on the server.
for (const group of document.querySelectorAll('[data-tree-group]')) {
  const toggle = group.querySelector('[data-group-toggle]');
  const functions = [...group.querySelectorAll('[data-function]')];
  if (!toggle) continue;
  toggle.addEventListener('change', () => {
    for (const f of functions) f.checked = toggle.checked;
  });
  for (const f of functions) {
    f.addEventListener('change', () => {
      toggle.checked = functions.every((x) => x.checked);
    });
  }
}
