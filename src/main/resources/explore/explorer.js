// rmaplab explorer: draws what the Java side recorded (window.RMAPLAB_EXPLORE, from data.js, and
// the steps in chunks data-000.js, ... loaded on demand, in order; see ExplorerData).
// No model here: the state of step N is the recorded deltas of steps 0..N applied in order.
(function () {
  'use strict';
  var D = window.RMAPLAB_EXPLORE;
  var CHECKPOINT = 256; // a copy of every design's state every CHECKPOINT steps: jumping back is cheap
  var nSteps = D.steps;
  var cur = -1, viewDesign = 0, selectedKey = null;
  var want = -1, loaded = 0, loading = false, waiting = [];
  D.labels = []; D.structures = []; D.walks = [];
  D.designs.forEach(function (d) { d.steps = []; });

  // Chunks: chunk K holds steps D.chunks[K] .. D.chunks[K+1]-1 of every design and the table
  // entries they name first, so chunks are taken in order. Each is decoded once into the objects
  // the drawing below reads (a step: result, failure, maps, frames, counters, walks).
  var KINDS = ['table', 'anon', 'file', 'other'], LRUS = ['-', 'active', 'inactive'], EVENTS = ['vma', 'pte', 'miss', 'found'];
  function chunkOf(n) { var k = 0; while (k + 1 < D.chunks.length && D.chunks[k + 1] <= n) k++; return k; }
  function chunkFile(k) { var s = String(k); while (s.length < 3) s = '0' + s; return 'data-' + s + '.js'; }
  // A walk: [key, vmas, ptes, found, mapcount, structure, stop, N, N events..., then try_to_unmap's
  // walk: vmas, ptes, found, stop, events...] (ExplorerData); the stop texts are Recorder.stopText's.
  var STOPS = [function (w) { return 'walked all: found ' + w.found + ' of ' + w.mapcount + ' ptes'; },
    function (w) { return 'stopped: mapcount reached (' + w.mapcount + ' ptes found)'; },
    function () { return 'stopped: VM_LOCKED vma (SWAP_FAIL)'; },
    function () { return 'stopped: VM_LOCKED vma (page_referenced\'s early break)'; }];
  function decodeEvents(a, from, to) {
    var ev = [];
    for (var i = from; i < to; i++) ev.push([EVENTS[a[i] & 3], a[i] >> 2]);
    return ev;
  }
  function decodeWalk(a) {
    var n = a[7], u = 8 + n;
    var w = { key: D.labels[a[0]], vmas: a[1], ptes: a[2], found: a[3], mapcount: a[4], structure: a[5] < 0 ? null : a[5],
      events: decodeEvents(a, 8, u) };
    w.stop = STOPS[a[6]](w);
    w.unmap = { vmas: a[u], ptes: a[u + 1], found: a[u + 2], mapcount: a[4], events: decodeEvents(a, u + 4, a.length) };
    w.unmap.stop = STOPS[a[u + 3]](w.unmap);
    return w;
  }
  function decodeStep(a) {
    var st = { result: a[0], failure: a[1], maps: a[2], frames: {}, counters: {}, walks: {} }, f = a[3], i;
    for (i = 0; i < f.length; i += 7) {
      st.frames[f[i]] = f[i + 1] < 0 ? null : { refcount: f[i + 1], mapcount: f[i + 2], kind: KINDS[f[i + 3]],
        flags: D.labels[f[i + 4]], swap: f[i + 5], lru: LRUS[f[i + 6]] };
    }
    for (i = 0; i < a[4].length; i += 2) st.counters[D.labels[a[4][i]]] = a[4][i + 1];
    for (i = 0; i < a[5].length; i += 2) st.walks[a[5][i]] = D.walks[a[5][i + 1]];
    return st;
  }
  window.RMAPLAB_CHUNK = function (k, c) {
    if (k !== loaded) return; // a chunk loaded twice
    Array.prototype.push.apply(D.labels, c.strings);
    Array.prototype.push.apply(D.structures, c.structures);
    c.walks.forEach(function (w) { D.walks.push(decodeWalk(w)); });
    c.steps.forEach(function (steps, d) { steps.forEach(function (a) { D.designs[d].steps.push(decodeStep(a)); }); });
    loaded = k + 1; loading = false;
    if (want >= 0) go(want);
  };
  function loadNext() {
    if (loading) return;
    loading = true;
    document.getElementById('position').textContent = 'loading ' + chunkFile(loaded) + ' (' + loaded + ' of ' + D.chunks.length + ' chunks in)';
    var s = document.createElement('script');
    s.src = chunkFile(loaded);
    s.onerror = function () { document.getElementById('position').textContent = 'cannot load ' + s.src; };
    document.body.appendChild(s);
  }
  var states = D.designs.map(function () { return emptyState(); });
  var checkpoints = D.designs.map(function () { return {}; });

  function emptyState() { return { maps: {}, frames: {}, counters: {}, walks: {} }; }
  function copyState(s) {
    return { maps: Object.assign({}, s.maps), frames: Object.assign({}, s.frames),
      counters: Object.assign({}, s.counters), walks: Object.assign({}, s.walks) };
  }
  function apply(s, st) {
    var k;
    for (k in st.maps) { if (st.maps[k] === null) delete s.maps[k]; else s.maps[k] = st.maps[k]; }
    for (k in st.frames) {
      if (st.frames[k] === null || st.frames[k].mapcount === 0) delete s.walks[k];
      if (st.frames[k] === null) delete s.frames[k]; else s.frames[k] = st.frames[k];
    }
    for (k in st.counters) s.counters[k] = (s.counters[k] || 0) + st.counters[k];
    for (k in st.walks) s.walks[k] = st.walks[k];
  }
  function stateAt(d, n) {
    var base = Math.floor(n / CHECKPOINT) * CHECKPOINT - 1, s, i;
    if (cur >= 0 && cur <= n && cur > base) { s = states[d]; i = cur + 1; }
    else if (base >= 0 && checkpoints[d][base]) { s = copyState(checkpoints[d][base]); i = base + 1; }
    else { s = emptyState(); i = 0; }
    for (; i <= n; i++) {
      apply(s, D.designs[d].steps[i]);
      if ((i + 1) % CHECKPOINT === 0 && !checkpoints[d][i]) checkpoints[d][i] = copyState(s);
    }
    return s;
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var a in (attrs || {})) e.setAttribute(a, attrs[a]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); return e; }

  // Shows step N once its chunk (and those before) are in; until then loads the next one.
  function go(n) {
    if (nSteps === 0) return;
    n = want = Math.max(0, Math.min(nSteps - 1, n));
    if (chunkOf(n) >= loaded) { loadNext(); return; }
    for (var d = 0; d < D.designs.length; d++) states[d] = stateAt(d, n);
    cur = n;
    render();
    var w = waiting; waiting = [];
    w.forEach(function (f) { f(); });
  }
  // Calls F once the step asked for last is shown.
  function ready(f) { if (want === cur && cur >= 0) f(); else waiting.push(f); }

  function render() {
    document.getElementById('position').textContent = 'line ' + D.lines[cur].line + ' (step ' + (cur + 1) + ' of ' + nSteps + ')';
    document.getElementById('jump').value = cur;
    showInTimeline(cur);
    renderCurrent(); renderTasks(); renderFrames(); renderPage(); renderCounters();
  }

  function renderCurrent() {
    var c = clear(document.getElementById('current'));
    c.appendChild(el('h2', {}, 'Line ' + D.lines[cur].line + ': ' + D.lines[cur].text));
    var t = el('table', { id: 'results' });
    D.designs.forEach(function (d) {
      var st = d.steps[cur], tr = el('tr');
      tr.appendChild(el('th', {}, d.name));
      tr.appendChild(el('td', { 'class': 'result' }, '= ' + st.result));
      tr.appendChild(el('td', { 'class': 'fail' }, st.failure || ''));
      tr.appendChild(el('td', {}, Object.keys(st.frames).length + ' frames changed, ' + Object.keys(st.maps).length + ' tasks\' maps'));
      t.appendChild(tr);
    });
    c.appendChild(t);
    if (D.kernel) renderKernel(c);
  }

  // The 'diff with the kernel' view (explore --kernel): the kernel's result of this line, each
  // design's verdict as rmaplab diff gives it, and, on the line where a design parted from the
  // kernel, both results and both sides' maps side by side.
  function stepOfLine(line) {
    for (var i = 0; i < D.lines.length; i++) if (D.lines[i].line === line) return i;
    return -1;
  }
  function renderKernel(c) {
    var K = D.kernel, line = D.lines[cur].line, box = el('div', { id: 'kernel' });
    box.appendChild(el('h3', {}, 'The real kernel (' + K.about + ')'));
    var res = K.results[line] !== undefined ? '= ' + K.results[line]
      : K.skipped[line] !== undefined ? 'skipped: ' + K.skipped[line] : '(not run)';
    box.appendChild(el('p', { 'class': 'result', id: 'kernel-result' }, 'linux ' + res));
    if (K.error) box.appendChild(el('p', { 'class': 'fail' }, K.error));
    var ul = el('ul', { id: 'verdicts' });
    K.diffs.forEach(function (d) {
      var li = el('li', { 'data-design': d.design });
      if (d.line === null) { li.textContent = d.report; ul.appendChild(li); return; }
      var a = el('a', { href: '#', 'class': 'parted' }, d.design + ' parted from the kernel at line ' + d.line);
      a.addEventListener('click', function (e) { e.preventDefault(); go(stepOfLine(d.line)); });
      li.appendChild(a);
      ul.appendChild(li);
      if (d.line !== line) return;
      li.classList.add('here');
      var sbs = el('div', { 'class': 'side-by-side', 'data-design': d.design });
      [['linux', d.linux, d.linuxRaw, d.linuxMaps], [d.design, d.model, d.modelRaw, d.modelMaps]].forEach(function (x) {
        var col = el('div', { 'class': 'side' });
        col.appendChild(el('h4', {}, x[0]));
        col.appendChild(el('p', { 'class': 'result' }, '= ' + x[1] + (x[2] && x[2] !== x[1] ? '  [' + x[2] + ']' : '')));
        if (x[3]) col.appendChild(el('pre', {}, x[3].join('\n')));
        sbs.appendChild(col);
      });
      li.appendChild(sbs);
    });
    box.appendChild(ul);
    c.appendChild(box);
  }

  function renderTasks() {
    var box = clear(document.getElementById('tasklist'));
    var s = states[viewDesign], step = D.designs[viewDesign].steps[cur];
    Object.keys(s.maps).sort(function (a, b) { return a - b; }).forEach(function (pid) {
      var div = el('div', { 'class': 'task', 'data-pid': pid });
      div.appendChild(el('h3', {}, '/proc/' + pid + '/maps' + (step.maps[pid] ? ' (changed by this line)' : '')));
      div.appendChild(bar(s.maps[pid]));
      var pre = el('pre');
      s.maps[pid].forEach(function (l) {
        pre.appendChild(el('span', step.maps[pid] ? { 'class': 'changed' } : {}, l));
        pre.appendChild(document.createTextNode('\n'));
      });
      div.appendChild(pre);
      box.appendChild(div);
    });
  }

  // The address-space bar: each vma a box whose width grows with its size, gaps drawn the same.
  function bar(lines) {
    var NS = 'http://www.w3.org/2000/svg', W = 800, H = 22, GAP = 6;
    var svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('class', 'bar'); svg.setAttribute('width', W); svg.setAttribute('height', H);
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    var v = lines.map(function (l) {
      var r = l.split(' ')[0].split('-');
      return { start: parseInt(r[0], 16), end: parseInt(r[1], 16), perms: l.split(' ')[1], file: l.split(' ').length > 6 };
    });
    var weights = v.map(function (x) { return Math.sqrt((x.end - x.start) / 4096); });
    var total = weights.reduce(function (a, b) { return a + b; }, 0) || 1;
    var avail = W - GAP * Math.max(0, v.length - 1), x = 0;
    v.forEach(function (vm, i) {
      var w = Math.max(2, avail * weights[i] / total);
      var r = document.createElementNS(NS, 'rect');
      r.setAttribute('class', 'vma' + (vm.file ? ' file' : '')); r.setAttribute('x', x); r.setAttribute('y', 2);
      r.setAttribute('width', w); r.setAttribute('height', H - 4);
      var title = document.createElementNS(NS, 'title'); title.textContent = lines[i]; r.appendChild(title);
      svg.appendChild(r);
      if (w > 40) {
        var t = document.createElementNS(NS, 'text');
        t.setAttribute('x', x + 3); t.setAttribute('y', H - 7); t.textContent = vm.perms + ' ' + (vm.end - vm.start) / 4096 + 'p';
        svg.appendChild(t);
      }
      x += w + GAP;
    });
    return svg;
  }

  function keyOf(s, pfn) { return s.walks[pfn] ? s.walks[pfn].key : ''; }

  function renderFrames() {
    var t = clear(document.getElementById('frametable'));
    var s = states[viewDesign], step = D.designs[viewDesign].steps[cur];
    var hdr = el('tr');
    ['pfn', 'page (its lowest pid\'s pte)', 'kind', 'refcount', 'mapcount', 'flags', 'swap slot', 'LRU'].forEach(function (h) { hdr.appendChild(el('th', {}, h)); });
    t.appendChild(hdr);
    // The frames this line changed and the selected page first, then the others by pfn, up to
    // MAX_ROWS: a machine of 64k frames stays quick to draw.
    var MAX_ROWS = 400, first = [], rest = [];
    Object.keys(s.frames).forEach(function (p) {
      if (s.frames[p].kind === 'table') return;
      (step.frames[p] !== undefined || (selectedKey && keyOf(s, p) === selectedKey) ? first : rest).push(+p);
    });
    // Object.keys lists integer keys in ascending order: both lists are by pfn already.
    var pfns = first.concat(rest).slice(0, MAX_ROWS);
    if (first.length + rest.length > pfns.length) {
      var note = el('tr'); note.appendChild(el('td', { colspan: 8 }, (first.length + rest.length - pfns.length)
        + ' more frames not shown (those this line changed and the selected page come first)'));
      t.appendChild(note);
    }
    pfns.forEach(function (pfn) {
      var f = s.frames[pfn], key = keyOf(s, pfn);
      var cls = (step.frames[pfn] !== undefined ? 'changed ' : '') + (key && key === selectedKey ? 'selected' : '');
      var tr = el('tr', { 'data-pfn': pfn, 'data-key': key, 'class': cls });
      [pfn, key ? 'pid ' + key.replace('@', ' @') : '-', f.kind, f.refcount, f.mapcount, f.flags, f.swap || '-', f.lru]
        .forEach(function (c) { tr.appendChild(el('td', {}, String(c))); });
      tr.addEventListener('click', function () { if (key) select(key); });
      t.appendChild(tr);
    });
  }

  function select(key) { selectedKey = key; render(); }

  function renderPage() {
    document.getElementById('pagekey').textContent = selectedKey ? 'pid ' + selectedKey.replace('@', ' @') : 'none';
    var box = clear(document.getElementById('panels'));
    if (!selectedKey) return;
    D.designs.forEach(function (d, i) {
      var s = states[i], pfn = null;
      for (var p in s.walks) if (s.walks[p].key === selectedKey) { pfn = p; break; }
      var panel = el('section', { 'class': 'design-panel', 'data-design': d.name });
      panel.appendChild(el('h3', {}, d.name));
      if (pfn === null) { panel.appendChild(el('p', {}, 'no page mapped there')); box.appendChild(panel); return; }
      var w = s.walks[pfn], f = s.frames[pfn];
      panel.setAttribute('data-pfn', pfn); panel.setAttribute('data-vmas', w.vmas);
      panel.appendChild(el('p', {}, 'pfn ' + pfn + ', mapcount ' + f.mapcount + ', refcount ' + f.refcount
        + (D.designs[i].steps[cur].walks[pfn] ? ' — walk recorded at this line' : ' — walk as last recorded')));
      // page_referenced's walk and try_to_unmap's, which reclaim runs next, side by side.
      var walks = el('div', { 'class': 'walks' });
      [['page_referenced', w, 'walk'], ['try_to_unmap (replayed, nothing unmapped)', w.unmap, 'unmap-walk']].forEach(function (x) {
        var col = el('div', { 'class': 'walk-col ' + x[2] });
        col.appendChild(el('h4', {}, x[0] + ': ' + x[1].vmas + ' vmas visited, ' + x[1].ptes + ' ptes checked, ' + x[1].found + ' found'));
        var ol = el('ol', { 'class': x[2] });
        x[1].events.forEach(function (e) {
          var label = { vma: 'visit ', pte: 'check ', miss: 'check ', found: 'found ' }[e[0]] + D.labels[e[1]];
          ol.appendChild(el('li', { 'class': 'ev-' + e[0] }, label));
        });
        col.appendChild(ol);
        col.appendChild(el('p', { 'class': 'stop' }, x[1].stop));
        walks.appendChild(col);
      });
      panel.appendChild(walks);
      panel.appendChild(el('h4', {}, 'Structures'));
      if (w.structure !== null) panel.appendChild(tree([D.structures[w.structure]]));
      else panel.appendChild(el('p', {}, '(the design keeps no structure for this page)'));
      box.appendChild(panel);
    });
  }

  function tree(nodes) {
    var ul = el('ul', { 'class': 'structure' });
    nodes.forEach(function (n) {
      var li = el('li', { 'class': 'k-' + n.kind }, n.label);
      if (n.children.length) li.appendChild(tree(n.children));
      ul.appendChild(li);
    });
    return ul;
  }

  function renderCounters() {
    var t = clear(document.getElementById('countertable'));
    var names = [];
    D.designs.forEach(function (d, i) { Object.keys(states[i].counters).forEach(function (k) { if (names.indexOf(k) < 0) names.push(k); }); });
    var hdr = el('tr'); hdr.appendChild(el('th', {}, 'counter'));
    D.designs.forEach(function (d) { hdr.appendChild(el('th', {}, d.name)); });
    t.appendChild(hdr);
    names.forEach(function (k) {
      var tr = el('tr'); tr.appendChild(el('th', {}, k));
      D.designs.forEach(function (d, i) {
        var delta = d.steps[cur].counters[k], td = el('td', {}, String(states[i].counters[k] || 0));
        if (delta) td.appendChild(el('span', { 'class': 'delta' }, ' (' + (delta > 0 ? '+' : '') + delta + ')'));
        tr.appendChild(td);
      });
      t.appendChild(tr);
    });
  }

  // The timeline: one row a line, but only the rows in view (and ROWS_AROUND either side) are in
  // the document, redrawn on scroll, over a spacer as tall as every row; one click handler on the
  // container for all of them (a row says its step in data-i).
  var ROW = 18, ROWS_AROUND = 20, failedAt = {}, partedAt = {};
  function drawTimeline() {
    var tl = document.getElementById('timeline'), rows = clear(document.getElementById('timeline-rows'));
    var h = tl.clientHeight || 600;
    var first = Math.max(0, Math.floor(tl.scrollTop / ROW) - ROWS_AROUND);
    var last = Math.min(D.lines.length, Math.ceil((tl.scrollTop + h) / ROW) + ROWS_AROUND);
    for (var i = first; i < last; i++) {
      var l = D.lines[i], div = el('div', { 'data-i': i, title: l.line + '  ' + l.text }, l.line + '  ' + l.text);
      div.style.top = (i * ROW) + 'px';
      if (failedAt[i] === 1) div.classList.add('failed');
      if (i === cur) div.classList.add('cur');
      if (partedAt[i]) {
        div.classList.add('parted');
        div.title = 'parted from the kernel here: ' + partedAt[i].join(', ');
      }
      rows.appendChild(div);
    }
  }
  // Scrolls the timeline so that row N is in view (as scrollIntoView's 'nearest'), then redraws it.
  function showInTimeline(n) {
    var tl = document.getElementById('timeline'), h = tl.clientHeight || 600;
    if (n * ROW < tl.scrollTop) tl.scrollTop = n * ROW;
    else if ((n + 1) * ROW > tl.scrollTop + h) tl.scrollTop = (n + 1) * ROW - h;
    drawTimeline();
  }

  function init() {
    document.getElementById('file').textContent = D.file;
    var tl = document.getElementById('timeline');
    D.failed.forEach(function (i) { failedAt[i] = 1; });
    if (D.kernel) {
      D.kernel.diffs.forEach(function (d) {
        var i = d.line === null ? -1 : stepOfLine(d.line);
        if (i >= 0) (partedAt[i] = partedAt[i] || []).push(d.design);
      });
    }
    var rows = el('div', { id: 'timeline-rows' });
    rows.style.height = (D.lines.length * ROW) + 'px';
    tl.appendChild(rows);
    tl.addEventListener('click', function (e) {
      var r = e.target.closest ? e.target.closest('[data-i]') : null;
      if (r) go(+r.getAttribute('data-i'));
    });
    tl.addEventListener('scroll', drawTimeline);
    window.addEventListener('resize', drawTimeline);
    drawTimeline();
    var view = document.getElementById('view');
    D.designs.forEach(function (d, i) { view.appendChild(el('option', { value: i }, d.name)); });
    view.addEventListener('change', function () { viewDesign = +view.value; render(); });
    document.getElementById('prev').addEventListener('click', function () { go(want - 1); });
    document.getElementById('next').addEventListener('click', function () { go(want + 1); });
    var jump = document.getElementById('jump');
    jump.max = Math.max(0, nSteps - 1);
    jump.addEventListener('input', function () { go(+jump.value); });
    document.addEventListener('keydown', function (e) {
      if (e.key === 'ArrowRight' || e.key === 'j') { go(want + 1); e.preventDefault(); }
      else if (e.key === 'ArrowLeft' || e.key === 'k') { go(want - 1); e.preventDefault(); }
      else if (e.key === 'Home') { go(0); e.preventDefault(); }
      else if (e.key === 'End') { go(nSteps - 1); e.preventDefault(); }
    });
    var m = /step=(\d+)/.exec(location.hash);
    var k = /page=([0-9]+@[0-9a-f]+)/.exec(location.hash);
    if (k) selectedKey = k[1];
    go(m ? +m[1] - 1 : 0);
  }

  window.RMAPLAB_EXPLORER = { go: go, select: select, ready: ready, step: function () { return cur; } };
  init();
})();
